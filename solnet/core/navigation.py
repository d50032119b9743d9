"""The main navigation. Each app registers its entries in its AppConfig.ready(), with a test
of who sees them, so the menu grows with the apps without the base template knowing them.

A phone shows the few daily destinations in one row and the rest under "More" (a `<details>`,
so it opens without JavaScript); a wider screen shows every entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Any  # a lazy translation
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 50
    daily: bool = False  # on a phone's one row; the others are under "More"


_ENTRIES: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> None:
    _ENTRIES[entry.key] = entry


def shows(member: Any, key: str) -> bool:
    """Whether the menu shows `member` the entry `key` (so a page may offer the same link)."""
    entry = _ENTRIES.get(key)
    return entry is not None and entry.visible(member)


def entries_for(request) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    shown = []
    for entry in sorted(_ENTRIES.values(), key=lambda e: (e.order, e.key)):
        if entry.visible(user):
            url = reverse(entry.url_name)
            shown.append(
                {
                    "key": entry.key,
                    "label": entry.label,
                    "url": url,
                    "current": False,
                    "daily": entry.daily,
                }
            )
    # The current page is the entry with the longest URL the path starts with.
    matches = [
        e
        for e in shown
        if request.path == e["url"] or (e["url"] != "/" and request.path.startswith(e["url"]))
    ]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["current"] = True
    return shown
