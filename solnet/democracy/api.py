"""API operations on proposals and ballots, under the same access rules as the pages.

(No `from __future__ import annotations` here: ninja reads `Query[...]` at import time.)
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from solnet.core.api import ERRORS, ErrorOut, Pagination, require_scope
from solnet.democracy import access, effects, services
from solnet.democracy.models import Proposal
from solnet.members.models import ApiScope

router = Router(tags=["decisions"])


class ProposalSummaryOut(Schema):
    public_id: str
    title: str
    body: str
    body_kind: str
    method: str
    status: str
    secret: bool
    closes_at: datetime.datetime | None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.display_title

    @staticmethod
    def resolve_body(obj) -> str:
        return str(obj.body)

    @staticmethod
    def resolve_body_kind(obj) -> str:
        return obj.body.kind


class OptionOut(Schema):
    number: int
    label: str


class ProposalOut(Schema):
    public_id: str
    title: str
    body: str
    body_kind: str
    method: str
    status: str
    secret: bool
    closes_at: datetime.datetime | None
    text: str
    seats: int
    threshold: str
    subject_decides: bool
    options: list[OptionOut]
    effects: list[str]
    may_vote: bool
    eligible: int
    turnout: int
    result: dict[str, Any]


class BallotIn(Schema):
    model_config = ConfigDict(extra="forbid")

    position: str | None = Field(
        None, max_length=16, description="yes/no/abstain, consent/concern/object, agree/…"
    )
    options: list[int] | None = Field(
        None,
        max_length=50,
        description="Option numbers: ranked in order of preference, or the approved ones",
    )
    scores: dict[str, int] | None = Field(None, description="Score voting: {number: score}")
    reason: str = Field("", max_length=2000)
    receipt: str = Field("", max_length=64, description="A secret ballot's receipt, to change it")


class BallotOut(Schema):
    changed: bool
    receipt: str = Field(description="A new secret ballot's receipt (shown once), else empty")


@router.get(
    "/proposals",
    response={200: list[ProposalSummaryOut], **ERRORS},
    summary="Proposals I can see, newest first",
)
@paginate(Pagination)
def list_proposals(request: HttpRequest):
    viewer = require_scope(request, ApiScope.DECISIONS_READ)
    return access.visible_proposals(viewer).order_by("-created_at", "-pk")


def _proposal(viewer, public_id: str) -> Proposal:
    return access.get_proposal_or_404(viewer, public_id)


@router.get(
    "/proposals/{public_id}",
    response={200: ProposalOut, 404: ErrorOut, **ERRORS},
    summary="One proposal and, once decided, its result",
)
def get_proposal(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.DECISIONS_READ)
    try:
        proposal = _proposal(viewer, public_id)
    except Http404:
        return 404, {"detail": "Not found."}
    return {
        "public_id": proposal.public_id,
        "title": proposal.display_title,
        "body": str(proposal.body),
        "body_kind": proposal.body.kind,
        "method": proposal.method,
        "status": proposal.status,
        "secret": proposal.secret,
        "closes_at": proposal.closes_at,
        "text": proposal.text or "",
        "seats": proposal.seats,
        "threshold": f"{proposal.threshold_num}/{proposal.threshold_den}",
        "subject_decides": proposal.subject_decides,
        "options": [{"number": o.number, "label": o.label} for o in proposal.options.all()],
        "effects": [effects.describe(e.kind, e.params) for e in proposal.effects.all()],
        "may_vote": access.may_vote(viewer, proposal),
        "eligible": proposal.eligible,
        "turnout": proposal.turnout,
        "result": proposal.result if proposal.is_closed else {},
    }


@router.post(
    "/proposals/{public_id}/ballot",
    response={200: BallotOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Cast or change my ballot",
)
def cast_ballot(request: HttpRequest, public_id: str, payload: BallotIn):
    viewer = require_scope(request, ApiScope.DECISIONS_VOTE)
    try:
        proposal = _proposal(viewer, public_id)
    except Http404:
        return 404, {"detail": "Not found."}
    if payload.position is not None:
        choice: Any = payload.position
    elif payload.scores is not None:
        try:
            choice = {int(k): v for k, v in payload.scores.items()}
        except ValueError:
            return 422, {"detail": "Scores are keyed by option numbers."}
    else:
        choice = payload.options or []
    try:
        cast = services.cast_ballot(
            proposal=proposal,
            voter=viewer,
            choice=choice,
            reason=payload.reason,
            receipt=payload.receipt,
        )
    except PermissionDenied:
        return 404, {"detail": "Not found."}
    except ValidationError as error:
        return 422, {"detail": " ".join(error.messages)}
    return {"changed": cast.changed, "receipt": cast.receipt}
