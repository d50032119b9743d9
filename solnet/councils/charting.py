"""The chart of a building or workplace: everyone there, grouped by unit, department or shift,
with their latest support assessment, their last one-on-one and the follow-ups due.

A page of the chart costs the same few queries whatever its size: the memberships of the page,
then the assessments and one-on-ones of exactly those people, then the site's totals.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import F
from django.utils import timezone

from solnet.councils.models import Assessment, CouncilMembership, OneOnOne, Section, Site

PAGE_SIZE = 100
GROUPINGS = ("section", "shift")


@dataclass
class ChartRow:
    membership: CouncilMembership
    assessment: Assessment | None = None
    last_one_on_one: OneOnOne | None = None
    follow_ups: list[OneOnOne] = field(default_factory=list)
    label: str = ""


@dataclass
class ChartGroup:
    section: Section | None
    rows: list[ChartRow] = field(default_factory=list)


@dataclass
class Totals:
    people: int = 0
    by_level: list[tuple[int, str, int]] = field(default_factory=list)
    unassessed: int = 0
    good_one_on_ones: int = 0
    follow_ups_due: int = 0


@dataclass
class Chart:
    site: Site
    by: str
    page: Page
    groups: list[ChartGroup]
    totals: Totals


def latest_assessments(council, person_ids) -> dict[int, Assessment]:
    latest: dict[int, Assessment] = {}
    assessments = Assessment.objects.filter(council=council, person_id__in=person_ids)
    for assessment in assessments.select_related("person"):
        latest.setdefault(assessment.person_id, assessment)  # newest first by Meta.ordering
    return latest


def site_chart(
    site: Site, *, by: str, page_number, labels: list[str], due_by: date | None = None
) -> Chart:
    """`labels`: the network's names of the five steps of its support scale."""
    by = by if by in GROUPINGS else "section"
    memberships = (
        CouncilMembership.objects.filter(site=site)
        .select_related("person", "section", "shift")
        .order_by(F(f"{by}__name").asc(nulls_last=True), "person__display_name", "pk")
    )
    page = Paginator(memberships, PAGE_SIZE).get_page(page_number)
    rows = [ChartRow(membership=m) for m in page.object_list]
    by_person = {row.membership.person_id: row for row in rows}

    for person_id, assessment in latest_assessments(site.council, by_person).items():
        by_person[person_id].assessment = assessment
        by_person[person_id].label = f"{assessment.score} — {labels[assessment.score - 1]}"
    due_by = due_by or timezone.localdate()
    talks = OneOnOne.objects.filter(council=site.council, person_id__in=by_person).select_related(
        "held_by"
    )
    for talk in talks:
        row = by_person[talk.person_id]
        if row.last_one_on_one is None:
            row.last_one_on_one = talk
        if talk.follow_up_on and talk.follow_up_done_at is None:
            row.follow_ups.append(talk)

    groups: list[ChartGroup] = []
    for row in rows:
        section = getattr(row.membership, by)
        if not groups or groups[-1].section != section:
            groups.append(ChartGroup(section=section))
        groups[-1].rows.append(row)
    totals = _totals(site, due_by, labels)
    return Chart(site=site, by=by, page=page, groups=groups, totals=totals)


def _totals(site: Site, due_by: date, labels: list[str]) -> Totals:
    """The whole site at a glance, not just this page: how many at each step of the scale."""
    person_ids = list(site.memberships.values_list("person_id", flat=True))
    levels = Counter(a.score for a in latest_assessments(site.council, person_ids).values())
    talks = OneOnOne.objects.filter(council=site.council, person_id__in=person_ids)
    return Totals(
        people=len(person_ids),
        by_level=[(step, labels[step - 1], levels.get(step, 0)) for step in range(1, 6)],
        unassessed=len(person_ids) - sum(levels.values()),
        good_one_on_ones=talks.filter(good=True).values("person_id").distinct().count(),
        follow_ups_due=talks.follow_ups_due(by=due_by).count(),
    )
