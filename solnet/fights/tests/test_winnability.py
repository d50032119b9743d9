"""The winnability sheet: filled in by the fight team, advice beside the vote, editable by the
network, and asked for again when a fight drags on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.fights.models import Fight, WinnabilityAssessment, WinnabilityCriterion
from solnet.fights.stages import Stage

pytestmark = pytest.mark.django_db


def _sheet(**overrides) -> dict:
    data = {"summary": "Strong case, weak leverage"}
    for criterion in WinnabilityCriterion.objects.filter(active=True):
        data[f"score_{criterion.pk}"] = "2"
        data[f"note_{criterion.pk}"] = ""
    data.update(overrides)
    return data


def test_the_team_fills_in_the_sheet_and_the_vote_shows_the_advice(objects):
    fight = objects["fight"]
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    url = reverse("fights:winnability", args=[fight.public_id])
    page = team.get(url).content.decode()
    assert "Can the win be checked off" in page and page.count('type="radio"') == 33
    commitment = WinnabilityCriterion.objects.get(builtin="subject_commitment")
    leverage = WinnabilityCriterion.objects.get(builtin="leverage")
    missing = _sheet()
    del missing[f"score_{leverage.pk}"]
    assert team.post(url, missing).status_code == 422
    assert not WinnabilityAssessment.objects.exists()

    data = _sheet(
        **{f"score_{commitment.pk}": "0", f"note_{commitment.pk}": "Not answering our calls"}
    )
    assert team.post(url, data).status_code == 302
    assessment = fight.assessments.get()
    assert assessment.scores.count() == 11
    assert assessment.scores.get(criterion=commitment).note == "Not answering our calls"

    Fight.objects.filter(pk=fight.pk).update(stage=Stage.PROPOSED)
    vote = team.get(reverse("fights:move", args=[fight.public_id]), {"to": "accepted"})
    text = vote.content.decode()
    assert "Winnability: 20 of 22" in text and "Subject commitment" in text
    assert "decline, refer or research more" in text


def test_the_network_rewrites_and_adds_to_its_sheet(objects):
    organizer = sign_in(Client(), objects["personas"]["organizer"].member)
    evidence = objects["criterion"]
    organizer.post(
        reverse("fights:criterion", args=[evidence.public_id]),
        {
            "name": "Proof",
            "question": "Do we have it in writing?",
            "must_have": "on",
            "active": "on",
        },
    )
    evidence.refresh_from_db()
    assert (evidence.label, evidence.must_have) == ("Proof", True)
    organizer.post(
        reverse("fights:criterion_new"),
        {"name": "Allies", "question": "Does a union or a church back them?", "active": "on"},
    )
    sympathy = WinnabilityCriterion.objects.get(builtin="sympathy")
    organizer.post(reverse("fights:criterion", args=[sympathy.public_id]), {"name": ""})
    sympathy.refresh_from_db()
    assert not sympathy.active
    empty = organizer.post(reverse("fights:criterion_new"), {"name": "", "question": ""})
    assert empty.status_code == 422
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    page = team.get(reverse("fights:winnability", args=[objects["fight"].public_id]))
    text = page.content.decode()
    assert "Does a union or a church back them?" in text and "Do we have it in writing?" in text
    assert "Would a passer-by agree" not in text
    # Built-in questions not rewritten speak the reader's language; rewritten ones the
    # network's words.
    spanish = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), objects["personas"]["fight_team"].member)
    text = spanish.get(reverse("fights:winnability", args=[objects["fight"].public_id]))
    text = text.content.decode()
    assert 'lang="es"' in text and "Do we have it in writing?" in text
    assert "Does this target actually have the power" not in text


def test_a_fight_dragging_on_asks_for_the_sheet_again(objects):
    fight = objects["fight"]
    Fight.objects.filter(pk=fight.pk).update(
        stage=Stage.ESCALATING, opened_at=timezone.now() - timedelta(days=90)
    )
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    detail = reverse("fights:detail", args=[fight.public_id])
    assert "dragging on" in team.get(detail).content.decode()
    team.post(reverse("fights:winnability", args=[fight.public_id]), _sheet())
    assert "dragging on" not in team.get(detail).content.decode()
    WinnabilityAssessment.objects.update(made_at=timezone.now() - timedelta(days=61))
    assert "dragging on" in team.get(detail).content.decode()
