"""API operations on meetings, delegates and proxies, under the same access rules as their
pages: a body's meetings are seen by whoever sees the body; a member marks themself present
and puts their hand up; a delegate reports to the body that sent them; a member gives their
vote in a body to another, and takes it back.

(No `from __future__ import annotations` here: ninja reads `Query[...]` at import time.)
"""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from solnet.core.api import ERRORS, NOT_FOUND, ErrorOut, Pagination, require_scope, unprocessable
from solnet.democracy import access, services
from solnet.democracy.models import Delegate, Meeting, MeetingStatus, Proxy
from solnet.members.models import ApiScope, Member

router = Router(tags=["meetings"])

ANSWERS = {200: ErrorOut, 404: ErrorOut, 422: ErrorOut, **ERRORS}


class MeetingFields(Schema):
    public_id: str
    title: str
    body: str
    starts_at: datetime.datetime
    place: str
    status: str


class MeetingSummaryOut(MeetingFields):
    @staticmethod
    def resolve_body(obj) -> str:
        return str(obj.body)


class AgendaItemOut(Schema):
    public_id: str
    position: int
    kind: str
    title: str
    proposal: str | None = Field(description="The proposal it decides, by its public id")
    done: bool


class AttendanceOut(Schema):
    name: str
    mode: str


class MeetingOut(MeetingFields):
    gave_notice: bool = Field(description="Called with at least the body's notice")
    facilitator: str | None
    note_taker: str | None
    agenda: list[AgendaItemOut]
    attendance: list[AttendanceOut]
    speakers: list[str] = Field(description="Hands up, in the order they will speak")
    may_attend: bool
    attending: str | None = Field(description="How I am here, if I said I am")
    minutes: str


class MeetingsQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    show: Literal["upcoming", "past"] = "upcoming"


class AttendIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["in_person", "remote"] = "in_person"


class SpeakIn(Schema):
    model_config = ConfigDict(extra="forbid")

    withdraw: bool = Field(False, description="Take my hand down instead")


class DelegateVoteOut(Schema):
    voted_on: datetime.date
    motion: str
    vote: str

    @staticmethod
    def resolve_motion(obj) -> str:
        return str(obj.motion)


class DelegateOut(Schema):
    public_id: str
    body: str
    delegate: str
    sent_to: str
    mandate: str
    elected_on: datetime.date
    term_ends: datetime.date | None
    serving: bool
    votes: list[DelegateVoteOut] = Field(description="Their latest reported votes, newest first")


class DelegateVoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    voted_on: datetime.date
    motion: str = Field(max_length=2000)
    vote: str = Field(max_length=40)


class ProxyOut(Schema):
    body: str = Field(description="The body, by its public id")
    body_name: str
    giver: str
    holder: str
    given_at: datetime.datetime


class ProxiesOut(Schema):
    given: list[ProxyOut] = Field(description="Where someone else votes for me")
    held: list[ProxyOut] = Field(description="Where I vote for someone else")


class ProxyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    holder: str = Field(max_length=150, description="Their sign-in name")


def _name(member: Member | None) -> str | None:
    return member.display_name if member is not None else None


def _meeting(viewer: Member, public_id: str) -> Meeting:
    return access.get_meeting_or_404(viewer, public_id)


# --- meetings -------------------------------------------------------------------------------


@router.get(
    "/meetings",
    response={200: list[MeetingSummaryOut], 422: ErrorOut, **ERRORS},
    summary="Meetings of the bodies I can see: upcoming soonest first, or past newest first",
)
@paginate(Pagination)
def list_meetings(request: HttpRequest, filters: Query[MeetingsQuery]):
    meetings = access.visible_meetings(require_scope(request, ApiScope.MEETINGS_READ))
    if filters.show == "past":
        return meetings.filter(status=MeetingStatus.CLOSED).order_by("-starts_at", "-pk")
    return meetings.upcoming().order_by("starts_at", "pk")


@router.get(
    "/meetings/{public_id}",
    response={200: MeetingOut, 404: ErrorOut, **ERRORS},
    summary="One meeting: its agenda, who is here, the speakers' list and the minutes",
)
def get_meeting(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.MEETINGS_READ)
    try:
        meeting = _meeting(viewer, public_id)
    except Http404:
        return NOT_FOUND
    attendance = list(meeting.attendance.select_related("member").order_by("member__display_name"))
    return {
        "public_id": meeting.public_id,
        "title": meeting.title,
        "body": str(meeting.body),
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "status": meeting.status,
        "gave_notice": meeting.gave_notice(),
        "facilitator": _name(meeting.facilitator),
        "note_taker": _name(meeting.note_taker),
        "agenda": [
            {
                "public_id": item.public_id,
                "position": item.position,
                "kind": item.kind,
                "title": str(item.title or ""),
                "proposal": item.proposal.public_id if item.proposal else None,
                "done": item.done_at is not None,
            }
            for item in meeting.agenda.select_related("proposal")
        ],
        "attendance": [{"name": row.member.display_name, "mode": row.mode} for row in attendance],
        "speakers": [turn.member.display_name for turn in services.speakers_in_order(meeting)],
        "may_attend": access.electorate_of(meeting.body).filter(pk=viewer.pk).exists(),
        "attending": next((row.mode for row in attendance if row.member_id == viewer.pk), None),
        "minutes": str(meeting.minutes or ""),
    }


