"""Motions (majority and supermajority) and positions (consent and consensus)."""

from __future__ import annotations

import numbers
from fractions import Fraction

from solnet.democracy.tally.checks import _count
from solnet.democracy.tally.results import MotionResult, PositionResult


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
