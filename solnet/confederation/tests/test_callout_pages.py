"""The call-out pages, as organizers use them: asking allies, the inbox, answering and
reporting counts — and bad input explained in the organizer's language, changing nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.confederation import outbox
from solnet.confederation.models import Answer, IncomingRequest, SolidarityRequest
from solnet.confederation.testing import FakePeer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    bodies = []
    monkeypatch.setattr(
        outbox, "_post", lambda url, body, headers: bodies.append(json.loads(body)) or 202
    )
    return bodies


@pytest.fixture
def organizer(personas):
    return sign_in(Client(), personas["organizer"].member)


def _form(action, **overrides):
    local = timezone.localtime
    return {
        "action": action.public_id,
        "target": "Acme Property Management",
        "ask": "Twenty people for two hours.",
        "place": "1400 Pine St",
        "starts_at": local(action.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(action.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "risk": "medium",
        "language": "en",
        **overrides,
    }


def test_asking_allies_from_the_form(organizer, objects, sent, django_capture_on_commit_callbacks):
    FakePeer().pin(name="Westside Tenants")
    action = objects["fight_action"]
    page = organizer.get(reverse("confederation:callout_new") + f"?action={action.public_id}")
    assert page.status_code == 200 and "March on the boss" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer.post(reverse("confederation:callout_new"), _form(action))
    request = SolidarityRequest.objects.get()
    assert response.status_code == 302 and request.public_id in response.headers["Location"]
    assert [b["kind"] for b in sent] == ["callout.request"]
    detail = organizer.get(response.headers["Location"]).content.decode()
    assert "Westside Tenants" in detail and "0 coming · 0 came" in detail


@pytest.mark.parametrize(
    ("overrides", "english", "spanish"),
    [
        (
            {"ends_at": "2020-01-01T10:00"},
            "The end must come after the start.",
            "El fin debe ser posterior al inicio.",
        ),
        ({"risk": "extreme"}, "Select a valid choice", "Escoja una opción válida"),
    ],
)
def test_a_bad_request_is_explained_and_sends_nothing(
    personas, objects, sent, overrides, english, spanish
):
    FakePeer().pin()
    action = objects["fight_action"]
    for language, words in (("en", english), ("es", spanish)):
        client = sign_in(Client(), personas["organizer"].member)
        client.cookies["django_language"] = language
        response = client.post(reverse("confederation:callout_new"), _form(action, **overrides))
        assert response.status_code == 422 and words in response.content.decode(), language
    assert not SolidarityRequest.objects.exists() and sent == []


def test_with_no_allies_the_form_says_so(organizer, objects, sent):
    response = organizer.post(reverse("confederation:callout_new"), _form(objects["fight_action"]))
    assert response.status_code == 422 and "no allies yet" in response.content.decode()


def _incoming(peer) -> IncomingRequest:
    starts = timezone.now() + timedelta(days=3)
    return IncomingRequest.objects.create(
        peer=peer,
        remote_id="r3m0te",
        target="Westlake Holdings LLC",
        ask="Llenar el vestíbulo al mediodía: treinta personas.",
        place="200 Main St",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        risk="medium",
        language="es",
    )


def test_an_allys_request_waits_on_the_start_page_and_is_answered_from_its_page(
    organizer, personas, sent, django_capture_on_commit_callbacks
):
    incoming = _incoming(FakePeer().pin(name="Southside Workers"))
    start = organizer.get(reverse("home")).content.decode()
    assert "Allies ask for turnout" in start and "Westlake Holdings LLC" in start
    member_start = sign_in(Client(), personas["member"].member).get(reverse("home"))
    assert "Westlake Holdings LLC" not in member_start.content.decode()
    page = organizer.get(reverse("confederation:incoming", args=[incoming.public_id]))
    text = page.content.decode()
    assert '<dd class="prewrap" lang="es">Llenar el vestíbulo' in text
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(reverse("confederation:incoming_accept", args=[incoming.public_id]))
    incoming.refresh_from_db()
    assert incoming.answer == Answer.ACCEPTED and incoming.action is not None
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(
            reverse("confederation:incoming_turnout", args=[incoming.public_id]),
            {"committed": "7", "came": "5"},
        )
    assert [b["kind"] for b in sent] == ["callout.answer", "callout.turnout"]
    assert sent[-1]["body"] == {"request": "r3m0te", "committed": 7, "came": 5}
    # Numbers outside the range change nothing.
    organizer.post(
        reverse("confederation:incoming_turnout", args=[incoming.public_id]),
        {"committed": "-1", "came": "5"},
    )
    incoming.refresh_from_db()
    assert (incoming.committed, incoming.came) == (7, 5) and len(sent) == 2
    assert "Westlake Holdings LLC" not in organizer.get(reverse("home")).content.decode()


def test_declining_with_a_reason(organizer, sent, django_capture_on_commit_callbacks):
    incoming = _incoming(FakePeer().pin())
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(
            reverse("confederation:incoming_decline", args=[incoming.public_id]),
            {"reason": "Our own eviction defense that day"},
        )
    incoming.refresh_from_db()
    assert incoming.answer == Answer.DECLINED
    assert sent[0]["body"]["reason"] == "Our own eviction defense that day"
    # Answered once: accepting afterwards changes nothing.
    organizer.post(reverse("confederation:incoming_accept", args=[incoming.public_id]))
    incoming.refresh_from_db()
    assert incoming.answer == Answer.DECLINED and incoming.action is None


def test_the_inbox_lists_requests_both_ways(organizer, objects, sent):
    _incoming(FakePeer().pin(name="Southside Workers"))
    page = organizer.get(reverse("confederation:requests")).content.decode()
    assert "Westlake Holdings LLC" in page and "1 waiting" in page
    assert "None sent yet." in page
