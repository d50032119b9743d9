"""The escalation plan: the tactics catalogue, a fight's plan steps, and the target's responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import INTERNAL, KEEP, PERSONAL, SENSITIVE, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.fights.models.fights import CLOSED_FIGHT_KEPT, Fight


class Tier(models.TextChoices):
    T0 = "T0", _("T0 Demand delivery")
    T1 = "T1", _("T1 Low-intensity publicity")
    T2 = "T2", _("T2 Economic pressure")
    T3 = "T3", _("T3 Third-party pressure")
    T4 = "T4", _("T4 Social pressure")
    T5 = "T5", _("T5 Peak and public")
    SIDE = "side", _("Side track: regulators, inspections, small claims")


TIER_HEIGHT = {"side": 0, "T0": 0, "T1": 1, "T2": 2, "T3": 3, "T4": 4, "T5": 5}


class TacticKind(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    REPUTATIONAL = "reputational", _("Reputational")
    NUISANCE = "nuisance", _("Nuisance")
    THIRD_PARTY = "third_party", _("Third-party")
    LEGAL = "legal", _("Legal or regulatory")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High: arrests or legal action possible")


# DOMAIN.md §4 as every network starts: key, name, tier, kind, minimum and ideal turnout.
BUILTIN_TACTICS = [
    ("delivery", _("Crowd delivery of the demand letter"), "T0", "reputational", 20, 40),
    ("voicemail", _("Demand read out onto voicemail"), "T0", "reputational", 2, 10),
    ("posters", _("Posters and flyers near the business or home"), "T1", "reputational", 2, 10),
    ("call_in", _("Call-in and email campaign"), "T1", "nuisance", 5, 30),
    ("story", _("The story published, with evidence"), "T1", "reputational", 1, 3),
    ("picket", _("Informational picket"), "T2", "economic", 10, 30),
    ("dont_shop", _("“Don't shop / don't rent here” leafleting"), "T2", "economic", 10, 30),
    ("third_party", _("Letters or visits to partners, suppliers, funders"), "T3", "third_party",
     2, 20),
    ("home_flyering", _("Flyering the target's home neighbourhood"), "T4", "reputational", 10, 40),
    ("peak_picket", _("Picket at peak hours"), "T5", "economic", 20, 40),
    ("regulator", _("Regulator complaint or code inspection"), "side", "legal", 1, 3),
]  # fmt: skip


class Tactic(models.Model):
    """An entry of the network's tactics catalogue."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    builtin = models.CharField(
        max_length=24, blank=True, help_text="Key of a built-in tactic; empty for the network's own"
    )
    name = models.CharField(
        _("name"), max_length=120, blank=True, help_text=_("Empty keeps the built-in name.")
    )
    tier = models.CharField(_("tier"), max_length=4, choices=Tier.choices, help_text="")
    kind = models.CharField(_("kind"), max_length=12, choices=TacticKind.choices, help_text="")
    min_turnout = models.PositiveSmallIntegerField(_("fewest people"), default=1, help_text="")
    ideal_turnout = models.PositiveSmallIntegerField(_("ideal turnout"), default=1, help_text="")
    roles = models.CharField(
        _("roles needed"),
        max_length=300,
        blank=True,
        help_text=_("e.g. point person, marshals, police liaison, flyerers."),
    )
    risk = models.CharField(
        _("legal or arrest risk"),
        max_length=8,
        choices=RiskLevel.choices,
        default=RiskLevel.LOW,
        help_text="",
    )
    needs_research = models.CharField(
        _("research it needs"),
        max_length=300,
        blank=True,
        help_text=_("e.g. the owner's home address."),
    )
    script = models.TextField(_("script or template"), blank=True, help_text="")
    active = models.BooleanField(_("in use"), default=True, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "builtin": INTERNAL,
            "name": INTERNAL,
            "tier": INTERNAL,
            "kind": INTERNAL,
            "min_turnout": INTERNAL,
            "ideal_turnout": INTERNAL,
            "roles": INTERNAL,
            "risk": INTERNAL,
            "needs_research": INTERNAL,
            "script": INTERNAL,
            "active": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's own catalogue, for its lifetime."),
    )

    class Meta:
        ordering = ["tier", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        builtin = next((t for t in BUILTIN_TACTICS if t[0] == self.builtin), None)
        return str(builtin[1]) if builtin else ""


class PlanStep(models.Model):
    """A step of a fight's escalation plan and, once done, the action it became: planned
    against actual tier and turnout, and how the target reacted."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="plan", help_text="Which fight"
    )
    tactic = models.ForeignKey(
        Tactic, on_delete=models.PROTECT, related_name="+", verbose_name=_("tactic"), help_text=""
    )
    planned_on = models.DateField(_("planned for"), help_text="")
    tier = models.CharField(_("tier"), max_length=4, choices=Tier.choices, help_text="")
    turnout_needed = models.PositiveSmallIntegerField(_("people needed"), help_text="")
    roles = models.CharField(_("roles"), max_length=300, blank=True, help_text="")
    done_on = models.DateField(_("done on"), null=True, blank=True, help_text="")
    turnout = models.PositiveSmallIntegerField(
        _("people who came"), null=True, blank=True, help_text=""
    )
    tier_done = models.CharField(
        _("tier reached"), max_length=4, choices=Tier.choices, blank=True, help_text=""
    )
    reaction = EncryptedTextField(_("what the target did"), null=True, blank=True, help_text="")
    police_contact = models.BooleanField(_("police came"), default=False, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "tactic": INTERNAL,
            "planned_on": INTERNAL,
            "tier": INTERNAL,
            "turnout_needed": INTERNAL,
            "roles": INTERNAL,
            "done_on": INTERNAL,
            "turnout": INTERNAL,
            "tier_done": INTERNAL,
            "reaction": SENSITIVE,
            "police_contact": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="Actions, tiers and turnout stay for the statistics; what the target did "
            "goes a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"reaction": None},
        ),
    )

    class Meta:
        ordering = ["planned_on", "pk"]

    def __str__(self) -> str:
        return f"{self.tactic} {self.planned_on}"


class ResponseKind(models.TextChoices):
    PROMISE = "promise", _("A promise or a call")
    OFFER = "offer", _("An offer")
    REFUSAL = "refusal", _("A refusal")
    LAWYER = "lawyer", _("A letter from a lawyer or a legal threat")
    LAWSUIT = "lawsuit", _("A lawsuit or an injunction")
    POLICE = "police", _("Police called")
    INTIMIDATION = "intimidation", _("Intimidation or violence")
    RETALIATION = "retaliation", _("Retaliation against the subject")
    OTHER = "other", _("Something else")


COUNTER_MOVES = (
    ResponseKind.LAWYER,
    ResponseKind.LAWSUIT,
    ResponseKind.POLICE,
    ResponseKind.INTIMIDATION,
    ResponseKind.RETALIATION,
)


class TargetResponse(models.Model):
    """What the target did: promises, offers, refusals, and counter-moves."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="responses", help_text="Which fight"
    )
    kind = models.CharField(_("what"), max_length=14, choices=ResponseKind.choices, help_text="")
    happened_on = models.DateField(_("when"), default=timezone.localdate, help_text="")
    amount = models.DecimalField(
        _("amount offered"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=""
    )
    note = EncryptedTextField(_("details"), null=True, blank=True, help_text="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who wrote it down",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "kind": INTERNAL,
            "happened_on": INTERNAL,
            "amount": INTERNAL,
            "note": SENSITIVE,
            "recorded_by": PERSONAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The kind of counter-move stays for the network's statistics; the details "
            "go a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"note": None, "recorded_by": None},
        ),
    )

    class Meta:
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
