"""After the fight: the outcome, follow-up tasks, whether the subject came back, and the
network's figures on the dashboard, which describe no one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.fights import outcomes, services
from solnet.fights.models import Fight, FightMove, FightTeamMember, FollowUp
from solnet.fights.stages import Stage
from solnet.people.models import Commitment

pytestmark = pytest.mark.django_db


def _closed(title: str, stage: str, *, days: int, recovered=None) -> Fight:
    now = timezone.now()
    fight = Fight.objects.create(
        title=title,
        issue_type="wages",
        stage=stage,
        opened_at=now - timedelta(days=days),
        closed_at=now,
        amount_recovered=recovered,
    )
    FightMove.objects.create(fight=fight, source="negotiating", target=stage)
    return fight


def test_the_outcome_and_follow_up_of_a_won_fight(objects):
    fight, personas = objects["fight"], objects["personas"]
    team = sign_in(Client(), personas["fight_team"].member)
    url = reverse("fights:outcome", args=[fight.public_id])
    early = team.post(url, {"amount_recovered": "6710", "watch_days": "90"})
    assert early.status_code == 422  # no outcome yet
    Fight.objects.filter(pk=fight.pk).update(stage=Stage.WON, closed_at=timezone.now())
    response = team.post(
        url,
        {"amount_recovered": "6710", "lessons": "Lunch pickets worked", "watch_days": "120"},
    )
    assert response.status_code == 302
    fight.refresh_from_db()
    assert fight.amount_recovered == 6710 and fight.lessons == "Lunch pickets worked"
    assert fight.watch_until == fight.closed_at.date() + timedelta(days=120)

    add = reverse("fights:follow_up_add", args=[fight.public_id])
    team.post(
        add,
        {
            "follow-task": "Invite Antonio to the Tuesday meeting",
            "follow-due_on": str(timezone.localdate() + timedelta(days=7)),
            "follow-assigned_to": personas["fight_team"].member.public_id,
        },
    )
    task = fight.follow_ups.order_by("pk").last()
    assert task.task == "Invite Antonio to the Tuesday meeting"
    assert task.assigned_to == personas["fight_team"].member
    team.post(
        add,
        {
            "follow-task": "Someone outside",
            "follow-assigned_to": personas["member"].member.public_id,
        },
    )
    assert FollowUp.objects.filter(fight=fight).count() == 2  # the fixture's and this one
    team.post(reverse("fights:follow_up_done", args=[fight.public_id, task.public_id]))
    task.refresh_from_db()
    assert task.done_at is not None
    page = team.get(reverse("fights:detail", args=[fight.public_id])).content.decode()
    assert "Lunch pickets worked" in page and "After the fight" in page


def test_whether_the_subject_came_back(objects):
    fight, personas = objects["fight"], objects["personas"]
    assert outcomes.subjects_came_back(fight) is None  # still open
    Fight.objects.filter(pk=fight.pk).update(
        stage=Stage.WON, closed_at=timezone.now() - timedelta(days=30)
    )
    fight.refresh_from_db()
    assert outcomes.subjects_came_back(fight) is False
    person = fight.subjects.get().person
    Commitment.objects.create(person=person, ask="Picket for Mei", answer="yes", outcome="showed")
    assert outcomes.subjects_came_back(fight) is True
    Commitment.objects.all().delete()
    later = Fight.objects.create(title="Mei's deposit", issue_type="deposit")
    FightTeamMember.objects.create(fight=later, member=personas["subject"].member)
    assert outcomes.subjects_came_back(fight) is True


def test_the_dashboard_shows_figures_without_anyone_in_them(objects):
    _closed("A", Stage.WON, days=30, recovered=6710)
    _closed("B", Stage.PARTIAL_WIN, days=50, recovered=1000)
    _closed("C", Stage.LOST, days=365)
    _closed("D", Stage.WITHDRAWN, days=10)
    figures = outcomes.network_figures()
    assert (figures.won, figures.partial, figures.lost, figures.withdrawn) == (1, 1, 1, 1)
    assert figures.win_rate == 67 and figures.recovered == 7710
    assert figures.median_days == 40  # of 10, 30, 50, 365
    services.set_deadline(
        fight=objects["fight"],
        deadline=timezone.localdate() + timedelta(days=5),
        by=objects["personas"]["fight_team"].member,
    )
    member = sign_in(Client(), objects["personas"]["member"].member)
    page = member.get(reverse("fights:dashboard")).content.decode()
    assert "67 %" in page and "$7,710.00" in page  # in the network's currency
    assert "Back wages at Joe" not in page  # not theirs to see
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    page = team.get(reverse("fights:dashboard")).content.decode()
    assert "Back wages at Joe" in page and "deadline" in page
    assert "Invite Antonio to the meeting" in page


def test_the_dashboard_costs_the_same_queries_for_3_or_30_fights(personas):
    """The follow-ups of every fight on the viewer's team in one query: a fight without any
    costs nothing more (the dashboard once read each fight's follow-ups on their own)."""
    member = personas["fight_team"].member
    client = sign_in(Client(), member)
    now = timezone.now()
    theirs = Fight.objects.create(title="Not on their team", issue_type="wages")
    FollowUp.objects.create(fight=theirs, task="Someone else's task")

    def add_fights(count: int, start: int) -> None:
        for n in range(start, start + count):
            fight = Fight.objects.create(
                title=f"Fight {n:02d}", issue_type="wages", opened_at=now - timedelta(days=n)
            )
            FightTeamMember.objects.create(fight=fight, member=member)
            if n % 3 == 0:  # most fights have no follow-up
                FollowUp.objects.create(fight=fight, task=f"Call back {n:02d}")
                FollowUp.objects.create(fight=fight, task=f"Done {n:02d}", done_at=now)

    def dashboard() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("fights:dashboard"))
        assert response.status_code == 200
        return len(queries), [str(task) for task in response.context["follow_ups"]]

    add_fights(3, 0)
    small, tasks = dashboard()
    assert tasks == ["Call back 00"]
    add_fights(27, 3)
    large, tasks = dashboard()
    assert large == small
    # Those not done, of their own fights only, the newest fight first.
    assert tasks == [f"Call back {n:02d}" for n in range(0, 30, 3)]
