"""The escalation plan's warnings and the pressure timeline.

* **Capacity**: how many people the network can put on the street is read from commitment
  data — the people who showed up for at least one ask in the last `CAPACITY_WINDOW`. A step
  needing more than that is flagged.
* **Pressure lapsing**: an escalating fight whose actions (done or planned) leave a gap longer
  than the network's `pressure_gap_days` is flagged, with the dates of the gap.
* **The timeline**: actions by tier and turnout over time, drawn as SVG points.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from django.utils import timezone

from solnet.fights import stages
from solnet.fights.models import TIER_HEIGHT, Fight, PlanStep
from solnet.network.models import Network
from solnet.people.models import Commitment, Outcome

CAPACITY_WINDOW = datetime.timedelta(days=90)


def mobilizable() -> int:
    """People who showed up for at least one ask in the last 90 days."""
    since = timezone.now() - CAPACITY_WINDOW
    return (
        Commitment.objects.filter(outcome=Outcome.SHOWED, asked_at__gte=since)
        .values("person")
        .distinct()
        .count()
    )


@dataclass
class Gap:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def pressure_gaps(fight: Fight, steps: list[PlanStep], *, today: datetime.date) -> list[Gap]:
    """Stretches without an action longer than the network allows, from the first action
    (or the deadline) until today or the last planned step, while the fight is escalating or
    negotiating."""
    if fight.stage not in (stages.Stage.ESCALATING, stages.Stage.NEGOTIATING):
        return []
    allowed = Network.objects.current().pressure_gap_days
    dates = sorted({step.done_on or step.planned_on for step in steps})
    start = fight.deadline or (dates[0] if dates else None)
    if start is None:
        return []
    points = [start, *[d for d in dates if d > start]]
    end = max(today, points[-1])
    points.append(end)
    return [Gap(a, b) for a, b in itertools.pairwise(points) if (b - a).days > allowed]


def timeline(steps: list[PlanStep], *, today: datetime.date) -> dict | None:
    """Points (x by date, y by tier, radius by turnout) for the pressure timeline."""
    done = [s for s in steps if s.done_on]
    planned = [s for s in steps if not s.done_on]
    if not steps:
        return None
    first = min(s.done_on or s.planned_on for s in steps)
    last = max([today, *[s.done_on or s.planned_on for s in steps]])
    span = max((last - first).days, 1)
    width, height, left, top = 360, 200, 40, 20

    def x(day: datetime.date) -> float:
        return round(left + (day - first).days / span * (width - left - 10), 1)

    def y(tier: str) -> float:
        return round(top + (5 - TIER_HEIGHT.get(tier, 0)) * (height - top - 30) / 5, 1)

    points = [
        {
            "x": x(s.done_on),
            "y": y(s.tier_done or s.tier),
            "r": round(4 + min(s.turnout or 0, 60) / 4, 1),
            "label": f"{s.tactic}: {s.turnout or 0}",
            "done": True,
        }
        for s in done
    ] + [
        {"x": x(s.planned_on), "y": y(s.tier), "r": 5, "label": str(s.tactic), "done": False}
        for s in planned
    ]
    return {
        "width": width,
        "height": height,
        "points": points,
        "tiers": [{"label": f"T{n}", "y": y(f"T{n}")} for n in range(6)],
        "first": first,
        "last": last,
        "today_x": x(today) if first <= today <= last else None,
    }
