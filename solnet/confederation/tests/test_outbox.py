"""Delivery: retries with back-off for 48 hours, final refusals, one sender per peer, a
breaker that rests a failing peer, and nothing sent for an alliance that ended."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from solnet.confederation import alliance, keys, outbox, protocol
from solnet.confederation.models import Delivery, OutboxMessage, Peer, PeerState
from solnet.confederation.testing import FakePeer
from solnet.core import http

pytestmark = pytest.mark.django_db


class Inbox:
    """A peer's inbox as the transport sees it: answers in turn, and what it was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent: list[dict] = []

    def __call__(self, url, body, headers):
        self.sent.append({"url": url, "body": json.loads(body), "headers": headers})
        answer = self.answers.pop(0) if self.answers else 202
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def peer():
    return FakePeer().pin()


@pytest.fixture
def queue(django_capture_on_commit_callbacks):
    """Writes a message as a decision does; the delivery it starts on commit runs at once (the
    tests run huey in immediate mode)."""

    def write(peer, kind="alliance.agreed", body=None):
        with django_capture_on_commit_callbacks(execute=True):
            message = outbox.queue(peer, kind, body or {"decision": "abc"})
        return message

    return write


def _due_now(message):
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    Peer.objects.filter(pk=message.peer_id).update(resting_until=None)


def test_a_message_is_signed_for_the_peer_and_sent_once(peer, monkeypatch, queue):
    inbox = Inbox(202)
    monkeypatch.setattr(outbox, "_post", inbox)
    message = queue(peer)  # the worker runs at once in the tests (huey's immediate mode)
    message.refresh_from_db()
    assert message.state == Delivery.SENT and message.attempts == 1
    (sent,) = inbox.sent
    assert sent["url"] == peer.origin + keys.INBOX_PATH
    assert sent["body"]["id"] == str(message.message_id)
    assert sent["body"]["to"] == peer.origin and sent["body"]["from"] == keys.origin()
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    protocol.verify(url=sent["url"], headers=headers, public_key=keys.current().public_key)
    assert outbox.deliver(peer.pk, post=inbox) == 0  # nothing left to send


def test_a_failed_try_waits_longer_each_time_and_then_succeeds(peer, queue):
    inbox = Inbox(http.OutboundTimeout("slow"), 503, 429, 202)
    message = queue(peer, body={"decision": "x"})
    # The immediate first try used the real transport (to a name that does not resolve).
    message.refresh_from_db()
    assert message.state == Delivery.WAITING and message.attempts == 1
    waits = []
    for _ in range(4):
        _due_now(message)
        before = timezone.now()
        outbox.deliver(peer.pk, post=inbox)
        message.refresh_from_db()
        if message.state == Delivery.WAITING:
            waits.append(round((message.next_attempt_at - before).total_seconds()))
    assert message.state == Delivery.SENT and message.attempts == 5
    assert waits == [60, 120, 240]
    # Every try carried the same message id: the peer applies it once.
    assert len({sent["body"]["id"] for sent in inbox.sent}) == 1
    assert outbox.wait_after(20) == outbox.LONGEST_WAIT


def test_a_refusal_is_final_and_the_next_message_goes_on(peer, monkeypatch, queue):
    inbox = Inbox(403, 202)
    monkeypatch.setattr(outbox, "_post", inbox)
    refused = queue(peer)
    refused.refresh_from_db()
    assert refused.state == Delivery.REFUSED and "403" in refused.last_error
    taken = queue(peer)
    taken.refresh_from_db()
    assert taken.state == Delivery.SENT


def test_after_48_hours_it_gives_up(peer, monkeypatch, queue):
    monkeypatch.setattr(outbox, "_post", Inbox(503))
    message = queue(peer)
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(hours=48, minutes=1)
    )
    _due_now(message)
    sent = Inbox()
    outbox.deliver(peer.pk, post=sent)
    message.refresh_from_db()
    assert message.state == Delivery.GAVE_UP and sent.sent == []


def test_a_failing_peer_rests_and_the_sweep_passes_it_by(peer, monkeypatch, queue):
    monkeypatch.setattr(outbox, "_post", Inbox(*[503] * 10))
    message = queue(peer)
    for _ in range(outbox.BREAKER_AFTER - 1):
        _due_now(message)
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outbox.deliver(peer.pk)
    peer.refresh_from_db()
    assert peer.failures == outbox.BREAKER_AFTER and peer.resting_until > timezone.now()
    other = FakePeer("https://other.example").pin()
    monkeypatch.setattr(outbox, "_post", Inbox(503))
    waiting = queue(other)
    OutboxMessage.objects.filter(pk__in=[message.pk, waiting.pk]).update(
        next_attempt_at=timezone.now()
    )
    # The resting peer is not swept, nor leased; the other one is.
    assert outbox.peers_due() == [other.pk]
    assert outbox.deliver(peer.pk, post=Inbox(202)) == 0
    # A success closes the breaker.
    Peer.objects.filter(pk=peer.pk).update(resting_until=None)
    assert outbox.deliver(peer.pk, post=Inbox(202)) == 1
    peer.refresh_from_db()
    assert peer.failures == 0 and peer.resting_until is None


def test_one_sender_at_a_time_per_peer(peer, monkeypatch, queue):
    monkeypatch.setattr(outbox, "_post", Inbox(503))
    message = queue(peer)
    _due_now(message)
    Peer.objects.filter(pk=peer.pk).update(sending_until=timezone.now() + timedelta(minutes=1))
    inbox = Inbox(202)
    assert outbox.deliver(peer.pk, post=inbox) == 0 and inbox.sent == []
    # A lease left by a killed worker runs out.
    Peer.objects.filter(pk=peer.pk).update(sending_until=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver(peer.pk, post=inbox) == 1


def test_a_dead_peer_holds_up_only_its_own_messages(monkeypatch, queue):
    dead, alive = FakePeer("https://dead.example").pin(), FakePeer("https://alive.example").pin()
    posts = []

    def transport(url, body, headers):
        posts.append(url)
        if url.startswith(dead.origin):
            raise http.OutboundTimeout("no answer")
        return 202

    monkeypatch.setattr(outbox, "_post", transport)
    for _ in range(3):
        queue(dead)
        queue(alive)
    assert OutboxMessage.objects.filter(peer=alive, state=Delivery.SENT).count() == 3
    # One try per delivery for the dead peer, which then waits: not three timeouts in a row.
    dead_tries = [url for url in posts if url.startswith(dead.origin)]
    assert len(dead_tries) == 1


def test_ending_an_alliance_cancels_what_waits_but_sends_the_notice(
    peer, monkeypatch, queue, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(outbox, "_post", Inbox(503, 503, 503))
    waiting = queue(peer)
    inbox = Inbox(202)
    monkeypatch.setattr(outbox, "_post", inbox)
    Peer.objects.filter(pk=peer.pk).update(resting_until=None)
    with django_capture_on_commit_callbacks(execute=True):
        alliance.end(peer, decision="d1")
    waiting.refresh_from_db()
    assert waiting.state == Delivery.CANCELLED
    assert [sent["body"]["kind"] for sent in inbox.sent] == ["alliance.ended"]
    peer.refresh_from_db()
    assert peer.state == PeerState.ENDED and peer.ended_here
