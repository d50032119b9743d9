"""After a fight: whether its subjects came back, and the network's statistics.

The statistics contain no personal data: counts, sums and a median over closed fights."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from solnet.fights import stages
from solnet.fights.models import Fight, FightTeamMember
from solnet.people.models import Commitment, Outcome

WINS = (stages.Stage.WON, stages.Stage.PARTIAL_WIN)


def subjects_came_back(fight: Fight) -> bool | None:
    """Did any of the fight's subjects show up for the network after it closed: an ask they
    showed up for, or a seat on a later fight's team? None while it is open."""
    if fight.closed_at is None:
        return None
    people = [s.person for s in fight.subjects.select_related("person")]
    if Commitment.objects.filter(
        person__in=people, outcome=Outcome.SHOWED, asked_at__gt=fight.closed_at
    ).exists():
        return True
    members = [p.member_id for p in people if p.member_id]
    return FightTeamMember.objects.filter(
        member_id__in=members, added_at__gt=fight.closed_at
    ).exists()


@dataclass
class Figures:
    open: int
    closed: int
    won: int
    partial: int
    lost: int
    withdrawn: int
    dropped: int
    recovered: Decimal
    median_days: int | None

    @property
    def decided(self) -> int:
        """Fights that reached an outcome the network fought to: won, partial or lost."""
        return self.won + self.partial + self.lost

    @property
    def win_rate(self) -> int | None:
        """Wins (partial ones included) among fights won or lost, in percent."""
        if not self.decided:
            return None
        return round(100 * (self.won + self.partial) / self.decided)


def network_figures() -> Figures:
    fights = Fight.objects.all()
    counts = {
        stage: fights.filter(moves__target=stage).distinct().count() for stage in stages.OUTCOMES
    }
    ended = fights.filter(closed_at__isnull=False, moves__target__in=stages.OUTCOMES).distinct()
    durations = [
        (closed - opened).days for opened, closed in ended.values_list("opened_at", "closed_at")
    ]
    return Figures(
        open=fights.exclude(stage__in=stages.CLOSED).count(),
        closed=fights.filter(Q(stage__in=stages.CLOSED)).count(),
        won=counts[stages.Stage.WON],
        partial=counts[stages.Stage.PARTIAL_WIN],
        lost=counts[stages.Stage.LOST],
        withdrawn=counts[stages.Stage.WITHDRAWN],
        dropped=counts[stages.Stage.DROPPED],
        recovered=fights.aggregate(total=Sum("amount_recovered"))["total"] or Decimal(0),
        median_days=round(statistics.median(durations)) if durations else None,
    )
