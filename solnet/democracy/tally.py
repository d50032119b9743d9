"""Counting votes: motions, consent, consensus, approval, score, instant runoff and STV.

Pure Python with no Django import, so that a count can be checked by anyone from the published
ballots alone, and so that it is tested without a database. Options are small positive ints (the
option numbers of a proposal). Every result is a frozen dataclass that carries the whole record
of the count (the counts, or every round of a ranked count) so a results page can show how the
result came about, not only what it is.

Arithmetic is exact and deterministic: ints and `fractions.Fraction`, nothing rounded, no float.
Transfer values of the single transferable vote are exact fractions, so the totals of every round
add up exactly and two candidates are tied only when they truly are.

Ties (IRV and STV). When two or more candidates tie for elimination, or for the order in which
they are elected in one round, the count looks back at the earlier rounds, the most recent first:
in each it keeps only those of the tied candidates that had the fewest votes (for elimination) or
the most (for election) in that round, until one is left. If some are still tied when round 1
has been looked at (or the tie is in round 1), the lot decides: `tie_order` is a lot published
before voting (`lot_order`), and of the tied candidates the one LATER in it is eliminated first,
the one EARLIER in it is elected first. Approval and score have a single round: their ties go
to the next criterion (score: more ballots giving the top score), then to the one EARLIER in
`tie_order`. Every result says whether the look-back or the lot was needed (ranked counts say
it round by round).
"""

from __future__ import annotations

import hashlib
import numbers
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import groupby

__all__ = [
    "Action",
    "MotionResult",
    "PluralityResult",
    "PluralityRow",
    "PositionResult",
    "RankedResult",
    "RankedRound",
    "Tie",
    "approval",
    "consensus",
    "consent",
    "count_approvals",
    "count_rankings",
    "count_scores",
    "instant_runoff",
    "lot_order",
    "motion",
    "score",
    "single_transferable_vote",
]


# Option numbers are small: a proposal has at most a few dozen options.
MAX_OPTION = 999


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


# --- motions and positions -------------------------------------------------------------------


def _count(name: str, value: int) -> int:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a count (an int >= 0), not {value!r}")
    return value


def motion(
    *, yes: int, no: int, abstain: int, threshold: Fraction = Fraction(1, 2)
) -> MotionResult:
    """A yes/no motion. At the threshold 1/2 it is a simple majority: it passes iff yes > no.
    At any other threshold t (2/3, 3/4, ...) it passes iff yes > 0 and yes >= t * (yes + no).
    Abstentions are counted and reported but never in the denominator."""
    _count("yes", yes)
    _count("no", no)
    _count("abstain", abstain)
    if not isinstance(threshold, numbers.Rational):
        # A float such as 0.6667 would make "exactly two thirds" a matter of luck.
        raise TypeError("threshold must be exact (a Fraction or an int)")
    threshold = Fraction(threshold)
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    if threshold == Fraction(1, 2):
        return MotionResult(passed=yes > no, yes=yes, no=no, abstain=abstain, threshold=threshold)
    passed = yes > 0 and yes >= threshold * (yes + no)
    return MotionResult(passed=passed, yes=yes, no=no, abstain=abstain, threshold=threshold)


def consent(*, consents: int, concerns: int, objections: int) -> PositionResult:
    """Consent decision-making: one (reasoned) objection stops it; concerns are recorded and do
    not. Passes iff there is no objection and at least one consent."""
    _count("consents", consents)
    _count("concerns", concerns)
    _count("objections", objections)
    return PositionResult(
        method="consent",
        passed=objections == 0 and consents > 0,
        support=consents,
        reservations=concerns,
        stops=objections,
    )


def consensus(*, agree: int, stand_aside: int, block: int) -> PositionResult:
    """Consensus: one block stops it; stand-asides are recorded. Passes iff there is no block
    and at least one agreement."""
    _count("agree", agree)
    _count("stand_aside", stand_aside)
    _count("block", block)
    return PositionResult(
        method="consensus",
        passed=block == 0 and agree > 0,
        support=agree,
        reservations=stand_aside,
        stops=block,
    )


