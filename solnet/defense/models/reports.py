"""Reports to the hotline, in the SALUTE or ALERTA form, and the verifiers asked to look."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    INTERNAL,
    PERSONAL,
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id

# --- reports ----------------------------------------------------------------------------------


def not_held() -> models.Q:
    """Reports not held for the legal contact (retention skips the held ones)."""
    return models.Q(legal_hold_at__isnull=True)


def entries_not_held() -> models.Q:
    return models.Q(report__legal_hold_at__isnull=True)


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


class Outcome(models.TextChoices):
    NOBODY_TAKEN = "nobody_taken", _("They left; nobody was taken")
    ARRESTS = "arrests", _("People were arrested or detained")
    STOPPED = "stopped", _("The eviction or raid was stopped")
    CARRIED_OUT = "carried_out", _("The eviction or raid went ahead")
    OTHER = "other", _("Something else")


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
    outcome = models.CharField(
        max_length=14, choices=Outcome.choices, blank=True, help_text="How the incident ended"
    )
    debrief = EncryptedTextField(
        null=True, blank=True, help_text="After-action: what went well, what to change"
    )
    follow_up = EncryptedTextField(
        null=True, blank=True, help_text="After-action: the follow-up for the family"
    )
    legal_hold_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Handed to the legal contact: kept, with its notes, until they close it",
    )

    WORDS = (
        "size",
        "activity",
        "location",
        "uniform",
        "equipment",
        "help_asked",
        "reached_at",
        "close_note",
        "debrief",
        "follow_up",
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
            "legal_hold_at": INTERNAL,
            "outcome": INTERNAL,
            "debrief": PERSONAL,
            "follow_up": PERSONAL,
        },
        retention=Retention(
            action=STRIP,
            reason="A report's words can point at a family: they go after the hotline's period "
            "(unless the incident is held for the legal contact); that there was a report, its "
            "zone, its times and how it ended stay.",
            period=timedelta(0),
            basis="forget_at",
            applies_to="solnet.defense.models.reports.not_held",
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
