"""Meetings: calling one with the body's notice, its roles, the agenda, attendance (in person
or remote), the speakers' list that lets those who have not spoken go first, the minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.democracy import access, notices
from solnet.democracy.models import (
    AgendaItem,
    AgendaKind,
    Attendance,
    AttendanceMode,
    Body,
    Meeting,
    MeetingStatus,
    NoticeKind,
    Proposal,
    SpeakerRequest,
)
from solnet.fights.models import Fight
from solnet.members.models import Member
from solnet.network import times


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)


def _in_body(member: Member | None, body: Body, field: str) -> None:
    if member is not None and not access.electorate_of(body).filter(pk=member.pk).exists():
        raise ValidationError({field: _("Only someone with a vote in this body can do this.")})


@transaction.atomic
def call_meeting(
    *,
    body: Body,
    by: Member,
    title: str,
    starts_at: datetime,
    place: str = "",
    facilitator: Member | None = None,
    note_taker: Member | None = None,
) -> Meeting:
    """Anyone with a vote in a body may call it to meet, with at least the body's notice;
    everyone with a vote is told."""
    if not access.can_propose(by, body):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the meeting a title.")
    if starts_at < timezone.now() + timedelta(hours=body.notice_hours):
        errors["starts_at"] = _("This body's notice is %(hours)s hours: call it for later.") % {
            "hours": body.notice_hours
        }
    if errors:
        raise ValidationError(errors)
    _in_body(facilitator, body, "facilitator")
    _in_body(note_taker, body, "note_taker")
    meeting = Meeting.objects.create(
        body=body,
        title=title.strip(),
        starts_at=starts_at,
        place=place.strip(),
        called_by=by,
        facilitator=facilitator or by,
        note_taker=note_taker,
    )
    audit.record("democracy.meeting_called", actor=by, target=meeting)
    notices.tell(NoticeKind.MEETING, members=access.electorate_of(body), meeting=meeting)
    return meeting


@transaction.atomic
def set_roles(
    *, meeting: Meeting, by: Member, facilitator: Member | None, note_taker: Member | None
) -> Meeting:
    meeting = _locked(meeting)
    if not access.can_run_meeting(by, meeting):
        raise PermissionDenied
    _in_body(facilitator, meeting.body, "facilitator")
    _in_body(note_taker, meeting.body, "note_taker")
    meeting.facilitator, meeting.note_taker = facilitator, note_taker
    meeting.save(update_fields=["facilitator", "note_taker"])
    audit.record("democracy.meeting_roles", actor=by, target=meeting)
    return meeting


# A meeting may open a little before the time it was called for, never earlier: the notice
# members were given is the notice of that time.
OPEN_GRACE = timedelta(minutes=10)


@transaction.atomic
def open_meeting(*, meeting: Meeting, by: Member) -> Meeting:
    """The meeting begins — no earlier than a few minutes before its called time."""
    meeting = _locked(meeting)
    if not access.can_run_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status != MeetingStatus.CALLED:
        raise ValidationError(_("This meeting has already begun."), code="not_called")
    if timezone.now() < meeting.starts_at - OPEN_GRACE:
        raise ValidationError(
            _("This meeting is called for %(when)s: it opens then, not before.")
            % {"when": times.moment(meeting.starts_at)},
            code="too_early",
        )
    meeting.status, meeting.opened_at = MeetingStatus.OPEN, timezone.now()
    meeting.save(update_fields=["status", "opened_at"])
    audit.record("democracy.meeting_opened", actor=by, target=meeting)
    return meeting


@transaction.atomic
def close_meeting(*, meeting: Meeting, by: Member) -> Meeting:
    meeting = _locked(meeting)
    if not access.can_run_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status != MeetingStatus.OPEN:
        raise ValidationError(_("This meeting is not in session."), code="not_open")
    meeting.status, meeting.closed_at = MeetingStatus.CLOSED, timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    audit.record("democracy.meeting_closed", actor=by, target=meeting)
    return meeting


# --- the agenda -----------------------------------------------------------------------------


@transaction.atomic
def add_agenda_item(
    *,
    meeting: Meeting,
    by: Member,
    title: str,
    kind: str = AgendaKind.DISCUSSION,
    proposal: Proposal | None = None,
    fight: Fight | None = None,
) -> AgendaItem:
    meeting = _locked(meeting)
    if not access.can_run_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(_("This meeting is over."), code="closed")
    if kind not in AgendaKind.values:
        raise ValidationError({"kind": _("Choose a kind of item from the list.")})
    if proposal is not None:
        if proposal.body_id != meeting.body_id:
            raise ValidationError({"proposal": _("That proposal is another body's.")})
        kind = AgendaKind.PROPOSAL
        title = title.strip() or proposal.title
    if fight is not None:
        from solnet.fights import access as fight_access

        if not fight_access.visible_fights(by).filter(pk=fight.pk).exists():
            raise ValidationError({"fight": _("Choose a fight from the list.")})
        kind = AgendaKind.FIGHT if proposal is None else kind
        title = title.strip() or fight.title
    if not title.strip():
        raise ValidationError({"title": _("Say what the item is.")})
    last = meeting.agenda.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=last + 1,
        kind=kind,
        title=title.strip(),
        proposal=proposal,
        fight=fight,
    )
    audit.record("democracy.agenda_item_added", actor=by, target=meeting)
    return item


@transaction.atomic
def finish_agenda_item(*, item: AgendaItem, by: Member, notes: str) -> AgendaItem:
    """The item is dealt with; what was said and decided goes with it into the minutes."""
    meeting = _locked(item.meeting)
    if not (access.can_run_meeting(by, meeting) or meeting.note_taker_id == by.pk):
        raise PermissionDenied
    item.notes = notes.strip() or None
    item.done_at = item.done_at or timezone.now()
    item.save(update_fields=["notes", "done_at"])
    return item


@transaction.atomic
def save_minutes(*, meeting: Meeting, by: Member, minutes: str) -> Meeting:
    meeting = _locked(meeting)
    if not (access.can_run_meeting(by, meeting) or meeting.note_taker_id == by.pk):
        raise PermissionDenied
    meeting.minutes = minutes.strip() or None
    meeting.save(update_fields=["minutes"])
    audit.record("democracy.minutes_saved", actor=by, target=meeting)
    return meeting


# --- attendance and the speakers' list ------------------------------------------------------


@transaction.atomic
def attend(*, meeting: Meeting, member: Member, mode: str, by: Member) -> Attendance:
    """A member marks themself present (or the facilitator marks them), in person or
    remote."""
    meeting = _locked(meeting)
    if by.pk != member.pk and not access.can_run_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(_("This meeting is over."), code="closed")
    if mode not in AttendanceMode.values:
        raise ValidationError({"mode": _("In person or remote?")})
    if not access.electorate_of(meeting.body).filter(pk=member.pk).exists():
        raise ValidationError({"username": _("This person is not one of this body's members.")})
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting,
        member=member,
        defaults={"mode": mode, "recorded_by": None if by.pk == member.pk else by},
    )
    return attendance


@transaction.atomic
def ask_to_speak(*, meeting: Meeting, member: Member) -> SpeakerRequest:
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.OPEN:
        raise ValidationError(_("The speakers' list opens with the meeting."), code="not_open")
    if not Attendance.objects.filter(meeting=meeting, member=member).exists():
        raise ValidationError(_("Say you are here first."), code="absent")
    request, _created = SpeakerRequest.objects.get_or_create(
        meeting=meeting, member=member, spoke_at=None
    )
    return request


@transaction.atomic
def withdraw_from_list(*, meeting: Meeting, member: Member) -> None:
    SpeakerRequest.objects.filter(meeting=meeting, member=member, spoke_at=None).delete()


def speakers_in_order(meeting: Meeting) -> list[SpeakerRequest]:
    """Hands up, those who have spoken least in this meeting first, then in the order they
    asked (the progressive stack many assemblies use)."""
    spoken = dict(
        SpeakerRequest.objects.filter(meeting=meeting, spoke_at__isnull=False)
        .values_list("member")
        .annotate(turns=Count("pk"))
    )
    waiting = list(
        SpeakerRequest.objects.filter(meeting=meeting, spoke_at__isnull=True).select_related(
            "member"
        )
    )
    for request in waiting:
        request.turns = spoken.get(request.member_id, 0)  # type: ignore[attr-defined]
    return sorted(waiting, key=lambda r: (r.turns, r.asked_at, r.pk))  # type: ignore[attr-defined]


@transaction.atomic
def next_speaker(*, meeting: Meeting, by: Member) -> SpeakerRequest | None:
    """The facilitator gives the floor to the first on the list."""
    meeting = _locked(meeting)
    if not access.can_run_meeting(by, meeting):
        raise PermissionDenied
    waiting = speakers_in_order(meeting)
    if not waiting:
        return None
    turn = waiting[0]
    SpeakerRequest.objects.filter(pk=turn.pk).update(spoke_at=timezone.now())
    return turn