# --- the lot and the checks shared by the multi-option methods -------------------------------


def lot_order(*, seed: str, candidates: Sequence[int]) -> list[int]:
    """The lot: candidates sorted by sha256(f"{seed}:{candidate}"). The seed is public and fixed
    before voting, so anyone can draw the same lot again and nobody can steer it afterwards."""
    return sorted(candidates, key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).digest())


def _check_candidates(candidates: Sequence[int]) -> tuple[int, ...]:
    cands = tuple(candidates)
    if not cands:
        raise ValueError("there must be at least one candidate")
    if len(set(cands)) != len(cands):
        raise ValueError("candidates must be distinct")
    for c in cands:
        if not isinstance(c, int) or not 0 < c <= MAX_OPTION:
            raise ValueError(f"candidates are option numbers (1 to {MAX_OPTION}), not {c!r}")
    return cands


def _check_tie_order(tie_order: Sequence[int], cands: tuple[int, ...]) -> dict[int, int]:
    order = tuple(tie_order)
    if len(order) != len(cands) or set(order) != set(cands):
        raise ValueError("tie_order must list every candidate exactly once")
    return {c: i for i, c in enumerate(order)}


def _check_seats(seats: int) -> int:
    if not isinstance(seats, int) or seats < 1:
        raise ValueError(f"seats must be an int >= 1, not {seats!r}")
    return seats


# --- approval and score ----------------------------------------------------------------------


def _plurality(
    method: str,
    totals: dict[int, int],
    top: dict[int, int],
    *,
    seats: int,
    rank: dict[int, int],
    ballots: int,
    blank: int,
    max_score: int,
) -> PluralityResult:
    order = sorted(totals, key=lambda c: (-totals[c], -top[c], rank[c]))
    rows = tuple(PluralityRow(c, totals[c], top[c]) for c in order)
    # A candidate nobody approved or scored above 0 has no support and never wins, even to
    # fill a seat: with no ballots, or only blank ones, nobody is chosen.
    won = min(seats, sum(1 for c in order if totals[c] > 0))
    keys = [(r.total, r.top_marks) for r in rows]
    # The lot matters only where it ordered winners or put a winner before a loser.
    lot_used = any(keys[i] == keys[i + 1] for i in range(min(won, len(keys) - 1)))
    return PluralityResult(
        method=method,
        seats=seats,
        winners=tuple(order[:won]),
        ranking=rows,
        ballots=ballots,
        blank=blank,
        max_score=max_score,
        lot_used=lot_used,
    )


def approval(
    ballots: Mapping[frozenset[int], int],
    *,
    candidates: Sequence[int],
    seats: int,
    tie_order: Sequence[int],
) -> PluralityResult:
    """Approval voting: each ballot approves a set of candidates; the `seats` most approved win;
    ties go to the candidate earlier in `tie_order`."""
    cands = _check_candidates(candidates)
    rank = _check_tie_order(tie_order, cands)
    _check_seats(seats)
    known = frozenset(cands)
    totals = dict.fromkeys(cands, 0)
    ballot_count = blank = 0
    for approved, n in ballots.items():
        if _count("ballot count", n) == 0:
            continue
        ballot_count += n
        if not approved:
            blank += n
            continue
        if not known.issuperset(approved):
            raise ValueError(f"ballot approves unknown candidates: {sorted(set(approved) - known)}")
        for c in approved:
            totals[c] += n
    return _plurality(
        "approval",
        totals,
        totals,
        seats=seats,
        rank=rank,
        ballots=ballot_count,
        blank=blank,
        max_score=1,
    )


