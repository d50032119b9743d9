"""A fight's pages: who sees what, intake, the team, and moves with their decisions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.fights.models import Fight, FightDecision, FightMove, FightSubject, FightTeamMember
from solnet.fights.stages import Stage
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def fight(personas):
    fight = Fight.objects.create(
        title="Back wages at Joe's Diner",
        issue_type="wages",
        facts="Six weeks unpaid",
        risk_flags="retaliation",
    )
    FightTeamMember.objects.create(
        fight=fight, member=personas["fight_team"].member, is_point_person=True
    )
    FightSubject.objects.create(fight=fight, person=own_record(member=personas["subject"].member))
    return fight


def _client(personas, name: str) -> Client:
    return sign_in(Client(), personas[name].member)


def _at(fight: Fight, stage: str) -> Fight:
    Fight.objects.filter(pk=fight.pk).update(stage=stage)
    fight.refresh_from_db()
    return fight


VOTE = {
    "decided_on": "2026-11-03",
    "motion": "Fight for six weeks of back wages ($6,710)",
    "present": "24",
    "votes_for": "20",
    "votes_against": "1",
    "abstentions": "3",
}


def test_an_organizer_outside_the_team_sees_only_the_name_and_stage(personas, fight):
    organizer = _client(personas, "organizer")
    board = organizer.get(reverse("fights:list")).content.decode()
    assert "Back wages at Joe&#x27;s Diner" in board and "Intake" in board
    assert reverse("fights:detail", args=[fight.public_id]) not in board
    assert organizer.get(reverse("fights:detail", args=[fight.public_id])).status_code == 404
    assert organizer.get(reverse("fights:intake", args=[fight.public_id])).status_code == 404
    member_board = _client(personas, "member").get(reverse("fights:list")).content.decode()
    assert "Back wages" not in member_board  # a member outside the fight: not even its name
    assert _client(personas, "supporter").get(reverse("fights:list")).status_code == 404
    for name in ("member", "supporter", "dispatcher"):
        client = _client(personas, name)
        assert client.get(reverse("fights:detail", args=[fight.public_id])).status_code == 404


def test_the_team_sees_everything_and_the_subject_all_but_the_risks(personas, fight):
    team = _client(personas, "fight_team").get(reverse("fights:detail", args=[fight.public_id]))
    page = team.content.decode()
    assert "Six weeks unpaid" in page and "Retaliation" in page
    subject = _client(personas, "subject").get(reverse("fights:detail", args=[fight.public_id]))
    page = subject.content.decode()
    assert subject.status_code == 200 and "Six weeks unpaid" in page
    assert "Retaliation" not in page and "Edit the intake" not in page


def test_the_team_records_the_intake(personas, fight):
    client = _client(personas, "fight_team")
    url = reverse("fights:intake", args=[fight.public_id])
    data = {
        "title": "Back wages at Joe's Diner",
        "issue_type": "wages",
        "language": "es",
        "facts": "Worked 30 weeks, paid for 24.",
        "goals": "All the back pay",
        "pod": "Two coworkers on the night shift",
        "risks": ["retaliation", "lawsuit"],
        "amount_claimed": "6710.00",
    }
    assert client.post(url, data).status_code == 302
    fight.refresh_from_db()
    assert fight.risks == ["lawsuit", "retaliation"] and str(fight.amount_claimed) == "6710.00"
    assert fight.pod == "Two coworkers on the night shift"
    bad = client.post(url, {**data, "amount_claimed": "-5", "risks": ["immigration_status"]})
    assert bad.status_code == 422
    fight.refresh_from_db()
    assert str(fight.amount_claimed) == "6710.00"


def test_before_the_proposal_the_team_moves_the_fight_without_a_vote(personas, fight):
    client = _client(personas, "fight_team")
    url = reverse("fights:move", args=[fight.public_id])
    assert client.get(url, {"to": "researching"}).status_code == 200
    assert client.post(url, {"target": "researching"}).status_code == 302
    fight.refresh_from_db()
    move = FightMove.objects.get(fight=fight)
    assert fight.stage == "researching" and move.decision is None
    assert AuditEvent.objects.filter(action="fight.moved").exists()
    # No such move: the page does not exist.
    assert client.get(url, {"to": "won"}).status_code == 404
    assert client.post(url, {"target": "won"}).status_code == 404
    # The subject cannot move it where the decision is not theirs.
    subject = _client(personas, "subject")
    assert subject.post(url, {"target": "proposed"}).status_code == 404


def test_taking_the_fight_on_needs_the_meetings_vote(personas, fight):
    _at(fight, Stage.PROPOSED)
    client = _client(personas, "fight_team")
    url = reverse("fights:move", args=[fight.public_id])
    missing = client.post(url, {"target": "accepted"})
    assert missing.status_code == 422 and b"record the vote" in missing.content
    tie = client.post(url, {**VOTE, "target": "accepted", "votes_for": "10", "votes_against": "10"})
    assert tie.status_code == 422
    too_many = client.post(url, {**VOTE, "target": "accepted", "present": "3"})
    assert too_many.status_code == 422
    fight.refresh_from_db()
    assert fight.stage == Stage.PROPOSED and not FightDecision.objects.exists()

    assert client.post(url, {**VOTE, "target": "accepted"}).status_code == 302
    fight.refresh_from_db()
    decision = FightMove.objects.get(fight=fight).decision
    assert fight.stage == Stage.ACCEPTED
    assert (decision.topic, decision.by_subject, decision.present) == ("take_on", False, 24)
    assert decision.motion == "Fight for six weeks of back wages ($6,710)"
    page = client.get(reverse("fights:detail", args=[fight.public_id])).content.decode()
    assert "20 for, 1 against, 24 present" in page


def test_accepting_an_offer_is_the_subjects_decision(personas, fight):
    _at(fight, Stage.NEGOTIATING)
    url = reverse("fights:move", args=[fight.public_id])
    team = _client(personas, "fight_team")
    refused = team.post(url, {**VOTE, "target": "won"})
    assert refused.status_code == 422 and b"campaign subject" in refused.content
    fight.refresh_from_db()
    assert fight.stage == Stage.NEGOTIATING

    subject = _client(personas, "subject")
    detail = subject.get(reverse("fights:detail", args=[fight.public_id])).content.decode()
    assert "?to=won" in detail and "?to=dropped" not in detail
    response = subject.post(url, {"target": "won", "motion": "I accept the full $6,710"})
    assert response.status_code == 302
    fight.refresh_from_db()
    decision = FightMove.objects.get(fight=fight).decision
    assert fight.stage == Stage.WON and fight.closed_at is not None
    assert decision.by_subject and decision.recorded_by == personas["subject"].member


def test_without_a_subject_account_the_team_records_the_subjects_word(personas, fight):
    FightSubject.objects.filter(fight=fight).delete()
    _at(fight, Stage.ESCALATING)
    team = _client(personas, "fight_team")
    url = reverse("fights:move", args=[fight.public_id])
    response = team.post(url, {"target": "withdrawn", "motion": "Antonio found another job"})
    assert response.status_code == 302
    decision = FightMove.objects.get(fight=fight).decision
    assert decision.by_subject and decision.topic == "withdraw"


def test_the_team_grows_and_keeps_a_point_person(personas, fight):
    client = _client(personas, "fight_team")
    add = reverse("fights:team_add", args=[fight.public_id])
    client.post(add, {"username": "member"})
    member = personas["member"].member
    assert fight.team.filter(member=member).exists()
    client.post(add, {"username": "supporter"})  # only members of the network
    client.post(add, {"username": "nobody_by_that_name"})
    assert fight.team.count() == 2
    team_member = personas["fight_team"].member
    client.post(reverse("fights:team_remove", args=[fight.public_id, team_member.public_id]))
    assert fight.team.filter(member=team_member).exists()  # the point person stays
    client.post(reverse("fights:point_person", args=[fight.public_id, member.public_id]))
    assert fight.team.get(is_point_person=True).member == member
    client.post(reverse("fights:team_remove", args=[fight.public_id, team_member.public_id]))
    assert list(fight.team.values_list("member", flat=True)) == [member.pk]
    # Off the team: the fight's page is gone for them.
    assert client.get(reverse("fights:detail", args=[fight.public_id])).status_code == 404


def test_a_closed_fight_loses_its_story_a_year_later_and_keeps_its_figures(personas, fight):
    from solnet.core.retention import purge_expired

    Fight.objects.filter(pk=fight.pk).update(
        stage=Stage.WON,
        amount_recovered=6710,
        closed_at=timezone.now() - timezone.timedelta(days=366),
    )
    FightMove.objects.create(fight=fight, source="negotiating", target="won")
    results = purge_expired()
    assert results["fights.Fight"] == 1
    fight.refresh_from_db()
    assert (fight.title, fight.facts, fight.risk_flags) == ("", None, None)
    assert fight.stage == Stage.WON and fight.amount_recovered == 6710
    assert not fight.team.exists() and not fight.subjects.exists()
    assert fight.moves.count() == 1


def _api(member, path: str):
    from solnet.members import services as member_services

    _token, secret = member_services.create_api_token(
        member=member, name="t", scopes=["fights:read"], days=1
    )
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_follows_the_same_rules(personas, fight):
    path = f"/api/fights/{fight.public_id}"
    team = _api(personas["fight_team"].member, path).json()
    assert team["role"] == "team" and team["risks"] == ["retaliation"]
    assert team["next_stages"] == ["researching", "referred", "withdrawn"]
    subject = _api(personas["subject"].member, path).json()
    assert subject["role"] == "subject" and subject["risks"] is None
    assert _api(personas["organizer"].member, path).status_code == 404
    board = _api(personas["organizer"].member, "/api/fights").json()
    assert board["items"] == [
        {
            "public_id": fight.public_id,
            "title": "Back wages at Joe's Diner",
            "issue_type": "wages",
            "stage": "intake",
        }
    ]
    assert _api(personas["member"].member, "/api/fights").json()["items"] == []
    assert subject["demands"] is None and subject["plan"] is None
    assert _api(personas["member"].member, "/api/fights/leads").json()["items"] == []


def test_the_api_shows_the_team_its_demands_plan_and_targets(objects):
    personas, fight = objects["personas"], objects["fight"]
    team = _api(personas["fight_team"].member, f"/api/fights/{fight.public_id}").json()
    assert [d["kind"] for d in team["demands"]] == ["amount", "no_retaliation"]
    assert team["plan"][0]["tactic"] == "Informational picket"
    assert team["targets"][0]["name"] == "Joseph Adler"
    target = objects["fight_target"]
    found = _api(personas["organizer"].member, f"/api/fights/targets/{target.public_id}").json()
    assert found["name"] == "Joseph Adler"
    assert found["fights"][0]["title"] == "Back wages at Joe's Diner"
    refused = _api(personas["member"].member, f"/api/fights/targets/{target.public_id}")
    assert refused.status_code == 404
