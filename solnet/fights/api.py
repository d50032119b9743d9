"""API operations on fights and leads, under the same access rules as the pages.

(No `from __future__ import annotations` here: ninja reads `Query[...]` at import time.)
"""

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from solnet.core.api import ERRORS, ErrorOut, Pagination, require_scope
from solnet.fights import access, stages, winnability
from solnet.fights.models import Fight, LeadStatus, Target
from solnet.members.models import ApiScope

router = Router(tags=["fights"])


class FightSummaryOut(Schema):
    """What the board shows: an organizer outside the team sees this much of every fight."""

    public_id: str
    title: str
    issue_type: str
    stage: str


class MoveOut(Schema):
    source: str
    target: str
    moved_at: datetime.datetime
    decision_topic: str | None
    decided_by_subject: bool | None

    @staticmethod
    def resolve_decision_topic(obj) -> str | None:
        return obj.decision.topic if obj.decision else None

    @staticmethod
    def resolve_decided_by_subject(obj) -> bool | None:
        return obj.decision.by_subject if obj.decision else None


class TargetRefOut(Schema):
    public_id: str
    name: str
    kind: str


class DemandOut(Schema):
    kind: str
    text: str
    amount: Decimal | None
    due_on: datetime.date | None
    met_on: datetime.date | None


class StepOut(Schema):
    tactic: str
    tier: str
    planned_on: datetime.date
    turnout_needed: int
    done_on: datetime.date | None
    turnout: int | None
    tier_done: str

    @staticmethod
    def resolve_tactic(obj) -> str:
        return obj.tactic.label


class ResponseOut(Schema):
    kind: str
    happened_on: datetime.date
    amount: Decimal | None


class FightOut(FightSummaryOut):
    role: str = Field(description="team or subject: what the caller is to this fight")
    language: str
    facts: str | None
    goals: str | None
    pod: str | None
    risks: list[str] | None = Field(description="Only for the fight team")
    amount_claimed: Decimal | None
    amount_recovered: Decimal | None
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    deadline: datetime.date | None
    next_stages: list[str]
    moves: list[MoveOut]
    targets: list[TargetRefOut]
    demands: list[DemandOut] | None = Field(description="Only for the fight team")
    plan: list[StepOut] | None = Field(description="Only for the fight team")
    responses: list[ResponseOut] | None = Field(description="Only for the fight team")
    winnability: str | None = Field(
        description="The latest sheet's score as 'total/best', for the fight team"
    )


class FightFilters(Schema):
    model_config = ConfigDict(extra="forbid")

    closed: bool = Field(False, description="Closed fights instead of open ones")


@router.get(
    "", response={200: list[FightSummaryOut], 422: ErrorOut, **ERRORS}, summary="The fights board"
)
@paginate(Pagination)
def list_fights(request: HttpRequest, filters: Query[FightFilters]):
    viewer = require_scope(request, ApiScope.FIGHTS_READ)
    fights = access.visible_fights(viewer)
    if filters.closed:
        return fights.filter(stage__in=stages.CLOSED).order_by("-updated_at", "pk")
    return fights.exclude(stage__in=stages.CLOSED).order_by("-updated_at", "pk")


class LeadOut(Schema):
    public_id: str
    display_name: str
    contact_kind: str
    contact: str | None
    language: str
    issue_type: str
    story: str | None
    channel: str
    heard_from: str
    status: str
    created_at: datetime.datetime


@router.get(
    "/leads", response={200: list[LeadOut], **ERRORS}, summary="Open leads (organizing team)"
)
@paginate(Pagination)
def list_leads(request: HttpRequest):
    viewer = require_scope(request, ApiScope.FIGHTS_READ)
    open_statuses = [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.INTAKE]
    return access.visible_leads(viewer).filter(status__in=open_statuses)


@router.get(
    "/{public_id}",
    response={200: FightOut, 404: ErrorOut, **ERRORS},
    summary="One fight (its team and its campaign subjects)",
)
def get_fight(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.FIGHTS_READ)
    try:
        fight, role = access.get_fight_or_404(viewer, public_id)
    except Http404:
        return 404, {"detail": "Not found."}
    return _fight_out(fight, role)


def _fight_out(fight: Fight, role: str) -> dict:
    team = role == "team"
    return {
        "public_id": fight.public_id,
        "title": fight.title,
        "issue_type": fight.issue_type,
        "stage": fight.stage,
        "role": role,
        "language": fight.language,
        "facts": fight.facts,
        "goals": fight.goals,
        "pod": fight.pod,
        "risks": fight.risks if role == "team" else None,
        "amount_claimed": fight.amount_claimed,
        "amount_recovered": fight.amount_recovered,
        "opened_at": fight.opened_at,
        "closed_at": fight.closed_at,
        "deadline": fight.deadline,
        "next_stages": [str(move.target) for move in stages.moves_from(fight.stage)],
        "moves": list(fight.moves.select_related("decision")),
        "targets": list(fight.targets.all()),
        "demands": list(fight.demands.all()) if team else None,
        "plan": list(fight.plan.select_related("tactic")) if team else None,
        "responses": list(fight.responses.all()) if team else None,
        "winnability": _score(fight) if team else None,
    }


def _score(fight: Fight) -> str | None:
    last = winnability.latest(fight)
    if last is None:
        return None
    advice = winnability.advice_of(last)
    return f"{advice.total}/{advice.best}"


class PressurePointOut(Schema):
    kind: str
    description: str
    source: str | None


class TargetOut(TargetRefOut):
    address: str
    notes: str | None
    portfolio: list[TargetRefOut]
    pressure_points: list[PressurePointOut]
    fights: list[FightSummaryOut] = Field(description="Fights against its portfolio you may see")


@router.get(
    "/targets/{public_id}",
    response={200: TargetOut, 404: ErrorOut, **ERRORS},
    summary="A target, its portfolio and pressure points (organizers and fight teams)",
)
def get_target(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.FIGHTS_READ)
    try:
        target = access.get_target_or_404(viewer, public_id)
    except Http404:
        return 404, {"detail": "Not found."}
    portfolio = Target.objects.filter(portfolio=target.portfolio)[:500]
    return {
        "public_id": target.public_id,
        "name": target.name,
        "kind": target.kind,
        "address": target.address,
        "notes": target.notes,
        "portfolio": list(portfolio),
        "pressure_points": list(target.pressure_points.all()),
        "fights": list(
            access.visible_fights(viewer)
            .filter(targets__portfolio=target.portfolio)
            .distinct()
            .order_by("-opened_at", "pk")[:200]
        ),
    }
