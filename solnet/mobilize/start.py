"""What the start page lists from mobilizing: asks waiting for the member's answer, what they
said yes to this week, their calls left; for the organizing team the roles unfilled this week
and the fights taken on with nothing ahead (registered in the app's ready())."""

from __future__ import annotations

from datetime import timedelta

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

from solnet.core.start import StartList, register
from solnet.fights import access as fights_access
from solnet.fights.models import FollowUp, PlanStep
from solnet.fights.stages import ACTIVE
from solnet.members.access import is_organizer
from solnet.members.models import Member
from solnet.mobilize import access
from solnet.mobilize.models import Action, Ask, CallList, CallResult, RoleSlot
from solnet.people.models import Answer

SOON = timedelta(days=7)


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
            action__in=access.visible_actions(member).values("pk"),
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


def register_lists() -> None:
    for start_list in (
        StartList("asks", asks_waiting, "mobilize/start/asks.html", 20),
        StartList("yes", said_yes, "mobilize/start/yes.html", 30),
        StartList("calls", call_lists, "mobilize/start/calls.html", 40),
        StartList("roles", roles_unfilled, "mobilize/start/roles.html", 70, is_organizer),
        StartList(
            "stalled", fights_without_next_step, "mobilize/start/stalled.html", 80, is_organizer
        ),
    ):
        register(start_list)
