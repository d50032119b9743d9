"""The winnability sheet: its criteria, and the assessments of fights with their scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import INTERNAL, KEEP, PERSONAL, SENSITIVE, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.fights.models.fights import CLOSED_FIGHT_KEPT, Fight

# The sheet of DOMAIN.md §3, as every network starts with it: (key, name, question, must-have).
BUILTIN_CRITERIA = [
    ("concrete_demand", _("Concrete demand"),
     _("Can the win be checked off: an amount, an act, a date?"), True),
    ("target_can_grant", _("Target can grant it"),
     _("Does this target actually have the power to do it?"), True),
    ("subject_commitment", _("Subject commitment"),
     _("Will the person take part in actions and decisions and bring their pod?"), True),
    ("sympathy", _("Sympathy"), _("Would a passer-by agree it is wrong?"), False),
    ("evidence", _("Evidence"), _("Pay stubs, lease, texts, cheques, witnesses?"), False),
    ("leverage", _("Leverage"),
     _("Pressure points: storefront, customers, listings, partners, funders, reputation, "
       "home neighbourhood, regulators?"), False),
    ("cost_vs_pressure", _("Cost against pressure"),
     _("Is the demand small next to the damage the network can do?"), False),
    ("capacity", _("Capacity"),
     _("Point people free; expected turnout against what the tactics need; fights already "
       "open?"), False),
    ("duration", _("Duration"), _("Likely won within about two months?"), False),
    ("risk", _("Risk"),
     _("Retaliation, immigration exposure, a lawsuit, physical danger: is it manageable? "
       "(2 = low risk)"), False),
    ("strategic_value", _("Strategic value"),
     _("Brings in coworkers or neighbours; could grow into a council; a good story?"), False),
]  # fmt: skip


class WinnabilityCriterion(models.Model):
    """One question of the network's winnability sheet. The built-in ones speak the reader's
    language until the network rewrites them."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    builtin = models.CharField(
        max_length=24,
        blank=True,
        help_text="Key of a built-in criterion; empty for the network's own",
    )
    name = models.CharField(
        _("name"), max_length=80, blank=True, help_text=_("Empty keeps the built-in name.")
    )
    question = models.CharField(
        _("question"), max_length=300, blank=True, help_text=_("Empty keeps the built-in question.")
    )
    must_have = models.BooleanField(
        _("must-have"),
        default=False,
        help_text=_("A 0 here means decline, refer or research more."),
    )
    active = models.BooleanField(_("in use"), default=True, help_text="")
    order = models.PositiveSmallIntegerField(default=100, help_text="Place on the sheet")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "builtin": INTERNAL,
            "name": INTERNAL,
            "question": INTERNAL,
            "must_have": INTERNAL,
            "active": INTERNAL,
            "order": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's own sheet, for its lifetime."),
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    def _builtin(self):
        return next((c for c in BUILTIN_CRITERIA if c[0] == self.builtin), None)

    @property
    def label(self) -> str:
        builtin = self._builtin()
        return self.name or (str(builtin[1]) if builtin else "")

    @property
    def text(self) -> str:
        builtin = self._builtin()
        return self.question or (str(builtin[2]) if builtin else "")


class WinnabilityAssessment(models.Model):
    """The sheet filled in for a fight: advice for the vote. A fight that drags on is
    assessed again; every assessment is kept."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="assessments", help_text="Which fight"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who filled it in",
    )
    made_at = models.DateTimeField(default=timezone.now, help_text="When")
    summary = EncryptedTextField(_("summary"), null=True, blank=True, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "made_by": PERSONAL,
            "made_at": INTERNAL,
            "summary": SENSITIVE,
        },
        retention=Retention(
            action=STRIP,
            reason="The scores stay with the fight's statistics; the words go a year after "
            "it closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"summary": None, "made_by": None},
        ),
    )

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.fight} {self.made_at:%Y-%m-%d}"


class WinnabilityScore(models.Model):
    assessment = models.ForeignKey(
        WinnabilityAssessment, on_delete=models.CASCADE, related_name="scores", help_text="Of"
    )
    criterion = models.ForeignKey(
        WinnabilityCriterion, on_delete=models.PROTECT, related_name="+", help_text="Which"
    )
    score = models.PositiveSmallIntegerField(help_text="0 no or unknown, 1 partly, 2 yes")
    note = EncryptedTextField(null=True, blank=True, help_text="Why this score")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "assessment": INTERNAL,
            "criterion": INTERNAL,
            "score": INTERNAL,
            "note": SENSITIVE,
        },
        retention=Retention(
            action=STRIP,
            reason="The score stays; the note goes a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="assessment__fight__closed_at",
            strip={"note": None},
        ),
    )

    class Meta:
        ordering = ["criterion__order", "criterion__pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=2), name="score_0_to_2"),
            models.UniqueConstraint(fields=["assessment", "criterion"], name="one_score_each"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
