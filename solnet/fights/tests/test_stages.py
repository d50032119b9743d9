"""The life of a fight: no sequence of requests reaches an illegal state or skips a decision.

The graph itself is checked first (every stage reachable from intake, every move after the
proposal carries a decision topic, closed stages only lead on to follow-up and the archive).
Then hypothesis drives the real service with random sequences of requests — any target stage,
made by hand or as a passed proposal makes it (of the meeting, or voted by the subjects alone),
with a vote that adds up or not, from the team, the subject or an organizer outside the team —
and after every step checks the database against the rules. A meeting's decision is never
taken by hand: every edge the meeting decides is refused to `move_fight`.
"""

from __future__ import annotations

import dataclasses
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
    # Ballots come from anywhere (a vote need not close in a meeting), so more votes than
    # people present is no longer wrong; a negative count still is.
    services.Vote(GOOD_VOTE.decided_on, "Negative", present=5, votes_for=9, votes_against=-1),
    services.Vote(datetime.date(2099, 1, 1), "Future", present=9, votes_for=8, votes_against=1),
    services.Vote(GOOD_VOTE.decided_on, "   ", present=9, votes_for=8, votes_against=1),
]

SUBJECT_TOPICS = ["accept_offer"]
# The network's default: the demand's moves are the fight team's own.
TEAM_TOPICS = ["demand"]

