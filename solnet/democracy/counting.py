"""From the ballots in the database to a result: reads the stored choices of one proposal,
hands them to the pure `tally` module, and turns its answer into the JSON kept on the
proposal (counts, rounds, winners — never a voter)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from solnet.democracy import tally
from solnet.democracy.models import Ballot, Method, Proposal


@dataclass(frozen=True)
class Outcome:
    passed: bool
    turnout: int
    eligible: int
    result: dict[str, Any]


def lot_seed(proposal: Proposal) -> str:
    """The lot that breaks a tie nothing else breaks: fixed by the proposal's public id, so
    anyone can draw it again."""
    return f"solnet:{proposal.public_id}"


def stored_choices(proposal: Proposal) -> list[str]:
    return list(Ballot.objects.filter(proposal=proposal).values_list("choice", flat=True))


def count(proposal: Proposal, *, eligible: int, choices: list[str] | None = None) -> Outcome:
    """The tally of a proposal. `choices` may be given when they are already read."""
    choices = stored_choices(proposal) if choices is None else choices
    turnout = len(choices)
    body = proposal.body
    needed = body.quorum_needed(eligible)
    result: dict[str, Any] = {
        "method": proposal.method,
        "quorum": {
            "percent": body.quorum_percent,
            "minimum": body.quorum_minimum,
            "needed": needed,
            "met": turnout >= needed,
        },
    }
    if proposal.method in (Method.APPROVAL, Method.SCORE, Method.RANKED):
        decided = _choose(proposal, choices)
        result.update(_jsonable(decided))
        winners = list(decided.winners)
        result["winners"] = winners
        passed = bool(winners)
    else:
        counts = Counter(choices)
        result["counts"] = dict(counts)
        decided = _motion(proposal, counts)
        result.update(_jsonable(decided))
        passed = bool(decided.passed)
    if not result["quorum"]["met"]:
        passed = False
    result["passed"] = passed
    return Outcome(passed=passed, turnout=turnout, eligible=eligible, result=result)


def _motion(proposal: Proposal, counts: Counter[str]):
    if proposal.method == Method.CONSENT:
        return tally.consent(
            consents=counts["consent"], concerns=counts["concern"], objections=counts["object"]
        )
    if proposal.method == Method.CONSENSUS:
        return tally.consensus(
            agree=counts["agree"], stand_aside=counts["stand_aside"], block=counts["block"]
        )
    threshold = Fraction(1, 2) if proposal.method == Method.MAJORITY else proposal.threshold
    return tally.motion(
        yes=counts["yes"], no=counts["no"], abstain=counts["abstain"], threshold=threshold
    )


def _choose(proposal: Proposal, choices: list[str]):
    candidates = list(proposal.options.values_list("number", flat=True))
    order = tally.lot_order(seed=lot_seed(proposal), candidates=candidates)
    if proposal.method == Method.APPROVAL:
        return tally.approval(
            tally.count_approvals(choices),
            candidates=candidates,
            seats=proposal.seats,
            tie_order=order,
        )
    if proposal.method == Method.SCORE:
        return tally.score(
            tally.count_scores(choices),
            candidates=candidates,
            seats=proposal.seats,
            max_score=proposal.max_score,
            tie_order=order,
        )
    return rank(proposal, choices, candidates=candidates, tie_order=order)


def rank(proposal: Proposal, choices: list[str], *, candidates: list[int], tie_order: list[int]):
    ballots = tally.count_rankings(choices)
    if proposal.seats == 1:
        return tally.instant_runoff(ballots, candidates=candidates, tie_order=tie_order)
    return tally.single_transferable_vote(
        ballots, candidates=candidates, seats=proposal.seats, tie_order=tie_order
    )


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else value.numerator
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    return value
