"""Solidarity requests (call-outs, DOMAIN.md §9) between allied networks.

A network asks its allies for turnout at an action of one of its fights: the target's name,
the ask, the place and time, the risk, and — if its organizers choose — the action's public
page. Each ally's organizers see it in their inbox and accept (which makes an action of their
own: their own members are asked through their own call lists and phone tree, and no person
crosses between networks) or decline, saying why if they like. The ally reports turnout as
counts (committed, came); the asking network sees the total across allies. A change of time
or place, or a stand-down, goes to every ally that has not declined.

The balance of solidarity counts, per ally, requests made and answered and turnout given and
received, so a network sees whether it is drifting into doing others' fights for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.confederation import access, inbox, keys, outbox, protocol
from solnet.confederation.models import (
    Answer,
    IncomingRequest,
    Peer,
    PeerState,
    RequestState,
    RequestToAlly,
    SolidarityRequest,
)
from solnet.confederation.protocol import Rejected
from solnet.confederation.schemas import (
    CalloutAnswer,
    CalloutRequest,
    CalloutStandDown,
    CalloutTurnout,
    CalloutUpdate,
)
from solnet.core import audit
from solnet.members.models import Member
from solnet.mobilize import access as mobilize_access
from solnet.mobilize import links
from solnet.mobilize import services as mobilize
from solnet.mobilize.models import Action

# --- this network asks ----------------------------------------------------------------------


def _body(request: SolidarityRequest) -> dict:
    return CalloutRequest(
        request=request.public_id,
        target=request.target,
        ask=request.ask,
        place=request.place,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        risk=request.risk,
        language=request.language,
        public_url=request.public_url,
    ).model_dump(mode="json")


def allies() -> list[Peer]:
    return list(Peer.objects.filter(state=PeerState.ALLIED))


@transaction.atomic
def send_request(
    *,
    action: Action,
    by: Member,
    target: str,
    ask: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    risk: str,
    language: str,
    share_public_page: bool,
) -> SolidarityRequest:
    """Asks every ally for turnout at `action`."""
    if not (access.can_manage_peers(by) and mobilize_access.can_run(by, action)):
        raise PermissionDenied
    if action.fight_id is None:
        raise ValidationError(_("Ask allies to an action of one of the network's fights."))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": _("The action has already started.")})
    to = allies()
    if not to:
        raise ValidationError(_("This network has no allies yet: pair and ally first."))
    public_url = ""
    if share_public_page:
        if not action.public_token:
            raise ValidationError(
                {"share_public_page": _("The action has no public page: make one first.")}
            )
        public_url = keys.origin() + reverse("mobilize:public", args=[action.public_token])
    request = SolidarityRequest.objects.create(
        action=action,
        target=target.strip(),
        ask=ask.strip(),
        place=place.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        risk=risk,
        language=language,
        public_url=public_url,
        created_by=by,
    )
    body = _body(request)
    for peer in to:
        RequestToAlly.objects.create(request=request, peer=peer)
        outbox.queue(peer, "callout.request", body)
    audit.record("confederation.callout_sent", actor=by, target=request, allies=len(to))
    return request


def _not_declined(request: SolidarityRequest):
    return (
        request.allies.exclude(answer=Answer.DECLINED)
        .select_related("peer")
        .filter(peer__state=PeerState.ALLIED)
    )


@transaction.atomic
def change_time(
    *, request: SolidarityRequest, by: Member, place: str, starts_at: datetime, ends_at: datetime
) -> SolidarityRequest:
    if not access.can_manage_peers(by) or request.state != RequestState.OPEN:
        raise PermissionDenied
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    request.place, request.starts_at, request.ends_at = place.strip(), starts_at, ends_at
    request.save(update_fields=["place", "starts_at", "ends_at"])
    body = CalloutUpdate(
        request=request.public_id, place=request.place, starts_at=starts_at, ends_at=ends_at
    ).model_dump(mode="json")
    told = 0
    for row in _not_declined(request):
        outbox.queue(row.peer, "callout.update", body)
        told += 1
    audit.record("confederation.callout_changed", actor=by, target=request, allies=told)
    return request


@transaction.atomic
def stand_down(*, request: SolidarityRequest, by: Member) -> SolidarityRequest:
    if not access.can_manage_peers(by) or request.state != RequestState.OPEN:
        raise PermissionDenied
    request.state = RequestState.STOOD_DOWN
    request.save(update_fields=["state"])
    told = 0
    for row in _not_declined(request):
        outbox.queue(row.peer, "callout.stand_down", {"request": request.public_id})
        told += 1
    audit.record("confederation.callout_stood_down", actor=by, target=request, allies=told)
    return request


@dataclass(frozen=True)
class Totals:
    asked: int
    accepted: int
    declined: int
    waiting: int
    committed: int
    came: int


def totals(request: SolidarityRequest) -> Totals:
    """The live total across allies, in one query."""
    found = request.allies.aggregate(
        asked=Count("pk"),
        accepted=Count("pk", filter=Q(answer=Answer.ACCEPTED)),
        declined=Count("pk", filter=Q(answer=Answer.DECLINED)),
        committed=Sum("committed", filter=Q(answer=Answer.ACCEPTED), default=0),
        came=Sum("came", filter=Q(answer=Answer.ACCEPTED), default=0),
    )
    return Totals(
        asked=found["asked"],
        accepted=found["accepted"],
        declined=found["declined"],
        waiting=found["asked"] - found["accepted"] - found["declined"],
        committed=found["committed"],
        came=found["came"],
    )


# --- an ally asks this network ---------------------------------------------------------------


def _answering(incoming: IncomingRequest, by: Member) -> IncomingRequest:
    """The request, locked, if `by` may answer it and nobody has."""
    incoming = IncomingRequest.objects.select_for_update().get(pk=incoming.pk)
    if not access.can_manage_peers(by):
        raise PermissionDenied
    if incoming.answer != Answer.WAITING:
        raise ValidationError(_("This request has already been answered."))
    return incoming


def _answered(incoming: IncomingRequest, by: Member, answer: str, **fields) -> None:
    incoming.answer, incoming.answered_by, incoming.answered_at = answer, by, timezone.now()
    for name, value in fields.items():
        setattr(incoming, name, value)
    incoming.save(update_fields=["answer", "answered_by", "answered_at", *fields])


@transaction.atomic
def accept(*, incoming: IncomingRequest, by: Member) -> IncomingRequest:
    """This network turns out: an action of its own, to which its own members are asked."""
    incoming = _answering(incoming, by)
    if incoming.stood_down_at is not None:
        raise ValidationError(_("This request has already been answered or called off."))
    if incoming.peer.state != PeerState.ALLIED:
        raise ValidationError(_("The alliance with that network has ended."))
    action = mobilize.plan_action(
        by=by,
        title=_("Solidarity with %(network)s: %(target)s")
        % {"network": incoming.peer, "target": incoming.target},
        description=incoming.ask,
        place=incoming.place,
        starts_at=incoming.starts_at,
        ends_at=incoming.ends_at,
    )
    _answered(incoming, by, Answer.ACCEPTED, action=action)
    outbox.queue(
        incoming.peer,
        "callout.answer",
        {"request": incoming.remote_id, "answer": "accepted", "reason": ""},
    )
    audit.record(
        "confederation.callout_accepted", actor=by, target=incoming, local=action.public_id
    )
    return incoming


@transaction.atomic
def decline(*, incoming: IncomingRequest, by: Member, reason: str = "") -> IncomingRequest:
    incoming = _answering(incoming, by)
    reason = reason.strip()[:300]
    _answered(incoming, by, Answer.DECLINED, reason=reason)
    if incoming.peer.state == PeerState.ALLIED and incoming.stood_down_at is None:
        outbox.queue(
            incoming.peer,
            "callout.answer",
            {"request": incoming.remote_id, "answer": "declined", "reason": reason},
        )
    audit.record("confederation.callout_declined", actor=by, target=incoming)
    return incoming


def local_turnout(incoming: IncomingRequest) -> tuple[int, int]:
    """What this network's own action counts: confirmed yeses and people checked in."""
    if incoming.action is None:
        return 0, 0
    counts = mobilize.turnout(incoming.action)
    return counts["yes"], counts["here"]


