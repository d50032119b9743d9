"""Targets and the research on them: links between targets, pressure points."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import INTERNAL, KEEP, PERSONAL, SENSITIVE, DataPolicy, Retention
from solnet.core.models import new_public_id


class TargetKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")
    LLC = "llc", _("LLC or holding company")
    PROPERTY = "property", _("Property")
    WORKPLACE = "workplace", _("Workplace")
    MANAGER = "manager", _("Manager or property manager")


class LinkKind(models.TextChoices):
    OWNS = "owns", _("owns")
    MANAGES = "manages", _("manages")
    OFFICER_OF = "officer_of", _("is an officer of")
    SAME_ADDRESS = "same_address", _("shares an address with")
    PARTNER_OF = "partner_of", _("does business with")


class PressureKind(models.TextChoices):
    CUSTOMERS = "customers", _("Storefront and customers")
    LISTINGS = "listings", _("Rental listings and prospective tenants")
    PARTNERS = "partners", _("Partners and suppliers")
    FUNDERS = "funders", _("Funders, lenders, board")
    REPUTATION = "reputation", _("Reputation")
    HOME = "home", _("Home neighbourhood")
    REGULATORS = "regulators", _("Regulators and inspectors")
    OTHER = "other", _("Something else")


class Target(models.Model):
    """A boss, a landlord, a company, a property: whoever a fight makes give in. Research is
    kept per target and shared by every fight against it."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    name = models.CharField(_("name"), max_length=160, help_text="")
    kind = models.CharField(_("kind"), max_length=12, choices=TargetKind.choices, help_text="")
    address = models.CharField(
        _("address"),
        max_length=200,
        blank=True,
        help_text=_("Business or registered address. Targets that share one are grouped."),
    )
    name_key = models.CharField(
        max_length=160, db_index=True, help_text="The name normalized, for grouping and lookup"
    )
    address_key = models.CharField(
        max_length=200, db_index=True, blank=True, help_text="The address normalized"
    )
    portfolio = models.PositiveIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Its portfolio: the smallest id among the targets linked to it by shared "
        "names, addresses or links (recomputed on every change)",
    )
    notes = EncryptedTextField(_("research notes"), null=True, blank=True, help_text="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who recorded it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "name": PERSONAL,
            "kind": INTERNAL,
            "address": PERSONAL,
            "name_key": PERSONAL,
            "address_key": PERSONAL,
            "portfolio": INTERNAL,
            "notes": SENSITIVE,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="Research on bosses and landlords serves every later fight against them "
            "and their portfolio; the organizing team deletes a target that is no longer one.",
        ),
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class TargetLink(models.Model):
    """One target related to another: owns, manages, is an officer of, shares an address."""

    source = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="links_out", help_text="Who"
    )
    kind = models.CharField(max_length=16, choices=LinkKind.choices, help_text="How")
    other = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="links_in", help_text="To whom"
    )
    found_in = models.CharField(
        _("found in"),
        max_length=200,
        blank=True,
        help_text=_("Where this was found, e.g. the state business registry."),
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "source": INTERNAL,
            "kind": INTERNAL,
            "other": INTERNAL,
            "found_in": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives as long as both its targets."),
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "other"], name="one_link_of_a_kind"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("other")), name="no_link_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.other}"


class PressurePoint(models.Model):
    """Where a target can be made to feel it, and where we learned it."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="pressure_points", help_text="Whose"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PressureKind.choices, help_text="")
    description = EncryptedTextField(
        _("what and where"),
        help_text=_("e.g. “Lunch rush, noon to two, at the Pike St restaurant”."),
    )
    source = EncryptedTextField(
        _("source"), null=True, blank=True, help_text=_("Where it was found out.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who found it",
    )
    added_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "target": INTERNAL,
            "kind": INTERNAL,
            "description": SENSITIVE,
            "source": SENSITIVE,
            "added_by": PERSONAL,
            "added_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives as long as its target."),
    )

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
