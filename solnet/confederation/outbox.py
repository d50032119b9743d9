"""Delivery to peers: messages wait in the database and the worker sends them.

- A message is written in the transaction that decides it (`queue`), and a delivery of its
  peer is started once that commits.
- One worker at a time sends to a peer (a lease on the peer's row), in the order the messages
  were written; a peer that fails rests for a while (a circuit breaker), so a dead or slow
  peer holds up only its own messages. Every other peer is sent to by its own task.
- A try that fails for a reason that may pass (no answer, a timeout, 5xx, 429) is tried again
  after 30 s, 1 min, 2 min… up to an hour between tries, for 48 hours; a refusal (another
  4xx) is final. The peer is idempotent on the message id, so a message sent twice (a worker
  killed after sending, before marking it) has one effect.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from solnet.confederation import keys, protocol
from solnet.confederation.models import Delivery, OutboxMessage, Peer, PeerState, ServerKey
from solnet.core import http

GIVE_UP_AFTER = timedelta(hours=48)
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(minutes=2)
TIMEOUT = 10.0
BATCH = 50
# After this many failures in a row a peer rests, twice as long each time, up to an hour.
BREAKER_AFTER = 3
# What the peer answered that means "try again later".
TRANSIENT = {408, 425, 429, 500, 502, 503, 504}
# Kinds that may still go to a peer whose alliance ended (to tell it so).
TO_ENDED = {"alliance.ended"}

# The transport, for a test to replace: post(url, body, headers) -> status.
Post = Callable[[str, bytes, dict[str, str]], int]


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return http.request(
        "POST", url, body=body, headers=headers, timeout=TIMEOUT, max_bytes=16 * 1024
    ).status


def queue(
    peer: Peer, kind: str, body: dict[str, Any], *, signing_key: ServerKey | None = None
) -> OutboxMessage:
    """Writes a message for `peer`; the worker sends it once the transaction commits. It is
    signed by the key current now, so that what was written before a rotation still reaches
    the peer, in order, before the rotation message does."""
    message = OutboxMessage.objects.create(
        message_id=uuid.uuid4(),
        peer=peer,
        kind=kind,
        body=body,
        signing_key=signing_key or keys.current(),
    )
    transaction.on_commit(lambda: _start(peer.pk))
    return message


def _start(peer_pk: int) -> None:
    """Starts a delivery to the peer in the worker (`tasks.py` sets how, at start-up)."""
    _starter(peer_pk)


# The worker's task that delivers to one peer: set by `tasks.py` (which imports this module),
# so that this module need not import it back. Until then, deliveries wait for the sweep.
_starter: Callable[[int], object] = lambda peer_pk: None  # noqa: E731


def set_starter(starter: Callable[[int], object]) -> None:
    global _starter
    _starter = starter


def wait_after(attempts: int) -> timedelta:
    return min(FIRST_WAIT * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _lease(peer_pk: int) -> bool:
    now = timezone.now()
    return bool(
        Peer.objects.filter(pk=peer_pk)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=now))
        .filter(Q(resting_until__isnull=True) | Q(resting_until__lte=now))
        .update(sending_until=now + LEASE)
    )


def _waiting(peer: Peer):
    """A peer's messages in the order they were written: they are delivered in that order,
    so a message waiting for its next try holds back the ones written after it (an alliance
    agreed must not arrive after the same alliance ended)."""
    waiting = OutboxMessage.objects.filter(peer=peer, state=Delivery.WAITING)
    if peer.state == PeerState.ENDED:
        waiting = waiting.filter(kind__in=TO_ENDED)
    return waiting.select_related("signing_key").order_by("created_at", "pk")[:BATCH]


def _signed(message: OutboxMessage, peer: Peer) -> tuple[str, bytes, dict[str, str]]:
    url = peer.origin + keys.INBOX_PATH
    body = protocol.envelope(
        kind=message.kind, to=peer.origin, body=message.body, message_id=message.message_id
    )
    key = message.signing_key or keys.current()
    headers = protocol.sign(
        url=url,
        body=body,
        private=keys.private_key_of(key),
        key_id=keys.key_id(keys.origin()),
    )
    return url, body, headers


def deliver(peer_pk: int, *, post: Post | None = None) -> int:
    """Sends what is due to one peer. Returns how many messages it accepted."""
    post = post or _post
    if not _lease(peer_pk):
        return 0
    peer = Peer.objects.get(pk=peer_pk)
    delivered = 0
    try:
        while True:
            batch = list(_waiting(peer))
            if not batch:
                break
            for message in batch:
                if message.next_attempt_at > timezone.now():
                    return delivered
                if _send_one(message, peer, post):
                    delivered += 1
                else:
                    return delivered
                Peer.objects.filter(pk=peer_pk).update(sending_until=timezone.now() + LEASE)
    finally:
        Peer.objects.filter(pk=peer_pk).update(sending_until=None)
    return delivered


def _send_one(message: OutboxMessage, peer: Peer, post: Post) -> bool:
    """True when the peer took the message (or refused it for good): go on to the next."""
    now = timezone.now()
    if now - message.created_at > GIVE_UP_AFTER:
        OutboxMessage.objects.filter(pk=message.pk).update(state=Delivery.GAVE_UP)
        return True
    url, body, headers = _signed(message, peer)
    try:
        status = post(url, body, headers)
        error = f"answered {status}"
    except http.OutboundError as failure:
        status, error = 0, f"{failure.__class__.__name__}: {failure}"[:200]
    attempts = message.attempts + 1
    if 200 <= status < 300:
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=Delivery.SENT, attempts=attempts, sent_at=timezone.now(), last_error=""
        )
        Peer.objects.filter(pk=peer.pk).update(failures=0, resting_until=None)
        return True
    if status and status not in TRANSIENT:
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=Delivery.REFUSED, attempts=attempts, last_error=error
        )
        return True
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=attempts, next_attempt_at=now + wait_after(attempts), last_error=error
    )
    failures = peer.failures + 1
    peer.failures = failures
    resting = None
    if failures >= BREAKER_AFTER:
        resting = now + wait_after(failures - BREAKER_AFTER + 1)
    Peer.objects.filter(pk=peer.pk).update(failures=failures, resting_until=resting)
    return False


def peers_due() -> list[int]:
    """Peers with a message due and not resting: the periodic sweep starts a delivery each."""
    now = timezone.now()
    due = OutboxMessage.objects.filter(state=Delivery.WAITING, next_attempt_at__lte=now)
    return list(
        Peer.objects.filter(pk__in=due.values("peer"))
        .filter(Q(resting_until__isnull=True) | Q(resting_until__lte=now))
        .values_list("pk", flat=True)
    )


def cancel_waiting(peer: Peer) -> int:
    """An alliance ended: what was still waiting for it is not sent (but the notice is)."""
    return (
        OutboxMessage.objects.filter(peer=peer, state=Delivery.WAITING)
        .exclude(kind__in=TO_ENDED)
        .update(state=Delivery.CANCELLED)
    )