def score(
    ballots: Mapping[tuple[tuple[int, int], ...], int],
    *,
    candidates: Sequence[int],
    seats: int,
    max_score: int,
    tie_order: Sequence[int],
) -> PluralityResult:
    """Score voting: each ballot gives candidates scores 0..max_score (missing = 0); the highest
    totals win; ties go to more ballots giving the top score, then to the earlier in
    `tie_order`."""
    cands = _check_candidates(candidates)
    rank = _check_tie_order(tie_order, cands)
    _check_seats(seats)
    if not isinstance(max_score, int) or max_score < 1:
        raise ValueError(f"max_score must be an int >= 1, not {max_score!r}")
    totals = dict.fromkeys(cands, 0)
    top = dict.fromkeys(cands, 0)
    ballot_count = blank = 0
    for marks, n in ballots.items():
        if _count("ballot count", n) == 0:
            continue
        ballot_count += n
        seen: set[int] = set()
        for c, s in marks:
            if c not in totals:
                raise ValueError(f"ballot scores an unknown candidate: {c!r}")
            if c in seen:
                raise ValueError(f"ballot scores candidate {c} twice")
            if not isinstance(s, int) or not 0 <= s <= max_score:
                raise ValueError(f"score {s!r} is outside 0..{max_score}")
            seen.add(c)
            totals[c] += s * n
            if s == max_score:
                top[c] += n
        if not any(s for _, s in marks):
            blank += n
    return _plurality(
        "score",
        totals,
        top,
        seats=seats,
        rank=rank,
        ballots=ballot_count,
        blank=blank,
        max_score=max_score,
    )


# --- ranked counts: shared machinery ---------------------------------------------------------

# A ballot group in a pile: (the ranking, how many identical ballots, the index in the ranking of
# the candidate whose pile holds it). Only the groups of a candidate who leaves are touched, and
# each scan goes on from where the group stands, so a count never re-reads every ballot.
_Group = tuple[tuple[int, ...], int, int]
# Votes per candidate: ints in IRV, Fractions in STV.
_Votes = Mapping[int, int | Fraction]


def _first_preferences(
    ballots: Mapping[tuple[int, ...], int], cands: tuple[int, ...]
) -> tuple[dict[int, list[_Group]], dict[int, int], int, int]:
    known = frozenset(cands)
    counts_given = ballots.values()
    # The checks run over all ballots at once, in C; only a failure looks at them one by one.
    if not set(map(type, counts_given)) <= {int} or (counts_given and min(counts_given) < 0):
        bad = next(n for n in counts_given if not isinstance(n, int) or n < 0)
        raise ValueError(f"a ballot count must be an int >= 0, not {bad!r}")
    # A ranking naming an unknown candidate, or one candidate twice, meets fewer candidates.
    if sum(map(len, ballots)) != sum(map(len, map(known.intersection, ballots))):
        for ranking in ballots:
            if not known.issuperset(ranking):
                raise ValueError(f"ballot {ranking!r} ranks an unknown candidate")
            if len(set(ranking)) != len(ranking):
                raise ValueError(f"ballot {ranking!r} ranks a candidate twice")
    piles: dict[int, list[_Group]] = {c: [] for c in cands}
    counts = dict.fromkeys(cands, 0)
    blank = ballots.get((), 0)
    for ranking, n in ballots.items():
        if ranking and n:
            first = ranking[0]
            piles[first].append((ranking, n, 0))
            counts[first] += n
    valid = sum(counts.values())
    return piles, counts, valid, blank


def _worse(a: Tie, b: Tie) -> Tie:
    severity = (Tie.NONE, Tie.LOOK_BACK, Tie.LOT)
    return a if severity.index(a) >= severity.index(b) else b


def _break_tie(
    tied: list[int], history: list[_Votes], rank: dict[int, int], *, lowest: bool
) -> tuple[int, Tie]:
    """One of `tied` by the documented rule: look back, then the lot."""
    pick = min if lowest else max
    for past in reversed(history):
        best = pick(past[c] for c in tied)
        tied = [c for c in tied if past[c] == best]
        if len(tied) == 1:
            return tied[0], Tie.LOOK_BACK
    # The lot: the later in tie_order goes out first, the earlier is elected first.
    later_first = max if lowest else min
    return later_first(tied, key=rank.__getitem__), Tie.LOT


def _lowest(
    standing: Iterable[int],
    votes: _Votes,
    history: list[_Votes],
    rank: dict[int, int],
) -> tuple[int, Tie]:
    standing = list(standing)
    low = min(votes[c] for c in standing)
    tied = [c for c in standing if votes[c] == low]
    if len(tied) == 1:
        return tied[0], Tie.NONE
    return _break_tie(tied, history, rank, lowest=True)


