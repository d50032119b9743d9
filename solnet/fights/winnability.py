"""The winnability sheet (DOMAIN.md §3): scores from 0 to 2 per criterion, must-haves, and the
advice it gives the meeting. Advice, never a decision: the meeting votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from solnet.fights import catalogue, stages
from solnet.fights.models import Fight, WinnabilityAssessment, WinnabilityCriterion

# "Small fights winnable within a month or two": past that, the sheet is filled in again.
REASSESS_AFTER = timedelta(days=60)


def criteria():
    catalogue.ensure_builtins()
    return WinnabilityCriterion.objects.filter(active=True)


@dataclass
class Advice:
    total: int
    best: int
    missing_must_haves: list[str]  # must-haves scored 0

    @property
    def go(self) -> bool:
        return not self.missing_must_haves


def advice_of(assessment: WinnabilityAssessment) -> Advice:
    scores = list(assessment.scores.select_related("criterion"))
    return Advice(
        total=sum(s.score for s in scores),
        best=2 * len(scores),
        missing_must_haves=[
            s.criterion.label for s in scores if s.criterion.must_have and s.score == 0
        ],
    )


def latest(fight: Fight) -> WinnabilityAssessment | None:
    return fight.assessments.first()


def needs_reassessment(fight: Fight) -> bool:
    """A fight under way whose last assessment is older than `REASSESS_AFTER` (or that has
    none since it was taken on)."""
    if fight.stage not in stages.ACTIVE:
        return False
    last = latest(fight)
    since = last.made_at if last else fight.opened_at
    return timezone.now() - since > REASSESS_AFTER
