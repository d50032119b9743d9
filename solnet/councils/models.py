"""Councils (DOMAIN.md §1): tenant councils of a building or of one landlord's tenants, and
industrial councils of an industry's workers; their buildings and workplaces, the units,
departments and shifts inside those, and who belongs."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import DELETE, INTERNAL, KEEP, PERSONAL, SENSITIVE, DataPolicy, Retention
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


class SectionKind(models.TextChoices):
    UNIT = "unit", _("Unit")
    DEPARTMENT = "department", _("Department")
    SHIFT = "shift", _("Shift")


class Section(models.Model):
    """A part of a site the chart groups people by: a unit of a building, or a department or
    shift of a workplace."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="sections", help_text="Where"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SectionKind.choices, help_text="")
    name = models.CharField(
        _("name"), max_length=60, help_text=_("e.g. “4B”, “Packing” or “Night shift”.")
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "site": INTERNAL,
            "kind": INTERNAL,
            "name": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Part of its site."),
    )

    class Meta:
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "name"], name="one_section_name_each")
        ]

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
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit or department"),
        help_text="",
    )
    shift = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shift"),
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
            "section": PERSONAL,
            "shift": PERSONAL,
            "role": PERSONAL,
            "since": PERSONAL,
        },
        retention=Retention(
            action=KEEP,
            reason="Held while they belong; deleted with the person or when they leave.",
        ),
    )

    class Meta:
        verbose_name = _("council membership")
        verbose_name_plural = _("council memberships")
        ordering = ["person__display_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["council", "person"], name="one_membership_each")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.council}"


class Committee(models.Model):
    """A committee inside a council: a building committee, a workplace committee, a
    negotiating team."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="committees", help_text="Whose"
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("e.g. “Building committee” or “Negotiating team”.")
    )
    purpose = models.CharField(
        _("what it does"), max_length=200, blank=True, help_text=_("One line, for newcomers.")
    )
    members = models.ManyToManyField(
        Person, blank=True, related_name="committees", verbose_name=_("members"), help_text=""
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was set up")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "council": INTERNAL,
            "name": INTERNAL,
            "purpose": INTERNAL,
            "members": PERSONAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Part of its council."),
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="one_committee_name_each")
        ]

    def __str__(self) -> str:
        return self.name


SCALE = range(1, 6)


class Assessment(models.Model):
    """How much someone supports the council's organizing, on the network's 1-5 scale, as an
    organizer judged it on a day. Kept as a history; the chart shows the latest.

    The level is encrypted: a list of who leads and who is hostile is what a boss or a landlord
    would most like to steal."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="assessments", help_text="In which"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="assessments", help_text="Who"
    )
    level = EncryptedTextField(_("support"), help_text=_("1 to 5, on the network's scale"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who judged it",
    )
    assessed_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "council": PERSONAL,
            "person": PERSONAL,
            "level": SENSITIVE,
            "assessed_by": PERSONAL,
            "assessed_at": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Support changes; an assessment two years old says nothing any more.",
            period=timedelta(days=730),
            basis="assessed_at",
        ),
    )

    class Meta:
        verbose_name = _("support assessment")
        verbose_name_plural = _("support assessments")
        ordering = ["-assessed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} — {self.level}"

    @property
    def score(self) -> int:
        return int(self.level)


class OneOnOneQuerySet(models.QuerySet):
    def follow_ups_due(self, *, by=None):
        due = self.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)
        return due if by is None else due.filter(follow_up_on__lte=by)


class OneOnOne(models.Model):
    """A one-on-one conversation an organizer had with someone, and the follow-up it asked
    for."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="one_on_ones", help_text="In which"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="one_on_ones", help_text="With whom"
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who had it",
    )
    held_on = models.DateField(_("when"), default=timezone.localdate, help_text="")
    good = models.BooleanField(
        _("a good one-on-one"),
        default=False,
        help_text=_("They spoke about their issues and agreed to a next step."),
    )
    notes = EncryptedTextField(
        _("notes"),
        blank=True,
        null=True,
        help_text=_(
            "Their issues in their words, what they agreed to. Never write down immigration "
            "status, criminal history, or who did anything unlawful."
        ),
    )
    follow_up = EncryptedTextField(
        _("follow-up"),
        blank=True,
        null=True,
        help_text=_("What to do next, e.g. “bring them to Thursday's meeting”."),
    )
    follow_up_on = models.DateField(
        _("follow up by"), null=True, blank=True, help_text=_("The date the follow-up is due")
    )
    follow_up_done_at = models.DateTimeField(null=True, blank=True, help_text="When it was done")

    objects = OneOnOneQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "council": PERSONAL,
            "person": PERSONAL,
            "held_by": PERSONAL,
            "held_on": PERSONAL,
            "good": PERSONAL,
            "notes": SENSITIVE,
            "follow_up": SENSITIVE,
            "follow_up_on": PERSONAL,
            "follow_up_done_at": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A conversation's notes matter for the campaign, not forever.",
            period=timedelta(days=730),
            basis="held_on",
        ),
    )

    class Meta:
        verbose_name = _("one-on-one")
        verbose_name_plural = _("one-on-ones")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} — {self.held_on}"