def _by_votes(
    group: Iterable[int], votes: _Votes, history: list[_Votes], rank: dict[int, int]
) -> tuple[list[int], Tie]:
    """`group` most votes first, equal votes ordered by the tie rule."""
    ordered: list[int] = []
    tie = Tie.NONE
    for _, same_iter in groupby(sorted(group, key=votes.__getitem__, reverse=True), votes.get):
        same = list(same_iter)
        while len(same) > 1:
            chosen, how = _break_tie(same, history, rank, lowest=False)
            tie = _worse(tie, how)
            ordered.append(chosen)
            same.remove(chosen)
        ordered.extend(same)
    return ordered, tie


def _fractions(values: _Votes, keys: Iterable[int]) -> tuple[tuple[int, Fraction], ...]:
    return tuple((c, Fraction(values[c])) for c in sorted(keys))


# --- instant runoff --------------------------------------------------------------------------


def instant_runoff(
    ballots: Mapping[tuple[int, ...], int],
    *,
    candidates: Sequence[int],
    tie_order: Sequence[int],
) -> RankedResult:
    """Instant-runoff voting for one seat.

    Each ballot counts for its highest-ranked continuing candidate. A candidate holding more than
    half of the continuing votes (ballots not yet exhausted) wins. Otherwise the candidate with
    the fewest votes is eliminated (ties by the module's rule) and their ballots move to their
    next continuing preference; a ballot with none left is exhausted. Ballots may rank only some
    candidates; ranking an unknown candidate or one candidate twice raises ValueError. With no
    valid ballot there is no winner.
    """
    cands = _check_candidates(candidates)
    rank = _check_tie_order(tie_order, cands)
    piles, votes, valid, blank = _first_preferences(ballots, cands)
    standing = set(cands)
    # Whether a candidate is still in, indexed by number: a list lookup is the cheapest test
    # in the loop that moves every ballot.
    alive = [False] * (max(cands) + 1)
    for c in cands:
        alive[c] = True
    history: list[_Votes] = []
    rounds: list[RankedRound] = []
    eliminated: list[int] = []
    winners: tuple[int, ...] = ()
    exhausted = 0
    worst = Tie.NONE
    while valid:
        current = {c: votes[c] for c in standing}
        leader = max(standing, key=current.__getitem__)
        if 2 * current[leader] > valid - exhausted:
            action, out, tie = Action.MAJORITY, None, Tie.NONE
            winners = (leader,)
        else:
            out, tie = _lowest(standing, current, history, rank)
            action = Action.ELIMINATE
        rounds.append(
            RankedRound(
                number=len(rounds) + 1,
                votes=_fractions(current, standing),
                exhausted=Fraction(exhausted),
                action=action,
                elected=winners,
                eliminated=out,
                tie=tie,
            )
        )
        worst = _worse(worst, tie)
        if out is None:
            break
        history.append(current)
        standing.remove(out)
        alive[out] = False
        eliminated.append(out)
        del votes[out]
        contains = alive.__getitem__
        for ranking, n, at in piles.pop(out):
            size = len(ranking)
            at += 1
            while at < size and not contains(ranking[at]):
                at += 1
            if at < size:
                nxt = ranking[at]
                piles[nxt].append((ranking, n, at))
                votes[nxt] += n
            else:
                exhausted += n
    return RankedResult(
        method="instant_runoff",
        seats=1,
        winners=winners,
        eliminated=tuple(eliminated),
        rounds=tuple(rounds),
        valid=valid,
        blank=blank,
        quota=None,
        tie_broken=worst is not Tie.NONE,
        lot_used=worst is Tie.LOT,
    )


# --- single transferable vote ----------------------------------------------------------------


