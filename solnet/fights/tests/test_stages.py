"""The life of a fight: no sequence of requests reaches an illegal state or skips a decision.

The graph itself is checked first (every stage reachable from intake, every move after the
proposal carries a decision topic, closed stages only lead on to follow-up and the archive).
Then hypothesis drives the real service with random sequences of requests — any target stage,
with or without a vote, a vote that adds up or not, from the team, the subject or an organizer
outside the team — and after every step checks the database against the rules.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_member
from solnet.fights import services, stages
from solnet.fights.models import Fight, FightDecision, FightMove, FightSubject, FightTeamMember
from solnet.fights.stages import EDGES, OUTCOMES, UNDECIDED, Stage, Topic
from solnet.members.models import Tier
from solnet.people.services import own_record


def test_every_stage_is_reachable_from_intake():
    seen, frontier = {Stage.INTAKE}, [Stage.INTAKE]
    while frontier:
        stage = frontier.pop()
        for move in stages.moves_from(stage):
            if move.target not in seen:
                seen.add(move.target)
                frontier.append(move.target)
    assert seen == set(Stage)


def test_every_move_after_the_proposal_needs_a_decision():
    undecided = [(s, t) for (s, t), topic in EDGES.items() if topic is None]
    assert undecided and all(source in UNDECIDED for source, _target in undecided)


def test_closed_fights_only_go_on_to_follow_up_and_the_archive():
    for (source, target), _topic in EDGES.items():
        if source in stages.CLOSED:
            assert target in (Stage.FOLLOW_UP, Stage.ARCHIVED), (source, target)
    assert stages.moves_from(Stage.ARCHIVED) == []


def test_withdrawing_is_always_the_subjects_and_the_rest_as_the_network_says():
    assert stages.is_subjects(Topic.WITHDRAW, [])
    assert stages.is_subjects(Topic.ACCEPT_OFFER, ["accept_offer"])
    assert not stages.is_subjects(Topic.ACCEPT_OFFER, [])
    assert not stages.is_subjects(None, ["accept_offer"])
    # Withdrawn by the subject and dropped by the network are different outcomes.
    assert Stage.WITHDRAWN in OUTCOMES and Stage.DROPPED in OUTCOMES
    assert EDGES[(Stage.ESCALATING, Stage.WITHDRAWN)] == Topic.WITHDRAW
    assert EDGES[(Stage.ESCALATING, Stage.DROPPED)] == Topic.CLOSE


GOOD_VOTE = services.Vote(
    decided_on=datetime.date(2026, 11, 3),
    motion="Fight for six weeks of back wages",
    present=20,
    votes_for=15,
    votes_against=3,
    abstentions=2,
)
BAD_VOTES = [
    services.Vote(GOOD_VOTE.decided_on, "Tie", present=10, votes_for=4, votes_against=4),
    services.Vote(GOOD_VOTE.decided_on, "Too many", present=5, votes_for=9, votes_against=1),
    services.Vote(datetime.date(2099, 1, 1), "Future", present=9, votes_for=8, votes_against=1),
    services.Vote(GOOD_VOTE.decided_on, "   ", present=9, votes_for=8, votes_against=1),
]

requests = st.lists(
    st.tuples(
        st.sampled_from(["team", "team", "team", "subject", "subject", "outsider_organizer"]),
        # Any stage at all, or (an integer) one of the legal next stages, so that sequences
        # also walk deep into the life of a fight.
        st.one_of(
            st.integers(0, 8), st.integers(0, 8), st.sampled_from([*Stage.values, "nowhere"])
        ),
        st.sampled_from(["none", "good", "good", "good", "bad"]),
        st.integers(min_value=0, max_value=len(BAD_VOTES) - 1),
    ),
    min_size=5,
    max_size=40,
)


# The usual road, walked lawfully to a random depth before the random requests begin, so
# that they also start from the late stages of a fight.
ROAD = [
    Stage.RESEARCHING,
    Stage.PROPOSED,
    Stage.ACCEPTED,
    Stage.DEMAND_DRAFTED,
    Stage.DEMAND_DELIVERED,
    Stage.AWAITING_DEADLINE,
    Stage.ESCALATING,
    Stage.NEGOTIATING,
]


@pytest.fixture
def cast(network):
    network.subject_decisions = ["accept_offer"]
    network.save()
    team, _ = make_member("point_person", tier=Tier.MEMBER)
    subject, _ = make_member("antonio", tier=Tier.SUPPORTER)
    organizer, _ = make_member("other_organizer", tier=Tier.ORGANIZING_TEAM)
    return {"team": team, "subject": subject, "outsider_organizer": organizer}


@pytest.mark.django_db
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(depth=st.integers(0, len(ROAD)), steps=requests)
def test_no_sequence_of_requests_reaches_an_illegal_state_or_skips_a_decision(cast, depth, steps):
    with transaction.atomic():
        fight = Fight.objects.create(title="Back wages at Joe's Diner", issue_type="wages")
        FightTeamMember.objects.create(fight=fight, member=cast["team"], is_point_person=True)
        FightSubject.objects.create(fight=fight, person=own_record(member=cast["subject"]))
        expected = Stage.INTAKE
        for stage in ROAD[:depth]:
            vote = None if stages.move(expected, stage).topic is None else GOOD_VOTE
            services.move_fight(fight=fight, target=stage, by=cast["team"], vote=vote)
            expected = stage
        for who, target, vote_kind, bad in steps:
            if isinstance(target, int):
                legal = stages.moves_from(expected)
                target = legal[target % len(legal)].target if legal else "nowhere"
            vote = {"none": None, "good": GOOD_VOTE, "bad": BAD_VOTES[bad]}[vote_kind]
            edge = stages.move(expected, target)
            try:
                with transaction.atomic():
                    services.move_fight(fight=fight, target=target, by=cast[who], vote=vote)
            except (ValidationError, PermissionDenied):
                fight.refresh_from_db()
                assert fight.stage == expected  # a refused request changes nothing
                continue
            # It went through: it must have been a legal move by someone allowed to make it.
            assert edge is not None, (expected, target)
            subjects_call = stages.is_subjects(edge.topic, ["accept_offer"])
            if edge.topic is None:
                assert who == "team"
            elif subjects_call:
                assert who == "subject"  # the subject has an account: nobody decides for them
            else:
                assert who == "team" and vote is GOOD_VOTE
            expected = edge.target
            fight.refresh_from_db()
            assert fight.stage == expected
        _assert_history_is_lawful(fight)
        transaction.set_rollback(True)


def _assert_history_is_lawful(fight: Fight) -> None:
    stage = Stage.INTAKE
    for record in FightMove.objects.filter(fight=fight).order_by("moved_at", "pk"):
        assert record.source == stage
        edge = stages.move(record.source, record.target)
        assert edge is not None
        if edge.topic is None:
            assert record.decision is None
        else:
            decision = record.decision
            assert decision is not None and decision.topic == edge.topic
            if decision.by_subject:
                assert decision.recorded_by.pk in fight.subjects.values_list(
                    "person__member", flat=True
                )
            else:
                assert decision.votes_for > decision.votes_against
                assert decision.present >= decision.votes_for + decision.votes_against
        stage = record.target
    assert fight.stage == stage
    assert FightDecision.objects.filter(fight=fight, move__isnull=True).count() == 0
    assert (fight.closed_at is not None) == stages.is_closed(stage)


@pytest.mark.django_db(transaction=True)
def test_two_moves_racing_from_the_same_stage_make_one(cast):
    """Two requests to move the same fight at once: the row lock lets one through; the
    other finds the fight already moved and is refused."""
    import threading

    from django.db import connection

    fight = Fight.objects.create(title="Deposit at Pine St", issue_type="deposit")
    FightTeamMember.objects.create(fight=fight, member=cast["team"], is_point_person=True)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def attempt() -> None:
        try:
            barrier.wait()
            services.move_fight(fight=fight, target=Stage.RESEARCHING, by=cast["team"])
            results.append("moved")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["moved", "refused"]
    assert FightMove.objects.filter(fight=fight).count() == 1
