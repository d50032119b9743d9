"""Aid requests: asking a fund for help, and the receipts that come with it.

Nothing is paid out that the members did not decide: a request becomes a grant only through a
passed proposal of the fund's deciding body (the effect `funds.grant`, `solnet.funds.aid`),
and a payment only settles a grant. Who asked, how to reach them, their story, the creditor's
details and the receipts go after the fund's period (`Fund.applicant_days`); the amount, the
purpose, the dates and the entries stay for the books.
"""

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
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id
from solnet.funds.models.donations import Method
from solnet.funds.models.funds import Fund
from solnet.funds.models.ledger import Entry


class Purpose(models.TextChoices):
    RENT = "rent", _("Rent")
    UTILITIES = "utilities", _("Utilities")
    FOOD = "food", _("Food")
    MEDICAL = "medical", _("Medical")
    TRANSPORT = "transport", _("Transport")
    CHILDCARE = "childcare", _("Childcare")
    BAIL = "bail", _("Bail")
    OTHER = "other", _("Other")


# The purpose in English words for the ledger's memo (the journal is one language).
PURPOSE_MEMO = {
    Purpose.RENT: "rent",
    Purpose.UTILITIES: "utilities",
    Purpose.FOOD: "food",
    Purpose.MEDICAL: "medical costs",
    Purpose.TRANSPORT: "transport",
    Purpose.CHILDCARE: "childcare",
    Purpose.BAIL: "bail",
    Purpose.OTHER: "other needs",
}


class PayTo(models.TextChoices):
    PERSON = "person", _("To me")
    CREDITOR = "creditor", _("Directly to whom I owe (landlord, utility)")


class AidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting to be put to the vote")
    VOTING = "voting", _("Being voted on")
    GRANTED = "granted", _("Granted, waiting to be paid")
    REFUSED = "refused", _("Not granted")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (AidStatus.SUBMITTED, AidStatus.VOTING)


class AidRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def granted(self):
        """Requests a decision granted (paid or not)."""
        return self.filter(grant_entry__isnull=False)


