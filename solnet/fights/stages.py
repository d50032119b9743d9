"""The life of a fight as a state machine (DOMAIN.md §2).

A fight begins at intake, when someone who called the network decides to go ahead (before that
it is a lead). Every move is one of the edges below; a move out of "proposed" or any later
stage needs a decision, and each edge says whose: the network's meeting (a proposal that
passed in SolNet), or the campaign subject's own. Which topics are the subject's is the
network's setting (`Network.subject_decisions`); withdrawing is always the subject's alone.

This module is pure: no database. `solnet.fights.services` enforces it: `move_fight` for the
moves made by hand (before the proposal, and the subject's own decisions),
`move_fight_by_decision` for those a passed proposal makes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    RESEARCHING = "researching", _("Researching")
    PROPOSED = "proposed", _("Proposed to the meeting")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DEFERRED = "deferred", _("Deferred")
    REFERRED = "referred", _("Referred elsewhere")
    DEMAND_DRAFTED = "demand_drafted", _("Demand drafted")
    DEMAND_DELIVERED = "demand_delivered", _("Demand delivered")
    AWAITING_DEADLINE = "awaiting_deadline", _("Awaiting the deadline")
    ESCALATING = "escalating", _("Escalating")
    NEGOTIATING = "negotiating", _("Negotiating")
    WON = "won", _("Won")
    PARTIAL_WIN = "partial_win", _("Partial win")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn by the subject")
    DROPPED = "dropped", _("Dropped by the network")
    FOLLOW_UP = "follow_up", _("Follow-up")
    ARCHIVED = "archived", _("Archived")


class Topic(models.TextChoices):
    """What a decision is about. A network chooses which of these its subjects decide."""

    TAKE_ON = "take_on", _("Taking the fight on")
    DEMAND = "demand", _("The demand")
    ESCALATE = "escalate", _("Escalating")
    NEGOTIATE = "negotiate", _("Negotiating")
    ACCEPT_OFFER = "accept_offer", _("Accepting an offer")
    CLOSE = "close", _("Closing the fight")
    WITHDRAW = "withdraw", _("Withdrawing")


# Topics a network may hand to the subject; WITHDRAW is the subject's whatever the setting.
SUBJECT_TOPIC_CHOICES = [(t.value, t.label) for t in Topic if t != Topic.WITHDRAW]

OUTCOMES = (Stage.WON, Stage.PARTIAL_WIN, Stage.LOST, Stage.WITHDRAWN, Stage.DROPPED)
CLOSED = (*OUTCOMES, Stage.DECLINED, Stage.REFERRED, Stage.FOLLOW_UP, Stage.ARCHIVED)
ACTIVE = (
    Stage.ACCEPTED,
    Stage.DEMAND_DRAFTED,
    Stage.DEMAND_DELIVERED,
    Stage.AWAITING_DEADLINE,
    Stage.ESCALATING,
    Stage.NEGOTIATING,
)
# The only stages a fight may leave without a decision: those before the meeting's vote.
UNDECIDED = (Stage.INTAKE, Stage.RESEARCHING, Stage.REFERRED)


@dataclass(frozen=True)
class Move:
    source: Stage
    target: Stage
    topic: Topic | None  # None: no decision needed (only before the proposal)


def _edges() -> dict[tuple[Stage, Stage], Topic | None]:
    S, T = Stage, Topic
    edges: dict[tuple[Stage, Stage], Topic | None] = {
        (S.INTAKE, S.RESEARCHING): None,
        (S.INTAKE, S.REFERRED): None,
        (S.INTAKE, S.WITHDRAWN): None,  # the person decides not to go ahead
        (S.RESEARCHING, S.PROPOSED): None,
        (S.RESEARCHING, S.REFERRED): None,
        (S.RESEARCHING, S.WITHDRAWN): None,
        (S.PROPOSED, S.ACCEPTED): T.TAKE_ON,
        (S.PROPOSED, S.DECLINED): T.TAKE_ON,
        (S.PROPOSED, S.DEFERRED): T.TAKE_ON,
        (S.DEFERRED, S.PROPOSED): T.TAKE_ON,
        (S.DEFERRED, S.DECLINED): T.TAKE_ON,
        (S.ACCEPTED, S.DEMAND_DRAFTED): T.DEMAND,
        (S.DEMAND_DRAFTED, S.DEMAND_DELIVERED): T.DEMAND,
        (S.DEMAND_DELIVERED, S.AWAITING_DEADLINE): T.DEMAND,
        (S.AWAITING_DEADLINE, S.ESCALATING): T.ESCALATE,
        (S.AWAITING_DEADLINE, S.NEGOTIATING): T.NEGOTIATE,
        (S.ESCALATING, S.NEGOTIATING): T.NEGOTIATE,
        (S.NEGOTIATING, S.ESCALATING): T.ESCALATE,
        (S.DECLINED, S.ARCHIVED): T.CLOSE,
        (S.FOLLOW_UP, S.ARCHIVED): T.CLOSE,
    }
    for stage in (S.AWAITING_DEADLINE, S.ESCALATING, S.NEGOTIATING):
        edges[(stage, S.WON)] = T.ACCEPT_OFFER
        edges[(stage, S.PARTIAL_WIN)] = T.ACCEPT_OFFER
    for stage in (S.ESCALATING, S.NEGOTIATING):
        edges[(stage, S.LOST)] = T.CLOSE
    for stage in ACTIVE:
        edges[(stage, S.WITHDRAWN)] = T.WITHDRAW
        edges[(stage, S.DROPPED)] = T.CLOSE
    for stage in OUTCOMES:
        edges[(stage, S.FOLLOW_UP)] = T.CLOSE
    return edges


EDGES = _edges()
# A referral ends the fight at once; it is archived with the others after follow-up.
EDGES[(Stage.REFERRED, Stage.ARCHIVED)] = None


def moves_from(stage: str) -> list[Move]:
    """The moves a fight at `stage` may make, in the order of the stages."""
    order = list(Stage)
    found = [Move(s, t, topic) for (s, t), topic in EDGES.items() if s == stage]
    return sorted(found, key=lambda move: order.index(move.target))


def move(source: str, target: str) -> Move | None:
    """The edge from `source` to `target`, or None if there is none."""
    try:
        key = (Stage(source), Stage(target))
    except ValueError:
        return None
    if key not in EDGES:
        return None
    return Move(key[0], key[1], EDGES[key])


def is_subjects(topic: Topic | None, subject_topics: list[str]) -> bool:
    """Whether a decision on `topic` belongs to the campaign subject rather than the meeting."""
    if topic is None:
        return False
    return topic == Topic.WITHDRAW or topic.value in subject_topics


# The fight team's own moves unless the network decides otherwise (DOMAIN.md §2): drafting,
# delivering and waiting on a demand. The meeting takes a fight on and decides the rest.
DEFAULT_TEAM_TOPICS = [Topic.DEMAND.value]


def is_teams(topic: Topic | None, subject_topics: list[str], team_topics: list[str]) -> bool:
    """Whether a move on `topic` is the fight team's own (the network's rule), taken without
    a vote. The subject's topics stay the subject's."""
    if topic is None or is_subjects(topic, subject_topics):
        return False
    return topic.value in team_topics


def is_closed(stage: str) -> bool:
    return stage in CLOSED
