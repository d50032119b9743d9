"""What happens to actions: planning one, its shifts and roles, asking people, their answers,
check-in and attendance. Every ask is also the person's commitment (people app), so answers
and outcomes feed their reliability.

Views and the API call these; each checks who may do it and raises PermissionDenied or a
ValidationError (in the person's language) that changes nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.members.access import is_organizer
from solnet.members.models import Member
from solnet.mobilize import access, links
from solnet.mobilize.models import (
    Action,
    ActionRole,
    AnsweredVia,
    Ask,
    Call,
    CallList,
    CallResult,
    RoleSlot,
    Shift,
)
from solnet.people.models import Answer, Commitment, Outcome, Person
from solnet.people.services import note_contact

ACTION_FIELDS = (
    "title",
    "description",
    "fight",
    "council",
    "plan_step",
    "starts_at",
    "ends_at",
    "place",
    "tier",
    "turnout_target",
    "reminder_hours",
)
MAX_REMINDERS = 4


def _clean_reminders(hours: list[int]) -> list[int]:
    hours = sorted({int(h) for h in hours}, reverse=True)
    if len(hours) > MAX_REMINDERS or any(h < 1 or h > 24 * 14 for h in hours):
        raise ValidationError(
            {"reminder_hours": _("Up to four reminders, each 1 to 336 hours before the start.")}
        )
    return hours


def _check_owner(by: Member, fields: dict[str, Any]) -> None:
    fight = fields.get("fight")
    if fight is not None and not (is_organizer(by) or fight.team.filter(member=by).exists()):
        raise PermissionDenied
    if fight is None and not is_organizer(by):
        raise PermissionDenied
    step = fields.get("plan_step")
    if step is not None and (fight is None or step.fight_id != fight.pk):
        raise ValidationError({"plan_step": _("That step belongs to another fight's plan.")})


@transaction.atomic
def plan_action(*, by: Member, **fields: Any) -> Action:
    _check_owner(by, fields)
    action = Action(created_by=by)
    for name in ACTION_FIELDS:
        if name in fields:
            setattr(action, name, fields[name])
    action.reminder_hours = _clean_reminders(action.reminder_hours or [])
    action.full_clean()
    action.save()
    audit.record("action.planned", actor=by, target=action)
    return action


@transaction.atomic
def update_action(*, action: Action, by: Member, **fields: Any) -> Action:
    if not access.can_run(by, action):
        raise PermissionDenied
    _check_owner(by, {"fight": action.fight, **fields})
    for name in ACTION_FIELDS:
        if name in fields:
            setattr(action, name, fields[name])
    action.reminder_hours = _clean_reminders(action.reminder_hours or [])
    action.full_clean()
    action.save()
    audit.record("action.updated", actor=by, target=action)
    return action


@transaction.atomic
def cancel_action(*, action: Action, by: Member) -> None:
    if not access.can_run(by, action):
        raise PermissionDenied
    if action.cancelled_at is None:
        action.cancelled_at = timezone.now()
        action.save(update_fields=["cancelled_at"])
        links.revoke_action_links(action)
        audit.record("action.cancelled", actor=by, target=action)


@transaction.atomic
def revoke_links(*, action: Action, by: Member) -> int:
    """Every answer link sent for the action stops working (a forwarded email, a lost
    phone); new messages carry new ones."""
    if not access.can_run(by, action):
        raise PermissionDenied
    count = links.revoke_action_links(action)
    audit.record("action.links_revoked", actor=by, target=action, count=count)
    return count


@transaction.atomic
def set_public(*, action: Action, public: bool, by: Member) -> None:
    """Opens the public page under a new secret address, or closes it (the old address stops
    working at once either way)."""
    if not access.can_run(by, action):
        raise PermissionDenied
    action.public_token = secrets.token_urlsafe(32) if public else None
    action.save(update_fields=["public_token"])
    audit.record("action.public" if public else "action.private", actor=by, target=action)


# --- shifts and roles -----------------------------------------------------------------------


@transaction.atomic
def add_shift(*, action: Action, starts_at: datetime, ends_at: datetime, needed: int, by: Member):
    if not access.can_run(by, action):
        raise PermissionDenied
    if not (action.starts_at <= starts_at < ends_at <= action.ends_at):
        raise ValidationError({"starts_at": _("A shift must fall within the action's time.")})
    shift = Shift(action=action, starts_at=starts_at, ends_at=ends_at, needed=needed)
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def remove_shift(*, shift: Shift, by: Member) -> None:
    if not access.can_run(by, shift.action):
        raise PermissionDenied
    if shift.asks.exists():
        raise ValidationError(_("People are signed up for this shift: it cannot be removed."))
    shift.delete()


@transaction.atomic
def add_role(
    *, action: Action, role: str, needed: int, by: Member, shift: Shift | None = None
) -> RoleSlot:
    if not access.can_run(by, action):
        raise PermissionDenied
    if shift is not None and shift.action_id != action.pk:
        raise ValidationError({"shift": _("That shift belongs to another action.")})
    slot = RoleSlot.objects.filter(action=action, shift=shift, role=role).first()
    if slot is None:
        slot = RoleSlot(action=action, shift=shift, role=role)
    slot.needed = needed
    slot.full_clean()
    slot.save()
    return slot


@transaction.atomic
def remove_role(*, slot: RoleSlot, by: Member) -> None:
    if not access.can_run(by, slot.action):
        raise PermissionDenied
    slot.delete()


# --- asks and answers -----------------------------------------------------------------------


def ask_text(action: Action, shift: Shift | None = None) -> str:
    when = timezone.localtime(shift.starts_at if shift else action.starts_at)
    return f"{action.title} — {when:%Y-%m-%d %H:%M}"[:200]


def _new_ask(
    action: Action,
    person: Person,
    *,
    shift: Shift | None,
    role: str = "",
    by: Member | None,
) -> Ask:
    commitment = Commitment.objects.create(person=person, ask=ask_text(action, shift), asked_by=by)
    return Ask.objects.create(
        action=action, person=person, shift=shift, role=role, commitment=commitment
    )


def ask_of(action: Action, person: Person, shift: Shift | None = None) -> Ask | None:
    return Ask.objects.filter(action=action, person=person, shift=shift).first()


@transaction.atomic
def ask_people(
    *, action: Action, people: QuerySet[Person], by: Member, shift: Shift | None = None
) -> int:
    """Asks everyone in `people` who has not been asked yet; returns how many were new."""
    if not access.can_run(by, action):
        raise PermissionDenied
    already = set(
        Ask.objects.filter(action=action, shift=shift).values_list("person_id", flat=True)
    )
    made = 0
    for person in people.exclude(pk__in=already).iterator(chunk_size=500):
        _new_ask(action, person, shift=shift, by=by)
        made += 1
    if made:
        audit.record("action.asked", actor=by, target=action, count=made)
    return made


def _settle(ask: Ask, answer: str, via: str) -> None:
    commitment = ask.commitment
    commitment.answer = answer
    if answer not in (Answer.YES, Answer.MAYBE):
        commitment.outcome = Outcome.OPEN
    commitment.save(update_fields=["answer", "outcome"])
    ask.answered_via, ask.answered_at = via, timezone.now()
    ask.save(update_fields=["answered_via", "answered_at"])
    note_contact(person=ask.person, at=ask.answered_at)


@transaction.atomic
def answer_ask(*, ask: Ask, answer: str, via: str, role: str | None = None) -> Ask:
    """The person's own answer (in SolNet, by link, by text, on a call, on the public page).
    The caller of this has already established who is answering."""
    if answer not in (Answer.YES, Answer.MAYBE, Answer.NO):
        raise ValidationError({"answer": _("Answer yes, maybe or no.")})
    if via not in AnsweredVia.values:
        raise ValidationError({"answer": _("Unknown way of answering.")})
    ask = Ask.objects.select_for_update().select_related("commitment", "action").get(pk=ask.pk)
    if ask.action.cancelled_at is not None:
        raise ValidationError(_("This action was called off."))
    if ask.action.over:
        raise ValidationError(_("This action is over."))
    if role is not None:
        if role and role not in ActionRole.values:
            raise ValidationError({"role": _("Unknown role.")})
        ask.role = role
        ask.save(update_fields=["role"])
    _settle(ask, answer, via)
    return ask


@transaction.atomic
def sign_up(
    *, action: Action, member: Member, answer: str, shift: Shift | None = None, role: str = ""
) -> Ask:
    """A member answers for themself in SolNet, asked before or not."""
    from solnet.people.services import own_record

    if not access.visible_actions(member).filter(pk=action.pk).exists():
        raise PermissionDenied
    if shift is not None and shift.action_id != action.pk:
        raise ValidationError({"shift": _("That shift belongs to another action.")})
    person = own_record(member=member)
    ask = ask_of(action, person, shift)
    if ask is None:
        try:
            with transaction.atomic():
                ask = _new_ask(action, person, shift=shift, by=None)
        except IntegrityError:
            ask = Ask.objects.get(action=action, person=person, shift=shift)
    return answer_ask(ask=ask, answer=answer, via=AnsweredVia.APP, role=role)


@transaction.atomic
def answer_for(*, ask: Ask, answer: str, via: str, by: Member) -> Ask:
    """A caller or an organizer notes the answer the person gave them."""
    if not (access.can_run(by, ask.action) or ask.calls.filter(caller=by).exists()):
        raise PermissionDenied
    return answer_ask(ask=ask, answer=answer, via=via)


# --- at the action and after ----------------------------------------------------------------


@transaction.atomic
def check_in(*, ask: Ask, by: Member) -> Ask:
    """The check-in volunteer marks someone there: they came, whatever they had answered."""
    if not access.can_check_in(by, ask.action):
        raise PermissionDenied
    ask = Ask.objects.select_for_update().select_related("commitment").get(pk=ask.pk)
    if ask.checked_in_at is None:
        ask.checked_in_at, ask.checked_in_by = timezone.now(), by
        ask.save(update_fields=["checked_in_at", "checked_in_by"])
        commitment = ask.commitment
        if commitment.answer not in (Answer.YES, Answer.MAYBE):
            commitment.answer = Answer.YES
            ask.answered_via = AnsweredVia.CHECK_IN
            ask.save(update_fields=["answered_via"])
        commitment.outcome = Outcome.SHOWED
        commitment.save(update_fields=["answer", "outcome"])
    return ask


@transaction.atomic
def undo_check_in(*, ask: Ask, by: Member) -> Ask:
    if not access.can_check_in(by, ask.action):
        raise PermissionDenied
    ask.checked_in_at = ask.checked_in_by = None
    ask.save(update_fields=["checked_in_at", "checked_in_by"])
    Commitment.objects.filter(pk=ask.commitment_id).update(outcome=Outcome.OPEN)
    return ask


@transaction.atomic
def check_in_walk_up(*, action: Action, person: Person, by: Member) -> Ask:
    """Someone came who was never asked: an ask is made for them and they are checked in."""
    if not access.can_check_in(by, action):
        raise PermissionDenied
    ask = ask_of(action, person) or _new_ask(action, person, shift=None, by=by)
    return check_in(ask=ask, by=by)


@transaction.atomic
def close_attendance(*, action: Action, by: Member) -> int:
    """After the action: whoever said yes or maybe and was not checked in did not show.
    Returns how many were marked."""
    if not access.can_run(by, action):
        raise PermissionDenied
    if not action.started:
        raise ValidationError(_("Attendance is taken once the action has begun."))
    missing = Commitment.objects.filter(
        action_ask__action=action,
        action_ask__checked_in_at__isnull=True,
        answer__in=[Answer.YES, Answer.MAYBE],
        outcome=Outcome.OPEN,
    )
    count = missing.update(outcome=Outcome.NO_SHOW)
    audit.record("action.attendance", actor=by, target=action, no_shows=count)
    return count


# --- the counts every caller sees -----------------------------------------------------------


def turnout(action: Action) -> dict[str, int]:
    """Confirmed (yes) against needed, with maybes, noes, waiting and checked in: one query."""
    counts = Ask.objects.filter(action=action).aggregate(
        yes=Count("pk", filter=Q(commitment__answer=Answer.YES)),
        maybe=Count("pk", filter=Q(commitment__answer=Answer.MAYBE)),
        no=Count("pk", filter=Q(commitment__answer=Answer.NO)),
        waiting=Count("pk", filter=Q(commitment__answer=Answer.WAITING)),
        here=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    counts["needed"] = action.turnout_target
    return counts


def shift_counts(action: Action) -> list[dict[str, Any]]:
    """Each shift with how many said yes to it."""
    return [
        {"shift": shift, "filled": shift.asks.filter(commitment__answer=Answer.YES).count()}
        for shift in action.shifts.all()
    ]


def role_counts(action: Action) -> list[dict[str, Any]]:
    """Each role to fill with how many said yes to it (in its shift, if it has one)."""
    rows = []
    for slot in action.roles.select_related("shift"):
        asks = Ask.objects.filter(action=action, role=slot.role, commitment__answer=Answer.YES)
        asks = asks.filter(shift=slot.shift) if slot.shift_id else asks
        rows.append({"slot": slot, "filled": asks.count()})
    return rows


def own_asks(member: Member, action: Action) -> list[Ask]:
    """What `member` was asked to at this action, and how they answered."""
    person = Person.objects.filter(member=member).first()
    if person is None:
        return []
    return list(
        Ask.objects.filter(action=action, person=person).select_related("commitment", "shift")
    )


# --- call lists ---------------------------------------------------------------------------------


def calls_to_make(member: Member, call_list: CallList) -> QuerySet[Call]:
    """The caller's calls: call-backs that are due, then those not called yet, then the rest
    (call-backs for later, voicemails, done)."""
    now = timezone.now()
    return (
        access.calls_for(member, call_list)
        .select_related("ask__person__member", "ask__commitment")
        .prefetch_related("ask__person__channels")
        .annotate(
            rank=Case(
                When(callback_at__lte=now, then=Value(0)),
                When(result=CallResult.WAITING, then=Value(1)),
                When(ask__commitment__answer="waiting", callback_at__isnull=True, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "callback_at", "ask__person__display_name", "pk")
    )


@transaction.atomic
def build_call_list(
    *,
    action: Action,
    people: QuerySet[Person],
    name: str,
    script: str,
    callers: list[Member],
    by: Member,
    filters: dict[str, str] | None = None,
    waiting_only: bool = True,
) -> CallList:
    """Asks whoever in `people` was not asked yet, and splits them evenly among the callers
    (round robin in name order, so each caller gets a similar mix)."""
    if not access.can_run(by, action):
        raise PermissionDenied
    unfit = [c.display_name for c in callers if not access.may_call(c)]
    if unfit:
        raise ValidationError(
            {
                "callers": _(
                    "Callers read the numbers they call, so they need a second factor on "
                    "their account: %(names)s."
                )
                % {"names": ", ".join(unfit)}
            }
        )
    call_list = CallList(
        action=action, name=name, script=script, filters=filters or {}, created_by=by
    )
    call_list.full_clean()
    call_list.save()
    already = dict(Ask.objects.filter(action=action, shift=None).values_list("person_id", "pk"))
    ask_ids = []
    for person in people.order_by("display_name", "pk").iterator(chunk_size=500):
        ask_id = already.get(person.pk)
        if ask_id is None:
            ask_id = _new_ask(action, person, shift=None, by=by).pk
        ask_ids.append(ask_id)
    if waiting_only:
        waiting = set(
            Ask.objects.filter(pk__in=ask_ids, commitment__answer=Answer.WAITING).values_list(
                "pk", flat=True
            )
        )
        ask_ids = [pk for pk in ask_ids if pk in waiting]
    Call.objects.bulk_create(
        [
            Call(call_list=call_list, ask_id=ask_id, caller=callers[n % len(callers)])
            for n, ask_id in enumerate(ask_ids)
        ],
        batch_size=500,
    )
    audit.record(
        "call_list.built", actor=by, target=call_list, count=len(ask_ids), callers=len(callers)
    )
    return call_list


@transaction.atomic
def reassign_calls(*, call_list: CallList, callers: list[Member], by: Member) -> int:
    """The calls nobody has made yet are split again among `callers`."""
    if not access.can_run(by, call_list.action):
        raise PermissionDenied
    unfit = [c.display_name for c in callers if not access.may_call(c)]
    if unfit or not callers:
        raise ValidationError(_("Every caller needs a second factor on their account."))
    calls = list(call_list.calls.filter(result=CallResult.WAITING).order_by("pk"))
    for n, call in enumerate(calls):
        call.caller = callers[n % len(callers)]
    Call.objects.bulk_update(calls, ["caller"], batch_size=500)
    return len(calls)


@transaction.atomic
def record_call(
    *,
    call: Call,
    result: str,
    by: Member,
    answer: str = "",
    callback_at: datetime | None = None,
) -> Call:
    """A caller's one tap: how the call went, the answer if they reached the person, and
    when to call back."""
    call = Call.objects.select_for_update().select_related("ask__action").get(pk=call.pk)
    if call.caller_id != by.pk and not access.can_run(by, call.ask.action):
        raise PermissionDenied
    if result not in CallResult.values or result == CallResult.WAITING:
        raise ValidationError({"result": _("Say how the call went.")})
    if answer and result != CallResult.REACHED:
        raise ValidationError({"answer": _("An answer needs the person reached.")})
    if callback_at is not None and callback_at <= timezone.now():
        raise ValidationError({"callback_at": _("A call back is for later than now.")})
    call.result = result
    call.attempts += 1
    call.called_at = timezone.now()
    call.callback_at = callback_at
    call.save(update_fields=["result", "attempts", "called_at", "callback_at"])
    if answer:
        answer_ask(ask=call.ask, answer=answer, via=AnsweredVia.CALL)
    else:
        note_contact(person=call.ask.person, at=call.called_at)
    if result == CallResult.WRONG_NUMBER:
        audit.record("call.wrong_number", actor=by, target=call.ask.person)
    return call


def caller_progress(call_list: CallList) -> list[dict[str, Any]]:
    """Per caller: calls to make, made, and yeses."""
    rows = (
        call_list.calls.values("caller__display_name")
        .annotate(
            total=Count("pk"),
            made=Count("pk", filter=~Q(result=CallResult.WAITING)),
            yes=Count("pk", filter=Q(ask__commitment__answer=Answer.YES)),
        )
        .order_by("caller__display_name")
    )
    return [dict(row) for row in rows]


# --- from outside ---------------------------------------------------------------------------


@transaction.atomic
def public_rsvp(
    *, action: Action, name: str, kind: str, value: str, answer: str, language: str
) -> Ask:
    """Someone answers on the action's public page. They become a list supporter with that
    one way to reach them, which they gave for it. A new record every time: matching an
    existing person by the address typed would let anyone answer for them."""
    from solnet.people.models import ContactChannel

    if not action.public_token or action.cancelled_at is not None or action.over:
        raise ValidationError(_("This action takes no more answers here."))
    person = Person(display_name=name, languages=[language] if language else [])
    person.full_clean(exclude=["member"])
    person.save()
    ContactChannel.objects.create(
        person=person,
        kind=kind,
        value=ContactChannel.stored_value(kind, value),
        consent_at=timezone.now(),
    )
    ask = _new_ask(action, person, shift=None, by=None)
    audit.record("action.public_rsvp", target=action)
    return answer_ask(ask=ask, answer=answer, via=AnsweredVia.PUBLIC)