def _move(
    buckets: dict[Fraction, list[_Group]],
    allowed: set[int],
    piles: dict[int, dict[Fraction, list[_Group]]],
    votes: dict[int, Fraction],
    factor: Fraction | None,
) -> Fraction:
    """Move the ballots of a candidate who leaves to their next preference in `allowed`, each
    value multiplied by `factor` (the share of a surplus) or kept (an elimination). Returns the
    value exhausted."""
    contains = allowed.__contains__
    lost = Fraction(0)
    for value, groups in buckets.items():
        if factor is not None:
            # One multiplication per bucket: every ballot in it has the same value.
            value = value * factor
            if not value:
                # A candidate elected at exactly the quota has no surplus to hand on.
                continue
        destinations: dict[int, list[_Group]] = {}
        arrived: dict[int, int] = {}
        gone = 0
        for ranking, n, at in groups:
            size = len(ranking)
            at += 1
            while at < size and not contains(ranking[at]):
                at += 1
            if at < size:
                nxt = ranking[at]
                pile = destinations.get(nxt)
                if pile is None:
                    pile = destinations[nxt] = piles[nxt].setdefault(value, [])
                    arrived[nxt] = 0
                pile.append((ranking, n, at))
                arrived[nxt] += n
            else:
                gone += n
        for nxt, n in arrived.items():
            votes[nxt] += n * value
        lost += gone * value
    return lost


def single_transferable_vote(
    ballots: Mapping[tuple[int, ...], int],
    *,
    candidates: Sequence[int],
    seats: int,
    tie_order: Sequence[int],
) -> RankedResult:
    """The single transferable vote with the Droop quota and exact Gregory transfers: the rule
    of votelib 0.4.0's `TransferableVoteSelector` with its default quota ("droop") and
    transferer (`Gregory`, the weighted inclusive Gregory method, in Fractions) but NOT its
    default retainer, plus the module's tie rule. votelib's default elimination ranks the
    exhausted pile as if it were a candidate, so with many exhausted votes it puts two
    candidates out at once; this count (and the comparison in the tests, which gives votelib a
    `Plurality` retainer) eliminates one continuing candidate at a time and keeps exhausted
    votes apart.

    - Quota (Droop): floor(valid ballots / (seats + 1)) + 1, fixed at the start. Blank ballots
      are not valid ballots. Every ballot starts with value 1 at its first preference; a round
      starts by adding up each continuing candidate's ballots.
    - If there are no more continuing candidates than seats left, all of them are elected (most
      votes first) and the count ends.
    - Otherwise every candidate with at least the quota is elected in this round, listed most
      votes first. Each one keeps exactly the quota: every ballot they hold, whatever its value,
      is multiplied by (votes - quota) / votes, and goes on at that value to its next preference
      that is still continuing (never to one elected in this round or before), or is exhausted.
      The surpluses of one round are transferred together, so their order changes nothing.
    - If nobody has the quota, the candidate with the fewest votes is eliminated (ties by the
      module's rule) and each of their ballots goes on at its value to its next continuing
      preference, or is exhausted.
    - This repeats until every seat is filled, so min(seats, candidates) are elected. With no
      valid ballot nobody is elected.

    In every round the continuing candidates' votes, the exhausted votes and one quota for each
    candidate elected in an earlier round add up exactly to the number of valid ballots. The
    Droop quota lets at most `seats` candidates reach it, so a round never elects too many.
    """
    cands = _check_candidates(candidates)
    rank = _check_tie_order(tie_order, cands)
    _check_seats(seats)
    first_piles, counts, valid, blank = _first_preferences(ballots, cands)
    quota = valid // (seats + 1) + 1
    # A pile is split into buckets of ballots that share one value: a surplus rescales each
    # bucket once, then moves its groups without any arithmetic per ballot.
    one = Fraction(1)
    piles: dict[int, dict[Fraction, list[_Group]]] = {c: {one: first_piles[c]} for c in cands}
    votes: dict[int, Fraction] = {c: Fraction(n) for c, n in counts.items()}
    standing = set(cands)
    elected: list[int] = []
    eliminated: list[int] = []
    history: list[_Votes] = []
    rounds: list[RankedRound] = []
    exhausted = Fraction(0)
    worst = Tie.NONE
    while valid and len(elected) < seats:
        current = {c: votes[c] for c in standing}
        out = None
        if len(standing) <= seats - len(elected):
            chosen, tie = _by_votes(standing, current, history, rank)
            action = Action.REMAINING
        else:
            reached = [c for c in standing if current[c] >= quota]
            if reached:
                chosen, tie = _by_votes(reached, current, history, rank)
                action = Action.QUOTA
            else:
                chosen = []
                out, tie = _lowest(standing, current, history, rank)
                action = Action.ELIMINATE
        rounds.append(
            RankedRound(
                number=len(rounds) + 1,
                votes=_fractions(current, standing),
                exhausted=exhausted,
                action=action,
                elected=tuple(chosen),
                eliminated=out,
                tie=tie,
            )
        )
        worst = _worse(worst, tie)
        history.append(current)
        if out is not None:
            standing.remove(out)
            eliminated.append(out)
            del votes[out]
            exhausted += _move(piles.pop(out), standing, piles, votes, None)
            continue
        elected.extend(chosen)
        standing.difference_update(chosen)
        if action is Action.REMAINING or len(elected) == seats:
            break
        for c in chosen:
            total = votes.pop(c)
            surplus = (total - quota) / total
            exhausted += _move(piles.pop(c), standing, piles, votes, surplus)
    return RankedResult(
        method="single_transferable_vote",
        seats=seats,
        winners=tuple(elected),
        eliminated=tuple(eliminated),
        rounds=tuple(rounds),
        valid=valid,
        blank=blank,
        quota=quota,
        tie_broken=worst is not Tie.NONE,
        lot_used=worst is Tie.LOT,
    )


