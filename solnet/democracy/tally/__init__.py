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

The counts live in modules by family: `results` (the result types), `checks` (the lot and the
checks of arguments), `motions`, `plurality` (approval and score), `ranked` (instant runoff and
the machinery of ranked counts), `stv` and `stored` (ballots as stored). This package re-exports
them all.
"""

from solnet.democracy.tally.checks import lot_order
from solnet.democracy.tally.motions import consensus, consent, motion
from solnet.democracy.tally.plurality import approval, score
from solnet.democracy.tally.ranked import instant_runoff
from solnet.democracy.tally.results import (
    Action,
    MotionResult,
    PluralityResult,
    PluralityRow,
    PositionResult,
    RankedResult,
    RankedRound,
    Tie,
)
from solnet.democracy.tally.stored import count_approvals, count_rankings, count_scores
from solnet.democracy.tally.stv import single_transferable_vote

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
