"""Fights, the risks they carry, their teams and the people who bring them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import DELETE, INTERNAL, PERSONAL, SENSITIVE, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.councils.models import Council
from solnet.fights.models.leads import IssueType
from solnet.fights.stages import Stage
from solnet.people.models import Person

# A closed fight keeps its outcome for the statistics; who, what and why go after a year.
CLOSED_FIGHT_KEPT = timedelta(days=365)


class RiskFlag(models.TextChoices):
    """That there is a risk, never the facts behind it (DOMAIN.md §5)."""

    RETALIATION = "retaliation", _("Retaliation against a current worker or tenant")
    IMMIGRATION = "immigration", _("Immigration exposure")
    LAWSUIT = "lawsuit", _("Lawsuit or SLAPP")
    PHYSICAL = "physical", _("Physical danger")


class FightQuerySet(models.QuerySet):
    def open(self):
        from solnet.fights.stages import CLOSED

        return self.exclude(stage__in=CLOSED)


class Fight(models.Model):
    """A fight the network considers or takes on for a campaign subject against a target."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    title = models.CharField(
        _("name of the fight"),
        max_length=120,
        help_text=_("Name it after the target, e.g. “Back wages at Joe's Diner”."),
    )
    issue_type = models.CharField(
        _("what it is about"), max_length=16, choices=IssueType.choices, help_text=""
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, help_text=""
    )
    subject_council = models.ForeignKey(
        Council,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fights",
        verbose_name=_("council bringing it"),
        help_text=_("When the subject is a group: a building's tenants, a workplace."),
    )
    language = models.CharField(_("language of the fight"), max_length=8, blank=True, help_text="")
    facts = EncryptedTextField(
        _("facts"),
        null=True,
        blank=True,
        help_text=_(
            "What happened, amounts and dates, the documents they have. Never record "
            "immigration status, criminal history or who did anything unlawful."
        ),
    )
    goals = EncryptedTextField(
        _("what they want"), null=True, blank=True, help_text=_("In their words.")
    )
    pod = EncryptedTextField(
        _("their pod"),
        null=True,
        blank=True,
        help_text=_("Coworkers, neighbours, family who can help, and how."),
    )
    risk_flags = EncryptedTextField(
        _("risks"),
        null=True,
        blank=True,
        help_text="Comma-separated RiskFlag codes: that there is a risk, never why",
    )
    amount_claimed = models.DecimalField(
        _("amount claimed"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Money owed, if it is about money."),
    )
    amount_recovered = models.DecimalField(
        _("amount recovered"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Money won back, when it is over."),
    )
    targets = models.ManyToManyField(
        "fights.Target", blank=True, related_name="fights", help_text="Whom the fight is against"
    )
    lessons = EncryptedTextField(
        _("lessons"),
        null=True,
        blank=True,
        help_text=_("What the network learned, for the next fight."),
    )
    watch_until = models.DateField(
        _("watch for retaliation until"),
        null=True,
        blank=True,
        help_text=_("After a win, bosses and landlords sometimes strike back: keep in touch."),
    )
    deadline = models.DateField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_("The date the demand letter gives the target, usually two weeks on."),
    )
    deadline_reminded = models.DateField(
        null=True, blank=True, help_text="The day the last deadline reminder went out"
    )
    opened_at = models.DateTimeField(default=timezone.now, help_text="When intake began")
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it reached an outcome (or ended otherwise)"
    )
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last change")

    objects = FightQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "title": PERSONAL,
            "issue_type": INTERNAL,
            "stage": INTERNAL,
            "subject_council": PERSONAL,
            "language": PERSONAL,
            "facts": SENSITIVE,
            "goals": SENSITIVE,
            "pod": SENSITIVE,
            "risk_flags": SENSITIVE,
            "amount_claimed": INTERNAL,
            "amount_recovered": INTERNAL,
            "targets": INTERNAL,
            "deadline": INTERNAL,
            "lessons": SENSITIVE,
            "watch_until": INTERNAL,
            "deadline_reminded": INTERNAL,
            "opened_at": INTERNAL,
            "closed_at": INTERNAL,
            "updated_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="A year after a fight closes its story goes; the stage, amounts and dates "
            "stay for the network's statistics.",
            period=CLOSED_FIGHT_KEPT,
            basis="closed_at",
            strip={
                "title": "",
                "subject_council": None,
                "language": "",
                "facts": None,
                "goals": None,
                "pod": None,
                "risk_flags": None,
                "lessons": None,
            },
        ),
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="fight_stage_known"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_claimed__isnull=True) | models.Q(amount_claimed__gte=0),
                name="fight_amount_claimed_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_recovered__isnull=True)
                | models.Q(amount_recovered__gte=0),
                name="fight_amount_recovered_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Archived fight"))

    @property
    def risks(self) -> list[str]:
        return [code for code in (self.risk_flags or "").split(",") if code in RiskFlag.values]

    def risk_labels(self) -> list[str]:
        return [str(RiskFlag(code).label) for code in self.risks]


def _closed_fight_policy(**sensitivity: str) -> dict[str, str]:
    return {"id": INTERNAL, "fight": INTERNAL, **sensitivity}


class FightTeamMember(models.Model):
    """A member working on a fight: the fight team sees everything about it."""

    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="team", help_text="Which fight"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="fight_teams",
        help_text="Who",
    )
    is_point_person = models.BooleanField(
        _("point person"), default=False, help_text=_("Leads the fight day to day.")
    )
    added_at = models.DateTimeField(default=timezone.now, help_text="Since when")

    data_policy = DataPolicy(
        sensitivity=_closed_fight_policy(
            member=PERSONAL, is_point_person=PERSONAL, added_at=INTERNAL
        ),
        retention=Retention(
            action=DELETE,
            reason="Who worked on a fight is kept while it is open and a year after.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
        ),
    )

    class Meta:
        ordering = ["-is_point_person", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fight", "member"], name="one_seat_per_fight"),
            models.UniqueConstraint(
                fields=["fight"],
                condition=models.Q(is_point_person=True),
                name="one_point_person_per_fight",
            ),
        ]

    def __str__(self) -> str:
        return str(self.member)


class FightSubject(models.Model):
    """A person who brought the fight: they take part and have a voice in it."""

    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="subjects", help_text="Which fight"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="fights_brought", help_text="Who"
    )
    added_at = models.DateTimeField(default=timezone.now, help_text="Since when")

    data_policy = DataPolicy(
        sensitivity=_closed_fight_policy(person=PERSONAL, added_at=INTERNAL),
        retention=Retention(
            action=DELETE,
            reason="Who brought a fight is kept while it is open and a year after.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
        ),
    )

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fight", "person"], name="one_subject_row_per_person")
        ]

    def __str__(self) -> str:
        return str(self.person)
