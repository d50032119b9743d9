"""Requests to join from the public page."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import BlindIndexField, EncryptedTextField
from solnet.core.data import CONTACT, DELETE, INTERNAL, PERSONAL, SENSITIVE, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.people.models.people import ChannelKind


class JoinRequest(models.Model):
    """Someone asked to join through the public page; an organizer takes it from here."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    display_name = models.CharField(_("your name"), max_length=80, help_text="")
    kind = models.CharField(
        _("how to reach you"), max_length=10, choices=ChannelKind.choices, help_text=""
    )
    value = EncryptedTextField(_("address or number"), help_text="")
    value_index = BlindIndexField(source="value", normalizer="contact")
    language = models.CharField(_("language"), max_length=8, blank=True, help_text="")
    message = EncryptedTextField(
        _("anything you want to tell us"), blank=True, null=True, help_text=""
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it arrived")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "display_name": PERSONAL,
            "kind": PERSONAL,
            "value": CONTACT,
            "value_index": CONTACT,
            "language": PERSONAL,
            "message": SENSITIVE,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A request nobody took up in 60 days is dropped; an accepted one becomes a "
            "person's record and the request is deleted at once.",
            period=timedelta(days=60),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.display_name
