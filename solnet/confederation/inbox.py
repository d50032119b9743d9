"""Receiving a peer's message: every check, then its effect exactly once.

Order: the shape of the signature and the body (`protocol.check`, nothing looked up yet); the
sender's pinned key (for a pairing request from an unknown server, its own key endpoint — the
only thing a message ever makes this server fetch); the signature; what the sender may send in
the state its link is in; then, in one transaction, the message id and nonce are recorded and
the handler runs. A message id seen before is answered 200 with no second effect; a nonce seen
before under another id is refused. Every refusal is written to the audit log with its reason
and the peer's id where there is one — never the body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from solnet.confederation import keys, protocol
from solnet.confederation.models import Peer, PeerState, Received
from solnet.confederation.protocol import Rejected
from solnet.core import audit, http


@dataclass(frozen=True)
class Handler:
    # The link states in which a peer may send this kind; None: also from an unknown server.
    states: frozenset[str] | None
    # run(peer, body, checked, key): `key` is the sender's key the signature was checked with.
    run: Callable[[Peer | None, Any, protocol.Checked, str], None]
    # For a kind an unknown server may send: whether its body deserves fetching that server's
    # key at all (a pairing request must name a code still open). Without it, anyone could
    # make this server fetch from any public address by posting well-formed messages.
    admits: Callable[[Any], bool] | None = None


HANDLERS: dict[str, Handler] = {}

HANDSHAKE = frozenset({PeerState.PAIRING, PeerState.PAIRED, PeerState.ALLIED})
LINKED = frozenset({PeerState.PAIRED, PeerState.ALLIED})
ALLIED = frozenset({PeerState.ALLIED})


def register(kind: str, handler: Handler) -> None:
    HANDLERS[kind] = handler


@dataclass(frozen=True)
class Outcome:
    status: int
    code: str


def fetch_key(origin: str) -> str:
    """A server's key, from its own key endpoint (SSRF-guarded: a public address, or one the
    operator allowed). Raises Rejected when there is no key to be had."""
    try:
        status, _headers, body = http.get(origin + keys.KEY_PATH, timeout=10, max_bytes=4096)
    except http.OutboundError as error:
        raise Rejected("key_unreachable", 403) from error
    try:
        document = json.loads(body)
        key = document["key"]
        if status != 200 or document.get("origin") != origin or not isinstance(key, str):
            raise ValueError
        keys.public_key_of(key)
    except (ValueError, KeyError, TypeError) as error:
        raise Rejected("key_unreachable", 403) from error
    return key


def _pinned_key(checked: protocol.Checked, peer: Peer | None) -> str:
    handler = HANDLERS[checked.envelope.kind]
    if peer is not None and peer.state != PeerState.ENDED:
        return peer.public_key
    if handler.states is None:
        if handler.admits is not None and not handler.admits(checked.body):
            raise Rejected("bad_code", 403)
        return fetch_key(checked.origin)
    raise Rejected("unknown_peer" if peer is None else "alliance_ended", 403)


def receive(*, method: str, headers: dict[str, str], body: bytes) -> Outcome:
    """Answers one POST to the inbox. `headers` with lower-case names."""
    peer: Peer | None = None
    try:
        checked = protocol.check(method=method, headers=headers, body=body)
        peer = Peer.objects.filter(origin=checked.origin).first()
        key = _pinned_key(checked, peer)
        protocol.verify(url=keys.origin() + keys.INBOX_PATH, headers=headers, public_key=key)
        return _accept(checked, peer, key)
    except Rejected as refusal:
        return refuse(refusal, peer)


def refuse(refusal: Rejected, peer: Peer | None = None) -> Outcome:
    """Writes the refusal to the audit log (its reason and the peer, never the body)."""
    with transaction.atomic():
        audit.record(
            "confederation.rejected",
            target=f"confederation.peer:{peer.public_id}" if peer is not None else "",
            reason=refusal.code,
        )
    return Outcome(refusal.status, refusal.code)


@transaction.atomic
def _accept(checked: protocol.Checked, peer: Peer | None, key: str) -> Outcome:
    handler = HANDLERS[checked.envelope.kind]
    if peer is not None:
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        allowed = handler.states if handler.states is not None else HANDSHAKE
        if peer.state not in allowed and not (
            handler.states is None and peer.state == PeerState.ENDED
        ):
            raise Rejected("alliance_ended" if peer.state == PeerState.ENDED else "not_allied", 403)
    if Received.objects.filter(message_id=checked.envelope.id).exists():
        return Outcome(200, "already_received")
    try:
        with transaction.atomic():
            Received.objects.create(
                message_id=checked.envelope.id,
                nonce=checked.nonce,
                peer=peer,
                kind=checked.envelope.kind,
            )
    except IntegrityError as error:
        # Ids were checked just above: what clashed is the nonce, or a twin racing this one.
        if Received.objects.filter(message_id=checked.envelope.id).exists():
            return Outcome(200, "already_received")
        raise Rejected("replayed", 409) from error
    handler.run(peer, checked.body, checked, key)
    if peer is not None:
        Peer.objects.filter(pk=peer.pk).update(last_heard_at=timezone.now())
    return Outcome(202, "accepted")