requests = st.lists(
    st.tuples(
        st.sampled_from(["team", "team", "team", "subject", "subject", "outsider_organizer"]),
        # Any stage at all, or (an integer) one of the legal next stages, so that sequences
        # also walk deep into the life of a fight.
        st.one_of(
            st.integers(0, 8), st.integers(0, 8), st.sampled_from([*Stage.values, "nowhere"])
        ),
        # By hand (`move_fight`), or as a passed proposal does it (`move_fight_by_decision`):
        # one of the meeting's, or one only the campaign subjects voted on.
        st.sampled_from(["hand", "hand", "meeting", "meeting", "subjects"]),
        st.sampled_from(["good", "good", "good", "bad"]),
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


def _meetings(edge: stages.Move | None) -> bool:
    """Whether the meeting takes this move's decision (not the subject, nor nobody)."""
    return (
        edge is not None
        and edge.topic is not None
        and not stages.is_subjects(edge.topic, SUBJECT_TOPICS)
        and not stages.is_teams(edge.topic, SUBJECT_TOPICS, TEAM_TOPICS)
    )


def _teams(edge: stages.Move | None) -> bool:
    return edge is not None and stages.is_teams(edge.topic, SUBJECT_TOPICS, TEAM_TOPICS)


def _refused_by_hand(fight: Fight, target: str, by) -> None:
    """The meeting's decision cannot be recorded by hand: refused, nothing changed."""
    fight.refresh_from_db()
    stage, moves = fight.stage, FightMove.objects.filter(fight=fight).count()
    decisions = FightDecision.objects.filter(fight=fight).count()
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        services.move_fight(fight=fight, target=target, by=by, note="We voted at the meeting")
    assert refused.value.code == "needs_vote"
    fight.refresh_from_db()
    assert fight.stage == stage
    assert FightMove.objects.filter(fight=fight).count() == moves
    assert FightDecision.objects.filter(fight=fight).count() == decisions


@pytest.fixture
def cast(network):
    network.subject_decisions = SUBJECT_TOPICS
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
        for number, stage in enumerate(ROAD[:depth]):
            edge = stages.move(expected, stage)
            if edge.topic is None or _teams(edge):
                services.move_fight(fight=fight, target=stage, by=cast["team"])
            else:
                _refused_by_hand(fight, stage, cast["team"])
                services.move_fight_by_decision(
                    fight=fight,
                    target=stage,
                    vote=dataclasses.replace(GOOD_VOTE, proposal_ref=f"road{number}"),
                    by_subject=False,
                    by=cast["team"],
                )
            expected = stage
        for number, (who, target, how, vote_kind, bad) in enumerate(steps):
            if isinstance(target, int):
                legal = stages.moves_from(expected)
                target = legal[target % len(legal)].target if legal else "nowhere"
            edge = stages.move(expected, target)
            if _meetings(edge):
                _refused_by_hand(fight, target, cast["team"])
            vote = dataclasses.replace(
                GOOD_VOTE if vote_kind == "good" else BAD_VOTES[bad], proposal_ref=f"p{number}"
            )
            moves = FightMove.objects.filter(fight=fight).count()
            try:
                with transaction.atomic():
                    if how == "hand":
                        services.move_fight(fight=fight, target=target, by=cast[who])
                    else:
                        services.move_fight_by_decision(
                            fight=fight,
                            target=target,
                            vote=vote,
                            by_subject=how == "subjects",
                            by=cast[who],
                        )
            except (ValidationError, PermissionDenied):
                fight.refresh_from_db()
                assert fight.stage == expected  # a refused request changes nothing
                assert FightMove.objects.filter(fight=fight).count() == moves
                continue
            # It went through: it must have been a legal move by someone allowed to make it.
            assert edge is not None, (expected, target)
            subjects_call = stages.is_subjects(edge.topic, SUBJECT_TOPICS)
            if how == "hand":
                if edge.topic is None or _teams(edge):
                    assert who == "team"
                else:  # never the meeting's decision, and nobody decides for the subject
                    assert subjects_call and who == "subject"
            else:  # a passed proposal: a decision that adds up, by those it belongs to
                assert edge.topic is not None and vote_kind == "good"
                assert subjects_call == (how == "subjects")
                decision = FightMove.objects.filter(fight=fight).latest("pk").decision
                assert decision.proposal_ref == f"p{number}"
                assert decision.by_subject == subjects_call
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
        if edge.topic is None or (record.decision is None and _teams(edge)):
            assert record.decision is None
        else:
            decision = record.decision
            assert decision is not None and decision.topic == edge.topic
            if decision.proposal_ref:  # a passed proposal: its tally adds up
                assert decision.votes_for > decision.votes_against
                # (Present is the meeting's attendance, not a bound on the ballots: members
                # vote from anywhere until the close.)
                assert decision.by_subject == stages.is_subjects(edge.topic, SUBJECT_TOPICS)
            else:  # by hand: only ever the subject's own word, from their account
                assert decision.by_subject
                assert decision.recorded_by.pk in fight.subjects.values_list(
                    "person__member", flat=True
                )
        stage = record.target
    assert fight.stage == stage
    assert FightDecision.objects.filter(fight=fight, move__isnull=True).count() == 0
    assert (fight.closed_at is not None) == stages.is_closed(stage)


@pytest.mark.django_db
@pytest.mark.parametrize("subject_topics", [SUBJECT_TOPICS, []])
def test_every_meeting_decision_is_refused_by_hand_and_made_by_a_passed_proposal(
    network, subject_topics
):
    network.subject_decisions = subject_topics
    network.save()
    team, _ = make_member("point_person", tier=Tier.MEMBER)
    subject, _ = make_member("antonio", tier=Tier.SUPPORTER)
    organizer, _ = make_member("other_organizer", tier=Tier.ORGANIZING_TEAM)
    meetings = [
        edge
        for edge, topic in EDGES.items()
        if topic is not None
        and not stages.is_subjects(topic, subject_topics)
        and not stages.is_teams(topic, subject_topics, TEAM_TOPICS)
    ]
    assert (Stage.PROPOSED, Stage.ACCEPTED) in meetings
    # Accepting an offer is the meeting's only where the network keeps it.
    assert ((Stage.NEGOTIATING, Stage.WON) in meetings) == (not subject_topics)
    assert not [edge for edge in meetings if EDGES[edge] == Topic.WITHDRAW]
    for number, (source, target) in enumerate(meetings):
        fight = Fight.objects.create(title=f"Fight {number}", issue_type="wages", stage=source)
        FightTeamMember.objects.create(fight=fight, member=team, is_point_person=True)
        FightSubject.objects.create(fight=fight, person=own_record(member=subject))
        _refused_by_hand(fight, target, team)
        for outsider in (subject, organizer):
            with pytest.raises(PermissionDenied), transaction.atomic():
                services.move_fight(fight=fight, target=target, by=outsider)
        for wrong in (BAD_VOTES[0], BAD_VOTES[2]):
            with pytest.raises(ValidationError), transaction.atomic():
                services.move_fight_by_decision(
                    fight=fight, target=target, vote=wrong, by_subject=False, by=team
                )
        with pytest.raises(ValidationError) as refused, transaction.atomic():
            services.move_fight_by_decision(  # nor by the subjects' vote alone
                fight=fight, target=target, vote=GOOD_VOTE, by_subject=True, by=team
            )
        assert refused.value.code == "subjects_decision"
        fight.refresh_from_db()
        assert fight.stage == source and not fight.moves.exists()
        assert not fight.decisions.exists()
        services.move_fight_by_decision(
            fight=fight,
            target=target,
            vote=dataclasses.replace(GOOD_VOTE, proposal_ref=f"proposal{number}"),
            by_subject=False,
            by=None,  # whoever put it forward may have gone since
        )
        fight.refresh_from_db()
        decision = FightMove.objects.get(fight=fight).decision
        assert fight.stage == target and decision.topic == EDGES[(source, target)]
        assert (decision.proposal_ref, decision.by_subject) == (f"proposal{number}", False)
        assert (decision.votes_for, decision.votes_against, decision.present) == (15, 3, 20)
        assert (fight.closed_at is not None) == stages.is_closed(target)


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