@router.post(
    "/meetings/{public_id}/attendance",
    response=ANSWERS,
    summary="Say I am here, in person or remote",
)
def attend(request: HttpRequest, public_id: str, payload: AttendIn):
    viewer = require_scope(request, ApiScope.MEETINGS_TAKE_PART)
    try:
        meeting = _meeting(viewer, public_id)
        services.attend(meeting=meeting, member=viewer, mode=payload.mode, by=viewer)
    except (Http404, PermissionDenied):
        return NOT_FOUND
    except ValidationError as error:
        return unprocessable(error)
    return {"detail": _("You are marked here.")}


@router.post(
    "/meetings/{public_id}/speakers",
    response=ANSWERS,
    summary="Put my hand up on the speakers' list, or take it down",
)
def speak(request: HttpRequest, public_id: str, payload: SpeakIn):
    viewer = require_scope(request, ApiScope.MEETINGS_TAKE_PART)
    try:
        meeting = _meeting(viewer, public_id)
    except Http404:
        return NOT_FOUND
    if payload.withdraw:
        services.withdraw_from_list(meeting=meeting, member=viewer)
        return {"detail": _("Your hand is down.")}
    try:
        services.ask_to_speak(meeting=meeting, member=viewer)
    except ValidationError as error:
        return unprocessable(error)
    return {"detail": _("Your hand is up.")}


# --- delegates ------------------------------------------------------------------------------


def _delegate_out(delegate: Delegate) -> dict:
    return {
        "public_id": delegate.public_id,
        "body": str(delegate.body),
        "delegate": delegate.member.display_name,
        "sent_to": str(delegate.to_body) if delegate.to_body else delegate.assembly,
        "mandate": str(delegate.mandate),
        "elected_on": delegate.elected_on,
        "term_ends": delegate.term_ends,
        "serving": delegate.serving,
        "votes": list(delegate.reported_votes.order_by("-voted_on", "-pk")[:50]),
    }


@router.get(
    "/delegates/{public_id}",
    response={200: DelegateOut, 404: ErrorOut, **ERRORS},
    summary="A delegate's mandate and the votes they reported",
)
def get_delegate(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.MEETINGS_READ)
    try:
        delegate = access.get_delegate_or_404(viewer, public_id)
    except Http404:
        return NOT_FOUND
    return _delegate_out(delegate)


@router.post(
    "/delegates/{public_id}/votes",
    response=ANSWERS,
    summary="As the delegate, report how I voted to the body that sent me",
)
def report_vote(request: HttpRequest, public_id: str, payload: DelegateVoteIn):
    viewer = require_scope(request, ApiScope.MEETINGS_TAKE_PART)
    try:
        delegate = access.get_delegate_or_404(viewer, public_id)
        services.report_delegate_vote(
            delegate=delegate,
            by=viewer,
            voted_on=payload.voted_on,
            motion=payload.motion,
            vote=payload.vote,
        )
    except (Http404, PermissionDenied):
        return NOT_FOUND
    except ValidationError as error:
        return unprocessable(error)
    return {"detail": _("Your vote is reported to the body that sent you.")}


# --- proxies --------------------------------------------------------------------------------


def _proxy_out(proxy: Proxy) -> dict:
    return {
        "body": proxy.body.public_id,
        "body_name": str(proxy.body),
        "giver": proxy.giver.display_name,
        "holder": proxy.holder.display_name,
        "given_at": proxy.given_at,
    }


@router.get(
    "/proxies",
    response={200: ProxiesOut, **ERRORS},
    summary="Who votes for me, and for whom I vote",
)
def list_proxies(request: HttpRequest):
    viewer = require_scope(request, ApiScope.MEETINGS_READ)
    standing = Proxy.objects.filter(revoked_at__isnull=True).select_related(
        "body", "giver", "holder"
    )
    return {
        "given": [_proxy_out(p) for p in standing.filter(giver=viewer).order_by("-given_at")],
        "held": [_proxy_out(p) for p in standing.filter(holder=viewer).order_by("-given_at")],
    }


@router.put(
    "/bodies/{public_id}/proxy",
    response=ANSWERS,
    summary="Give my vote in a body's open ballots to another of its members, until I take it back",
)
def give_proxy(request: HttpRequest, public_id: str, payload: ProxyIn):
    viewer = require_scope(request, ApiScope.MEETINGS_TAKE_PART)
    try:
        body = access.get_body_or_404(viewer, public_id)
    except Http404:
        return NOT_FOUND
    holder = Member.objects.filter(username=payload.holder.strip()).first()
    if holder is None:
        return 422, {"detail": _("Nobody has that sign-in name.")}
    try:
        services.give_proxy(body=body, giver=viewer, holder=holder)
    except PermissionDenied:
        return NOT_FOUND
    except ValidationError as error:
        return unprocessable(error)
    return {"detail": _("%(name)s now votes for you here.") % {"name": holder.display_name}}


@router.delete(
    "/bodies/{public_id}/proxy",
    response=ANSWERS,
    summary="Take my vote in a body back",
)
def revoke_proxy(request: HttpRequest, public_id: str):
    viewer = require_scope(request, ApiScope.MEETINGS_TAKE_PART)
    try:
        body = access.get_body_or_404(viewer, public_id)
    except Http404:
        return NOT_FOUND
    if services.revoke_proxy(body=body, giver=viewer):
        return {"detail": _("You vote for yourself again.")}
    return {"detail": _("Nobody votes for you here.")}