@transaction.atomic
def report_turnout(
    *, incoming: IncomingRequest, by: Member, committed: int, came: int
) -> IncomingRequest:
    """Counts only: how many are coming and how many came — never who."""
    incoming = IncomingRequest.objects.select_for_update().get(pk=incoming.pk)
    if not access.can_manage_peers(by):
        raise PermissionDenied
    if incoming.answer != Answer.ACCEPTED:
        raise ValidationError(_("Accept the request before reporting turnout."))
    if not (0 <= committed <= 100_000 and 0 <= came <= 100_000):
        raise ValidationError(_("Give numbers of people between 0 and 100,000."))
    incoming.committed, incoming.came, incoming.reported_at = committed, came, timezone.now()
    incoming.save(update_fields=["committed", "came", "reported_at"])
    if incoming.peer.state == PeerState.ALLIED:
        outbox.queue(
            incoming.peer,
            "callout.turnout",
            {"request": incoming.remote_id, "committed": committed, "came": came},
        )
    audit.record(
        "confederation.turnout_reported", actor=by, target=incoming, committed=committed, came=came
    )
    return incoming


# --- the balance of solidarity -----------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    peer: Peer
    asked_them: int  # requests this network sent them
    they_answered: int  # of which they accepted
    asked_us: int  # requests they sent this network
    we_answered: int  # of which this network accepted
    received: int  # people of theirs who came to this network's actions
    given: int  # people of this network who came to theirs