# --- ballots as stored -----------------------------------------------------------------------

# The option numbers as text, to skip int() for the tokens every ballot repeats.
_NUMBERS = {str(i): i for i in range(1, 1000)}


def _numbers(text: str) -> list[int]:
    try:
        return [_NUMBERS[token] for token in text.split(",")]
    except KeyError:
        return [int(token) for token in text.split(",")]


def count_rankings(stored: Iterable[str]) -> Counter[tuple[int, ...]]:
    """Ranked ballots as stored, "3,1,4" (option numbers, most preferred first; "" is blank),
    grouped: identical strings are counted first, in C, and each distinct one parsed once."""
    numbers = _NUMBERS.__getitem__
    rankings: dict[tuple[int, ...], int] = {}
    irregular: list[tuple[str, int]] = []
    for text, n in Counter(stored).items():
        try:
            # Canonical text ("3,1,4") is one string per ranking, so no two distinct strings
            # parsed here give the same tuple and a plain assignment is enough.
            rankings[tuple(map(numbers, text.split(",")))] = n
        except KeyError:
            irregular.append((text, n))
    # Blank ballots, and text such as " 3,01" that may repeat a canonical ranking.
    for text, n in irregular:
        ranking = tuple(_numbers(text)) if text else ()
        rankings[ranking] = rankings.get(ranking, 0) + n
    return Counter(rankings)


def count_approvals(stored: Iterable[str]) -> Counter[frozenset[int]]:
    """Approval ballots as stored, "1,3" ("" approves nobody), grouped."""
    approvals: Counter[frozenset[int]] = Counter()
    for text, n in Counter(stored).items():
        listed = _numbers(text) if text else []
        approved = frozenset(listed)
        if len(approved) != len(listed):
            raise ValueError(f"approval ballot {text!r} names an option twice")
        approvals[approved] += n
    return approvals


def count_scores(stored: Iterable[str]) -> Counter[tuple[tuple[int, int], ...]]:
    """Score ballots as stored, "1:5,2:3" (option:score; "" scores nobody), grouped, each as
    ((option, score), ...) sorted by option."""
    scores: Counter[tuple[tuple[int, int], ...]] = Counter()
    for text, n in Counter(stored).items():
        marks: dict[int, int] = {}
        for pair in text.split(",") if text else ():
            option, _, value = pair.partition(":")
            c = int(option)
            if c in marks:
                raise ValueError(f"score ballot {text!r} scores option {c} twice")
            marks[c] = int(value)
        scores[tuple(sorted(marks.items()))] += n
    return scores
