"""The start page's lists, as a registry: each app puts in what it needs the member for (its
votes, asks, calls, deadlines…) in its AppConfig.ready(), and the start page shows them in
their order without knowing the apps — as the menu does (`navigation.py`).

A list is a queryset of a member's rows and the template that shows them. Each shows its
first `SHOWN`, fetched with one more, and counts the rest only when there are more: one or
two queries a list, however long it grows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

SHOWN = 5


def approved(member: Any) -> bool:
    """Who has a start page of lists: an active member past approval."""
    return member.is_active and member.is_approved


@dataclass(frozen=True)
class StartList:
    key: str
    rows: Callable[[Any], QuerySet]  # rows(member): what needs them, most urgent first
    template: str  # shows `section.rows`, `section.more` and `section.total`
    order: int = 50
    visible: Callable[[Any], bool] = approved


@dataclass
class Section:
    """One list as shown: its first rows and how many more there are."""

    key: str
    template: str
    rows: list[Any]
    more: int = 0

    @property
    def total(self) -> int:
        return len(self.rows) + self.more

    def __bool__(self) -> bool:
        return bool(self.rows)


_LISTS: dict[str, StartList] = {}


def register(start_list: StartList) -> None:
    _LISTS[start_list.key] = start_list


def shown(key: str, template: str, queryset: QuerySet) -> Section:
    rows = list(queryset[: SHOWN + 1])
    if len(rows) <= SHOWN:
        return Section(key, template, rows)
    return Section(key, template, rows[:SHOWN], queryset.count() - SHOWN)


@dataclass(frozen=True)
class StartCount:
    """Not a list but a count that leads to where the rows are: two-person approvals and
    joiners waiting, shown before every list."""

    key: str
    count: Callable[[Any], int]  # count(member)
    template: str  # shows `counter`
    order: int = 50


_COUNTS: dict[str, StartCount] = {}


def register_count(start_count: StartCount) -> None:
    _COUNTS[start_count.key] = start_count


def counts_for(member: Any) -> list[dict[str, Any]]:
    """Every registered count that is not zero for `member`, with its template."""
    found = []
    for start_count in sorted(_COUNTS.values(), key=lambda c: (c.order, c.key)):
        counter = start_count.count(member)
        if counter:
            found.append({"key": start_count.key, "template": start_count.template, "n": counter})
    return found


def sections_for(member: Any) -> list[Section]:
    """Every registered list that `member` may see and that has something in it."""
    found = []
    for start_list in sorted(_LISTS.values(), key=lambda s: (s.order, s.key)):
        if start_list.visible(member):
            section = shown(start_list.key, start_list.template, start_list.rows(member))
            if section:
                found.append(section)
    return found
