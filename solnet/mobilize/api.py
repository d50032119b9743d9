"""API operations on actions and call lists, under the same access rules as their pages: an
action with its shifts, roles and live count for whoever it asks; who was asked, for whoever
runs it; a member's own answer; and the caller view of a call list — the caller's calls, with
the numbers to call only for a caller with a second factor — and their one-tap outcomes.

(No `from __future__ import annotations` here: ninja reads `Query[...]` at import time.)
"""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from solnet.core.api import (
    ERRORS,
    NOT_FOUND,
    ErrorOut,
    Pagination,
    aware,
    require_scope,
    unprocessable,
)
from solnet.members.models import ApiScope, Member
from solnet.mobilize import access, services
from solnet.mobilize.models import Action, ActionRole, Ask, CallResult, RoleSlot, Shift
from solnet.people.models import Answer

router = Router(tags=["actions"])

ANSWERS = {200: ErrorOut, 404: ErrorOut, 422: ErrorOut, **ERRORS}
CALLS_PAGE = 20


class ActionFields(Schema):
    public_id: str
    title: str
    part_of: str = Field(description="Its fight or council; empty for the whole network")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    cancelled: bool


class ActionSummaryOut(ActionFields):
    @staticmethod
    def resolve_part_of(obj) -> str:
        return str(obj.fight or obj.council or "")

    @staticmethod
    def resolve_cancelled(obj) -> bool:
        return obj.cancelled_at is not None


class ShiftOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    needed: int
    filled: int = Field(description="How many said yes to it")


class RoleOut(Schema):
    id: int
    role: str
    shift: int | None
    needed: int
    filled: int


class TurnoutOut(Schema):
    needed: int
    yes: int
    maybe: int
    no: int
    waiting: int
    here: int = Field(description="Checked in")
    shifts: list[ShiftOut]


class OwnAnswerOut(Schema):
    shift: int | None
    role: str
    answer: str


class CallListRefOut(Schema):
    public_id: str
    name: str


class ActionOut(ActionFields):
    description: str
    turnout: TurnoutOut
    roles: list[RoleOut]
    my_answers: list[OwnAnswerOut]
    call_lists: list[CallListRefOut] = Field(description="All of them if I run it; else mine")
    runs: bool = Field(description="Whether I run it (and may read who was asked)")


class ActionsQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    show: Literal["upcoming", "past"] = "upcoming"


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["yes", "maybe", "no"]
    shift: int | None = Field(None, description="A shift's id; none for the whole action")
    role: ActionRole | None = Field(None, description="A role it needs that I can take")


class ShiftIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    needed: int = Field(ge=1, le=10_000)


class RoleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    role: ActionRole
    needed: int = Field(1, ge=1, le=1000)
    shift: int | None = Field(None, description="A shift's id; none for the whole action")


class AskOut(Schema):
    name: str
    shift: int | None
    role: str
    answer: str
    answered_via: str
    checked_in: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.person.display_name

    @staticmethod
    def resolve_shift(obj) -> int | None:
        return obj.shift_id

    @staticmethod
    def resolve_answer(obj) -> str:
        return _answer_of(obj)

    @staticmethod
    def resolve_checked_in(obj) -> bool:
        return obj.checked_in_at is not None


class AsksQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["yes", "maybe", "no", "waiting"] | None = None


class CallOut(Schema):
    id: int
    name: str
    numbers: list[str] = Field(description="Empty unless I may read them (a second factor)")
    result: str
    answer: str
    attempts: int
    called_at: datetime.datetime | None
    callback_at: datetime.datetime | None


class CallerViewOut(Schema):
    public_id: str
    name: str
    script: str
    may_call: bool = Field(description="Whether I see numbers: an account with a second factor")
    count: int = Field(description="My calls on this list")
    calls: list[CallOut] = Field(description="Due call-backs first, then those not called yet")
    turnout: TurnoutOut


class CallsQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    page: int = Field(1, ge=1, le=100_000)


class CallOutcomeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    result: Literal["reached", "no_answer", "voicemail", "wrong_number"] | None = Field(
        None, description="How the call went; with an answer, reached"
    )
    answer: Literal["yes", "maybe", "no"] | None = Field(
        None, description="Their answer, if I reached them"
    )
    callback_at: datetime.datetime | None = Field(None, description="When to call them back")


def _action(viewer: Member, public_id: str) -> Action:
    return access.get_action_or_404(viewer, public_id)


def _runnable(viewer: Member, public_id: str) -> Action:
    action = _action(viewer, public_id)
    if not access.can_run(viewer, action):
        raise Http404
    return action


def _turnout(action: Action) -> dict:
    return {
        **services.turnout(action),
        "shifts": [
            {
                "id": row["shift"].pk,
                "starts_at": row["shift"].starts_at,
                "ends_at": row["shift"].ends_at,
                "needed": row["shift"].needed,
                "filled": row["filled"],
            }
            for row in services.shift_counts(action)
        ],
    }


