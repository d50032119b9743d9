"""Jail support (DOMAIN.md §8): the people arrested at an incident, where they are held, their
charges, lawyer and bail, their court dates (reminded to whoever supports them) and the
follow-up tasks for their family. A bail payment is a request to the network's bail fund,
decided and paid as any other (`solnet.funds`).

Everything that names or places the person is encrypted. Support lasts as long as the case:
the record keeps its details until the case is closed, then the hotline's period, counted from
the closing or from the last court date, whichever is later.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    DELETE,
    INTERNAL,
    PERSONAL,
    SENSITIVE,
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id


class ArresteeStatus(models.TextChoices):
    HELD = "held", _("Held")
    RELEASED = "released", _("Released, case open")
    CLOSED = "closed", _("Support over")


class BirthConsent(models.TextChoices):
    PERSON = "person", _("The person agreed")
    CONTACT = "contact", _("Their contact agreed")


class Arrestee(models.Model):
    """Someone arrested at an incident, and what their support needs to know."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    report = models.ForeignKey(
        "defense.Report",
        on_delete=models.CASCADE,
        related_name="arrestees",
        help_text="The incident they were arrested at",
    )
    name = EncryptedTextField(null=True, help_text="Their name, as they gave it")
    born_on = EncryptedTextField(
        null=True, blank=True, help_text="Date of birth, only with consent (to find them in jail)"
    )
    birth_consent = models.CharField(
        max_length=8, choices=BirthConsent.choices, blank=True, help_text="Who agreed to it"
    )
    held_at = EncryptedTextField(
        null=True, blank=True, help_text="Where they are held, booking number"
    )
    charges = EncryptedTextField(null=True, blank=True, help_text="The charges, as known")
    lawyer = EncryptedTextField(null=True, blank=True, help_text="Their lawyer and how to reach")
    contact = EncryptedTextField(
        null=True, blank=True, help_text="Family or friend to keep informed, and how"
    )
    bail_amount = models.PositiveIntegerField(
        null=True, blank=True, help_text="Bail set, in the network's currency's cents"
    )
    bail_request = models.ForeignKey(
        "funds.AidRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The request to the bail fund that pays it",
    )
    status = models.CharField(
        max_length=10,
        choices=ArresteeStatus.choices,
        default=ArresteeStatus.HELD,
        help_text="",
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member following their case: court reminders go to them",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When support ended")
    forget_at = models.DateTimeField(
        null=True, blank=True, help_text="When the details go: set once support is over"
    )

    DETAILS = ("name", "born_on", "held_at", "charges", "lawyer", "contact")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "report": INTERNAL,
            "name": SENSITIVE,
            "born_on": SENSITIVE,
            "birth_consent": INTERNAL,
            "held_at": SENSITIVE,
            "charges": SENSITIVE,
            "lawyer": PERSONAL,
            "contact": PERSONAL,
            "bail_amount": INTERNAL,
            "bail_request": INTERNAL,
            "status": INTERNAL,
            "supporter": PERSONAL,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
            "closed_at": INTERNAL,
            "forget_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="Who was arrested, where, on what charges: kept while their support lasts, "
            "then the hotline's period after it ends or after the last court date; that "
            "there was an arrest, its bail and its dates stay.",
            period=timedelta(0),
            basis="forget_at",
            strip={**dict.fromkeys(DETAILS), "supporter": None, "created_by": None},
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_open(self) -> bool:
        return self.status != ArresteeStatus.CLOSED


class CourtDate(models.Model):
    """A court date of an arrestee's case; its supporter is reminded the day before."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    arrestee = models.ForeignKey(
        Arrestee, on_delete=models.CASCADE, related_name="court_dates", help_text=""
    )
    at = models.DateTimeField(help_text="When")
    court = EncryptedTextField(null=True, blank=True, help_text="Which court, which room")
    note = EncryptedTextField(null=True, blank=True, help_text="What it is: arraignment…")
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="When reminded")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "arrestee": INTERNAL,
            "at": INTERNAL,
            "court": PERSONAL,
            "note": PERSONAL,
            "reminded_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A court date goes with the arrestee's details.",
            period=timedelta(0),
            basis="arrestee__forget_at",
        ),
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.public_id


class FamilyTask(models.Model):
    """Something to do for an arrestee's family: a call, childcare, a ride, money for
    commissary."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    arrestee = models.ForeignKey(
        Arrestee, on_delete=models.CASCADE, related_name="tasks", help_text=""
    )
    what = EncryptedTextField(null=True, help_text="What to do")
    due_on = models.DateField(null=True, blank=True, help_text="By when")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who does it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="")
    done_at = models.DateTimeField(null=True, blank=True, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "arrestee": INTERNAL,
            "what": PERSONAL,
            "due_on": INTERNAL,
            "assigned_to": PERSONAL,
            "created_at": INTERNAL,
            "done_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A family's follow-up goes with the arrestee's details.",
            period=timedelta(0),
            basis="arrestee__forget_at",
        ),
    )

    class Meta:
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return self.public_id
