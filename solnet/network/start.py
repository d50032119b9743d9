"""The start page: what needs me now, most urgent first.

For every member: votes waiting for their vote, asks waiting for their answer, actions they
said yes to in the next days, their call lists with calls left, the deadlines of their
fights, and two-person actions waiting for their approval. For the organizing team also:
leads waiting for a call back, roles unfilled for actions this week, and fights taken on
with no next step.

Each list is one query whatever its length (the page's query budget is asserted in
`network/tests/test_start_page.py`); each shows its first few, with the count of the rest
and a link to where the whole list lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from solnet.core import twoperson
from solnet.democracy import access as democracy
from solnet.democracy import notices
from solnet.democracy.models import Ballot, Participation, Status
from solnet.fights import access as fights_access
from solnet.fights.models import Fight, FollowUp, LeadStatus, PlanStep
from solnet.fights.stages import ACTIVE
from solnet.members import access as member_access
from solnet.members.models import Member
from solnet.mobilize import access as mobilize_access
from solnet.mobilize.models import Action, Ask, CallList, CallResult, RoleSlot
from solnet.people.models import Answer

SHOWN = 5
SOON = timedelta(days=7)
DEADLINES_AHEAD = timedelta(days=14)


@dataclass
class Section:
    """One list on the start page: its first `SHOWN` rows and how many more there are."""

    key: str
    rows: list[Any]
    more: int = 0

    def __bool__(self) -> bool:
        return bool(self.rows)


@dataclass
class Needs:
    sections: list[Section] = field(default_factory=list)
    pending_joiners: int = 0
    pending_approvals: int = 0
    unread_notices: int = 0

    def __bool__(self) -> bool:
        return any(self.sections) or bool(self.pending_joiners or self.pending_approvals)


def _section(key: str, queryset: QuerySet, count: int | None = None) -> Section:
    """The first rows, fetched with one more to know whether to count the rest."""
    rows = list(queryset[: SHOWN + 1])
    if len(rows) <= SHOWN:
        return Section(key, rows)
    total = queryset.count() if count is None else count
    return Section(key, rows[:SHOWN], total - SHOWN)


def votes_waiting(member: Member) -> QuerySet:
    """Open votes `member` has a say in and has not voted on, closing soonest first."""

    return (
        democracy.votable_by(member)
        .filter(status=Status.VOTING, closes_at__gt=timezone.now())
        .exclude(Exists(Ballot.objects.filter(proposal=OuterRef("pk"), voter=member)))
        .exclude(Exists(Participation.objects.filter(proposal=OuterRef("pk"), voter=member)))
        .select_related("body", "fight")
        .order_by("closes_at", "pk")
    )


def _asks(member: Member) -> QuerySet:

    return (
        Ask.objects.filter(
            person__member=member,
            action__cancelled_at__isnull=True,
            action__ends_at__gt=timezone.now(),
        )
        .select_related("action", "shift", "commitment")
        .order_by("action__starts_at", "shift__starts_at", "pk")
    )


def asks_waiting(member: Member) -> QuerySet:

    return _asks(member).filter(commitment__answer=Answer.WAITING)


def said_yes(member: Member) -> QuerySet:
    """Actions (or shifts) `member` said yes to that start in the next days or are under way."""

    until = timezone.now() + SOON
    return _asks(member).filter(
        Q(shift__isnull=True, action__starts_at__lte=until)
        | Q(shift__starts_at__lte=until, shift__ends_at__gt=timezone.now()),
        commitment__answer=Answer.YES,
    )


def call_lists(member: Member) -> QuerySet:
    """`member`'s call lists for actions still to come, with the calls left: not called yet,
    or a call-back that is due."""

    now = timezone.now()
    left = Q(calls__caller=member) & (
        Q(calls__callback_at__lte=now)
        | Q(calls__result=CallResult.WAITING, calls__callback_at__isnull=True)
    )
    return (
        CallList.objects.filter(
            calls__caller=member, action__cancelled_at__isnull=True, action__ends_at__gt=now
        )
        .annotate(left=Count("calls", filter=left, distinct=True))
        .filter(left__gt=0)
        .select_related("action")
        .order_by("action__starts_at", "pk")
    )


def fight_deadlines(member: Member) -> QuerySet:
    """Deadlines of the open fights `member` is on the team of or brought, passed or within
    two weeks."""

    until = timezone.localdate() + DEADLINES_AHEAD
    mine = Fight.objects.filter(Q(team__member=member) | Q(subjects__person__member=member))
    return (
        Fight.objects.open()
        .filter(pk__in=mine.values("pk"), deadline__isnull=False, deadline__lte=until)
        .order_by("deadline", "pk")
    )


def leads_to_call(member: Member) -> QuerySet:
    """New leads nobody has called back yet: the member's own first, then nobody's, oldest
    first (someone who called for help should not wait)."""

    return (
        fights_access.visible_leads(member)
        .filter(status=LeadStatus.NEW)
        .filter(Q(callback_owner=member) | Q(callback_owner__isnull=True))
        .order_by("callback_owner", "created_at", "pk")
    )


def roles_unfilled(member: Member) -> QuerySet:
    """Roles to fill for actions in the next seven days with fewer yeses than needed, counted
    as the action's page counts them (a role of a shift counts that shift's yeses)."""

    now = timezone.now()
    yes = Ask.objects.filter(
        action=OuterRef("action"), role=OuterRef("role"), commitment__answer=Answer.YES
    )
    in_shift = yes.filter(shift=OuterRef("shift"))

    def counted(asks):
        return Subquery(
            asks.order_by().values("action").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        )

    return (
        RoleSlot.objects.filter(
            action__in=mobilize_access.visible_actions(member).values("pk"),
            action__cancelled_at__isnull=True,
            action__ends_at__gt=now,
            action__starts_at__lte=now + SOON,
        )
        .annotate(
            filled=Case(
                When(shift__isnull=True, then=counted(yes)),
                default=counted(in_shift),
                output_field=IntegerField(),
            )
        )
        .filter(Q(filled__isnull=True) | Q(filled__lt=F("needed")))
        .select_related("action", "shift")
        .order_by("action__starts_at", "shift__starts_at", "pk")
    )


def fights_without_next_step(member: Member) -> QuerySet:
    """Fights taken on with nothing ahead: no step of the plan still to do, no action to
    come, no follow-up open and no deadline to wait for."""

    now = timezone.now()
    return (
        fights_access.visible_fights(member)
        .filter(stage__in=ACTIVE)
        .exclude(Exists(PlanStep.objects.filter(fight=OuterRef("pk"), done_on__isnull=True)))
        .exclude(
            Exists(
                Action.objects.filter(
                    fight=OuterRef("pk"), cancelled_at__isnull=True, ends_at__gt=now
                )
            )
        )
        .exclude(Exists(FollowUp.objects.filter(fight=OuterRef("pk"), done_at__isnull=True)))
        .exclude(deadline__gte=timezone.localdate())
        .order_by("updated_at", "pk")
    )


def needs_of(member: Member) -> Needs:
    """Everything on `member`'s start page, most urgent first."""

    needs = Needs(
        pending_joiners=member_access.pending_joiners(member).count(),
        pending_approvals=twoperson.pending_for(member).count(),
        unread_notices=notices.unread(member).count(),
    )
    if not (member.is_active and member.is_approved):
        return needs
    needs.sections = [
        _section("votes", votes_waiting(member)),
        _section("asks", asks_waiting(member)),
        _section("yes", said_yes(member)),
        _section("calls", call_lists(member)),
        _section("deadlines", fight_deadlines(member)),
    ]
    if member_access.is_organizer(member):
        needs.sections += [
            _section("leads", leads_to_call(member)),
            _section("roles", roles_unfilled(member)),
            _section("stalled", fights_without_next_step(member)),
        ]
    return needs
