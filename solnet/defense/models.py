"""Community self-defense (DOMAIN.md §8): the hotline's dispatchers and their weekly rota,
and the reports they take — in the SALUTE or ALERTA form, unverified until a verifier says
otherwise, read by dispatchers alone, and never published anywhere.

What a report says can point at a family under threat: its words are encrypted at rest and go
after the hotline's period (30 days unless the network sets another); what stays is that there
was a report, in which zone, when, and how it ended.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import BlindIndexField, EncryptedTextField
from solnet.core.data import (
    CONTACT,
    DELETE,
    INTERNAL,
    KEEP,
    PERSONAL,
    SENSITIVE,
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id
from solnet.people.models import Weekday


def new_address() -> str:
    """The secret part of the public report form's address (about 190 bits)."""
    return secrets.token_urlsafe(24)


class Hotline(models.Model):
    """The hotline's settings (one row)."""

    report_days = models.PositiveSmallIntegerField(
        _("keep reports' words (days)"),
        default=30,
        help_text=_(
            "What a report says goes after this; that there was one, where and when stays."
        ),
    )
    public_form = models.BooleanField(
        _("public report form"),
        default=False,
        help_text=_("Anyone with its secret address (or the printed card) can send a report."),
    )
    address = models.CharField(
        max_length=64, default=new_address, help_text="The public form's secret address"
    )
    number = models.CharField(
        _("hotline number"),
        max_length=20,
        blank=True,
        help_text=_(
            "The network's hotline number at the SMS and voice gateway, which people call "
            "and text. Empty: no phone line, only the public form."
        ),
    )
    ring_seconds = models.PositiveSmallIntegerField(
        _("ring for (seconds)"),
        default=20,
        help_text=_("How long a dispatcher's phone rings before the call goes to the next one."),
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "report_days": INTERNAL,
            "public_form": INTERNAL,
            "address": INTERNAL,
            "number": INTERNAL,
            "ring_seconds": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's settings."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="hotline_one_row"),
            models.CheckConstraint(
                condition=models.Q(report_days__gte=1, report_days__lte=365),
                name="hotline_report_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ring_seconds__gte=5, ring_seconds__lte=60),
                name="hotline_ring_seconds_range",
            ),
        ]

    def __str__(self) -> str:
        return "hotline"

    @classmethod
    def current(cls) -> Hotline:
        hotline, _created = cls.objects.get_or_create(id=1)
        return hotline


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


# --- reports ----------------------------------------------------------------------------------


class ReportForm(models.TextChoices):
    SALUTE = "salute", _("SALUTE")
    ALERTA = "alerta", _("ALERTA")


class Source(models.TextChoices):
    DISPATCHER = "dispatcher", _("Taken by a dispatcher")
    MEMBER = "member", _("Sent by a member")
    PUBLIC = "public", _("Public report form")
    TEXT = "text", _("Text to the hotline")
    CALL = "call", _("Call to the hotline")


class ReportStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified yet")
    CONFIRMED = "confirmed", _("Confirmed")
    FALSE_ALARM = "false_alarm", _("False alarm")
    CLOSED = "closed", _("Over")


class Report(models.Model):
    """What someone saw, in the SALUTE form (Size, Activity, Location, Uniform, Time,
    Equipment) or the ALERTA form (Activity, Location, Equipment, Request aid, Time and date,
    Appearance). Starts unverified; read by dispatchers alone."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    form = models.CharField(
        max_length=8, choices=ReportForm.choices, default=ReportForm.SALUTE, help_text=""
    )
    source = models.CharField(max_length=10, choices=Source.choices, help_text="How it came")
    status = models.CharField(
        max_length=12,
        choices=ReportStatus.choices,
        default=ReportStatus.UNVERIFIED,
        help_text="",
    )
    zone = models.ForeignKey(
        "mobilize.Zone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zone"),
        help_text="",
    )
    seen_at = models.DateTimeField(_("when"), help_text="")
    size = EncryptedTextField(null=True, blank=True, help_text="How many, how many vehicles")
    activity = EncryptedTextField(null=True, blank=True, help_text="What is happening")
    location = EncryptedTextField(null=True, blank=True, help_text="Where, as precisely as known")
    uniform = EncryptedTextField(
        null=True, blank=True, help_text="Uniforms, agency, how they look (ALERTA: appearance)"
    )
    equipment = EncryptedTextField(null=True, blank=True, help_text="Vehicles, weapons, gear")
    help_asked = EncryptedTextField(null=True, blank=True, help_text="What help is asked")
    reached_at = EncryptedTextField(
        null=True, blank=True, help_text="How to reach the person who reported, if they said"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The dispatcher or member who wrote it",
    )
    alert = models.OneToOneField(
        "mobilize.Alert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The rapid-response alert sent once it was confirmed",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it came in")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was closed")
    close_note = EncryptedTextField(null=True, blank=True, help_text="Why it was closed")
    forget_at = models.DateTimeField(help_text="When its words go (the hotline's period)")

    WORDS = (
        "size",
        "activity",
        "location",
        "uniform",
        "equipment",
        "help_asked",
        "reached_at",
        "close_note",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "form": INTERNAL,
            "source": INTERNAL,
            "status": INTERNAL,
            "zone": INTERNAL,
            "seen_at": INTERNAL,
            "size": PERSONAL,
            "activity": PERSONAL,
            "location": PERSONAL,
            "uniform": PERSONAL,
            "equipment": PERSONAL,
            "help_asked": PERSONAL,
            "reached_at": PERSONAL,
            "written_by": PERSONAL,
            "alert": INTERNAL,
            "created_at": INTERNAL,
            "closed_at": INTERNAL,
            "close_note": PERSONAL,
            "forget_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="A report's words can point at a family: they go after the hotline's period; "
            "that there was a report, its zone, its times and how it ended stay.",
            period=timedelta(0),
            basis="forget_at",
            strip={**dict.fromkeys(WORDS), "written_by": None},
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_open(self) -> bool:
        return self.status in (ReportStatus.UNVERIFIED, ReportStatus.CONFIRMED)


class Finding(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: it is happening")
    NOT_SEEN = "not_seen", _("Not seen")
    FALSE_ALARM = "false_alarm", _("False alarm")


class Verification(models.Model):
    """A verifier asked to go and look before anyone is called out, and what they found."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="verifications", help_text=""
    )
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", help_text="Who looks"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The dispatcher who asked",
    )
    asked_at = models.DateTimeField(default=timezone.now, help_text="")
    finding = models.CharField(max_length=12, choices=Finding.choices, blank=True, help_text="")
    answered_at = models.DateTimeField(null=True, blank=True, help_text="")
    details = EncryptedTextField(
        null=True, blank=True, help_text="What they saw: agency, how many, what is happening"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "report": INTERNAL,
            "verifier": PERSONAL,
            "asked_by": PERSONAL,
            "asked_at": INTERNAL,
            "finding": INTERNAL,
            "answered_at": INTERNAL,
            "details": PERSONAL,
        },
        retention=Retention(
            action=STRIP,
            reason="What a verifier saw goes as the report's words do (30 days): that they "
            "looked, when and what they found stay.",
            period=timedelta(days=30),
            basis="asked_at",
            strip={"details": None},
        ),
    )

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "verifier"], name="one_ask_per_verifier"),
        ]

    def __str__(self) -> str:
        return self.public_id


