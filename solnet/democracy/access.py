"""Who may see, propose and vote where. Views and the API reach bodies, proposals and ballots
only through here.

Who votes is the body's: the general meeting's members from its tier up, a council's
members, a committee's members, a fight's team and campaign subjects. A proposal about a
fight adds everyone involved in that fight (DOMAIN.md §1: they have voice and vote on it);
a decision the network gives the campaign subject is theirs alone. Who sees a body's
proposals is who votes in it, and the organizing team for the general meeting, councils
and committees — never a fight's proposals from outside the fight.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from solnet.core.access import get_or_404
from solnet.councils.models import Committee, CouncilMembership
from solnet.democracy import conflicts
from solnet.democracy.models import Body, BodyKind, Delegate, Meeting, MeetingStatus, Proposal
from solnet.fights.models import Fight, FightSubject, FightTeamMember
from solnet.members import trust
from solnet.members.access import is_member, is_organizer
from solnet.members.models import Member, Role


def _active() -> QuerySet[Member]:
    return Member.objects.filter(is_active=True, status=Member.Status.ACTIVE)


def _involved_in(fight_id: int) -> Q:
    return Q(fight_teams__fight_id=fight_id) | Q(person__fights_brought__fight_id=fight_id)


def _subjects_of(fight_id: int) -> Q:
    return Q(person__fights_brought__fight_id=fight_id)


def _votes_in(body: Body) -> Q:
    if body.kind == BodyKind.GENERAL:
        return Q(tier__gte=body.voter_tier)
    if body.kind == BodyKind.COUNCIL:
        return Q(person__council_memberships__council=body.council)
    if body.kind == BodyKind.COMMITTEE:
        return Q(person__committees=body.committee)
    return _involved_in(body.fight_id or 0)


def _members_of(body: Body) -> Q:
    """Who votes in the body's own business; where its rules say so, newcomers only once
    they have served the network's waiting period. Those involved in a fight (its team and
    its campaign subjects) always have voice and vote on it."""
    who = _votes_in(body)
    if body.newcomers_wait and body.kind != BodyKind.FIGHT:
        who &= trust.settled()
    return who


def electorate_of(body: Body) -> QuerySet[Member]:
    """Everyone with a vote in the body's own business."""
    return _active().filter(_members_of(body)).distinct()


def electorate(proposal: Proposal) -> QuerySet[Member]:
    """Everyone with a vote on this proposal."""
    if proposal.subject_decides and proposal.fight_id:
        return _active().filter(_subjects_of(proposal.fight_id)).distinct()
    who = _members_of(proposal.body)
    if proposal.fight_id:
        who |= _involved_in(proposal.fight_id)
    return _active().filter(who).exclude(pk__in=conflicts.conflicted(proposal)).distinct()


def may_vote(member: Member, proposal: Proposal) -> bool:
    return electorate(proposal).filter(pk=member.pk).exists()


def votable_by(member: Member) -> QuerySet[Proposal]:
    """The proposals `member` has a vote on, whatever their status: `electorate` read from the
    member's side, as one query (the start page lists the open ones not yet voted on)."""
    if not (member.is_active and member.status == Member.Status.ACTIVE):
        return Proposal.objects.none()
    from solnet.councils.models import Committee, Council

    involved = Fight.objects.filter(
        Q(team__member=member) | Q(subjects__person__member=member)
    ).values("pk")
    subject_of = Fight.objects.filter(subjects__person__member=member).values("pk")
    own_body = (
        Q(body__kind=BodyKind.GENERAL, body__voter_tier__lte=member.tier)
        | Q(
            body__kind=BodyKind.COUNCIL,
            body__council__in=Council.objects.filter(memberships__person__member=member).values(
                "pk"
            ),
        )
        | Q(
            body__kind=BodyKind.COMMITTEE,
            body__committee__in=Committee.objects.filter(members__member=member).values("pk"),
        )
    )
    if not trust.is_settled(member):
        own_body &= Q(body__newcomers_wait=False)
    own_body |= Q(body__kind=BodyKind.FIGHT, body__fight__in=involved)
    the_subjects = Q(subject_decides=True, fight__isnull=False)
    return Proposal.objects.filter(
        (the_subjects & Q(fight__in=subject_of))
        | (~the_subjects & (own_body | Q(fight__in=involved)))
    )


