"""Funds and their written rules, and the network's settings for its books."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, PUBLIC, DataPolicy, Retention
from solnet.core.models import new_public_id


class FundKind(models.TextChoices):
    STRIKE = "strike", _("Strike fund")
    HARDSHIP = "hardship", _("Hardship fund")
    MUTUAL_AID = "mutual_aid", _("Mutual-aid fund")
    BAIL = "bail", _("Bail fund")
    GENERAL = "general", _("Other fund")


class Decider(models.TextChoices):
    BODY = "body", _("A committee or the general meeting votes on each request")
    LOTTERY = "lottery", _("A month-end lottery among eligible requests")


class FundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def taking_donations(self):
        return self.open().filter(public_donations=True)


class Fund(models.Model):
    """Money kept apart for one purpose, with the rules the members wrote for it."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("e.g. “Strike fund — Acme warehouse”.")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=FundKind.choices, help_text=_("What the fund is for")
    )
    purpose = models.TextField(
        _("purpose"),
        max_length=2000,
        blank=True,
        help_text=_("What the money is for, as supporters and members will read it."),
    )
    eligibility = models.TextField(
        _("who may ask"),
        max_length=2000,
        blank=True,
        help_text=_("Written eligibility, e.g. “members in good standing doing strike duties”."),
    )
    members_only = models.BooleanField(
        _("members only"),
        default=True,
        help_text=_("Only members may ask. Untick for a mutual-aid fund anyone may ask."),
    )
    good_standing = models.BooleanField(
        _("good standing needed"),
        default=False,
        help_text=_("Only members whose dues are paid up (or waived) may ask."),
    )
    cap = models.BigIntegerField(
        _("cap per grant"),
        null=True,
        blank=True,
        help_text=_("The most one grant may be; empty for no cap."),
    )
    cooldown_months = models.PositiveSmallIntegerField(
        _("cooldown (months)"),
        default=0,
        help_text=_("One grant per this many months to the same person; 0 for none."),
    )
    pay_within_days = models.PositiveSmallIntegerField(
        _("pay within (days)"),
        default=7,
        help_text=_("How soon a granted request should be paid."),
    )
    decider = models.CharField(
        _("who decides"), max_length=8, choices=Decider.choices, default=Decider.BODY, help_text=""
    )
    body = models.ForeignKey(
        "democracy.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
        verbose_name=_("deciding body"),
        help_text=_("The committee (3 to 5 members) or the general meeting that decides."),
    )
    applicant_days = models.PositiveSmallIntegerField(
        _("keep applicants' details (days)"),
        default=183,
        help_text=_("Applicants' details go after this; the grant's amount and date stay."),
    )
    public_donations = models.BooleanField(
        _("public donation page"),
        default=False,
        help_text=_("Anyone with the link may give to this fund online."),
    )
    public_requests = models.BooleanField(
        _("public request form"),
        default=False,
        help_text=_("Anyone with the link may ask for help (a mutual-aid fund)."),
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was set up")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was closed")

    objects = FundQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "name": PUBLIC,
            "kind": PUBLIC,
            "purpose": PUBLIC,
            "eligibility": INTERNAL,
            "members_only": INTERNAL,
            "good_standing": INTERNAL,
            "cap": INTERNAL,
            "cooldown_months": INTERNAL,
            "pay_within_days": INTERNAL,
            "decider": INTERNAL,
            "body": INTERNAL,
            "applicant_days": INTERNAL,
            "public_donations": INTERNAL,
            "public_requests": INTERNAL,
            "created_at": INTERNAL,
            "closed_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The books are kept: a fund describes nobody."),
    )

    class Meta:
        ordering = ["closed_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cap__gt=0) | models.Q(cap__isnull=True), name="fund_cap_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(applicant_days__gte=1, applicant_days__lte=3650),
                name="fund_applicant_days_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cooldown(self) -> timedelta:
        return timedelta(days=30 * self.cooldown_months)


class Books(models.Model):
    """The network's settings for its money (one row)."""

    two_person_above = models.BigIntegerField(
        _("second person above"),
        default=50000,
        help_text=_(
            "A payment above this amount also needs a second treasurer, never the one who asked."
        ),
    )
    donor_days = models.PositiveSmallIntegerField(
        _("keep donors' details (days)"),
        default=365,
        help_text=_("A donor's email and name go after this; the amount and date stay."),
    )
    publish_report = models.BooleanField(
        _("publish the report"),
        default=False,
        help_text=_("Anyone may read the funds' report (money in and out, never a name)."),
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "two_person_above": INTERNAL,
            "donor_days": INTERNAL,
            "publish_report": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's settings."),
    )

    class Meta:
        verbose_name_plural = "books"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="books_one_row"),
            models.CheckConstraint(
                condition=models.Q(two_person_above__gte=0), name="books_threshold_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(donor_days__gte=1, donor_days__lte=3650),
                name="books_donor_days_range",
            ),
        ]

    def __str__(self) -> str:
        return "books"

    @classmethod
    def current(cls) -> Books:
        books, _created = cls.objects.get_or_create(id=1)
        return books