def _answer_of(ask: Ask) -> str:
    return ask.commitment.answer if ask.commitment else Answer.WAITING


# --- actions --------------------------------------------------------------------------------


@router.get(
    "/actions",
    response={200: list[ActionSummaryOut], 422: ErrorOut, **ERRORS},
    summary="Actions I can see: upcoming soonest first, or past newest first",
)
@paginate(Pagination)
def list_actions(request: HttpRequest, filters: Query[ActionsQuery]):
    actions = access.visible_actions(require_scope(request, ApiScope.ACTIONS_READ))
    actions = actions.select_related("fight", "council")
    if filters.show == "past":
        over = Q(ends_at__lte=timezone.now()) | Q(cancelled_at__isnull=False)
        return actions.filter(over).order_by("-starts_at", "-pk")
    return actions.upcoming().order_by("starts_at", "pk")


@router.get(
    "/actions/{public_id}",
    response={200: ActionOut, 404: ErrorOut, **ERRORS},
    summary="One action: its shifts and roles filled against needed, and my answers",
)
def get_action(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.ACTIONS_READ)
    try:
        action = _action(viewer, public_id)
    except Http404:
        return NOT_FOUND
    return {
        "public_id": action.public_id,
        "title": action.title,
        "part_of": str(action.fight or action.council or ""),
        "starts_at": action.starts_at,
        "ends_at": action.ends_at,
        "place": action.place,
        "cancelled": action.cancelled_at is not None,
        "description": action.description,
        "turnout": _turnout(action),
        "roles": [
            {
                "id": row["slot"].pk,
                "role": row["slot"].role,
                "shift": row["slot"].shift_id,
                "needed": row["slot"].needed,
                "filled": row["filled"],
            }
            for row in services.role_counts(action)
        ],
        "my_answers": [
            {"shift": ask.shift_id, "role": ask.role, "answer": _answer_of(ask)}
            for ask in services.own_asks(viewer, action)
        ],
        "call_lists": list(access.visible_call_lists(viewer, action).order_by("-created_at")),
        "runs": access.can_run(viewer, action),
    }


@router.get(
    "/actions/{public_id}/turnout",
    response={200: TurnoutOut, 404: ErrorOut, **ERRORS},
    summary="The live count: confirmed against needed, maybes, noes, waiting, checked in",
)
def get_turnout(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.ACTIONS_READ)
    try:
        action = _action(viewer, public_id)
    except Http404:
        return NOT_FOUND
    return _turnout(action)


@router.post(
    "/actions/{public_id}/answer",
    response=ANSWERS,
    summary="Answer for myself: yes, maybe or no, for the whole action or a shift",
)
def answer(request: HttpRequest, public_id: str, payload: AnswerIn):
    viewer = require_scope(request, ApiScope.ACTIONS_ANSWER)
    try:
        action = _action(viewer, public_id)
    except Http404:
        return NOT_FOUND
    shift = None
    if payload.shift is not None:
        shift = action.shifts.filter(pk=payload.shift).first()
        if shift is None:
            return 422, {"detail": _("That shift belongs to another action.")}
    role = payload.role or ""
    if role and not action.roles.filter(role=role).exists():
        return 422, {"detail": _("This action needs no one in that role.")}
    try:
        services.sign_up(
            action=action, member=viewer, answer=payload.answer, shift=shift, role=role
        )
    except PermissionDenied:
        return NOT_FOUND
    except ValidationError as error:
        return unprocessable(error)
    return {"detail": _("Thank you: your answer is noted.")}


