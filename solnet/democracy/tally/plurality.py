"""Approval and score voting: one round, the most supported win."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from solnet.democracy.tally.checks import _check_candidates, _check_seats, _check_tie_order, _count
from solnet.democracy.tally.results import PluralityResult, PluralityRow


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
