"""The pages and the API of direct democracy: status, database state, and refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.democracy import services
from solnet.democracy.access import can_see_democracy, visible_bodies, visible_proposals
from solnet.democracy.models import Ballot, Body, EffectKind, Proposal, Status
from solnet.democracy.testing import close_in_meeting, meeting_in_session
from solnet.fights.models import Fight, FightSubject, FightTeamMember
from solnet.fights.stages import Stage
from solnet.members import services as member_services
from solnet.members.models import ApiScope, Tier
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(network):
    return {
        "org": make_member("org", tier=Tier.ORGANIZING_TEAM)[0],
        "ana": make_member("ana")[0],
        "ben": make_member("ben")[0],
        "listy": make_member("listy", tier=Tier.SUPPORTER)[0],
    }


def client_for(member) -> Client:
    return sign_in(Client(), member)


def open_proposal(by, **kwargs) -> Proposal:
    proposal = services.propose(body=Body.objects.general(), by=by, title="Rent a hall", **kwargs)
    services.open_voting(proposal=proposal, by=by, closes_at=timezone.now() + timedelta(days=3))
    return proposal


def test_proposing_from_the_page_opens_the_vote(cast):
    body = Body.objects.general()
    closes = (timezone.localtime() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(cast["ana"]).post(
        reverse("democracy:propose", args=[body.public_id]),
        {
            "title": "Delegates to the federation",
            "method": "ranked",
            "options": "Ana\nBen\nCruz",
            "seats": 2,
            "max_score": 5,
            "closes_at": closes,
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("democracy:proposal", args=[proposal.public_id])
    assert proposal.status == Status.VOTING and proposal.seats == 2
    assert list(proposal.options.values_list("label", flat=True)) == ["Ana", "Ben", "Cruz"]


def test_a_bad_proposal_gets_its_errors_and_changes_nothing(cast):
    body = Body.objects.general()
    response = client_for(cast["ana"]).post(
        reverse("democracy:propose", args=[body.public_id]),
        {"title": "", "method": "ranked", "options": "Only one", "seats": 1},
    )
    assert response.status_code == 422
    assert (
        "Give the proposal a title." in response.content.decode()
        or "This field is required" in response.content.decode()
    )
    assert not Proposal.objects.exists()


def test_voting_from_the_page_and_changing_it(cast):
    proposal = open_proposal(cast["org"])
    client = client_for(cast["ana"])
    url = reverse("democracy:vote", args=[proposal.public_id])
    assert client.post(url, {"choice": "no"}).status_code == 302
    assert client.post(url, {"choice": "yes"}).status_code == 302
    assert list(Ballot.objects.values_list("voter", "choice")) == [(cast["ana"].pk, "yes")]
    page = client.get(reverse("democracy:proposal", args=[proposal.public_id]))
    assert "You voted: Yes" in page.content.decode()


def test_a_bad_ballot_is_refused_in_the_persons_language(cast):
    proposal = open_proposal(cast["org"], method="consent")
    client = client_for(cast["ana"])
    response = client.post(
        reverse("democracy:vote", args=[proposal.public_id]),
        {"choice": "object", "reason": ""},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 422
    assert not Ballot.objects.exists()
    client.cookies["django_language"] = "es"
    response = client.post(
        reverse("democracy:vote", args=[proposal.public_id]), {"choice": "object"}
    )
    assert response.status_code == 422
    assert "objeción" in response.content.decode().lower()


def test_a_list_supporter_gets_404_and_no_vote(cast):
    proposal = open_proposal(cast["org"])
    client = client_for(cast["listy"])
    assert client.get(reverse("democracy:proposal", args=[proposal.public_id])).status_code == 404
    assert (
        client.post(
            reverse("democracy:vote", args=[proposal.public_id]), {"choice": "yes"}
        ).status_code
        == 404
    )
    assert not Ballot.objects.exists()


def test_a_secret_ballot_shows_its_receipt_once_and_checks_it(cast):
    proposal = open_proposal(cast["org"], secret=True)
    client = client_for(cast["ana"])
    response = client.post(reverse("democracy:vote", args=[proposal.public_id]), {"choice": "yes"})
    assert response.status_code == 200
    receipt = response.context["receipt"]
    assert receipt in response.content.decode()
    close_in_meeting(proposal, by=cast["org"])
    checked = client.post(
        reverse("democracy:receipt", args=[proposal.public_id]), {"receipt": receipt}
    )
    assert checked.status_code == 200
    assert "Your ballot is in the count: Yes." in checked.content.decode()
    page = client.get(reverse("democracy:proposal", args=[proposal.public_id]))
    digest = services.receipt_digest(receipt)
    # Every ballot by its receipt's digest, in words.
    assert f"<code>{digest[:16]}</code> Yes" in page.content.decode()
    wrong = client.post(
        reverse("democracy:receipt", args=[proposal.public_id]), {"receipt": "nope"}
    )
    assert wrong.status_code == 422


def test_the_fight_page_offers_the_vote_and_the_meeting_moves_it(cast):
    fight = Fight.objects.create(
        title="Deposit at Pine St", issue_type="deposit", stage=Stage.PROPOSED
    )
    FightTeamMember.objects.create(fight=fight, member=cast["ana"], is_point_person=True)
    body = Body.objects.general()
    client = client_for(cast["ana"])
    url = (
        reverse("democracy:propose", args=[body.public_id])
        + f"?fight={fight.public_id}&to=accepted"
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "Move the fight “Deposit at Pine St” to “Accepted”" in page.content.decode()
    closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {
            "title": "Take on the deposit fight",
            "method": "majority",
            "seats": 1,
            "effect_fight": fight.public_id,
            "effect_to": "accepted",
            "closes_at": closes,
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    client.post(reverse("democracy:vote", args=[proposal.public_id]), {"choice": "yes"})
    services.cast_ballot(proposal=proposal, voter=cast["ben"], choice="yes")
    organizer = client_for(cast["org"])
    # No meeting in session: the vote stays open until its deadline.
    refused = organizer.post(reverse("democracy:close", args=[proposal.public_id]), follow=True)
    assert "only in a meeting in session" in refused.content.decode()
    fight.refresh_from_db()
    assert fight.stage == Stage.PROPOSED
    meeting_in_session(proposal, facilitator=cast["org"])
    organizer.post(reverse("democracy:close", args=[proposal.public_id]))
    fight.refresh_from_db()
    assert fight.stage == Stage.ACCEPTED
    # Someone outside the fight cannot put its moves to a vote.
    outsider = client_for(cast["ben"])
    assert outsider.get(url.replace("accepted", "declined")).status_code == 404


def test_the_api_votes_and_reads_results_without_voters(cast):
    proposal = open_proposal(cast["org"], secret=True)
    _token, secret = member_services.create_api_token(
        member=cast["ana"],
        name="phone",
        scopes=[ApiScope.DECISIONS_READ, ApiScope.DECISIONS_VOTE],
        days=1,
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    url = f"/api/decisions/proposals/{proposal.public_id}/ballot"
    response = client.post(
        url, json.dumps({"position": "yes"}), content_type="application/json", **headers
    )
    assert response.status_code == 200 and response.json()["receipt"]
    again = client.post(
        url, json.dumps({"position": "no"}), content_type="application/json", **headers
    )
    assert again.status_code == 422
    extra = client.post(
        url, json.dumps({"position": "yes", "voter": 3}), content_type="application/json", **headers
    )
    assert extra.status_code == 422
    close_in_meeting(proposal, by=cast["org"])
    result = client.get(f"/api/decisions/proposals/{proposal.public_id}", **headers).json()
    assert result["result"]["counts"] == {"yes": 1}
    dumped = json.dumps(result)
    assert cast["ana"].public_id not in dumped and '"voter' not in dumped


def test_a_subject_sees_and_votes_on_their_fights_offer_only(cast):
    subject = make_member("antonio", tier=Tier.SUPPORTER)[0]
    fight = Fight.objects.create(title="Back wages", issue_type="wages", stage=Stage.NEGOTIATING)
    FightTeamMember.objects.create(fight=fight, member=cast["ana"], is_point_person=True)
    FightSubject.objects.create(fight=fight, person=own_record(member=subject))
    proposal = services.propose(
        body=services.body_of_fight(fight),
        by=cast["ana"],
        title="Accept $6,000",
        effects_wanted=[
            services.EffectRequest(EffectKind.MOVE_FIGHT, {"fight": fight.public_id, "to": "won"})
        ],
    )
    services.open_voting(
        proposal=proposal, by=cast["ana"], closes_at=timezone.now() + timedelta(days=3)
    )
    team = client_for(cast["ana"])
    page = team.get(reverse("democracy:proposal", args=[proposal.public_id]))
    assert "only they vote on it" in page.content.decode()
    assert (
        team.post(
            reverse("democracy:vote", args=[proposal.public_id]), {"choice": "yes"}
        ).status_code
        == 404
    )
    mine = client_for(subject)
    assert (
        mine.post(
            reverse("democracy:vote", args=[proposal.public_id]), {"choice": "yes"}
        ).status_code
        == 302
    )
    assert Ballot.objects.get().voter == subject


def test_a_request_for_a_second_person_is_put_to_the_vote_from_the_page(cast):
    approval = member_services.change_tier(
        member=cast["ben"], tier=Tier.ORGANIZING_TEAM, by=cast["org"]
    )
    body = Body.objects.general()
    client = client_for(cast["ana"])
    page = client.get(reverse("democracy:propose", args=[body.public_id]))
    assert approval.public_id in page.content.decode()
    response = client.post(
        reverse("democracy:propose", args=[body.public_id]),
        {
            "title": "Ben joins the organizing team",
            "method": "majority",
            "seats": 1,
            "effect": "twoperson.approve",
            "effect_approval": approval.public_id,
            "closes_at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    services.cast_ballot(proposal=proposal, voter=cast["ana"], choice="yes")
    # The proposer's yes does not count as the second person, nor does the requester's.
    services.cast_ballot(proposal=proposal, voter=cast["org"], choice="yes")
    close_in_meeting(proposal, by=cast["ana"])
    cast["ben"].refresh_from_db()
    assert cast["ben"].tier == Tier.MEMBER
    approval.refresh_from_db()
    assert approval.status == "pending"
    # Another member who may be the second person says yes in a second vote: it is done.
    cara = make_member("cara")[0]
    again = services.propose(
        body=Body.objects.general(),
        by=cast["ana"],
        title="Ben joins the organizing team (again)",
        effects_wanted=[
            services.EffectRequest("twoperson.approve", {"approval": approval.public_id})
        ],
        closes_at=timezone.now() + timedelta(days=3),
    )
    for voter in (cast["ana"], cara):
        services.cast_ballot(proposal=again, voter=voter, choice="yes")
    close_in_meeting(again, by=cast["ana"])
    cast["ben"].refresh_from_db()
    assert cast["ben"].tier == Tier.ORGANIZING_TEAM


def test_council_committee_and_fight_pages_lead_to_their_bodies(cast):
    from solnet.councils.models import Committee, Council, CouncilMembership

    council = Council.objects.create(name="Greenway Tenants", kind="tenant")
    membership = CouncilMembership.objects.create(
        council=council, person=own_record(member=cast["ana"])
    )
    committee = Committee.objects.create(council=council, name="Repairs committee")
    committee.members.add(membership.person)
    fight = Fight.objects.create(title="Deposit", issue_type="deposit")
    FightTeamMember.objects.create(fight=fight, member=cast["ana"], is_point_person=True)
    ana, ben = client_for(cast["ana"]), client_for(cast["ben"])
    for kind, public_id, page in (
        ("council", council.public_id, reverse("councils:detail", args=[council.public_id])),
        ("committee", committee.public_id, None),
        ("fight", fight.public_id, reverse("fights:detail", args=[fight.public_id])),
    ):
        url = reverse("democracy:body_of", args=[kind, public_id])
        if page:
            assert url in ana.get(page).content.decode()
        response = ana.get(url)
        assert response.status_code == 302
        body = Body.objects.get(
            **{kind: {"council": council, "committee": committee, "fight": fight}[kind]}
        )
        assert response["Location"] == reverse("democracy:body", args=[body.public_id])
        assert ben.get(url).status_code == 404


def test_the_index_and_the_start_page_cost_the_same_queries_for_1_or_6_councils(cast):
    """Each proposal, meeting and vote waiting names its body, which is named after its
    council or fight: read with the rows, not one query each."""
    from solnet.councils.models import Council, CouncilMembership

    org = cast["org"]
    client = client_for(org)
    closes = timezone.now() + timedelta(days=4)

    def add_councils(count: int, start: int) -> None:
        for n in range(start, start + count):
            council = Council.objects.create(name=f"Council {n:02d}", kind="tenant")
            CouncilMembership.objects.create(council=council, person=own_record(member=org))
            body = services.body_of_council(council)
            services.propose(body=body, by=org, title=f"Motion {n:02d}", closes_at=closes)
            services.call_meeting(
                body=body, by=org, title=f"Meeting {n:02d}", starts_at=closes + timedelta(days=n)
            )
            fight = Fight.objects.create(title=f"Fight {n:02d}", issue_type="wages")
            FightTeamMember.objects.create(fight=fight, member=org)
            services.propose(
                body=services.body_of_fight(fight), by=org, title=f"Say {n:02d}", closes_at=closes
            )

    def queries(url: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    add_councils(1, 0)
    small_index, _page = queries(reverse("democracy:index"))
    small_start, _page = queries(reverse("home"))
    # The start page shows five votes waiting, and counts the rest only when there are more:
    # two votes waiting, then four.
    add_councils(1, 1)
    large_start, page = queries(reverse("home"))
    assert large_start == small_start
    assert all(f"Council {n:02d}" in page and f"Fight {n:02d}" in page for n in range(2))
    add_councils(4, 2)
    large_index, page = queries(reverse("democracy:index"))
    assert large_index == small_index
    assert all(f"Council {n:02d}" in page and f"Fight {n:02d}" in page for n in range(6))


def test_the_menu_offers_decisions_to_whoever_has_a_body_or_a_proposal_to_see(cast):
    """The menu's quick answer for general-meeting voters agrees with the full one for all."""
    subject = make_member("antonio", tier=Tier.SUPPORTER)[0]
    teammate = make_member("tomas", tier=Tier.SUPPORTER)[0]
    fight = Fight.objects.create(title="Back wages", issue_type="wages", stage=Stage.NEGOTIATING)
    FightTeamMember.objects.create(fight=fight, member=teammate)
    FightSubject.objects.create(fight=fight, person=own_record(member=subject))
    services.body_of_fight(fight)
    pending = make_member("pat", status="pending")[0]
    seen = {}
    for member in (*cast.values(), subject, teammate, pending):
        full = visible_bodies(member).exists() or visible_proposals(member).exists()
        seen[member.username] = can_see_democracy(member)
        assert seen[member.username] == full, member.username
    assert seen == {
        "org": True,
        "ana": True,
        "ben": True,
        "listy": False,  # a supporter on the list, in no body
        "antonio": True,  # brought a fight: its body
        "tomas": True,  # on a fight's team
        "pat": False,  # not approved yet
    }
    # A general-meeting voter's menu costs one small query.
    with CaptureQueriesContext(connection) as queries:
        assert can_see_democracy(cast["ana"])
    assert len(queries) == 1
