"""Asks, answers, outcomes, and the reliability derived from them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.people.models import (
    RELIABILITY_WINDOW,
    Answer,
    Commitment,
    Outcome,
    Person,
    reliability,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lupe(network):
    return Person.objects.create(display_name="Lupe")


def test_an_organizer_notes_an_ask_then_what_happened(personas, lupe):
    client = sign_in(Client(), personas["organizer"].member)
    detail = reverse("people:detail", args=[lupe.public_id])
    response = client.post(
        reverse("people:ask_log", args=[lupe.public_id]),
        {"ask": "Picket Friday 5pm", "answer": "yes"},
    )
    assert response.status_code == 302 and response["Location"] == detail
    commitment = Commitment.objects.get()
    assert (commitment.answer, commitment.outcome) == ("yes", "open")
    assert AuditEvent.objects.filter(action="commitment.logged").exists()
    prefix = commitment.public_id
    client.post(
        reverse("people:ask_settle", args=[lupe.public_id, prefix]),
        {f"{prefix}-answer": "yes", f"{prefix}-outcome": "showed"},
    )
    assert Commitment.objects.get().outcome == "showed"
    page = client.get(detail).content.decode()
    assert "Showed up 1 of the last 1 times they said yes." in page


def test_someone_who_said_no_cannot_have_shown_up(personas, lupe):
    commitment = Commitment.objects.create(person=lupe, ask="Flyering", answer="no")
    client = sign_in(Client(), personas["organizer"].member)
    prefix = commitment.public_id
    response = client.post(
        reverse("people:ask_settle", args=[lupe.public_id, prefix]),
        {f"{prefix}-answer": "no", f"{prefix}-outcome": "showed"},
    )
    assert response.status_code == 302
    assert Commitment.objects.get().outcome == "open"


def test_only_organizers_note_asks(personas, lupe):
    for persona in ("member", "dispatcher"):
        client = sign_in(Client(), personas[persona].member)
        response = client.post(
            reverse("people:ask_log", args=[lupe.public_id]), {"ask": "x", "answer": "yes"}
        )
        assert response.status_code == 404
    assert not Commitment.objects.exists()


SETTLED = st.sampled_from(
    [
        (Answer.YES, Outcome.SHOWED),
        (Answer.YES, Outcome.NO_SHOW),
        (Answer.YES, Outcome.OPEN),
        (Answer.MAYBE, Outcome.SHOWED),
        (Answer.NO, Outcome.OPEN),
        (Answer.WAITING, Outcome.OPEN),
    ]
)


@settings(
    max_examples=40,
    deadline=None,
    # The person is only read; every example starts by clearing their commitments.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=st.lists(SETTLED, max_size=25))
def test_reliability_counts_only_recent_kept_or_missed_yeses(lupe, history):
    Commitment.objects.all().delete()
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now()
    for n, (answer, outcome) in enumerate(history):
        Commitment.objects.create(
            person=lupe,
            ask=f"ask {n}",
            answer=answer,
            outcome=outcome,
            asked_at=start + timedelta(minutes=n),
        )
    counted = [o for a, o in reversed(history) if a == Answer.YES and o != Outcome.OPEN]
    counted = counted[:RELIABILITY_WINDOW]
    result = reliability(lupe)
    if not counted:
        assert result is None
    else:
        showed, total = result
        assert total == len(counted) <= RELIABILITY_WINDOW
        assert showed == counted.count(Outcome.SHOWED) <= total
