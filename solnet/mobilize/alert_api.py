"""API operations on rapid-response alerts, under the same access rules as their pages:
dispatchers and verifiers see every alert, a responder the alerts sent to them; a responder
answers “I'm coming” or “I can't”, as the alert's one-tap link lets them.

(No `from __future__ import annotations` here: ninja reads `Query[...]` at import time.)
"""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from solnet.core.api import ERRORS, NOT_FOUND, ErrorOut, Pagination, require_scope, unprocessable
from solnet.members.models import ApiScope
from solnet.mobilize import access, alerts
from solnet.mobilize.models import AlertResponse, Delivery
from solnet.people.models import Person

router = Router(tags=["alerts"])


class AlertSummaryOut(Schema):
    public_id: str
    message: str
    status: str
    created_at: datetime.datetime
    sent_at: datetime.datetime | None


class AlertCountsOut(Schema):
    coming: int
    cant: int
    total: int = Field(description="People it was sent to")
    out: int = Field(description="Messages the mail server or SMS gateway confirmed it took")


class AlertOut(AlertSummaryOut):
    skills: list[str]
    zones: list[str]
    closed_at: datetime.datetime | None
    counts: AlertCountsOut | None = Field(description="For dispatchers only")
    alerted: bool = Field(description="Whether it was sent to me")
    my_answer: str | None


class AlertAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["coming", "cant"]


@router.get(
    "",
    response={200: list[AlertSummaryOut], **ERRORS},
    summary="Alerts I can see, newest first",
)
@paginate(Pagination)
def list_alerts(request: HttpRequest):
    viewer = require_scope(request, ApiScope.ALERTS_READ)
    return access.visible_alerts(viewer).order_by("-created_at", "-pk")


@router.get(
    "/{public_id}",
    response={200: AlertOut, 404: ErrorOut, **ERRORS},
    summary="One alert: who is coming, and my answer if it was sent to me",
)
def get_alert(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.ALERTS_READ)
    try:
        alert = access.get_alert_or_404(viewer, public_id)
    except Http404:
        return NOT_FOUND
    person = Person.objects.filter(member=viewer).first()
    own = AlertResponse.objects.filter(alert=alert, person=person).first() if person else None
    return {
        "public_id": alert.public_id,
        "message": alert.message,
        "status": alert.status,
        "created_at": alert.created_at,
        "sent_at": alert.sent_at,
        "skills": alert.skills,
        "zones": [zone.name for zone in alert.zones.all()],
        "closed_at": alert.closed_at,
        "counts": alerts.counts(alert) if access.can_dispatch(viewer) else None,
        "alerted": person is not None
        and Delivery.objects.filter(send__alert=alert, person=person).exists(),
        "my_answer": own.answer if own else None,
    }


@router.post(
    "/{public_id}/response",
    response={200: ErrorOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Answer an alert sent to me: coming or can't",
)
def respond(request: HttpRequest, public_id: str, payload: AlertAnswerIn):
    viewer = require_scope(request, ApiScope.ALERTS_RESPOND)
    try:
        alert = access.get_alert_or_404(viewer, public_id)
    except Http404:
        return NOT_FOUND
    person = Person.objects.filter(member=viewer).first()
    delivery = Delivery.objects.filter(send__alert=alert, person=person).first()
    if person is None or delivery is None:
        return NOT_FOUND
    try:
        alerts.respond(alert=alert, person=person, answer=payload.answer, delivery=delivery)
    except ValidationError as error:
        return unprocessable(error)
    return {"detail": _("Thank you: the dispatcher sees your answer.")}
