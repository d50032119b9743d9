"""Councils (DOMAIN.md §1): tenant councils of a building or of one landlord's tenants, and
industrial councils of an industry's workers; their buildings and workplaces, the units,
departments and shifts inside those, and who belongs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, PERSONAL, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.people.models import Person


class CouncilKind(models.TextChoices):
    TENANT = "tenant", _("Tenant council")
    INDUSTRIAL = "industrial", _("Industrial council")


class Council(models.Model):
    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("e.g. “Tenants of Greenway Properties”.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CouncilKind.choices, help_text="")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was set up")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "name": INTERNAL,
            "kind": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="A council lives as long as the network keeps it."),
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SiteKind(models.TextChoices):
    BUILDING = "building", _("Building")
    WORKPLACE = "workplace", _("Workplace")


class Site(models.Model):
    """A building (for a tenant council) or a workplace (for an industrial council)."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="sites", help_text="Whose"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SiteKind.choices, help_text="")
    name = models.CharField(
        _("name"), max_length=100, help_text=_("e.g. “1400 Pine St” or “Central Bakery”.")
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "council": INTERNAL,
            "kind": INTERNAL,
            "name": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Part of its council."),
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    ORGANIZING = "organizing", _("Council organizing team")


class MembershipQuerySet(models.QuerySet):
    def for_member(self, member):
        return self.filter(person__member=member)


class CouncilMembership(models.Model):
    """A person belongs to a council, maybe at one of its sites."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="memberships", help_text="Which"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="council_memberships", help_text="Who"
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("building or workplace"),
        help_text="",
    )
    role = models.CharField(
        _("role"), max_length=12, choices=Role.choices, default=Role.MEMBER, help_text=""
    )
    since = models.DateField(default=timezone.localdate, help_text="Since when")

    objects = MembershipQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "council": PERSONAL,
            "person": PERSONAL,
            "site": PERSONAL,
            "role": PERSONAL,
            "since": PERSONAL,
        },
        retention=Retention(
            action=KEEP,
            reason="Held while they belong; deleted with the person or when they leave.",
        ),
    )

    class Meta:
        ordering = ["person__display_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["council", "person"], name="one_membership_each")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.council}"
