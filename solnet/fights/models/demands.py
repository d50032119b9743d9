"""Demands and letters: what a fight asks of its target, and the letter saying it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import DELETE, INTERNAL, PERSONAL, SENSITIVE, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.fights.models.fights import CLOSED_FIGHT_KEPT, Fight


class DemandKind(models.TextChoices):
    AMOUNT = "amount", _("Money owed")
    REPAIR = "repair", _("A repair")
    ACT = "act", _("Something to do or stop doing")
    REINSTATEMENT = "reinstatement", _("Reinstatement or back pay")
    NO_RETALIATION = "no_retaliation", _("No retaliation")


class Demand(models.Model):
    """One exact, checkable item of a fight's demand: an amount, a repair, an act."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="demands", help_text="Which fight"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DemandKind.choices, help_text="")
    text = EncryptedTextField(
        _("the demand"),
        null=True,
        blank=True,
        help_text=_("Exact and checkable, e.g. “Pay the 30 weeks of wages owed: $6,710”."),
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        help_text="The language its words are written in (empty: not recorded, taken as the "
        "network's): a letter in another language warns while they are printed as written",
    )
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=""
    )
    due_on = models.DateField(_("due by"), null=True, blank=True, help_text="")
    met_on = models.DateField(
        _("met on"), null=True, blank=True, help_text=_("When the target did it.")
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "kind": INTERNAL,
            "text": SENSITIVE,
            "language": INTERNAL,
            "amount": INTERNAL,
            "due_on": INTERNAL,
            "met_on": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="What was won stays for the statistics; the words go a year after the "
            "fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"text": None},
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="demand_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.text or self.get_kind_display()


class DemandLetter(models.Model):
    """A version of the demand letter in one language. Every save is a new version."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="letters", help_text="Which fight"
    )
    language = models.CharField(_("language"), max_length=8, help_text="")
    version = models.PositiveSmallIntegerField(help_text="1, 2, 3… per fight and language")
    body = EncryptedTextField(_("letter"), help_text="")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who saved this version",
    )
    written_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "language": INTERNAL,
            "version": INTERNAL,
            "body": SENSITIVE,
            "written_by": PERSONAL,
            "written_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Letters go a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
        ),
    )

    class Meta:
        ordering = ["language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["fight", "language", "version"], name="one_letter_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language} v{self.version}"