class AidRequest(models.Model):
    """Someone asks a fund for help. It is granted only by a decision of the fund's body."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="aid_requests", help_text="Which fund"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="aid_requests",
        help_text="The member who asked; empty for a request made on the public form",
    )
    chosen_name = models.CharField(
        _("what should we call you?"),
        max_length=80,
        blank=True,
        help_text=_("Any name you like: no legal name is needed."),
    )
    contact = EncryptedTextField(
        _("how to reach you"),
        null=True,
        blank=True,
        help_text=_("A phone number or an email address."),
    )
    contact_index = BlindIndexField(source="contact", normalizer="contact")
    amount = models.BigIntegerField(help_text="Minor units of the network's currency")
    purpose = models.CharField(
        _("what it is for"), max_length=12, choices=Purpose.choices, help_text=""
    )
    details = EncryptedTextField(
        _("your situation"),
        null=True,
        blank=True,
        help_text=_("What the committee should know. Only they and the treasurers read it."),
    )
    pay_to = models.CharField(
        _("pay"), max_length=10, choices=PayTo.choices, default=PayTo.PERSON, help_text=""
    )
    creditor_name = EncryptedTextField(
        _("whom to pay"),
        null=True,
        blank=True,
        help_text=_("The landlord, utility or other creditor, when we pay them directly."),
    )
    creditor_details = EncryptedTextField(
        _("their payment details"),
        null=True,
        blank=True,
        help_text=_("Their account and the reference to quote (your account number with them)."),
    )
    dependants = models.BooleanField(
        _("children or others depend on me"), default=False, help_text=""
    )
    eviction_notice = models.BooleanField(
        _("I have an eviction notice"), default=False, help_text=""
    )
    utility_shutoff = models.BooleanField(
        _("I have a utility shut-off notice"), default=False, help_text=""
    )
    relations = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("people close to me"),
        help_text=_("Members you are related to or live with: they will not vote on this."),
    )
    status = models.CharField(
        max_length=10,
        choices=AidStatus.choices,
        default=AidStatus.SUBMITTED,
        help_text="Where the request stands",
    )
    proposal = models.ForeignKey(
        "democracy.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The proposal that decides it",
    )
    grant_entry = models.OneToOneField(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="granted_request",
        help_text="The ledger entry of the grant the decision made",
    )
    payment_entry = models.OneToOneField(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paid_request",
        help_text="The ledger entry of the payment",
    )
    payment_approval = models.OneToOneField(
        "core.ApprovalRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The two-person request for a payment above the network's threshold",
    )
    paid_method = models.CharField(
        max_length=10, choices=Method.choices, blank=True, help_text="How it was paid"
    )
    paid_reference = models.CharField(
        max_length=80,
        blank=True,
        help_text="A cheque number or the bank's transfer reference; never a name",
    )
    pay_by = models.DateField(
        null=True, blank=True, help_text="When it should be paid (the fund's days from the grant)"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was asked")
    forget_at = models.DateTimeField(
        help_text="When the applicant's details go (the fund's period from the request)"
    )
    stripped_at = models.DateTimeField(
        null=True, blank=True, help_text="When the applicant's details were removed"
    )

    objects = AidRequestQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fund": INTERNAL,
            "applicant": PERSONAL,
            "chosen_name": PERSONAL,
            "contact": CONTACT,
            "contact_index": CONTACT,
            "amount": INTERNAL,
            "purpose": INTERNAL,
            "details": SENSITIVE,
            "pay_to": INTERNAL,
            "creditor_name": SENSITIVE,
            "creditor_details": SENSITIVE,
            "dependants": PERSONAL,
            "eviction_notice": PERSONAL,
            "utility_shutoff": PERSONAL,
            "relations": PERSONAL,
            "status": INTERNAL,
            "proposal": INTERNAL,
            "grant_entry": INTERNAL,
            "payment_entry": INTERNAL,
            "payment_approval": INTERNAL,
            "paid_method": INTERNAL,
            "paid_reference": INTERNAL,
            "pay_by": INTERNAL,
            "created_at": INTERNAL,
            "forget_at": INTERNAL,
            "stripped_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The amount, purpose, dates and entries stay for the books; who asked, how "
            "to reach them, their story, whom to pay, their relations and receipts go after "
            "the fund's period for applicants.",
            period=timedelta(0),
            basis="forget_at",
            strip={
                "applicant": None,
                "chosen_name": "",
                "contact": None,
                "contact_index": None,
                "details": None,
                "creditor_name": None,
                "creditor_details": None,
                "dependants": False,
                "eviction_notice": False,
                "utility_shutoff": False,
            },
            # Relations (many-to-many) and receipts (sealed files) are not columns.
            purge="solnet.funds.aid.strip_expired_requests",
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="aid_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["granted", "paid"])
                | models.Q(grant_entry__isnull=False),
                name="aid_granted_is_posted",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(payment_entry__isnull=False),
                name="aid_paid_is_posted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_id} {self.get_purpose_display()}"

    @property
    def short_id(self) -> str:
        return self.public_id[:6]

    @property
    def is_public(self) -> bool:
        return self.applicant_id is None


class AidReceipt(models.Model):
    """A receipt, bill or notice that comes with a request: sealed on disk like a fight's
    evidence, photos without their metadata."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    request = models.ForeignKey(
        AidRequest, on_delete=models.CASCADE, related_name="receipts", help_text="Whose"
    )
    file = models.OneToOneField(
        "core.SealedFile",
        on_delete=models.PROTECT,
        related_name="aid_receipt",
        help_text="The sealed bytes; deleted with the receipt",
    )
    content_type = models.CharField(max_length=40, help_text="Media type found in the bytes")
    size = models.PositiveIntegerField(help_text="Bytes as stored (after metadata removal)")
    uploaded_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "request": INTERNAL,
            "file": INTERNAL,
            "content_type": INTERNAL,
            "size": INTERNAL,
            "uploaded_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A receipt goes with its applicant's details, key and bytes together.",
            period=timedelta(0),
            basis="request__forget_at",
            purge="solnet.funds.aid.delete_expired_receipts",
        ),
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.public_id


class LotteryDraw(models.Model):
    """A month-end lottery of a fund whose members chose to decide by lot
    (`Decider.LOTTERY`). Its commitment — the SHA-256 of a random secret — is published when
    the month's first request arrives; at the draw the secret is revealed, and anyone can
    recompute the order from it and the list of requests (`solnet.funds.lottery`)."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="draws", help_text="Which fund"
    )
    closes_at = models.DateTimeField(
        help_text="The end of the month: requests made before it take part in this draw"
    )
    commitment = models.CharField(
        max_length=64, help_text="SHA-256 (hex) of the secret, published before the draw"
    )
    sealed_secret = EncryptedTextField(
        null=True, blank=True, help_text="The secret until the draw (then it is revealed)"
    )
    secret = models.CharField(
        max_length=64, blank=True, help_text="The secret, revealed at the draw (hex)"
    )
    entrants = models.JSONField(
        default=list, help_text="Public ids of the requests that took part, as drawn"
    )
    granted = models.JSONField(default=list, help_text="Public ids of the requests granted")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was committed")
    drawn_at = models.DateTimeField(null=True, blank=True, help_text="When it was drawn")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fund": INTERNAL,
            "closes_at": INTERNAL,
            "commitment": INTERNAL,
            "sealed_secret": SENSITIVE,
            "secret": INTERNAL,
            "entrants": INTERNAL,
            "granted": INTERNAL,
            "created_at": INTERNAL,
            "drawn_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="A draw is the decision behind its grants: kept with the books; it names "
            "requests by random id only.",
        ),
    )

    class Meta:
        ordering = ["-closes_at"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "closes_at"], name="one_draw_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.closes_at:%Y-%m}"
