"""A fight's pages: who sees what, intake, the team, and moves with their decisions (the
meeting's through a passed proposal, the campaign subject's own from their page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.democracy import services as democracy
from solnet.democracy.models import Body
from solnet.democracy.testing import close_in_meeting
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


# What the move page took when the team recorded a meeting's vote by hand: no longer.
VOTE = {
    "decided_on": "2026-11-03",
    "motion": "Fight for six weeks of back wages ($6,710)",
    "present": "24",
    "votes_for": "20",
    "votes_against": "1",
    "abstentions": "3",
}
TAKE_ON = "Fight for six weeks of back wages ($6,710)"


def _put_to_the_meeting(fight: Fight, target: str, *, by, title: str = TAKE_ON):
    """A proposal to the general meeting that moves the fight when it passes; voting open."""
    proposal = democracy.propose(
        body=Body.objects.general(),
        by=by,
        title=title,
        effects_wanted=[
            democracy.EffectRequest("fight.move", {"fight": fight.public_id, "to": target})
        ],
    )
    return democracy.open_voting(
        proposal=proposal, by=by, closes_at=timezone.now() + timedelta(hours=72)
    )


def _vote_and_close(proposal, ballots: dict, *, by):
    for voter, choice in ballots.items():
        democracy.cast_ballot(proposal=proposal, voter=voter, choice=choice)
    return close_in_meeting(proposal, by=by, present={*ballots, by})


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
    to_general = reverse("democracy:put_move", args=[fight.public_id, "accepted"])
    page = client.get(url, {"to": "accepted"}).content.decode()
    assert f'href="{to_general}"' in page and f'href="{to_general}?to=fight"' in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'aria-label="Winnability"' in main  # the sheet's advice beside the take-on vote
    assert 'name="present"' not in main and 'name="votes_for"' not in main
    assert "record its vote" not in main and 'type="submit"' not in main
    # A vote recorded by hand is refused, whatever it says, and changes nothing.
    for data in ({"target": "accepted"}, {**VOTE, "target": "accepted"}):
        refused = client.post(url, data)
        assert refused.status_code == 422
        assert "put it to the vote" in refused.content.decode()
    fight.refresh_from_db()
    assert fight.stage == Stage.PROPOSED
    assert not FightDecision.objects.exists() and not FightMove.objects.exists()

    # A tie at the meeting: the proposal fails and the fight stays where it was.
    team_member = personas["fight_team"].member
    tied = _put_to_the_meeting(fight, "accepted", by=team_member, title="Take it on now")
    tied_url = reverse("democracy:proposal", args=[tied.public_id])
    assert tied_url in client.get(url, {"to": "accepted"}).content.decode()
    assert tied_url not in client.get(url, {"to": "declined"}).content.decode()
    tied = _vote_and_close(
        tied, {team_member: "yes", personas["fund_committee"].member: "no"}, by=team_member
    )
    assert tied.status == "failed"
    fight.refresh_from_db()
    assert fight.stage == Stage.PROPOSED and not FightDecision.objects.exists()
    assert tied_url not in client.get(url, {"to": "accepted"}).content.decode()

    # The meeting votes in SolNet: the proposal passes and the fight moves by itself.
    proposal = _put_to_the_meeting(fight, "accepted", by=team_member)
    listed = client.get(url, {"to": "accepted"}).content.decode()
    assert reverse("democracy:proposal", args=[proposal.public_id]) in listed
    assert TAKE_ON in listed
    ballots = {
        team_member: "yes",
        personas["member"].member: "yes",
        personas["organizer"].member: "yes",
        personas["subject"].member: "yes",  # the campaign subject votes on their fight
        personas["fund_committee"].member: "no",
    }
    assert _vote_and_close(proposal, ballots, by=team_member).status == "passed"
    fight.refresh_from_db()
    decision = FightMove.objects.get(fight=fight).decision
    assert fight.stage == Stage.ACCEPTED
    assert (decision.topic, decision.by_subject, decision.present) == ("take_on", False, 5)
    assert (decision.votes_for, decision.votes_against) == (4, 1)
    assert decision.proposal_ref == proposal.public_id and decision.motion == TAKE_ON
    page = client.get(reverse("fights:detail", args=[fight.public_id])).content.decode()
    assert "4 for, 1 against, 5 present" in page
    assert f'href="{reverse("democracy:proposal", args=[proposal.public_id])}"' in page
    assert reverse("democracy:proposal", args=[proposal.public_id]) == (
        f"/decisions/{proposal.public_id}/"
    )
    # The next steps still say which need the meeting's vote.
    assert "needs the meeting" in page


def test_the_team_records_no_meeting_decision_at_any_stage(personas, fight):
    """Every later move the meeting decides is refused on the move page (422, nothing
    changed) and offered to the vote instead; the subject does not even see those pages."""
    client = _client(personas, "fight_team")
    subject = _client(personas, "subject")
    url = reverse("fights:move", args=[fight.public_id])
    for source, target in (
        (Stage.PROPOSED, Stage.ACCEPTED),
        (Stage.AWAITING_DEADLINE, Stage.ESCALATING),
        (Stage.ESCALATING, Stage.NEGOTIATING),
        (Stage.NEGOTIATING, Stage.DROPPED),
        (Stage.WON, Stage.FOLLOW_UP),
    ):
        _at(fight, source)
        page = client.get(url, {"to": target}).content.decode()
        assert reverse("democracy:put_move", args=[fight.public_id, target]) in page
        assert client.post(url, {**VOTE, "target": target}).status_code == 422
        assert subject.get(url, {"to": target}).status_code == 404
        assert subject.post(url, {"target": target}).status_code == 404
        fight.refresh_from_db()
        assert fight.stage == source
    assert not FightMove.objects.exists() and not FightDecision.objects.exists()


def test_where_the_meeting_keeps_the_offer_the_subject_cannot_accept_it_alone(
    personas, fight, network
):
    network.subject_decisions = []
    network.save()
    _at(fight, Stage.NEGOTIATING)
    url = reverse("fights:move", args=[fight.public_id])
    subject = _client(personas, "subject")
    assert subject.get(url, {"to": "won"}).status_code == 404
    assert subject.post(url, {"target": "won", "motion": "I accept"}).status_code == 404
    team = _client(personas, "fight_team")
    refused = team.post(url, {"target": "won", "motion": "Antonio accepts"})
    assert refused.status_code == 422 and "put it to the vote" in refused.content.decode()
    fight.refresh_from_db()
    assert fight.stage == Stage.NEGOTIATING and not FightDecision.objects.exists()
    # Withdrawing stays the subject's, whatever the network keeps.
    assert subject.post(url, {"target": "withdrawn", "motion": "I let it go"}).status_code == 302
    fight.refresh_from_db()
    assert fight.stage == Stage.WITHDRAWN


def test_accepting_an_offer_is_the_subjects_decision(personas, fight):
    _at(fight, Stage.NEGOTIATING)
    url = reverse("fights:move", args=[fight.public_id])
    team = _client(personas, "fight_team")
    refused = team.post(url, {"target": "won", "motion": "Antonio said yes on the phone"})
    assert refused.status_code == 422 and b"campaign subject" in refused.content
    assert team.post(url, {**VOTE, "target": "won"}).status_code == 422
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
