"""What the network can see of its rapid response (DOMAIN.md §8), describing no one: how
many reports and incidents, how they ended, and two medians — from a report to a verifier's
confirmation, and from that confirmation to the first responder saying "I'm coming". A median
is shown only over at least `LEAST` incidents: one or two would describe a particular night.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from solnet.defense.models import Finding, Outcome, Report, ReportStatus
from solnet.mobilize.models import AlertAnswer, AlertResponse

LEAST = 3
PERIODS = (90, 365)  # days


@dataclass(frozen=True)
class Figures:
    days: int
    reports: int
    incidents: int
    false_alarms: int
    outcomes: list[tuple[str, int]]
    to_verification: float | None  # minutes, median
    to_first_responder: float | None  # minutes, median
    timed_verification: int
    timed_responder: int


def _median_minutes(spans: list[timedelta]) -> float | None:
    if len(spans) < LEAST:
        return None
    return round(statistics.median(s.total_seconds() for s in spans) / 60, 1)


def figures_since(days: int, now: datetime | None = None) -> Figures:
    now = now or timezone.now()
    reports = Report.objects.filter(created_at__gte=now - timedelta(days=days))
    confirmed_at = Min(
        "verifications__answered_at", filter=Q(verifications__finding=Finding.CONFIRMED)
    )
    incidents = list(
        reports.annotate(confirmed_at=confirmed_at)
        .filter(confirmed_at__isnull=False)
        .values("created_at", "confirmed_at", "alert_id", "outcome")
    )
    first_coming = dict(
        AlertResponse.objects.filter(
            alert_id__in=[i["alert_id"] for i in incidents if i["alert_id"]],
            answer=AlertAnswer.COMING,
        )
        .values("alert_id")
        .annotate(first=Min("answered_at"))
        .values_list("alert_id", "first")
    )
    to_verification = [i["confirmed_at"] - i["created_at"] for i in incidents]
    to_responder = [
        first_coming[i["alert_id"]] - i["confirmed_at"]
        for i in incidents
        if i["alert_id"] in first_coming
    ]
    counted = reports.exclude(outcome="").values("outcome").annotate(n=Count("pk")).order_by("-n")
    labels = dict(Outcome.choices)
    return Figures(
        days=days,
        reports=reports.count(),
        incidents=len(incidents),
        false_alarms=reports.filter(status=ReportStatus.FALSE_ALARM).count(),
        outcomes=[(labels.get(row["outcome"], row["outcome"]), row["n"]) for row in counted],
        to_verification=_median_minutes(to_verification),
        to_first_responder=_median_minutes(to_responder),
        timed_verification=len(to_verification),
        timed_responder=len(to_responder),
    )


def all_figures() -> list[Figures]:
    return [figures_since(days) for days in PERIODS]
