"""The ledger: accounts, entries and their legs (true double-entry bookkeeping).

An entry is two or more legs whose amounts sum to zero, within each fund. Amounts are signed
integers of the currency's minor unit: a debit is positive, a credit negative. The database
holds the rule too (migration 0002): legs are written first, the entry last, and the entry's
insert is refused unless its legs balance; no leg is added to an entry afterwards, and no
entry or leg is ever updated or deleted. A correction is a reversing entry.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, DataPolicy, Retention
from solnet.core.models import new_public_id


def new_entry_id() -> int:
    """An entry's key is chosen before its legs are written (they are written first)."""
    return secrets.randbits(62) + 1


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Fund balance")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


# The kinds whose balance is a credit (shown as a positive amount when the legs sum negative).
CREDIT_KINDS = (AccountKind.LIABILITY, AccountKind.EQUITY, AccountKind.INCOME)
# Beancount's root for each kind.
ROOTS = {
    AccountKind.ASSET: "Assets",
    AccountKind.LIABILITY: "Liabilities",
    AccountKind.EQUITY: "Equity",
    AccountKind.INCOME: "Income",
    AccountKind.EXPENSE: "Expenses",
}


class AccountQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def where_money_is(self):
        """Where money can be received or paid from: the cash box, the bank, the processor."""
        return self.open().filter(kind=AccountKind.ASSET)


class Account(models.Model):
    """Where money is (assets), what is owed (liabilities), each fund's balance (equity),
    where it comes from (income) and where it goes (expenses)."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=AccountKind.choices, help_text=_("What sort of account")
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("e.g. “Cash box”, “Credit union”, “Rent grants”.")
    )
    code = models.CharField(
        max_length=120,
        unique=True,
        help_text="The account's name in an exported journal, e.g. Assets:Bank",
    )
    fund = models.OneToOneField(
        "funds.Fund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="balance_account",
        help_text="The fund whose balance this equity account holds",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was opened")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was closed")

    objects = AccountQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "kind": INTERNAL,
            "name": INTERNAL,
            "code": INTERNAL,
            "fund": INTERNAL,
            "created_at": INTERNAL,
            "closed_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The books are kept: accounts describe nobody."),
    )

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def credit_normal(self) -> bool:
        return self.kind in CREDIT_KINDS


class EntryKind(models.TextChoices):
    DONATION = "donation", _("Donation")
    DUES = "dues", _("Dues")
    GRANT = "grant", _("Grant decided")
    PAYMENT = "payment", _("Payment")
    EXPENSE = "expense", _("Expense")
    TRANSFER = "transfer", _("Transfer between funds")
    OPENING = "opening", _("Opening balance")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Correction (reverses an entry)")
    OTHER = "other", _("Other")


class Entry(models.Model):
    """One transaction of the journal: two or more legs that balance. Never edited, never
    deleted; `reverses` links a correction to what it corrects."""

    id = models.BigIntegerField(primary_key=True, default=new_entry_id, help_text="")
    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices, help_text="What it was")
    date = models.DateField(help_text="The day the money moved")
    memo = models.CharField(
        max_length=200, blank=True, help_text="What it was, in words that name nobody"
    )
    reference = models.CharField(
        max_length=80, blank=True, help_text="A cheque number, a bank or processor reference"
    )
    decision = models.CharField(
        max_length=24, blank=True, help_text="The public id of the decision behind it, if any"
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text="The entry this one corrects (an entry is reversed at most once)",
    )
    posted_at = models.DateTimeField(default=timezone.now, help_text="When it was written")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "kind": INTERNAL,
            "date": INTERNAL,
            "memo": INTERNAL,
            "reference": INTERNAL,
            "decision": INTERNAL,
            "reverses": INTERNAL,
            "posted_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP, reason="The books are kept; entries name nobody (who posted is audited)."
        ),
    )

    class Meta:
        ordering = ["-date", "-posted_at"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class Leg(models.Model):
    """One side of an entry: an amount to or from an account, for a fund or for the
    network's general money (no fund)."""

    entry = models.ForeignKey(
        Entry,
        on_delete=models.DO_NOTHING,  # entries are never deleted; the database refuses it
        db_constraint=True,
        related_name="legs",
        help_text="Whose",
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="legs", help_text="Which account"
    )
    fund = models.ForeignKey(
        "funds.Fund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legs",
        help_text="The fund the money is for; none for the network's general money",
    )
    amount = models.BigIntegerField(help_text="Minor units: a debit positive, a credit negative")
    date = models.DateField(help_text="The entry's date, kept here for the reports")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "entry": INTERNAL,
            "account": INTERNAL,
            "fund": INTERNAL,
            "amount": INTERNAL,
            "date": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives as long as its entry."),
    )

    class Meta:
        ordering = ["entry", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="leg_amount_not_zero"),
        ]
        indexes = [
            models.Index(fields=["account", "amount"], name="leg_account_amount"),
            models.Index(fields=["fund", "date", "account", "amount"], name="leg_fund_date"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"
