"""Messages to many people: templates per language, bulk sends and their deliveries (one per
person per send, so nobody gets the same message twice), SMS senders with their caps,
opt-outs by phone number, and what comes back from the gateway."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
from solnet.mobilize.models.actions import Action
from solnet.people.models import Person


class SendKind(models.TextChoices):
    CALL_OUT = "call_out", _("Call-out for an action")
    REMINDER = "reminder", _("Reminder")
    ALERT = "alert", _("Rapid-response alert")
    NEWS = "news", _("News")


class MessageTemplate(models.Model):
    """A message the network reuses, written once per language. `{name}`, `{action}`,
    `{when}`, `{place}` and `{link}` are filled in for each person."""

    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. “Picket call-out”"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=SendKind.choices, default=SendKind.CALL_OUT, help_text=""
    )
    language = models.CharField(_("language"), max_length=8, help_text="")
    subject = models.CharField(_("subject"), max_length=120, blank=True, help_text="")
    body = models.TextField(_("message"), help_text="")
    updated_at = models.DateTimeField(auto_now=True, help_text="Last change")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "name": INTERNAL,
            "kind": INTERNAL,
            "language": INTERNAL,
            "subject": INTERNAL,
            "body": INTERNAL,
            "updated_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's own wording, kept until changed."),
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="one_template_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class SendStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Send(models.Model):
    """One message to many people: a call-out, a reminder, an alert. Its texts are fixed per
    language when it is sent; its deliveries say how far it got."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    kind = models.CharField(max_length=10, choices=SendKind.choices, help_text="What it is")
    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sends",
        help_text="The action it is about, if any",
    )
    alert = models.ForeignKey(
        "mobilize.Alert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sends",
        help_text="The alert it broadcasts, if any",
    )
    reminder_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a reminder: how many hours before the start"
    )
    texts = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per language: {"en": {"subject": ..., "body": ...}}; the network\'s '
        "language is the fallback",
    )
    channels = models.JSONField(
        default=list, blank=True, help_text="Channels to use, in order of preference: email, text"
    )
    minimal = models.BooleanField(
        default=False, help_text="Say only that there is news, with a link (the network's choice)"
    )
    status = models.CharField(
        max_length=10, choices=SendStatus.choices, default=SendStatus.DRAFT, help_text=""
    )
    plan = models.JSONField(
        default=dict,
        blank=True,
        help_text="How the texts are spread over senders, and the time it takes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who sent it (none for automatic reminders)",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was written")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When sending began")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When the last went out")
    cancelled_at = models.DateTimeField(null=True, blank=True, help_text="When it was stopped")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "kind": INTERNAL,
            "action": INTERNAL,
            "alert": INTERNAL,
            "reminder_hours": INTERNAL,
            "texts": INTERNAL,
            "channels": INTERNAL,
            "minimal": INTERNAL,
            "status": INTERNAL,
            "plan": INTERNAL,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
            "started_at": INTERNAL,
            "finished_at": INTERNAL,
            "cancelled_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A send's figures matter for a season; its deliveries go with it.",
            period=timedelta(days=365),
            basis="created_at",
        ),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "reminder_hours"],
                condition=models.Q(kind="reminder"),
                name="one_reminder_per_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    TEXT = "text", _("Text message")


