"""Proposals, ballots and decisions that act: the services, under the access rules."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from conftest import make_member
from solnet.core.models import ApprovalRequest, AuditEvent
from solnet.councils.models import Council, CouncilMembership
from solnet.democracy import access, services
from solnet.democracy.models import Ballot, Body, Effect, EffectKind, Participation, Status
from solnet.democracy.testing import close_in_meeting
from solnet.fights.models import Fight, FightDecision, FightMove, FightSubject, FightTeamMember
from solnet.fights.stages import Stage
from solnet.members import services as member_services
from solnet.members.models import Member, Role, Tier
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


def later(hours: int = 72):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def people(network):
    found = {}
    for name in ("ana", "ben", "cruz", "dee"):
        found[name] = make_member(name, with_totp=False)[0]
    found["org"] = make_member("org", tier=Tier.ORGANIZING_TEAM, with_totp=False)[0]
    found["listy"] = make_member("listy", tier=Tier.SUPPORTER, with_totp=False)[0]
    found["antonio"] = make_member("antonio", tier=Tier.SUPPORTER, with_totp=False)[0]
    return found


@pytest.fixture
def general(people) -> Body:
    return Body.objects.general()


@pytest.fixture
def fight(people) -> Fight:
    fight = Fight.objects.create(
        title="Back wages at Joe's Diner", issue_type="wages", stage=Stage.PROPOSED
    )
    FightTeamMember.objects.create(fight=fight, member=people["ana"], is_point_person=True)
    FightSubject.objects.create(fight=fight, person=own_record(member=people["antonio"]))
    return fight


def vote_through(proposal, ballots: dict[Member, object], *, by: Member):
    proposal.refresh_from_db()
    if proposal.status == Status.DISCUSSION:
        services.open_voting(proposal=proposal, by=by, closes_at=later())
    for voter, choice in ballots.items():
        reason = "It would sink the fight" if choice in ("object", "block") else ""
        services.cast_ballot(proposal=proposal, voter=voter, choice=choice, reason=reason)
    # Those who voted came to the meeting, and so did its facilitator.
    return close_in_meeting(proposal, by=by, present={*ballots, by})


def take_on(general, fight, by):
    return services.propose(
        body=general,
        by=by,
        title="Fight for 30 weeks of back wages ($6,710)",
        effects_wanted=[
            services.EffectRequest(
                EffectKind.MOVE_FIGHT, {"fight": fight.public_id, "to": "accepted"}
            )
        ],
    )


def test_a_passed_take_on_moves_the_fight_to_accepted_with_its_tally(people, general, fight):
    proposal = take_on(general, fight, people["org"])
    assert proposal.fight == fight
    voters = set(access.electorate(proposal))
    # The general meeting's members, and the campaign subject though only on the list.
    assert people["antonio"] in voters and people["listy"] not in voters
    proposal = vote_through(
        proposal,
        {
            people["ben"]: "yes",
            people["cruz"]: "yes",
            people["antonio"]: "yes",
            people["dee"]: "no",
        },
        by=people["org"],
    )
    assert proposal.status == Status.PASSED
    assert proposal.result["counts"] == {"yes": 3, "no": 1}
    fight.refresh_from_db()
    assert fight.stage == Stage.ACCEPTED
    decision = FightDecision.objects.get(fight=fight)
    # Present is the meeting's attendance (the four voters and the facilitator), never the
    # count of ballots.
    assert (decision.votes_for, decision.votes_against, decision.present) == (3, 1, 5)
    assert decision.proposal_ref == proposal.public_id
    assert Effect.objects.get(proposal=proposal).ran_at is not None
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "democracy.decided" in actions and "democracy.effect_ran" in actions


def test_a_decision_runs_its_effects_once_and_cannot_be_closed_twice(people, general, fight):
    proposal = vote_through(
        take_on(general, fight, people["org"]),
        {people["ben"]: "yes", people["cruz"]: "yes"},
        by=people["org"],
    )
    with pytest.raises(ValidationError):
        close_in_meeting(proposal, by=people["org"])
    assert FightMove.objects.filter(fight=fight).count() == 1


def test_a_failed_vote_leaves_the_fight_where_it_was(people, general, fight):
    proposal = vote_through(
        take_on(general, fight, people["org"]),
        {people["ben"]: "yes", people["cruz"]: "no"},
        by=people["org"],
    )
    assert proposal.status == Status.FAILED
    fight.refresh_from_db()
    assert fight.stage == Stage.PROPOSED
    assert Effect.objects.get(proposal=proposal).ran_at is None


def test_an_effect_that_no_longer_fits_is_recorded_as_failed_not_run(people, general, fight):
    proposal = take_on(general, fight, people["org"])
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    services.cast_ballot(proposal=proposal, voter=people["ben"], choice="yes")
    services.cast_ballot(proposal=proposal, voter=people["cruz"], choice="yes")
    Fight.objects.filter(pk=fight.pk).update(stage=Stage.DECLINED)
    proposal = close_in_meeting(proposal, by=people["org"])
    assert proposal.status == Status.PASSED
    effect = Effect.objects.get(proposal=proposal)
    assert effect.failure and effect.ran_at is not None
    assert not FightMove.objects.filter(fight=fight).exists()


def test_consent_is_stopped_by_one_reasoned_objection(people, general):
    proposal = services.propose(
        body=general, by=people["org"], title="Picket on Saturday", method="consent"
    )
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    with pytest.raises(ValidationError) as refused:
        services.cast_ballot(proposal=proposal, voter=people["dee"], choice="object")
    assert "reason" in refused.value.error_dict
    assert not Ballot.objects.filter(proposal=proposal).exists()
    proposal = vote_through(
        proposal,
        {
            people["ana"]: "consent",
            people["ben"]: "consent",
            people["cruz"]: "concern",
            people["dee"]: "object",
        },
        by=people["org"],
    )
    assert proposal.status == Status.FAILED
    assert proposal.result["stops"] == 1
    assert Ballot.objects.get(proposal=proposal, voter=people["dee"]).reason


def test_consensus_passes_with_stand_asides_and_stops_at_a_block(people, general):
    passing = services.propose(
        body=general, by=people["org"], title="Adopt points of unity", method="consensus"
    )
    assert (
        vote_through(
            passing, {people["ana"]: "agree", people["ben"]: "stand_aside"}, by=people["org"]
        ).status
        == Status.PASSED
    )
    blocked = services.propose(
        body=general, by=people["org"], title="Merge with the union", method="consensus"
    )
    assert (
        vote_through(
            blocked, {people["ana"]: "agree", people["ben"]: "block"}, by=people["org"]
        ).status
        == Status.FAILED
    )


def test_a_supermajority_needs_its_share(people, general):
    proposal = services.propose(
        body=general, by=people["org"], title="Change the name", method="supermajority"
    )
    assert proposal.threshold_num == 2 and proposal.threshold_den == 3
    assert (
        vote_through(
            proposal,
            {people["ana"]: "yes", people["ben"]: "yes", people["cruz"]: "no"},
            by=people["org"],
        ).status
        == Status.PASSED
    )
    short = services.propose(
        body=general, by=people["org"], title="Change it again", method="supermajority"
    )
    assert (
        vote_through(
            short,
            {people["ana"]: "yes", people["ben"]: "yes", people["cruz"]: "no", people["dee"]: "no"},
            by=people["org"],
        ).status
        == Status.FAILED
    )


def test_votes_change_until_the_close(people, general):
    proposal = services.propose(body=general, by=people["org"], title="Buy a megaphone")
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    services.cast_ballot(proposal=proposal, voter=people["ana"], choice="no")
    cast = services.cast_ballot(proposal=proposal, voter=people["ana"], choice="yes")
    assert cast.changed
    proposal = close_in_meeting(proposal, by=people["org"])
    assert proposal.result["counts"] == {"yes": 1}
    with pytest.raises(ValidationError):
        services.cast_ballot(proposal=proposal, voter=people["ana"], choice="no")


def test_a_quorum_not_met_means_not_passed(people, general):
    Body.objects.filter(pk=general.pk).update(quorum_percent=50)
    proposal = services.propose(
        body=Body.objects.get(pk=general.pk), by=people["org"], title="Rent a hall"
    )
    # Two of the six present: the meeting is not quorate and cannot close the vote early.
    with pytest.raises(ValidationError) as refused:
        vote_through(proposal, {people["ana"]: "yes"}, by=people["org"])
    assert refused.value.code == "no_quorum"
    proposal.refresh_from_db()
    assert proposal.status == Status.VOTING
    # At its deadline the vote is counted: one ballot of the three needed does not pass.
    from solnet.democracy.models import Proposal

    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now())
    assert services.close_due_proposals() == 1
    proposal.refresh_from_db()
    assert proposal.status == Status.FAILED
    assert proposal.result["quorum"] == {"percent": 50, "minimum": 2, "needed": 3, "met": False}


def test_the_notice_period_holds_the_vote_open(people, general):
    proposal = services.propose(body=general, by=people["org"], title="Rent a hall")
    with pytest.raises(ValidationError) as refused:
        services.open_voting(proposal=proposal, by=people["org"], closes_at=later(hours=2))
    assert "closes_at" in refused.value.error_dict


def test_non_members_and_outsiders_of_a_council_cannot_vote(people, general):
    proposal = services.propose(body=general, by=people["org"], title="Rent a hall")
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    with pytest.raises(PermissionDenied):
        services.cast_ballot(proposal=proposal, voter=people["listy"], choice="yes")
    council = Council.objects.create(name="Greenway Tenants", kind="tenant")
    CouncilMembership.objects.create(council=council, person=own_record(member=people["ana"]))
    in_council = services.propose(
        body=services.body_of_council(council), by=people["ana"], title="Withhold rent"
    )
    services.open_voting(proposal=in_council, by=people["ana"], closes_at=later())
    services.cast_ballot(proposal=in_council, voter=people["ana"], choice="yes")
    with pytest.raises(PermissionDenied):
        services.cast_ballot(proposal=in_council, voter=people["ben"], choice="yes")
    with pytest.raises(PermissionDenied):
        services.propose(body=services.body_of_council(council), by=people["ben"], title="Mine")
    assert in_council not in access.visible_proposals(people["ben"])
    # The organizing team sees a council's proposals, and still has no vote in it.
    assert in_council in access.visible_proposals(people["org"])
    assert not access.may_vote(people["org"], in_council)


def test_a_settlement_offer_is_the_subjects_alone(people, fight):
    Fight.objects.filter(pk=fight.pk).update(stage=Stage.NEGOTIATING)
    body = services.body_of_fight(fight)
    proposal = services.propose(
        body=body,
        by=people["ana"],
        title="Accept $6,000 paid by Friday",
        effects_wanted=[
            services.EffectRequest(EffectKind.MOVE_FIGHT, {"fight": fight.public_id, "to": "won"})
        ],
    )
    assert proposal.subject_decides
    assert list(access.electorate(proposal)) == [people["antonio"]]
    services.open_voting(proposal=proposal, by=people["ana"], closes_at=later())
    with pytest.raises(PermissionDenied):
        services.cast_ballot(proposal=proposal, voter=people["ana"], choice="yes")
    services.cast_ballot(proposal=proposal, voter=people["antonio"], choice="yes")
    close_in_meeting(proposal, by=people["ana"])
    fight.refresh_from_db()
    assert fight.stage == Stage.WON
    assert FightDecision.objects.get(fight=fight).by_subject


def test_a_fights_body_is_everyone_involved_and_hidden_from_others(people, fight):
    body = services.body_of_fight(fight)
    assert set(access.electorate_of(body)) == {people["ana"], people["antonio"]}
    proposal = services.propose(body=body, by=people["antonio"], title="Leaflet the customers")
    assert proposal not in access.visible_proposals(people["org"])
    assert proposal not in access.visible_proposals(people["ben"])
    assert proposal in access.visible_proposals(people["ana"])


def test_two_delegates_elected_by_single_transferable_vote(people, general):
    proposal = services.propose(
        body=general,
        by=people["org"],
        title="Delegates to the tenant federation",
        method="ranked",
        seats=2,
        options=["Ana", "Ben", "Cruz"],
    )
    ballots = {
        people["ana"]: [1, 3],
        people["ben"]: [2, 1],
        people["cruz"]: [1, 2],
        people["dee"]: [2, 3],
        people["org"]: [1],
    }
    proposal = vote_through(proposal, ballots, by=people["org"])
    assert proposal.status == Status.PASSED
    assert sorted(proposal.result["winners"]) == [1, 2]
    assert proposal.result["quota"] == 2  # Droop: floor(5 / 3) + 1


def test_ranked_ballots_are_checked(people, general):
    proposal = services.propose(
        body=general, by=people["org"], title="Pick a date", method="ranked", options=["Fri", "Sat"]
    )
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    for bad in ([1, 1], [3], []):
        with pytest.raises(ValidationError):
            services.cast_ballot(proposal=proposal, voter=people["ana"], choice=bad)
    assert not Ballot.objects.filter(proposal=proposal).exists()


def test_a_secret_ballot_keeps_no_voter_and_its_receipt_checks_it(people, general):
    proposal = services.propose(
        body=general, by=people["org"], title="Elect the treasurer", secret=True
    )
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    cast = services.cast_ballot(proposal=proposal, voter=people["ana"], choice="no")
    assert len(cast.receipt) >= 20
    ballot = Ballot.objects.get(proposal=proposal)
    assert ballot.voter is None and ballot.cast_at is None
    # Sealed until the count: no choice, no digest of the receipt in the clear.
    assert ballot.choice == "" and ballot.receipt_digest is None and ballot.sealed
    assert services.find_receipt(proposal=proposal, receipt=cast.receipt).choice == "no"
    assert Participation.objects.filter(proposal=proposal, voter=people["ana"]).exists()
    with pytest.raises(ValidationError):
        services.cast_ballot(proposal=proposal, voter=people["ana"], choice="yes")
    with pytest.raises(ValidationError):
        services.cast_ballot(proposal=proposal, voter=people["ana"], choice="yes", receipt="guess")
    services.cast_ballot(proposal=proposal, voter=people["ana"], choice="yes", receipt=cast.receipt)
    assert services.find_receipt(proposal=proposal, receipt=cast.receipt).choice == "yes"
    first = set(Ballot.objects.filter(proposal=proposal).values_list("pk", flat=True))
    services.cast_ballot(proposal=proposal, voter=people["ben"], choice="yes")
    # A vote adds its own row and touches no other: its cost does not grow with the votes.
    before = set(Ballot.objects.filter(proposal=proposal).values_list("pk", flat=True))
    assert len(before) == 2 and first < before
    # Of one size whatever the choice.
    sealed = Ballot.objects.filter(proposal=proposal).values_list("sealed", flat=True)
    assert len({len(text) for text in sealed}) == 1
    proposal = close_in_meeting(proposal, by=people["org"])
    assert proposal.result["counts"] == {"yes": 2}
    # Opened at the count, written again in a random order under new keys, each with the
    # SHA-256 of its receipt; the receipt still finds its ballot.
    after = set(Ballot.objects.filter(proposal=proposal).values_list("pk", flat=True))
    assert before.isdisjoint(after)
    assert not Ballot.objects.filter(proposal=proposal, sealed__isnull=False).exists()
    found = services.find_receipt(proposal=proposal, receipt=cast.receipt)
    assert found.choice == "yes" and found.receipt_digest == services.receipt_digest(cast.receipt)


def test_offline_votes_are_marked_and_audit_logged(people, general):
    proposal = services.propose(body=general, by=people["org"], title="Buy a megaphone")
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    with pytest.raises(PermissionDenied):
        services.enter_offline_ballot(
            proposal=proposal, voter=people["ana"], choice="yes", by=people["ben"]
        )
    ballot = services.enter_offline_ballot(
        proposal=proposal, voter=people["ana"], choice="yes", by=people["org"]
    )
    assert ballot.offline and ballot.entered_by == people["org"]
    assert AuditEvent.objects.filter(action="democracy.offline_vote").count() == 1
    with pytest.raises(ValidationError):
        services.enter_offline_ballot(
            proposal=proposal, voter=people["listy"], choice="yes", by=people["org"]
        )


def test_a_passed_decision_is_the_second_person_of_the_two_person_rule(people, general):
    approval = member_services.change_tier(
        member=people["ben"], tier=Tier.ORGANIZING_TEAM, by=people["org"]
    )
    proposal = services.propose(
        body=general,
        by=people["org"],
        title="Ben joins the organizing team",
        effects_wanted=[
            services.EffectRequest(EffectKind.APPROVE_REQUEST, {"approval": approval.public_id})
        ],
    )
    vote_through(proposal, {people["ana"]: "yes", people["cruz"]: "yes"}, by=people["org"])
    approval.refresh_from_db()
    assert approval.status == ApprovalRequest.Status.DONE
    assert approval.decision_ref == proposal.public_id
    people["ben"].refresh_from_db()
    assert people["ben"].tier == Tier.ORGANIZING_TEAM


def test_decisions_admit_members_grant_roles_and_change_rules(people, general):
    joiner = make_member("newcomer", status=Member.Status.PENDING, with_totp=False)[0]
    wanted = [
        services.EffectRequest(EffectKind.ADMIT_MEMBER, {"member": joiner.public_id}),
        services.EffectRequest(
            EffectKind.GRANT_ROLE, {"member": people["dee"].public_id, "role": Role.FACILITATOR}
        ),
        services.EffectRequest(
            EffectKind.BODY_RULES,
            {
                "rules": {
                    "voter_tier": Tier.PHONE_TREE,
                    "quorum_percent": 10,
                    "default_method": "consent",
                    "threshold": "3/4",
                    "notice_hours": 24,
                }
            },
        ),
    ]
    proposal = services.propose(
        body=general, by=people["org"], title="Housekeeping", effects_wanted=wanted
    )
    vote_through(proposal, {people["ana"]: "yes", people["ben"]: "yes"}, by=people["org"])
    joiner.refresh_from_db()
    assert joiner.status == Member.Status.ACTIVE
    assert people["dee"].role_grants.filter(role=Role.FACILITATOR).exists()
    general.refresh_from_db()
    assert (general.voter_tier, general.quorum_percent, general.default_method) == (
        Tier.PHONE_TREE,
        10,
        "consent",
    )
    assert (general.threshold_num, general.threshold_den, general.notice_hours) == (3, 4, 24)


def test_bad_effects_and_bad_proposals_are_refused_and_change_nothing(people, general, fight):
    bad = [
        services.EffectRequest(EffectKind.MOVE_FIGHT, {"fight": fight.public_id, "to": "won"}),
        services.EffectRequest(EffectKind.ADMIT_MEMBER, {"member": people["ana"].public_id}),
        services.EffectRequest(EffectKind.BODY_RULES, {"rules": {"threshold": "1/3"}}),
        services.EffectRequest("members.delete_everyone", {}),
    ]
    for wanted in bad:
        with pytest.raises(ValidationError):
            services.propose(body=general, by=people["org"], title="Bad", effects_wanted=[wanted])
    with pytest.raises(ValidationError):
        services.propose(body=general, by=people["org"], title="", method="ranked", options=["A"])
    with pytest.raises(PermissionDenied):
        services.propose(body=general, by=people["listy"], title="Mine")
    from solnet.democracy.models import Proposal

    assert not Proposal.objects.exists()


def test_due_proposals_are_closed_by_the_worker(people, general):
    proposal = services.propose(body=general, by=people["org"], title="Buy a megaphone")
    services.open_voting(proposal=proposal, by=people["org"], closes_at=later())
    services.cast_ballot(proposal=proposal, voter=people["ana"], choice="yes")
    services.cast_ballot(proposal=proposal, voter=people["ben"], choice="yes")
    assert services.close_due_proposals() == 0
    from solnet.democracy.models import Proposal

    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert services.close_due_proposals() == 1
    proposal.refresh_from_db()
    assert proposal.status == Status.PASSED and proposal.closed_by is None


@pytest.mark.verify
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("secret", [False, True])
def test_concurrent_identical_votes_give_one_vote(network, secret, figures):
    """K identical ballots posted at once (a double-tapped button, a retrying phone): one
    vote, and no server error; the others are answered cleanly."""
    from django.test import Client

    from conftest import sign_in

    organizer = make_member("org", tier=Tier.ORGANIZING_TEAM, with_totp=False)[0]
    voter = make_member("ana")[0]  # with a second factor, as the network asks of everyone
    proposal = services.propose(
        body=Body.objects.general(), by=organizer, title="Rent a hall", secret=secret
    )
    services.open_voting(proposal=proposal, by=organizer, closes_at=later())
    k = 8
    clients = [sign_in(Client(raise_request_exception=False), voter) for _ in range(k)]
    url = f"/decisions/{proposal.public_id}/vote/"
    barrier = threading.Barrier(k)
    statuses: list[int] = []

    def attempt(client) -> None:
        try:
            barrier.wait()
            statuses.append(client.post(url, {"choice": "yes"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ballots = Ballot.objects.filter(proposal=proposal).count()
    server_errors = sum(1 for status in statuses if status >= 500)
    kind = "secret" if secret else "open"
    figures(f"R-4.duplicate_votes.{kind}", ballots - 1, unit="ballots", target="0", ok=ballots == 1)
    figures(
        f"R-4.server_errors.{kind}",
        server_errors,
        unit="responses",
        target="0",
        ok=not server_errors,
    )
    assert len(statuses) == k and server_errors == 0
    assert ballots == 1
    if secret:
        # One receipt page; every other request is told the vote is already in.
        assert statuses.count(200) == 1 and statuses.count(422) == k - 1
        assert Participation.objects.filter(proposal=proposal).count() == 1
    else:
        # The same open ballot cast again changes the same vote (a redirect each time).
        assert set(statuses) <= {302, 422}


def test_a_passed_decision_adopts_a_step_of_the_escalation_plan(people, general, fight):
    from solnet.fights.catalogue import ensure_builtins
    from solnet.fights.models import PlanStep, Tactic

    ensure_builtins()
    picket = Tactic.objects.get(builtin="picket")
    Fight.objects.filter(pk=fight.pk).update(stage=Stage.ESCALATING)
    proposal = services.propose(
        body=services.body_of_fight(fight),
        by=people["ana"],
        title="Picket the lunch rush on Friday",
        effects_wanted=[
            services.EffectRequest(
                EffectKind.ADOPT_STEP,
                {
                    "fight": fight.public_id,
                    "tactic": picket.public_id,
                    "planned_on": "2026-12-11",
                    "turnout_needed": 25,
                },
            )
        ],
    )
    vote_through(proposal, {people["ana"]: "yes", people["antonio"]: "yes"}, by=people["ana"])
    step = PlanStep.objects.get(fight=fight)
    assert (step.tactic, step.turnout_needed, str(step.planned_on)) == (picket, 25, "2026-12-11")
    with pytest.raises(ValidationError):
        services.propose(
            body=general,
            by=people["ben"],
            title="Picket a fight I cannot see",
            effects_wanted=[
                services.EffectRequest(
                    EffectKind.ADOPT_STEP,
                    {"fight": fight.public_id, "tactic": picket.public_id, "planned_on": "x"},
                )
            ],
        )
