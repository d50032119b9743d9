"""Donations: recorded by a treasurer, or given online through the payment processor."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import CONTACT, DELETE, INTERNAL, PERSONAL, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.funds.models.funds import Fund
from solnet.funds.models.ledger import Entry


class Method(models.TextChoices):
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    TRANSFER = "transfer", _("Bank transfer")
    ONLINE = "online", _("Online (card)")
    OTHER = "other", _("Other")


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the payment")
    RECEIVED = "received", _("Received")
    REFUNDED = "refunded", _("Refunded")


class ProcessorPayment(models.Model):
    """Something paid online through the payment processor: its checkout session, and the
    payment the processor made of it (which its refund names)."""

    processor_session = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        help_text="The payment processor's checkout session id",
    )
    processor_payment = models.CharField(
        max_length=255, blank=True, help_text="The processor's payment id (for refunds)"
    )

    class Meta:
        abstract = True


class Donation(ProcessorPayment):
    """Money given to a fund. A donor is private unless they chose to be named; their email
    (online donations) is encrypted and goes after the network's retention."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="donations", help_text="Which fund"
    )
    amount = models.BigIntegerField(help_text="Minor units of the network's currency")
    method = models.CharField(max_length=10, choices=Method.choices, help_text="How it came")
    status = models.CharField(
        max_length=10,
        choices=DonationStatus.choices,
        default=DonationStatus.RECEIVED,
        help_text="Whether the money arrived",
    )
    received_on = models.DateField(null=True, blank=True, help_text="The day it arrived")
    donor_name = EncryptedTextField(
        null=True, blank=True, help_text="The donor's name, only if they chose to be named"
    )
    named = models.BooleanField(
        default=False, help_text="The donor agreed to be thanked by name in the report"
    )
    donor_email = EncryptedTextField(
        null=True, blank=True, help_text="For the receipt of an online donation"
    )
    entry = models.OneToOneField(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donation",
        help_text="The ledger entry of the money received",
    )
    refund_entry = models.OneToOneField(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunded_donation",
        help_text="The ledger entry of its refund",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded")
    forget_at = models.DateTimeField(
        help_text="When the donor's details go (the network's retention, from the donation)"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fund": INTERNAL,
            "amount": INTERNAL,
            "method": INTERNAL,
            "status": INTERNAL,
            "received_on": INTERNAL,
            "donor_name": PERSONAL,
            "named": INTERNAL,
            "donor_email": CONTACT,
            "processor_session": INTERNAL,
            "processor_payment": INTERNAL,
            "entry": INTERNAL,
            "refund_entry": INTERNAL,
            "created_at": INTERNAL,
            "forget_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The amount and date stay for the books; who gave goes after the network's "
            "period for donors.",
            period=timedelta(0),
            basis="forget_at",
            strip={"donor_name": None, "named": False, "donor_email": None},
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="donation_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="received") | models.Q(entry__isnull=False),
                name="donation_received_is_posted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.amount}"


class ProcessorEvent(models.Model):
    """A payment processor's webhook event, remembered by its id so that a delivery sent
    again (the processor retries; an attacker replays) has its effect once."""

    event_id = models.CharField(max_length=255, unique=True, help_text="The processor's event id")
    kind = models.CharField(max_length=60, help_text="The event's type")
    received_at = models.DateTimeField(default=timezone.now, help_text="When it arrived")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "event_id": INTERNAL,
            "kind": INTERNAL,
            "received_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Ids of processed events only need to outlive the processor's retries "
            "(three days) and its signatures' five minutes.",
            period=timedelta(days=30),
            basis="received_at",
        ),
    )

    def __str__(self) -> str:
        return self.event_id