class DeliveryStatus(models.TextChoices):
    """Where one message to one person stands (the sending package's docstring draws the
    whole machine): QUEUED → SENDING (claimed) → HANDED_OVER (the server is being given it,
    under a lease) → SENT once the server's confirmation is committed. A HANDED_OVER row
    whose worker died, or whose server never answered, is UNCERTAIN: never sent again on its
    own, never counted sent; the organizer sends it again or marks it TO_CALL."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    # The server or gateway is being given it; its answer is awaited (under a lease).
    HANDED_OVER = "handed_over", _("Handed over")
    SENT = "sent", pgettext_lazy("a message", "Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    UNREACHABLE = "unreachable", _("No way to reach them")
    # Handed over, and the server's answer never came (or never was recorded): it may or may
    # not have gone out.
    UNCERTAIN = "uncertain", _("Uncertain")
    TO_CALL = "to_call", _("To call instead")


# Statuses after which the worker never sends a delivery again on its own (an organizer may
# send an UNCERTAIN one again, or a FAILED one).
FINAL_STATUSES = (
    DeliveryStatus.HANDED_OVER,
    DeliveryStatus.SENT,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.FAILED,
    DeliveryStatus.CANCELLED,
    DeliveryStatus.UNREACHABLE,
    DeliveryStatus.UNCERTAIN,
    DeliveryStatus.TO_CALL,
)
# Counted as sent: the server's (or gateway's) confirmation is committed.
OUT_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
# Held by a worker: a send is not through while any is in one of these.
BUSY_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.HANDED_OVER)


class Delivery(models.Model):
    """A send to one person: at most one per person per send, whatever happens to workers."""

    send = models.ForeignKey(
        Send, on_delete=models.CASCADE, related_name="deliveries", help_text="Which message"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="deliveries", help_text="To whom"
    )
    channel = models.CharField(
        max_length=10, choices=Channel.choices, help_text="How it is sent to them"
    )
    language = models.CharField(max_length=8, help_text="The language it is written in")
    address_index = BlindIndexField(source="", normalizer="contact")
    status = models.CharField(
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
        help_text="",
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Tries so far")
    due_at = models.DateTimeField(
        default=timezone.now, help_text="Not to be sent before this (pacing and back-off)"
    )
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker holds it until then; after, it is free again"
    )
    sender = models.CharField(
        max_length=32, blank=True, help_text="The SMS sending number it was given"
    )
    provider_ref = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Message-ID or the gateway's id"
    )
    error = models.CharField(max_length=200, blank=True, help_text="Why the last try failed")
    handed_over_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the last hand-over to the mail server or SMS gateway began",
    )
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When it went out")
    delivered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the gateway reported it delivered"
    )
    answered_at = models.DateTimeField(null=True, blank=True, help_text="When they answered")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "send": PERSONAL,
            "person": PERSONAL,
            "channel": PERSONAL,
            "language": PERSONAL,
            "address_index": CONTACT,
            "status": PERSONAL,
            "attempts": INTERNAL,
            "due_at": INTERNAL,
            "lease_until": INTERNAL,
            "sender": INTERNAL,
            "provider_ref": INTERNAL,
            "error": INTERNAL,
            "handed_over_at": PERSONAL,
            "sent_at": PERSONAL,
            "delivered_at": PERSONAL,
            "answered_at": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Who got which message matters for a few months, to answer replies.",
            period=timedelta(days=120),
            basis="send__created_at",
        ),
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["send", "person"], name="one_delivery_per_person")
        ]
        indexes = [
            models.Index(fields=["send", "status", "due_at"], name="delivery_due"),
            models.Index(fields=["address_index", "sent_at"], name="delivery_address"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk}"


class SenderKind(models.TextChoices):
    LONG_CODE = "long_code", _("Local number (long code)")
    TOLL_FREE = "toll_free", _("Toll-free number")
    SHORT_CODE = "short_code", _("Short code")


# What gateways allow per sending number, messages per second (US carriers' usual caps).
DEFAULT_RATES = {
    SenderKind.LONG_CODE: 1.0,
    SenderKind.TOLL_FREE: 3.0,
    SenderKind.SHORT_CODE: 100.0,
}


class SmsSender(models.Model):
    """A number the network sends text messages from, with the gateway's caps for it."""

    number = models.CharField(
        _("number"), max_length=32, unique=True, help_text=_("In international form, e.g. +1…")
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=SenderKind.choices,
        default=SenderKind.LONG_CODE,
        help_text="",
    )
    per_second = models.FloatField(
        _("messages per second"), help_text=_("The most the gateway accepts from this number")
    )
    per_day = models.PositiveIntegerField(
        _("messages per day"), help_text=_("The daily cap the gateway sets for this number")
    )
    active = models.BooleanField(_("in use"), default=True, help_text="")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was declared")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "number": INTERNAL,
            "kind": INTERNAL,
            "per_second": INTERNAL,
            "per_day": INTERNAL,
            "active": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's own numbers, kept until removed."),
    )

    class Meta:
        verbose_name = _("SMS sending number")
        verbose_name_plural = _("SMS sending numbers")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class SmsOptOut(models.Model):
    """A phone number that said STOP: nothing is texted to it until it says START, whoever's
    record it is on, even one made later."""

    number_index = BlindIndexField(source="", normalizer="phone", unique=True)
    at = models.DateTimeField(default=timezone.now, help_text="When it said STOP")

    data_policy = DataPolicy(
        sensitivity={"id": INTERNAL, "number_index": CONTACT, "at": PERSONAL},
        retention=Retention(action=KEEP, reason="An opt-out lasts until the number says START."),
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"opt-out {self.pk}"


class InboundKind(models.TextChoices):
    STOP = "stop", _("Stop")
    START = "start", _("Start again")
    ANSWER = "answer", _("An answer")
    HELP = "help", _("Help")
    OTHER = "other", _("Something else")


class InboundSms(models.Model):
    """A text message that came in through the gateway's webhook."""

    provider_ref = models.CharField(
        max_length=64, unique=True, help_text="The gateway's id: a retried webhook is one message"
    )
    from_index = BlindIndexField(source="", normalizer="phone")
    body = EncryptedTextField(help_text="What it said")
    kind = models.CharField(max_length=10, choices=InboundKind.choices, help_text="")
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The message it answers, if it answers one",
    )
    received_at = models.DateTimeField(default=timezone.now, help_text="When it came in")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "provider_ref": INTERNAL,
            "from_index": CONTACT,
            "body": SENSITIVE,
            "kind": INTERNAL,
            "delivery": PERSONAL,
            "received_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Replies are acted on at once; a month is enough to look back.",
            period=timedelta(days=30),
            basis="received_at",
        ),
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"inbound {self.pk}"
