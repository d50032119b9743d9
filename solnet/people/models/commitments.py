"""Asks and commitments: what a person was asked, their answer, what happened, and their
reliability."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import DELETE, INTERNAL, PERSONAL, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.people.models.people import Person


class Answer(models.TextChoices):
    WAITING = "waiting", _("No answer yet")
    YES = "yes", _("Yes")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No")


class Outcome(models.TextChoices):
    OPEN = "open", _("Not yet known")
    SHOWED = "showed", _("Showed up / did it")
    NO_SHOW = "no_show", _("Did not show / did not do it")


class CommitmentQuerySet(models.QuerySet):
    def counted(self):
        """Asks that say something about reliability: a yes whose outcome is known."""
        return self.filter(answer=Answer.YES).exclude(outcome=Outcome.OPEN)


class Commitment(models.Model):
    """An ask (come to X, do Y), the person's answer, and what happened."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="commitments", help_text="Who was asked"
    )
    ask = models.CharField(
        _("the ask"), max_length=200, help_text=_("What they were asked, e.g. “picket Friday 5pm”.")
    )
    asked_at = models.DateTimeField(default=timezone.now, help_text="When")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked",
    )
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.WAITING, help_text=""
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN, help_text=""
    )

    objects = CommitmentQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "person": PERSONAL,
            "ask": PERSONAL,
            "asked_at": PERSONAL,
            "asked_by": PERSONAL,
            "answer": PERSONAL,
            "outcome": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Reliability looks at recent asks only; two years of history is plenty.",
            period=timedelta(days=730),
            basis="asked_at",
        ),
    )

    class Meta:
        verbose_name = _("ask")
        verbose_name_plural = _("asks")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="open") | models.Q(answer__in=["yes", "maybe"]),
                name="outcome_only_after_yes_or_maybe",
            )
        ]

    def __str__(self) -> str:
        return self.ask


RELIABILITY_WINDOW = 10


def reliability(person: Person, *, window: int = RELIABILITY_WINDOW) -> tuple[int, int] | None:
    """(showed, counted) over the person's last `window` yeses with a known outcome; None when
    there is nothing to count yet. Derived each time, never stored, never a public score."""
    recent = list(person.commitments.counted().values_list("outcome", flat=True)[:window])
    if not recent:
        return None
    return sum(1 for outcome in recent if outcome == Outcome.SHOWED), len(recent)
