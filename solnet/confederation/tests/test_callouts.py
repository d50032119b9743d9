"""Solidarity requests between allies: asking, answering, turnout as counts, changes and
stand-downs, the balance of solidarity — and nothing of anyone in what leaves."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.confederation import callouts, outbox
from solnet.confederation.models import (
    Answer,
    IncomingRequest,
    PeerState,
    RequestState,
    RequestToAlly,
)
from solnet.confederation.testing import FakePeer
from solnet.mobilize import services as mobilize

pytestmark = pytest.mark.django_db


class Sent:
    """The transport: every body that left, by kind."""

    def __init__(self):
        self.bodies: list[dict] = []

    def __call__(self, url, body, headers):
        self.bodies.append(json.loads(body))
        return 202

    def kinds(self):
        return [b["kind"] for b in self.bodies]

    def of(self, kind):
        return [b["body"] for b in self.bodies if b["kind"] == kind]


@pytest.fixture
def sent(monkeypatch):
    transport = Sent()
    monkeypatch.setattr(outbox, "_post", transport)
    return transport


@pytest.fixture
def allies():
    return [FakePeer("https://ally-one.example"), FakePeer("https://ally-two.example")]


def _send(objects, personas, *, on_commit, **overrides):
    action = objects["fight_action"]
    fields = {
        "target": "Acme Property Management",
        "ask": "Twenty people to picket the office for two hours.",
        "place": "1400 Pine St",
        "starts_at": action.starts_at,
        "ends_at": action.ends_at,
        "risk": "low",
        "language": "en",
        "share_public_page": False,
        **overrides,
    }
    with on_commit(execute=True):
        return callouts.send_request(action=action, by=personas["organizer"].member, **fields)


def test_a_request_goes_to_every_ally_and_holds_only_what_it_says(
    objects, personas, allies, sent, django_capture_on_commit_callbacks
):
    for ally in allies:
        ally.pin()
    FakePeer("https://only-paired.example").pin(state=PeerState.PAIRED)
    request = _send(objects, personas, on_commit=django_capture_on_commit_callbacks)
    assert request.allies.count() == 2
    bodies = sent.of("callout.request")
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert set(bodies[0]) == {
        "request",
        "target",
        "ask",
        "place",
        "starts_at",
        "ends_at",
        "risk",
        "language",
        "public_url",
    }
    assert bodies[0]["public_url"] == "" and bodies[0]["request"] == request.public_id


def test_sharing_the_public_page_needs_one(
    objects, personas, allies, sent, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    allies[0].pin()
    with pytest.raises(ValidationError):
        _send(
            objects, personas, on_commit=django_capture_on_commit_callbacks, share_public_page=True
        )
    mobilize.set_public(
        action=objects["fight_action"], public=True, by=personas["organizer"].member
    )
    objects["fight_action"].refresh_from_db()
    request = _send(
        objects, personas, on_commit=django_capture_on_commit_callbacks, share_public_page=True
    )
    assert request.public_url.startswith("http") and "/actions/" in request.public_url
    assert sent.of("callout.request")[-1]["public_url"] == request.public_url


def test_answers_and_turnout_from_allies_add_up(
    client, objects, personas, allies, sent, django_capture_on_commit_callbacks
):
    for ally in allies:
        ally.pin()
    request = _send(objects, personas, on_commit=django_capture_on_commit_callbacks)
    one, two = allies
    assert (
        one.post(
            client, "callout.answer", {"request": request.public_id, "answer": "accepted"}
        ).status_code
        == 202
    )
    assert (
        two.post(
            client,
            "callout.answer",
            {
                "request": request.public_id,
                "answer": "declined",
                "reason": "Our own eviction defense that day",
            },
        ).status_code
        == 202
    )
    assert (
        one.post(
            client, "callout.turnout", {"request": request.public_id, "committed": 12, "came": 0}
        ).status_code
        == 202
    )
    # A declined ally's counts are refused; an unknown request too.
    assert (
        two.post(
            client, "callout.turnout", {"request": request.public_id, "committed": 5, "came": 5}
        ).status_code
        == 409
    )
    assert (
        one.post(
            client, "callout.turnout", {"request": "nope", "committed": 1, "came": 1}
        ).status_code
        == 404
    )
    assert (
        one.post(
            client, "callout.turnout", {"request": request.public_id, "committed": 12, "came": 9}
        ).status_code
        == 202
    )
    totals = callouts.totals(request)
    assert (totals.asked, totals.accepted, totals.declined, totals.waiting) == (2, 1, 1, 0)
    assert (totals.committed, totals.came) == (12, 9)
    declined = RequestToAlly.objects.get(peer__origin=two.origin)
    assert declined.reason == "Our own eviction defense that day"


def test_a_change_and_a_stand_down_reach_every_ally_that_has_not_declined(
    client, objects, personas, allies, sent, django_capture_on_commit_callbacks
):
    for ally in allies:
        ally.pin()
    request = _send(objects, personas, on_commit=django_capture_on_commit_callbacks)
    allies[1].post(client, "callout.answer", {"request": request.public_id, "answer": "declined"})
    later = request.starts_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        callouts.change_time(
            request=request,
            by=personas["organizer"].member,
            place="Outside city hall",
            starts_at=later,
            ends_at=later + timedelta(hours=2),
        )
    with django_capture_on_commit_callbacks(execute=True):
        callouts.stand_down(request=request, by=personas["organizer"].member)
    request.refresh_from_db()
    assert request.state == RequestState.STOOD_DOWN
    changes = [b for b in sent.bodies if b["kind"] in ("callout.update", "callout.stand_down")]
    assert [(b["kind"], b["to"]) for b in changes] == [
        ("callout.update", allies[0].origin),
        ("callout.stand_down", allies[0].origin),
    ]


def _incoming(client, ally, **overrides):
    starts = timezone.now() + timedelta(days=3)
    body = {
        "request": "r3m0te",
        "target": "Westlake Holdings LLC",
        "ask": "Fill the lobby at noon: thirty people.",
        "place": "200 Main St",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "risk": "medium",
        "language": "es",
        **overrides,
    }
    return ally.post(client, "callout.request", body)


def test_an_allys_request_is_accepted_into_an_action_of_our_own(
    client, personas, allies, sent, django_capture_on_commit_callbacks
):
    ally = allies[0]
    ally.pin()
    assert _incoming(client, ally).status_code == 202
    assert _incoming(client, ally).status_code == 409  # the same request twice: one copy
    incoming = IncomingRequest.objects.get()
    assert incoming.language == "es" and incoming.answer == Answer.WAITING
    organizer = personas["organizer"].member
    with django_capture_on_commit_callbacks(execute=True):
        callouts.accept(incoming=incoming, by=organizer)
    incoming.refresh_from_db()
    action = incoming.action
    assert action is not None and action.fight is None and action.place == "200 Main St"
    assert "Westlake Holdings LLC" in action.title
    assert sent.of("callout.answer") == [{"request": "r3m0te", "answer": "accepted", "reason": ""}]
    # Our own members answer our own action; the counts, not their names, go back.
    mobilize.sign_up(action=action, member=personas["member"].member, answer="yes")
    assert callouts.local_turnout(incoming) == (1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        callouts.report_turnout(incoming=incoming, by=organizer, committed=1, came=0)
    assert sent.of("callout.turnout") == [{"request": "r3m0te", "committed": 1, "came": 0}]
    # A change of time moves our action; a stand-down calls it off.
    later = timezone.now() + timedelta(days=4)
    ally.post(
        client,
        "callout.update",
        {
            "request": "r3m0te",
            "place": "City hall",
            "starts_at": later.isoformat(),
            "ends_at": (later + timedelta(hours=1)).isoformat(),
        },
    )
    action.refresh_from_db()
    assert action.place == "City hall" and action.starts_at == later
    ally.post(client, "callout.stand_down", {"request": "r3m0te"})
    action.refresh_from_db()
    incoming.refresh_from_db()
    assert action.cancelled_at is not None and incoming.stood_down_at is not None


def test_a_request_from_a_network_not_allied_changes_nothing(client, allies):
    allies[0].pin(state=PeerState.PAIRED)
    response = _incoming(client, allies[0])
    assert response.status_code == 403 and not IncomingRequest.objects.exists()


def test_declining_says_why_if_one_likes(
    client, personas, allies, sent, django_capture_on_commit_callbacks
):
    allies[0].pin()
    _incoming(client, allies[0])
    incoming = IncomingRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        callouts.decline(incoming=incoming, by=personas["organizer"].member, reason="Too far")
    assert sent.of("callout.answer") == [
        {"request": "r3m0te", "answer": "declined", "reason": "Too far"}
    ]


def test_the_balance_of_solidarity(
    client, objects, personas, allies, sent, django_capture_on_commit_callbacks
):
    one, two = allies
    one.pin(name="Westside Tenants")
    two.pin(name="Southside Workers")
    request = _send(objects, personas, on_commit=django_capture_on_commit_callbacks)
    one.post(client, "callout.answer", {"request": request.public_id, "answer": "accepted"})
    one.post(client, "callout.turnout", {"request": request.public_id, "committed": 10, "came": 8})
    for number in range(3):
        _incoming(client, two, request=f"from-two-{number}")
    for incoming in IncomingRequest.objects.all()[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            callouts.accept(incoming=incoming, by=personas["organizer"].member)
            callouts.report_turnout(
                incoming=incoming, by=personas["organizer"].member, committed=6, came=5
            )
    rows = {row.peer.origin: row for row in callouts.balance()}
    first, second = rows[one.origin], rows[two.origin]
    assert (first.asked_them, first.they_answered, first.received) == (1, 1, 8)
    assert (first.asked_us, first.we_answered, first.given) == (0, 0, 0)
    assert (second.asked_them, second.they_answered, second.received) == (1, 0, 0)
    assert (second.asked_us, second.we_answered, second.given) == (3, 2, 10)
    page = sign_in(Client(), personas["member"].member).get(reverse("confederation:balance"))
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        '<th scope="row">Southside Workers</th>'
        "<td>1</td><td>0</td><td>0</td><td>3</td><td>2</td><td>10</td>" in text
    )
