"""The start page: what needs the member now, most urgent first.

First the counts of what waits for their approval (two-person actions, registered here;
joiners, registered by members); then the lists the apps register in `solnet.core.start` —
votes, asks, what they said yes to, calls, deadlines, and for the organizing team leads,
unfilled roles and stalled fights — each one or two queries however long it grows (the page's
query budget is asserted in `network/tests/test_start_page.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from solnet.core import start, twoperson


@dataclass
class Needs:
    counts: list[dict[str, Any]] = field(default_factory=list)
    sections: list[start.Section] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sections or self.counts)


def register_counts() -> None:
    start.register_count(
        start.StartCount(
            "approvals",
            lambda member: twoperson.pending_for(member).count(),
            "network/start/approvals.html",
            order=10,
        )
    )


def needs_of(member: Any) -> Needs:
    """Everything on `member`'s start page, most urgent first."""
    return Needs(counts=start.counts_for(member), sections=start.sections_for(member))
