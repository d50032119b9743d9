"""The results of the counts, each a frozen dataclass carrying the whole record of the count, and
how a round's ties were broken."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Tie(StrEnum):
    """How the ties of a round (or of a one-round count) were broken."""

    NONE = "none"
    LOOK_BACK = "look-back"
    LOT = "lot"


class Action(StrEnum):
    """What a round of a ranked count did."""

    MAJORITY = "majority"  # IRV: more than half of the continuing votes
    QUOTA = "quota"  # STV: reached the Droop quota
    REMAINING = "remaining"  # STV: as many continuing candidates as seats left
    ELIMINATE = "eliminate"  # the lowest candidate is out, their ballots move on


@dataclass(frozen=True, slots=True)
class MotionResult:
    passed: bool
    yes: int
    no: int
    abstain: int
    threshold: Fraction


@dataclass(frozen=True, slots=True)
class PositionResult:
    method: str  # "consent" or "consensus"
    passed: bool
    support: int  # consents / agree
    reservations: int  # concerns / stand-asides: recorded, they never stop a decision
    stops: int  # objections / blocks


@dataclass(frozen=True, slots=True)
class PluralityRow:
    candidate: int
    total: int  # approvals, or the sum of scores
    top_marks: int  # ballots giving this candidate the top score (approval: = total)


@dataclass(frozen=True, slots=True)
class PluralityResult:
    method: str  # "approval" or "score"
    seats: int
    winners: tuple[int, ...]  # best first
    ranking: tuple[PluralityRow, ...]  # every candidate, best first
    ballots: int
    blank: int
    max_score: int  # 1 for approval
    lot_used: bool  # the lot ordered winners, or a winner before a loser


@dataclass(frozen=True, slots=True)
class RankedRound:
    number: int  # from 1
    votes: tuple[tuple[int, Fraction], ...]  # continuing candidates at the start, by number
    exhausted: Fraction  # votes no continuing candidate holds, so far
    action: Action
    elected: tuple[int, ...]  # in order of election
    eliminated: int | None
    tie: Tie


@dataclass(frozen=True, slots=True)
class RankedResult:
    method: str  # "instant_runoff" or "single_transferable_vote"
    seats: int
    winners: tuple[int, ...]  # in order of election; empty when no ballot was valid
    eliminated: tuple[int, ...]  # in order of elimination
    rounds: tuple[RankedRound, ...]
    valid: int  # ballots ranking at least one candidate
    blank: int
    quota: int | None  # STV's Droop quota in votes; IRV's majority is per round
    tie_broken: bool  # the look-back or the lot decided something
    lot_used: bool  # the lot decided something