@router.get(
    "/actions/{public_id}/asks",
    response={200: list[AskOut], 404: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Who was asked to an action I run, and how they answered",
)
@paginate(Pagination)
def list_asks(request: HttpRequest, public_id: str, filters: Query[AsksQuery]):
    viewer = require_scope(request, ApiScope.ACTIONS_READ)
    action = _runnable(viewer, public_id)
    asks = Ask.objects.filter(action=action).select_related("person", "commitment")
    if filters.answer:
        asks = asks.filter(commitment__answer=filters.answer)
    return asks.order_by("person__display_name", "pk")


# --- shifts and roles, for whoever runs the action ------------------------------------------


@router.post(
    "/actions/{public_id}/shifts",
    response={200: ShiftOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Add a shift within the action's time",
)
def add_shift(request: HttpRequest, public_id: str, payload: ShiftIn):
    viewer = require_scope(request, ApiScope.ACTIONS_RUN)
    try:
        action = _runnable(viewer, public_id)
    except Http404:
        return NOT_FOUND
    starts_at, ends_at = aware(payload.starts_at), aware(payload.ends_at)
    if ends_at <= starts_at:
        return 422, {"detail": _("The end must come after the start.")}
    try:
        shift = services.add_shift(
            action=action, starts_at=starts_at, ends_at=ends_at, needed=payload.needed, by=viewer
        )
    except ValidationError as error:
        return unprocessable(error)
    return {
        "id": shift.pk,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "needed": shift.needed,
        "filled": 0,
    }


@router.delete(
    "/actions/{public_id}/shifts/{shift_id}",
    response=ANSWERS,
    summary="Remove a shift nobody is signed up for",
)
def remove_shift(request: HttpRequest, public_id: str, shift_id: int):
    viewer = require_scope(request, ApiScope.ACTIONS_RUN)
    try:
        action = _runnable(viewer, public_id)
    except Http404:
        return NOT_FOUND
    shift = Shift.objects.filter(action=action, pk=shift_id).first()
    if shift is None:
        return NOT_FOUND
    try:
        services.remove_shift(shift=shift, by=viewer)
    except ValidationError as error:
        return unprocessable(error)
    return {"detail": _("The shift is removed.")}


@router.post(
    "/actions/{public_id}/roles",
    response={200: RoleOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Say how many people a role needs, for the whole action or a shift",
)
def add_role(request: HttpRequest, public_id: str, payload: RoleIn):
    viewer = require_scope(request, ApiScope.ACTIONS_RUN)
    try:
        action = _runnable(viewer, public_id)
    except Http404:
        return NOT_FOUND
    shift = None
    if payload.shift is not None:
        shift = action.shifts.filter(pk=payload.shift).first()
        if shift is None:
            return 422, {"detail": _("That shift belongs to another action.")}
    try:
        slot = services.add_role(
            action=action, role=payload.role, needed=payload.needed, shift=shift, by=viewer
        )
    except ValidationError as error:
        return unprocessable(error)
    filled = next(row["filled"] for row in services.role_counts(action) if row["slot"] == slot)
    return {
        "id": slot.pk,
        "role": slot.role,
        "shift": slot.shift_id,
        "needed": slot.needed,
        "filled": filled,
    }


@router.delete(
    "/actions/{public_id}/roles/{role_id}",
    response=ANSWERS,
    summary="Remove a role the action no longer needs",
)
def remove_role(request: HttpRequest, public_id: str, role_id: int):
    viewer = require_scope(request, ApiScope.ACTIONS_RUN)
    try:
        action = _runnable(viewer, public_id)
    except Http404:
        return NOT_FOUND
    slot = RoleSlot.objects.filter(action=action, pk=role_id).first()
    if slot is None:
        return NOT_FOUND
    services.remove_role(slot=slot, by=viewer)
    return {"detail": _("The role is removed.")}


# --- call lists -----------------------------------------------------------------------------


def _call_out(viewer: Member, call, allowed: bool) -> dict:
    return {
        "id": call.pk,
        "name": call.ask.person.display_name,
        "numbers": access.numbers_to_call(viewer, call, allowed=allowed),
        "result": call.result,
        "answer": _answer_of(call.ask),
        "attempts": call.attempts,
        "called_at": call.called_at,
        "callback_at": call.callback_at,
    }


@router.get(
    "/actions/{public_id}/calls/{list_id}",
    response={200: CallerViewOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="The caller view: the script, a page of my calls, and the live count",
)
def get_call_list(request: HttpRequest, public_id: str, list_id: str, query: Query[CallsQuery]):
    viewer = require_scope(request, ApiScope.CALLS_READ)
    try:
        action = _action(viewer, public_id)
        call_list = access.get_call_list_or_404(viewer, action, list_id)
    except Http404:
        return NOT_FOUND
    paginator = Paginator(services.calls_to_make(viewer, call_list), CALLS_PAGE)
    paginator.count = access.calls_for(viewer, call_list).count()  # type: ignore[misc]
    page = paginator.get_page(query.page)
    allowed = access.may_call(viewer)
    return {
        "public_id": call_list.public_id,
        "name": call_list.name,
        "script": call_list.script,
        "may_call": allowed,
        "count": paginator.count,
        "calls": [_call_out(viewer, call, allowed) for call in page],
        "turnout": _turnout(action),
    }


@router.post(
    "/actions/{public_id}/calls/{list_id}/{call_id}",
    response=ANSWERS,
    summary="Record how one of my calls went, their answer, and when to call back",
)
def record_call(
    request: HttpRequest, public_id: str, list_id: str, call_id: int, payload: CallOutcomeIn
):
    viewer = require_scope(request, ApiScope.CALLS_RECORD)
    try:
        action = _action(viewer, public_id)
        call_list = access.get_call_list_or_404(viewer, action, list_id)
        call = access.get_call_or_404(viewer, call_list, call_id)
    except Http404:
        return NOT_FOUND
    result = payload.result or (CallResult.REACHED if payload.answer else "")
    try:
        services.record_call(
            call=call,
            result=result,
            answer=payload.answer or "",
            callback_at=aware(payload.callback_at),
            by=viewer,
        )
    except PermissionDenied:
        return NOT_FOUND
    except ValidationError as error:
        return unprocessable(error)
    return {"detail": _("Noted.")}
