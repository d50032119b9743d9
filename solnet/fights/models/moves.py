"""A fight's decisions and its moves through the stages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import INTERNAL, PERSONAL, SENSITIVE, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.fights.models.fights import CLOSED_FIGHT_KEPT, Fight, _closed_fight_policy
from solnet.fights.stages import Stage, Topic


class DecisionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Did not pass")


class FightDecision(models.Model):
    """A decision a fight's move points to: a meeting's vote (the passed proposal it is, by
    `proposal_ref`), or the campaign subject's own choice."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="decisions", help_text="Which fight"
    )
    topic = models.CharField(_("about"), max_length=16, choices=Topic.choices, help_text="")
    by_subject = models.BooleanField(
        default=False, help_text="Taken by the campaign subject, not by a meeting"
    )
    decided_on = models.DateField(_("decided on"), default=timezone.localdate, help_text="")
    motion = EncryptedTextField(
        _("motion"),
        null=True,
        blank=True,
        help_text=_("What was decided, e.g. “fight for 30 weeks of back wages ($6,710)”."),
    )
    result = models.CharField(
        _("result"),
        max_length=8,
        choices=DecisionResult.choices,
        default=DecisionResult.PASSED,
        help_text="",
    )
    present = models.PositiveSmallIntegerField(
        _("people present"), null=True, blank=True, help_text=""
    )
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True, help_text="")
    votes_against = models.PositiveSmallIntegerField(
        _("against"), null=True, blank=True, help_text=""
    )
    abstentions = models.PositiveSmallIntegerField(
        _("abstentions"), null=True, blank=True, help_text=""
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who recorded it (the subject themself for a subject's decision made here)",
    )
    recorded_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded")
    proposal_ref = models.CharField(
        max_length=24,
        blank=True,
        help_text="The public id of the passed proposal this decision is (empty: recorded)",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "topic": INTERNAL,
            "by_subject": INTERNAL,
            "proposal_ref": INTERNAL,
            "decided_on": INTERNAL,
            "motion": SENSITIVE,
            "result": INTERNAL,
            "present": INTERNAL,
            "votes_for": INTERNAL,
            "votes_against": INTERNAL,
            "abstentions": INTERNAL,
            "recorded_by": PERSONAL,
            "recorded_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The record of how the network decided stays; the motion's words and who "
            "wrote it down go a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"motion": None, "recorded_by": None},
        ),
    )

    class Meta:
        ordering = ["decided_on", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(by_subject=True)
                | (models.Q(votes_for__isnull=False) & models.Q(votes_against__isnull=False)),
                name="meeting_decision_has_its_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.get_result_display()})"


class FightMove(models.Model):
    """One step of a fight through its stages: who, when, and the decision behind it."""

    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="moves", help_text="Which fight"
    )
    source = models.CharField(max_length=20, choices=Stage.choices, help_text="From stage")
    target = models.CharField(max_length=20, choices=Stage.choices, help_text="To stage")
    decision = models.OneToOneField(
        FightDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="move",
        help_text="The decision it carries out (every move after the proposal has one)",
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who made the move",
    )
    moved_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity=_closed_fight_policy(
            source=INTERNAL,
            target=INTERNAL,
            decision=INTERNAL,
            moved_by=PERSONAL,
            moved_at=INTERNAL,
        ),
        retention=Retention(
            action=STRIP,
            reason="The stages and their dates stay for the statistics (how long fights take); "
            "who moved them goes a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"moved_by": None},
        ),
    )

    class Meta:
        ordering = ["moved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"
