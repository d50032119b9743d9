"""The lot, and the checks of a count's arguments that the counting methods share."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

# Option numbers are small: a proposal has at most a few dozen options.
MAX_OPTION = 999


def _count(name: str, value: int) -> int:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a count (an int >= 0), not {value!r}")
    return value


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
