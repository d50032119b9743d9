"""The escalation plan: steps from the tactics catalogue, actions with planned against actual
turnout, warnings on capacity and lapsing pressure, the target's responses and counter-moves,
and the catalogue the network edits."""

from __future__ import annotations

import datetime
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.fights import escalation, services
from solnet.fights.models import Fight, PlanStep, Tactic
from solnet.fights.stages import Stage
from solnet.people.models import Commitment, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def fight(objects):
    PlanStep.objects.filter(fight=objects["fight"]).delete()
    return objects["fight"]


@pytest.fixture
def team(objects):
    return sign_in(Client(), objects["personas"]["fight_team"].member)


def _showed(count: int, *, days_ago: int = 10) -> None:
    when = timezone.now() - timedelta(days=days_ago)
    for n in range(count):
        person = Person.objects.create(display_name=f"Picketer {n}")
        Commitment.objects.create(
            person=person, ask="Picket", answer="yes", outcome="showed", asked_at=when
        )


def test_a_plan_of_two_steps_and_an_action_recorded(team, fight):
    picket = Tactic.objects.get(builtin="picket")
    posters = Tactic.objects.get(builtin="posters")
    url = reverse("fights:step_add", args=[fight.public_id])
    today = timezone.localdate()
    team.post(url, {"step-tactic": posters.public_id, "step-planned_on": str(today)})
    team.post(
        url,
        {
            "step-tactic": picket.public_id,
            "step-planned_on": str(today + timedelta(days=7)),
            "step-turnout_needed": "25",
            "step-roles": "marshals, police liaison",
        },
    )
    first, second = fight.plan.all()
    assert (first.tier, first.turnout_needed) == ("T1", posters.ideal_turnout)
    assert (second.tier, second.turnout_needed, second.roles) == (
        "T2",
        25,
        "marshals, police liaison",
    )
    bad = team.post(url, {"step-tactic": "nope", "step-planned_on": "soon"})
    assert bad.status_code == 422 and fight.plan.count() == 2

    action = reverse("fights:step", args=[fight.public_id, first.public_id])
    future = team.post(
        action, {"done_on": str(today + timedelta(days=3)), "turnout": "6", "tier_done": "T1"}
    )
    assert future.status_code == 422
    done = team.post(
        action,
        {
            "done_on": str(today),
            "turnout": "6",
            "tier_done": "T1",
            "reaction": "The manager tore the posters down",
        },
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert (first.done_on, first.turnout, first.reaction) == (
        today,
        6,
        "The manager tore the posters down",
    )
    # An action that happened stays on the record.
    team.post(reverse("fights:step_remove", args=[fight.public_id, first.public_id]))
    team.post(reverse("fights:step_remove", args=[fight.public_id, second.public_id]))
    assert list(fight.plan.all()) == [first]
    page = team.get(reverse("fights:detail", args=[fight.public_id])).content.decode()
    assert "<svg" in page and "Pressure from" in page
    spanish = team.get(
        reverse("fights:detail", args=[fight.public_id]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert 'lang="es"' in spanish and not re.search(r'c[xy]="[0-9]+,[0-9]', spanish)


def test_a_step_needing_more_people_than_showed_up_lately_is_flagged(team, fight, objects):
    _showed(12)
    _showed(30, days_ago=200)  # too long ago to count
    assert escalation.mobilizable() == 12
    services.add_plan_step(
        fight=fight,
        tactic=Tactic.objects.get(builtin="peak_picket"),
        planned_on=timezone.localdate(),
        turnout_needed=40,
        roles="",
        by=objects["personas"]["fight_team"].member,
    )
    page = team.get(reverse("fights:plan", args=[fight.public_id])).content.decode()
    assert "needs 40 people; 12 showed up" in page


def test_pressure_lapsing_is_flagged(fight, network):
    network.pressure_gap_days = 14
    network.save()
    today = datetime.date(2026, 12, 1)
    Fight.objects.filter(pk=fight.pk).update(
        stage=Stage.ESCALATING, deadline=datetime.date(2026, 10, 1)
    )
    fight.refresh_from_db()
    tactic = Tactic.objects.get(builtin="picket")

    def step(day):
        return PlanStep(fight=fight, tactic=tactic, planned_on=day, tier="T2", turnout_needed=5)

    steady = [step(datetime.date(2026, 10, d)) for d in (10, 20, 30)] + [
        step(datetime.date(2026, 11, d)) for d in (10, 20, 30)
    ]
    assert escalation.pressure_gaps(fight, steady, today=today) == []
    gaps = escalation.pressure_gaps(fight, steady[:3], today=today)
    assert [(g.start, g.end, g.days) for g in gaps] == [(datetime.date(2026, 10, 30), today, 32)]
    Fight.objects.filter(pk=fight.pk).update(stage=Stage.ACCEPTED)
    fight.refresh_from_db()
    assert escalation.pressure_gaps(fight, steady[:3], today=today) == []


def test_responses_and_counter_moves_are_logged(team, fight):
    url = reverse("fights:response_add", args=[fight.public_id])
    team.post(
        url,
        {
            "response-kind": "police",
            "response-happened_on": str(timezone.localdate()),
            "response-note": "Two officers at the picket, no arrests",
        },
    )
    team.post(
        url,
        {
            "response-kind": "offer",
            "response-happened_on": str(timezone.localdate()),
            "response-amount": "3000",
        },
    )
    assert fight.responses.count() == 2
    future = team.post(
        url,
        {
            "response-kind": "offer",
            "response-happened_on": str(timezone.localdate() + timedelta(days=2)),
        },
    )
    assert future.status_code == 422 and fight.responses.count() == 2
    page = team.get(reverse("fights:plan", args=[fight.public_id])).content.decode()
    assert "counter-move" in page and "Two officers at the picket" in page


def test_the_network_edits_its_tactics_catalogue(objects):
    organizer = sign_in(Client(), objects["personas"]["organizer"].member)
    picket = objects["tactic"]
    data = {
        "name": "",
        "tier": "T2",
        "kind": "economic",
        "min_turnout": "12",
        "ideal_turnout": "35",
        "roles": "marshals, police liaison",
        "risk": "medium",
        "needs_research": "",
        "script": "We are here because…",
        "active": "on",
    }
    assert (
        organizer.post(reverse("fights:tactic", args=[picket.public_id]), data).status_code == 302
    )
    picket.refresh_from_db()
    assert (picket.min_turnout, picket.ideal_turnout, picket.label) == (
        12,
        35,
        "Informational picket",
    )
    wrong = organizer.post(
        reverse("fights:tactic_new"), {**data, "name": "Banner", "min_turnout": "50"}
    )
    assert wrong.status_code == 422
    organizer.post(reverse("fights:tactic_new"), {**data, "name": "Banner drop", "tier": "T1"})
    assert Tactic.objects.filter(name="Banner drop", builtin="").exists()
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    assert team.post(reverse("fights:tactic", args=[picket.public_id]), data).status_code == 404
    assert "Banner drop" in team.get(reverse("fights:tactics")).content.decode()