def balance() -> list[Balance]:
    sent = {
        row["peer"]: row
        for row in RequestToAlly.objects.values("peer").annotate(
            asked=Count("pk"),
            answered=Count("pk", filter=Q(answer=Answer.ACCEPTED)),
            came=Sum("came", default=0),
        )
    }
    got = {
        row["peer"]: row
        for row in IncomingRequest.objects.values("peer").annotate(
            asked=Count("pk"),
            answered=Count("pk", filter=Q(answer=Answer.ACCEPTED)),
            came=Sum("came", default=0),
        )
    }
    rows = []
    for peer in Peer.objects.filter(pk__in=set(sent) | set(got)).order_by("name"):
        mine, theirs = sent.get(peer.pk, {}), got.get(peer.pk, {})
        rows.append(
            Balance(
                peer=peer,
                asked_them=mine.get("asked", 0),
                they_answered=mine.get("answered", 0),
                asked_us=theirs.get("asked", 0),
                we_answered=theirs.get("answered", 0),
                received=mine.get("came", 0),
                given=theirs.get("came", 0),
            )
        )
    return rows


# --- the peer's messages ------------------------------------------------------------------------


def _request_to(peer: Peer, public_id: str) -> RequestToAlly:
    row = (
        RequestToAlly.objects.select_for_update()
        .filter(peer=peer, request__public_id=public_id)
        .first()
    )
    if row is None:
        raise Rejected("unknown_request", 404)
    return row


def _incoming_from(peer: Peer, remote_id: str) -> IncomingRequest:
    found = (
        IncomingRequest.objects.select_for_update().filter(peer=peer, remote_id=remote_id).first()
    )
    if found is None:
        raise Rejected("unknown_request", 404)
    return found


def _on_request(peer, body: CalloutRequest, checked: protocol.Checked, key: str) -> None:
    incoming, created = IncomingRequest.objects.get_or_create(
        peer=peer,
        remote_id=body.request,
        defaults={
            "target": body.target,
            "ask": body.ask,
            "place": body.place,
            "starts_at": body.starts_at,
            "ends_at": body.ends_at,
            "risk": body.risk,
            "language": body.language,
            "public_url": body.public_url,
        },
    )
    if not created:
        raise Rejected("duplicate_request", 409)
    audit.record("confederation.callout_received", target=incoming)


def _on_answer(peer, body: CalloutAnswer, checked: protocol.Checked, key: str) -> None:
    row = _request_to(peer, body.request)
    row.answer, row.reason, row.answered_at = body.answer, body.reason, timezone.now()
    row.save(update_fields=["answer", "reason", "answered_at"])


def _on_turnout(peer, body: CalloutTurnout, checked: protocol.Checked, key: str) -> None:
    row = _request_to(peer, body.request)
    if row.answer != Answer.ACCEPTED:
        raise Rejected("not_accepted", 409)
    row.committed, row.came, row.reported_at = body.committed, body.came, timezone.now()
    row.save(update_fields=["committed", "came", "reported_at"])


def _on_update(peer, body: CalloutUpdate, checked: protocol.Checked, key: str) -> None:
    incoming = _incoming_from(peer, body.request)
    incoming.place, incoming.starts_at, incoming.ends_at = body.place, body.starts_at, body.ends_at
    incoming.save(update_fields=["place", "starts_at", "ends_at"])
    if incoming.action is not None:
        Action.objects.filter(pk=incoming.action_id).update(
            place=body.place, starts_at=body.starts_at, ends_at=body.ends_at
        )


def _on_stand_down(peer, body: CalloutStandDown, checked: protocol.Checked, key: str) -> None:
    incoming = _incoming_from(peer, body.request)
    incoming.stood_down_at = timezone.now()
    incoming.save(update_fields=["stood_down_at"])
    action = incoming.action
    if action is not None and action.cancelled_at is None:
        # Called off as its own organizers would: its links stop working too.
        Action.objects.filter(pk=action.pk).update(cancelled_at=timezone.now())
        links.revoke_action_links(action)


def register() -> None:
    for kind, run in (
        ("callout.request", _on_request),
        ("callout.answer", _on_answer),
        ("callout.turnout", _on_turnout),
        ("callout.update", _on_update),
        ("callout.stand_down", _on_stand_down),
    ):
        inbox.register(kind, inbox.Handler(states=inbox.ALLIED, run=run))
