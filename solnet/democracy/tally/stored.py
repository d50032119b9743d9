"""Ballots as they are stored, as text, read and grouped for the counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

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
