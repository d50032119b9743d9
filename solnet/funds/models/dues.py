"""Dues: what a member pledged (a sliding scale: each member chooses what they can pay, or
nothing), the payments, and waivers decided by the members. Standing is derived
(`solnet.funds.dues.standing`), never stored."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, PERSONAL, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.funds.models.donations import ProcessorPayment
from solnet.funds.models.ledger import Entry
from solnet.members.models import Member


class DuesPeriod(models.TextChoices):
    NONE = "none", _("No dues")
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class DuesPledge(models.Model):
    """What a member pledged to pay, from when; and a waiver the members decided."""

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="dues_pledge", help_text="Whose"
    )
    amount = models.BigIntegerField(
        _("amount"), default=0, help_text=_("What you pay each period, in the currency's cents.")
    )
    period = models.CharField(
        _("how often"),
        max_length=8,
        choices=DuesPeriod.choices,
        default=DuesPeriod.NONE,
        help_text="",
    )
    since = models.DateField(help_text="The first period the pledge covers starts here")
    carried = models.BigIntegerField(
        default=0,
        help_text="What was owed (or paid ahead, negative) when the pledge last changed",
    )
    counted_through = models.BigIntegerField(
        default=0, help_text="Payments up to this id were counted in `carried`"
    )
    waived_until = models.DateField(
        null=True, blank=True, help_text="Dues are waived until this day, by a decision"
    )
    waived_by = models.CharField(
        max_length=24, blank=True, help_text="The public id of the decision that waived them"
    )
    updated_at = models.DateTimeField(default=timezone.now, help_text="When it last changed")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "member": PERSONAL,
            "amount": PERSONAL,
            "period": PERSONAL,
            "since": PERSONAL,
            "carried": PERSONAL,
            "counted_through": INTERNAL,
            "waived_until": PERSONAL,
            "waived_by": INTERNAL,
            "updated_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives as long as the member's account."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="dues_not_negative"),
            models.CheckConstraint(
                condition=models.Q(period="none") | models.Q(amount__gt=0),
                name="dues_amount_when_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.amount}/{self.period}"


def _who_paid(reason: str, *, basis: str) -> Retention:
    """Who paid dues goes seven years on (the books' own period): the amounts stay."""
    return Retention(
        action=STRIP,
        reason=reason,
        period=timedelta(days=7 * 365),
        basis=basis,
        strip={"member": None},
    )


class DuesPayment(models.Model):
    """Dues paid: recorded by a treasurer or received online. The amount and date stay for
    the books; whose it was goes when the member's account goes."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dues_payments",
        help_text="Who paid",
    )
    amount = models.BigIntegerField(help_text="Minor units of the network's currency")
    paid_on = models.DateField(help_text="The day it was paid")
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, related_name="dues_payment", help_text="Its entry"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded")
    refund_entry = models.OneToOneField(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunded_dues",
        help_text="The entry of its refund (it no longer counts towards standing)",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "member": PERSONAL,
            "amount": INTERNAL,
            "paid_on": INTERNAL,
            "entry": INTERNAL,
            "created_at": INTERNAL,
            "refund_entry": INTERNAL,
        },
        retention=_who_paid(
            "The books keep the payment; who paid goes seven years on (the books' own period), "
            "or at once with the member's account.",
            basis="paid_on",
        ),
    )

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="dues_paid_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"


class CheckoutStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the payment")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


class DuesCheckout(ProcessorPayment):
    """Dues a member started paying online: the processor's payment page, and what its webhook
    said. Becomes a DuesPayment (and its entry) only when the processor says it was paid."""

    public_id = models.CharField(
        max_length=24,
        unique=True,
        default=new_public_id,
        help_text="Random id sent to the processor",
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dues_checkouts",
        help_text="Who is paying",
    )
    amount = models.BigIntegerField(help_text="Minor units of the network's currency")
    status = models.CharField(
        max_length=10,
        choices=CheckoutStatus.choices,
        default=CheckoutStatus.PENDING,
        help_text="Whether the processor said it was paid",
    )
    payment = models.OneToOneField(
        DuesPayment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkout",
        help_text="The payment it became",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was started")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "member": PERSONAL,
            "amount": INTERNAL,
            "status": INTERNAL,
            "processor_session": INTERNAL,
            "processor_payment": INTERNAL,
            "payment": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=_who_paid(
            "As the payment it became: who paid goes seven years on, or at once with the "
            "member's account.",
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="dues_checkout_positive"),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(payment__isnull=False),
                name="dues_checkout_paid_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.status}"
