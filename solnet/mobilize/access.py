"""Who sees and runs actions, call lists, messages and alerts. Views and the API reach them
only through here.

An action is seen by those it asks (from its tier up; a council's action by the council's
members), by anyone asked to it, and by the organizing team. It is run (shifts, roles, asks,
call lists, messages, attendance) by the organizing team and, for a fight's action, by the
fight's team. A caller sees the people on their own part of a call list, with the numbers to
call, and only with a second factor on their account (SECURITY.md: whoever reads others'
contact details has one). The check-in volunteer is whoever holds the check-in role there.
Alerts are the dispatchers' and the organizing team's; verifiers confirm them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from solnet.core.access import get_or_404
from solnet.members.access import has_second_factor, is_organizer
from solnet.members.models import Member, Role
from solnet.mobilize.models import (
    Action,
    ActionRole,
    Alert,
    Ask,
    Call,
    CallList,
    Send,
)


def _approved(member: Member) -> bool:
    return member.is_active and member.is_approved


def visible_actions(member: Member) -> QuerySet[Action]:
    if not _approved(member):
        return Action.objects.none()
    if is_organizer(member):
        return Action.objects.all()
    asked_to = Ask.objects.filter(person__member=member).values("action_id")
    query = Q(pk__in=asked_to) | Q(fight__team__member=member)
    query |= Q(tier__lte=member.tier, council__isnull=True)
    query |= Q(tier__lte=member.tier, council__memberships__person__member=member)
    ids = Action.objects.filter(query).values("pk")
    return Action.objects.filter(pk__in=ids)


def get_action_or_404(member: Member, public_id: str) -> Action:
    return get_or_404(visible_actions(member), public_id=public_id)


def can_see_actions(member: Member) -> bool:
    """The menu entry: every approved member has actions to be asked to."""
    return _approved(member)


def can_plan_actions(member: Member) -> bool:
    """Planning a network or council action is the organizing team's; a fight's team plans
    its fight's actions from the fight."""
    return is_organizer(member) or (
        _approved(member) and member.fight_teams.exists()  # type: ignore[attr-defined]
    )


def can_run(member: Member, action: Action) -> bool:
    if not _approved(member):
        return False
    if is_organizer(member):
        return True
    fight = action.fight
    return fight is not None and fight.team.filter(member=member).exists()


def can_check_in(member: Member, action: Action) -> bool:
    """Those who run it, and whoever said yes to the check-in role."""
    if can_run(member, action):
        return True
    return (
        _approved(member)
        and action.asks.filter(
            person__member=member, role=ActionRole.CHECK_IN, commitment__answer="yes"
        ).exists()
    )


def visible_call_lists(member: Member, action: Action) -> QuerySet[CallList]:
    """Those who run the action see every list; a caller the lists they have calls on."""
    lists = CallList.objects.filter(action=action)
    if can_run(member, action):
        return lists
    return lists.filter(calls__caller=member).distinct()


def get_call_list_or_404(member: Member, action: Action, public_id: str) -> CallList:
    return get_or_404(visible_call_lists(member, action), public_id=public_id)


def calls_for(member: Member, call_list: CallList) -> QuerySet[Call]:
    """The caller view: the calls that are this member's to make."""
    return Call.objects.filter(call_list=call_list, caller=member)


def may_call(member: Member) -> bool:
    """A caller reads the numbers of the people they call: an active member with a second
    factor, and not while their own contacts are hidden by the panic button."""
    return _approved(member) and not member.contacts_hidden and has_second_factor(member)


def get_call_or_404(member: Member, call_list: CallList, pk: int | str) -> Call:
    calls = Call.objects.filter(call_list=call_list)
    if not can_run(member, call_list.action):
        calls = calls.filter(caller=member)
    return get_or_404(calls, pk=pk)


def visible_sends(member: Member, action: Action) -> QuerySet[Send]:
    if not can_run(member, action):
        return Send.objects.none()
    return Send.objects.filter(action=action)


def get_send_or_404(member: Member, public_id: str) -> Send:
    """A send is seen by who may run what it is about."""
    send = get_or_404(Send.objects.select_related("action", "alert"), public_id=public_id)
    if send.action is not None and can_run(member, send.action):
        return send
    if send.alert is not None and can_dispatch(member):
        return send
    if send.action is None and send.alert is None and is_organizer(member):
        return send
    return get_or_404(Send.objects.none(), pk=0)


# --- alerts -----------------------------------------------------------------------------------


def can_dispatch(member: Member) -> bool:
    return _approved(member) and (is_organizer(member) or member.has_role(Role.DISPATCHER))


def can_verify(member: Member) -> bool:
    return _approved(member) and (member.has_role(Role.VERIFIER) or is_organizer(member))


def visible_alerts(member: Member) -> QuerySet[Alert]:
    """Dispatchers and verifiers see every alert; a responder the alerts sent to them."""
    if not _approved(member):
        return Alert.objects.none()
    if can_dispatch(member) or can_verify(member):
        return Alert.objects.all()
    ids = Send.objects.filter(alert__isnull=False, deliveries__person__member=member).values(
        "alert_id"
    )
    return Alert.objects.filter(pk__in=ids)


def get_alert_or_404(member: Member, public_id: str) -> Alert:
    return get_or_404(visible_alerts(member), public_id=public_id)


def numbers_to_call(caller: Member, call: Call, *, allowed: bool | None = None) -> list[str]:
    """The numbers a caller sees for one of their calls: the person's phone channels they
    agreed to, or the phone on their account; none if the person pressed their panic
    button, or the caller may not read numbers (`allowed`: `may_call(caller)` when the
    caller view already knows it)."""
    if allowed is None:
        allowed = may_call(caller)
    if call.caller_id != caller.pk or not allowed:
        return []
    person = call.ask.person
    account = person.member
    if account is not None and account.contacts_hidden:
        return []
    numbers = [
        channel.value
        for channel in person.channels.all()
        if channel.kind in ("call", "text") and channel.usable
    ]
    if not numbers and account is not None and account.phone:
        numbers.append(account.phone)
    return list(dict.fromkeys(numbers))
