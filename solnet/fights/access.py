"""Who may see and do what with fights and leads. Views reach them only through here.

Visibility is per fight: its team sees everything, its campaign subjects see their own fight
(not its risk flags), and an organizer outside the team sees only that it exists and its stage
— on the board, never its page.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from solnet.core.access import get_or_404
from solnet.fights.models import (
    Evidence,
    Fight,
    FollowUp,
    Lead,
    Target,
    WinnabilityCriterion,
)
from solnet.members.access import can_read_contacts, is_member, is_organizer
from solnet.members.models import Member


def can_handle_leads(member: Member) -> bool:
    """Intake is the organizing team's work, and means reading the caller's contact."""
    return is_organizer(member) and can_read_contacts(member)


def visible_leads(member: Member) -> QuerySet[Lead]:
    if not can_handle_leads(member):
        return Lead.objects.none()
    return Lead.objects.all()


def get_lead_or_404(member: Member, public_id: str) -> Lead:
    return get_or_404(visible_leads(member), public_id=public_id)


def _involved(member: Member) -> Q:
    return Q(team__member=member) | Q(subjects__person__member=member)


def visible_fights(member: Member) -> QuerySet[Fight]:
    """The board: every fight for the organizing team (name and stage only), and the fights
    a member works on or brought."""
    if not (member.is_active and member.is_approved):
        return Fight.objects.none()
    if is_organizer(member):
        return Fight.objects.all()
    ids = Fight.objects.filter(_involved(member)).values("pk")
    return Fight.objects.filter(pk__in=ids)


def can_see_fights(member: Member) -> bool:
    """The board and the network's figures are every member's; a list supporter or phone-tree
    contact who brought a fight or works on one sees that fight there."""
    return is_member(member) or visible_fights(member).exists()


def team_fights(member: Member) -> QuerySet[Fight]:
    if not (member.is_active and member.is_approved):
        return Fight.objects.none()
    return Fight.objects.filter(team__member=member)


def open_follow_ups(member: Member) -> QuerySet[FollowUp]:
    """The follow-up tasks not done yet of the fights on the member's team, with their fight,
    in one query whatever the number of fights."""
    return FollowUp.objects.filter(
        fight__in=team_fights(member).values("pk"), done_at__isnull=True
    ).select_related("fight")


def subject_fights(member: Member) -> QuerySet[Fight]:
    if not (member.is_active and member.is_approved):
        return Fight.objects.none()
    return Fight.objects.filter(subjects__person__member=member)


def get_fight_or_404(member: Member, public_id: str) -> tuple[Fight, str]:
    """A fight the member works on ("team") or brought ("subject"); 404 for anyone else,
    organizers outside the team included."""
    fight = team_fights(member).filter(public_id=public_id).first()
    if fight is not None:
        return fight, "team"
    return get_or_404(subject_fights(member), public_id=public_id), "subject"


def get_team_fight_or_404(member: Member, public_id: str) -> Fight:
    return get_or_404(team_fights(member), public_id=public_id)


def is_on_team(member: Member, fight: Fight) -> bool:
    return fight.team.filter(member=member).exists()


def is_subject(member: Member, fight: Fight) -> bool:
    return fight.subjects.filter(person__member=member).exists()


def subjects_can_decide_here(fight: Fight) -> bool:
    """Whether a subject of this fight has an account to take their decisions with. If none
    does, the team records the subject's decision as they said it."""
    return fight.subjects.filter(person__member__isnull=False).exists()


def get_evidence_or_404(member: Member, fight_public_id: str, public_id: str) -> Evidence:
    """A fight's evidence, for its team alone: a guessed id gets 404 from anyone else."""
    return get_or_404(
        Evidence.objects.filter(fight__in=team_fights(member)).select_related("fight", "file"),
        fight__public_id=fight_public_id,
        public_id=public_id,
    )


def can_research(member: Member) -> bool:
    """Research on targets is shared by the organizing team and whoever works on a fight."""
    return is_organizer(member) or team_fights(member).exists()


def visible_targets(member: Member) -> QuerySet[Target]:
    if not can_research(member):
        return Target.objects.none()
    return Target.objects.all()


def get_target_or_404(member: Member, public_id: str) -> Target:
    return get_or_404(visible_targets(member), public_id=public_id)


def can_edit_sheet(member: Member) -> bool:
    """The winnability sheet is the network's: its organizing team keeps it."""
    return is_organizer(member)


def get_criterion_or_404(member: Member, public_id: str) -> WinnabilityCriterion:
    if not can_edit_sheet(member):
        return get_or_404(WinnabilityCriterion.objects.none(), public_id=public_id)
    return get_or_404(WinnabilityCriterion.objects.all(), public_id=public_id)
