"""The dispatchers' weekly rota: slots with a primary and a backup, swaps for a day (covers)
and handover notes."""

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
    KEEP,
    PERSONAL,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id
from solnet.people.models import Weekday

# --- the rota ---------------------------------------------------------------------------------


class Slot(models.Model):
    """A weekly shift: from a time on a weekday, for some hours, with a primary dispatcher and
    a backup. A slot may run past midnight into the next day."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices, help_text="")
    starts = models.TimeField(_("starts at"), help_text="")
    hours = models.PositiveSmallIntegerField(_("hours"), default=4, help_text="")
    primary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("primary"),
        help_text="",
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("backup"),
        help_text="",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "weekday": INTERNAL,
            "starts": INTERNAL,
            "hours": INTERNAL,
            "primary": PERSONAL,
            "backup": PERSONAL,
        },
        retention=Retention(action=KEEP, reason="The rota, kept until the dispatchers change it."),
    )

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["weekday", "starts"], name="slot_one_per_start"),
            models.CheckConstraint(
                condition=models.Q(hours__gte=1, hours__lte=24), name="slot_hours_range"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="slot_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}"


class Duty(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    BACKUP = "backup", _("Backup")


class Cover(models.Model):
    """A swap: on one day, someone else takes a slot's primary or backup duty."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="covers", help_text="")
    on = models.DateField(help_text="The day the slot starts")
    duty = models.CharField(max_length=8, choices=Duty.choices, help_text="")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Who takes it",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who arranged it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "slot": INTERNAL,
            "on": INTERNAL,
            "duty": INTERNAL,
            "member": PERSONAL,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A swap matters until its day is past.",
            period=timedelta(days=30),
            basis="on",
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "on", "duty"], name="cover_one_per_duty"),
        ]

    def __str__(self) -> str:
        return f"{self.slot} {self.on} {self.duty}"


class Handover(models.Model):
    """A note from one shift to the next: what is open, whom to call back."""

    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The dispatcher who wrote it",
    )
    note = EncryptedTextField(help_text="What the next dispatcher needs to know")
    created_at = models.DateTimeField(default=timezone.now, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "written_by": PERSONAL,
            "note": PERSONAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A handover note is for the next shifts, and may name people: a week.",
            period=timedelta(days=7),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"handover {self.created_at:%Y-%m-%d %H:%M}"
