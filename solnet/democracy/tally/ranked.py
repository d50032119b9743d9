"""Ranked counts: the machinery they share (first preferences, the tie rule) and instant runoff."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from itertools import groupby

from solnet.democracy.tally.checks import _check_candidates, _check_tie_order
from solnet.democracy.tally.results import Action, RankedResult, RankedRound, Tie

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
