"""The legal hand-off: an incident's notes, photos, arrests and report, made into one sealed
bundle for the network's legal contact under the two-person rule (`solnet.defense.legal`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import INTERNAL, PERSONAL, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id


class LegalHandoff(models.Model):
    """One hand-off of an incident to the legal contact: asked by one person, approved by a
    second, then a sealed bundle behind a secret link (kept as a hash) that expires; the
    incident is held from retention until the legal contact closes it."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    report = models.ForeignKey(
        "defense.Report", on_delete=models.CASCADE, related_name="handoffs", help_text=""
    )
    approval = models.OneToOneField(
        "core.ApprovalRequest",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The two-person request",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="",
    )
    recipient = EncryptedTextField(null=True, help_text="The legal contact's email, when asked")
    file = models.OneToOneField(
        "core.SealedFile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The sealed bundle",
    )
    token_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the link's secret"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="")
    ready_at = models.DateTimeField(null=True, blank=True, help_text="")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When the link stops")
    downloads = models.PositiveIntegerField(default=0, help_text="")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Closed by the contact")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "report": INTERNAL,
            "approval": INTERNAL,
            "requested_by": PERSONAL,
            "recipient": PERSONAL,
            "file": INTERNAL,
            "token_hash": INTERNAL,
            "created_at": INTERNAL,
            "ready_at": INTERNAL,
            "expires_at": INTERNAL,
            "downloads": INTERNAL,
            "closed_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="That an incident went to the lawyers stays; to whom goes a month after "
            "the hand-off is closed.",
            period=timedelta(days=30),
            basis="closed_at",
            strip={"recipient": None, "requested_by": None},
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.public_id
