"""The hotline's settings: how long reports' words are kept, the public form and its secret
address, the phone line's number and ring time."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    INTERNAL,
    KEEP,
    DataPolicy,
    Retention,
)


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
    legal_contact = EncryptedTextField(
        _("legal contact's email"),
        null=True,
        blank=True,
        help_text=_("The lawyer or legal team that receives an incident's sealed bundle."),
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
            "legal_contact": INTERNAL,
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
