"""Rapid-response alerts (DOMAIN.md §8): an urgent call to people with a skill in a zone, an
optional verification before anything is broadcast, and who answered "I'm coming"."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import DELETE, INTERNAL, KEEP, PERSONAL, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.people.models import Person


class Zone(models.Model):
    """An area responders cover: a neighbourhood, a group of buildings."""

    name = models.CharField(_("name"), max_length=60, unique=True, help_text="")
    people = models.ManyToManyField(
        Person,
        blank=True,
        related_name="zones",
        verbose_name=_("who responds here"),
        help_text="",
    )

    data_policy = DataPolicy(
        sensitivity={"id": INTERNAL, "name": INTERNAL, "people": PERSONAL},
        retention=Retention(action=KEEP, reason="The network's own map, kept until changed."),
    )

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AlertStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    VERIFYING = "verifying", _("Waiting for verification")
    SENT = "sent", _("Sent")
    REJECTED = "rejected", _("Not confirmed: not sent")
    CLOSED = "closed", _("Closed")


class Alert(models.Model):
    """An urgent call-out to responders. Field rule: it says where to go, never what it is
    online (DOMAIN.md §8); a verifier can be asked to confirm it first."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    message = models.TextField(
        _("message"),
        max_length=300,
        help_text=_("Where to go and what is needed. Short: it goes by text message too."),
    )
    skills = models.JSONField(
        _("skills"), default=list, blank=True, help_text=_("Whom to alert; any skill counts")
    )
    zones = models.ManyToManyField(
        Zone, blank=True, related_name="alerts", verbose_name=_("zones"), help_text=""
    )
    needs_verification = models.BooleanField(
        _("verify before sending"),
        default=True,
        help_text=_("A verifier confirms it is real before it reaches anyone."),
    )
    status = models.CharField(
        max_length=10, choices=AlertStatus.choices, default=AlertStatus.DRAFT, help_text=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The dispatcher",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was written")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who confirmed it",
    )
    verified_at = models.DateTimeField(null=True, blank=True, help_text="When it was confirmed")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When it was broadcast")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was closed")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "message": INTERNAL,
            "skills": INTERNAL,
            "zones": INTERNAL,
            "needs_verification": INTERNAL,
            "status": INTERNAL,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
            "verified_by": PERSONAL,
            "verified_at": INTERNAL,
            "sent_at": INTERNAL,
            "closed_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="An alert's words can point at a family: they go after a month, the "
            "figures stay.",
            period=timedelta(days=30),
            basis="created_at",
            strip={"message": ""},
        ),
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.public_id


class AlertAnswer(models.TextChoices):
    COMING = "coming", _("I'm coming")
    CANT = "cant", _("I can't")


class AlertResponse(models.Model):
    """A responder's answer to an alert; the last answer counts."""

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="responses", help_text="Which alert"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="alert_responses", help_text="Who"
    )
    answer = models.CharField(max_length=10, choices=AlertAnswer.choices, help_text="")
    answered_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "alert": PERSONAL,
            "person": PERSONAL,
            "answer": PERSONAL,
            "answered_at": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Who came to a rapid response is nobody's business a month later.",
            period=timedelta(days=30),
            basis="answered_at",
        ),
    )

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "person"], name="one_response_per_person")
        ]

    def __str__(self) -> str:
        return self.get_answer_display()
