"""The hotline's phone line: what one number said by text and by call (a conversation), and
the texts and calls in it."""

from __future__ import annotations

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
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id
from solnet.defense.models.reports import Report

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