def visible_bodies(member: Member) -> QuerySet[Body]:
    """Bodies whose proposals a member sees: those they vote in, and for the organizing team
    every body but a fight's."""
    if not (member.is_active and member.is_approved):
        return Body.objects.none()
    # Each way in is a small subquery of its own: joined together they made one join of
    # every membership, team and subject row, planned afresh on every page (the menu asks).
    councils = CouncilMembership.objects.filter(person__member=member).values("council")
    committees = Committee.objects.filter(members__member=member).values("pk")
    teams = FightTeamMember.objects.filter(member=member).values("fight")
    brought = FightSubject.objects.filter(person__member=member).values("fight")
    query = Q(kind=BodyKind.GENERAL, voter_tier__lte=member.tier)
    query |= Q(council__in=councils) | Q(committee__in=committees)
    query |= Q(fight__in=teams) | Q(fight__in=brought)
    if is_organizer(member):
        query |= Q(kind__in=[BodyKind.GENERAL, BodyKind.COUNCIL, BodyKind.COMMITTEE])
    return Body.objects.filter(query)


def visible_proposals(member: Member) -> QuerySet[Proposal]:
    if not (member.is_active and member.is_approved):
        return Proposal.objects.none()
    involved = Fight.objects.filter(
        Q(team__member=member) | Q(subjects__person__member=member)
    ).values("pk")
    return Proposal.objects.filter(
        Q(body__in=visible_bodies(member).values("pk")) | Q(fight__in=involved)
    ).select_related("body", "fight")


def get_proposal_or_404(member: Member, public_id: str) -> Proposal:
    return get_or_404(visible_proposals(member), public_id=public_id)


def get_body_or_404(member: Member, public_id: str) -> Body:
    return get_or_404(visible_bodies(member), public_id=public_id)


def can_see_democracy(member: Member) -> bool:
    """The menu entry, asked on every page: anyone with a body to see. Most members vote in the
    general meeting, which one small query finds; building the full query for the others costs
    two milliseconds of Python, so it is built only when that one finds nothing."""
    if not (member.is_active and member.is_approved):
        return False
    if Body.objects.filter(kind=BodyKind.GENERAL, voter_tier__lte=member.tier).exists():
        return True
    return visible_bodies(member).exists() or visible_proposals(member).exists()


def can_propose(member: Member, body: Body) -> bool:
    """Anyone with a vote in a body may put a proposal to it."""
    return electorate_of(body).filter(pk=member.pk).exists()


def can_facilitate(member: Member, proposal: Proposal) -> bool:
    """Who may open the vote, close it in a meeting, and enter a vote given by phone or in
    person: whoever put it forward, the facilitator of a meeting in session that has it on
    its agenda, and the body's facilitators and organizing team."""
    if not (member.is_active and member.is_approved):
        return False
    if proposal.proposed_by_id == member.pk:
        return True
    if proposal.agenda_items.filter(
        meeting__status=MeetingStatus.OPEN, meeting__facilitator=member
    ).exists():
        return True
    if not (member.has_role(Role.FACILITATOR) or is_organizer(member)):
        return False
    return electorate_of(proposal.body).filter(pk=member.pk).exists() or (
        is_organizer(member) and proposal.body.kind != BodyKind.FIGHT
    )


def closes_in_session(member: Member, proposal: Proposal) -> bool:
    """Whether `member` facilitates a meeting in session of the proposal's body that has it
    on its agenda: the only place a vote may close before its deadline (the service then
    checks the notice and the quorum)."""
    return Meeting.objects.filter(
        body_id=proposal.body_id,
        status=MeetingStatus.OPEN,
        facilitator=member,
        agenda__proposal=proposal,
    ).exists()


def can_use_democracy_api(member: Member) -> bool:
    return is_member(member) or visible_proposals(member).exists()


# --- meetings and delegates -----------------------------------------------------------------


def visible_meetings(member: Member) -> QuerySet[Meeting]:
    """A body's meetings are seen by whoever sees the body."""
    return Meeting.objects.filter(body__in=visible_bodies(member).values("pk")).select_related(
        "body"
    )


def get_meeting_or_404(member: Member, public_id: str) -> Meeting:
    return get_or_404(visible_meetings(member), public_id=public_id)


def can_run_meeting(member: Member, meeting: Meeting) -> bool:
    """Its facilitator, whoever called it, and (but in a fight's body) the organizing team."""
    if not (member.is_active and member.is_approved):
        return False
    if member.pk in (meeting.facilitator_id, meeting.called_by_id):
        return True
    return is_organizer(member) and meeting.body.kind != BodyKind.FIGHT


def visible_delegates(member: Member) -> QuerySet[Delegate]:
    """The body that sent a delegate sees their mandate and their votes; so do they."""
    return Delegate.objects.filter(
        Q(body__in=visible_bodies(member).values("pk")) | Q(member=member)
    ).select_related("body", "member", "to_body")


def get_delegate_or_404(member: Member, public_id: str) -> Delegate:
    return get_or_404(visible_delegates(member), public_id=public_id)