# --- the phone line ---------------------------------------------------------------------------


class Conversation(models.Model):
    """What one number said to the hotline, by text and by call, from its first message until
    a dispatcher closes it or the report written from it closes. The number is kept
    encrypted, to answer through the gateway; no page shows it."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    number = EncryptedTextField(help_text="The caller's number, to answer through the gateway")
    number_index = BlindIndexField(source="number", normalizer="phone")
    started_at = models.DateTimeField(default=timezone.now, help_text="")
    last_at = models.DateTimeField(default=timezone.now, help_text="The latest text or call")
    report = models.ForeignKey(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        help_text="The report a dispatcher wrote from it",
    )
    closed_at = models.DateTimeField(null=True, blank=True, help_text="")
    flood_warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When the dispatchers were warned of a flood from it"
    )
    forget_at = models.DateTimeField(help_text="When it goes (the hotline's period)")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "number": CONTACT,
            "number_index": CONTACT,
            "started_at": INTERNAL,
            "last_at": INTERNAL,
            "report": INTERNAL,
            "closed_at": INTERNAL,
            "flood_warned_at": INTERNAL,
            "forget_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Who called and what they texted go with the report's words, after the "
            "hotline's period; its texts and calls go with it.",
            period=timedelta(0),
            basis="forget_at",
        ),
    )

    class Meta:
        ordering = ["-last_at", "-pk"]
        indexes = [models.Index(fields=["number_index", "closed_at"], name="conversation_open")]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def timeline(self) -> list:
        """Its texts and calls, oldest first."""
        items = [*self.texts.all(), *self.calls.all()]
        return sorted(items, key=lambda item: (item.at, item.pk))


class HotlineText(models.Model):
    """A text in a conversation: from the caller, or a dispatcher's answer through the
    gateway (from the hotline's number, so neither sees the other's)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="texts", help_text=""
    )
    provider_ref = models.CharField(
        max_length=64, unique=True, help_text="The gateway's id: a retried webhook is one text"
    )
    incoming = models.BooleanField(default=True, help_text="From the caller (or to them)")
    body = EncryptedTextField(help_text="What it says")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The dispatcher who answered",
    )
    at = models.DateTimeField(default=timezone.now, help_text="")
    flooded = models.BooleanField(
        default=False, help_text="Came over the per-number limit: kept, not announced"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "conversation": INTERNAL,
            "provider_ref": INTERNAL,
            "incoming": INTERNAL,
            "body": SENSITIVE,
            "sent_by": PERSONAL,
            "at": INTERNAL,
            "flooded": INTERNAL,
        },
        retention=Retention(
            action=KEEP, reason="Deleted with its conversation, after the hotline's period."
        ),
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.provider_ref

    is_call = False


class CallOutcome(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Nobody answered")
    REFUSED = "refused", _("Refused: too many calls from the number")


class HotlineCall(models.Model):
    """A call to the hotline, rung through the gateway to the dispatcher on shift (step 0),
    then the backup (1), then the other dispatchers at once (2)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="calls", help_text=""
    )
    call_sid = models.CharField(
        max_length=64, unique=True, help_text="The gateway's id: a retried webhook is one call"
    )
    at = models.DateTimeField(default=timezone.now, help_text="")
    step = models.PositiveSmallIntegerField(default=0, help_text="Who is being rung")
    outcome = models.CharField(
        max_length=10, choices=CallOutcome.choices, default=CallOutcome.RINGING, help_text=""
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The dispatcher who took it, when one phone was rung",
    )
    ended_at = models.DateTimeField(null=True, blank=True, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "conversation": INTERNAL,
            "call_sid": INTERNAL,
            "at": INTERNAL,
            "step": INTERNAL,
            "outcome": INTERNAL,
            "answered_by": PERSONAL,
            "ended_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP, reason="Deleted with its conversation, after the hotline's period."
        ),
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.call_sid

    is_call = True
