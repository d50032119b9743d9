"""The single transferable vote, with the Droop quota and exact Gregory transfers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from solnet.democracy.tally.checks import _check_candidates, _check_seats, _check_tie_order
from solnet.democracy.tally.ranked import (
    _by_votes,
    _first_preferences,
    _fractions,
    _Group,
    _lowest,
    _Votes,
    _worse,
)
from solnet.democracy.tally.results import Action, RankedResult, RankedRound, Tie


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
