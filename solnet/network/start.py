"""The start page: what needs the member now, most urgent first.

First the two-person actions and joiners waiting for their approval; then the lists the apps
register in `solnet.core.start` — votes, asks, what they said yes to, calls, deadlines, and
for the organizing team leads, unfilled roles and stalled fights — each one or two queries
however long it grows (the page's query budget is asserted in
`network/tests/test_start_page.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solnet.core import start, twoperson
from solnet.members import access as member_access
from solnet.members.models import Member


@dataclass
class Needs:
    sections: list[start.Section] = field(default_factory=list)
    pending_joiners: int = 0
    pending_approvals: int = 0

    def __bool__(self) -> bool:
        return bool(self.sections or self.pending_joiners or self.pending_approvals)


def needs_of(member: Member) -> Needs:
    """Everything on `member`'s start page, most urgent first."""
    return Needs(
        sections=start.sections_for(member),
        pending_joiners=member_access.pending_joiners(member).count(),
        pending_approvals=twoperson.pending_for(member).count(),
    )
