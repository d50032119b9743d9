"""Conflicts of interest: members who may not vote on a proposal because it is about them
(an aid request's applicant and the relations they declared). An effect registered by a
higher app says who they are (`effects.Kind.conflicted`); the electorate leaves them out.
Kept apart from `effects`, which builds on the access layer that reads this."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_BY_KIND: dict[str, Callable[[dict[str, Any]], set[int]]] = {}


def register(kind: str, conflicted: Callable[[dict[str, Any]], set[int]]) -> None:
    _BY_KIND[kind] = conflicted


def conflicted(proposal: Any) -> set[int]:
    """Members (internal ids) who may not vote on the proposal because it is about them."""
    barred: set[int] = set()
    for effect in proposal.effects.all():
        rule = _BY_KIND.get(effect.kind)
        if rule is not None:
            barred |= rule(effect.params)
    return barred


def kinds() -> list[str]:
    """The effect kinds that can bar a member from voting."""
    return list(_BY_KIND)
