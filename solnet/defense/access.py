"""Who reaches the hotline's desk and its reports. Views reach reports, slots and notes only
through here.

Reports are read by the network's dispatchers alone (members the network gave the dispatcher
role, which only a second member or a decision can grant, and who sign in with a second
factor). Any member may send a report from the app — they are the network's eyes — but does
not read reports afterwards, not even their own: what it says is the dispatchers' to keep.
Field rule (DOMAIN.md §8): nothing of a report reaches a public page, a feed or a peer.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from solnet.core.access import get_or_404
from solnet.defense.models import (
    Arrestee,
    Conversation,
    FamilyTask,
    FieldEntry,
    Handover,
    Report,
    ReportStatus,
    Slot,
)
from solnet.members.access import is_member
from solnet.members.models import Member, Role
from solnet.people.models import PersonSkill, Skill

# Who keeps field notes at an incident (DOMAIN.md §8).
OBSERVER_SKILLS = (Skill.LEGAL_OBSERVER, Skill.COPWATCH)


def is_dispatcher(member: Member) -> bool:
    """An approved, active member holding the dispatcher role."""
    return (
        member.is_active
        and member.is_approved
        and member.status == Member.Status.ACTIVE
        and Role.DISPATCHER in member.role_set()
    )


def can_file_report(member: Member) -> bool:
    return is_member(member) or is_dispatcher(member)


def visible_reports(member: Member) -> QuerySet[Report]:
    return Report.objects.all() if is_dispatcher(member) else Report.objects.none()


def get_report_or_404(member: Member, public_id: str) -> Report:
    return get_or_404(visible_reports(member), public_id=public_id)


def visible_slots(member: Member) -> QuerySet[Slot]:
    return Slot.objects.all() if is_dispatcher(member) else Slot.objects.none()


def get_slot_or_404(member: Member, public_id: str) -> Slot:
    return get_or_404(visible_slots(member), public_id=public_id)


def visible_handovers(member: Member) -> QuerySet[Handover]:
    return Handover.objects.all() if is_dispatcher(member) else Handover.objects.none()


def visible_conversations(member: Member) -> QuerySet[Conversation]:
    return Conversation.objects.all() if is_dispatcher(member) else Conversation.objects.none()


def get_conversation_or_404(member: Member, public_id: str) -> Conversation:
    return get_or_404(visible_conversations(member), public_id=public_id)


# --- field notes ------------------------------------------------------------------------------


def is_lo_coordinator(member: Member) -> bool:
    """An approved, active member holding the legal observer coordinator role."""
    return (
        member.is_active
        and member.is_approved
        and member.status == Member.Status.ACTIVE
        and Role.LEGAL_OBSERVER_COORDINATOR in member.role_set()
    )


def reads_all_field_notes(member: Member) -> bool:
    return is_dispatcher(member) or is_lo_coordinator(member)


def visible_incidents(member: Member) -> QuerySet[Report]:
    """Incidents whose field notes the member reads: every confirmed report, and every one
    that called responders out or has notes, for dispatchers and the LO coordinator; for an
    observer, those they are checked in to and those whose alert reached them (they may
    check in)."""
    if reads_all_field_notes(member):
        return Report.objects.filter(
            Q(status=ReportStatus.CONFIRMED) | Q(alert__isnull=False) | Q(check_ins__isnull=False)
        ).distinct()
    if not is_member(member):
        return Report.objects.none()
    if not PersonSkill.objects.filter(person__member=member, skill__in=OBSERVER_SKILLS).exists():
        return Report.objects.none()
    return Report.objects.filter(
        Q(check_ins__member=member)
        | Q(alert__isnull=False, alert__sends__deliveries__person__member=member)
    ).distinct()


def get_incident_or_404(member: Member, public_id: str) -> Report:
    return get_or_404(visible_incidents(member), public_id=public_id)


def get_entry_or_404(member: Member, public_id: str, entry_id: str) -> FieldEntry:
    report = get_incident_or_404(member, public_id)
    return get_or_404(FieldEntry.objects.filter(report=report), public_id=entry_id)


# --- jail support -----------------------------------------------------------------------------


def visible_arrestees(member: Member) -> QuerySet[Arrestee]:
    """Dispatchers and the LO coordinator read every case; a member supporting one, theirs."""
    if reads_all_field_notes(member):
        return Arrestee.objects.all()
    if not is_member(member):
        return Arrestee.objects.none()
    return Arrestee.objects.filter(supporter=member)


def supports(member: Member, arrestee: Arrestee) -> bool:
    return reads_all_field_notes(member) or (
        is_member(member) and arrestee.supporter_id == member.pk
    )


def get_arrestee_or_404(member: Member, public_id: str) -> Arrestee:
    return get_or_404(visible_arrestees(member), public_id=public_id)


def get_task_or_404(member: Member, public_id: str, task_id: str) -> FamilyTask:
    arrestee = get_arrestee_or_404(member, public_id)
    return get_or_404(FamilyTask.objects.filter(arrestee=arrestee), public_id=task_id)
