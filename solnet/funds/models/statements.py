"""Bank statements: how a bank writes its CSV export (`BankMapping`), an uploaded statement
(`Statement`), its rows waiting for the worker (`StatementChunk`, encrypted, gone when written)
and its lines (`StatementLine`), each matched to a ledger entry, proposed for posting,
posted or ignored.

A line's description often names who paid or was paid: it is encrypted and stripped two
years after the day of the line; the amount, date and match stay for the books.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
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
from solnet.funds.models.ledger import Account, Entry


class Encoding(models.TextChoices):
    UTF8 = "utf-8", _("UTF-8")
    LATIN1 = "latin-1", _("Latin-1 (ISO-8859-1)")
    CP1252 = "cp1252", _("Windows-1252")


class Delimiter(models.TextChoices):
    COMMA = ",", _("Comma (,)")
    SEMICOLON = ";", _("Semicolon (;)")
    TAB = "tab", _("Tab")


class DateFormat(models.TextChoices):
    ISO = "%Y-%m-%d", _("2026-01-31 (year-month-day)")
    MDY = "%m/%d/%Y", _("01/31/2026 (month/day/year)")
    DMY = "%d/%m/%Y", _("31/01/2026 (day/month/year)")
    DMY_DOT = "%d.%m.%Y", _("31.01.2026 (day.month.year)")
    DMY_DASH = "%d-%m-%Y", _("31-01-2026 (day-month-year)")
    MDY_SHORT = "%m/%d/%y", _("01/31/26 (month/day/two-digit year)")
    DMY_SHORT = "%d/%m/%y", _("31/01/26 (day/month/two-digit year)")
    YMD_SLASH = "%Y/%m/%d", _("2026/01/31 (year/month/day)")


class DecimalMark(models.TextChoices):
    POINT = ".", _("Point: 1,234.56")
    COMMA = ",", _("Comma: 1.234,56")


class BankMapping(models.Model):
    """How one bank writes its CSV export, set up once by a treasurer: which columns hold
    what, how dates and amounts are written, and the account the statements feed."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("e.g. “Credit union — checking”.")
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="bank_mappings",
        verbose_name=_("account"),
        help_text=_("Where the money the statements show is kept."),
    )
    encoding = models.CharField(
        _("encoding"),
        max_length=10,
        choices=Encoding.choices,
        default=Encoding.UTF8,
        help_text=_("How the bank's file writes its letters."),
    )
    delimiter = models.CharField(
        _("separator"),
        max_length=3,
        choices=Delimiter.choices,
        default=Delimiter.COMMA,
        help_text=_("What separates the columns."),
    )
    skip_rows = models.PositiveSmallIntegerField(
        _("lines before the header"),
        default=0,
        help_text=_("Lines the bank writes above the row that names the columns."),
    )
    date_column = models.CharField(
        _("date column"), max_length=80, help_text=_("The column's name in the header row.")
    )
    date_format = models.CharField(
        _("date format"),
        max_length=12,
        choices=DateFormat.choices,
        default=DateFormat.ISO,
        help_text=_("How the bank writes a date."),
    )
    amount_column = models.CharField(
        _("amount column"),
        max_length=80,
        blank=True,
        help_text=_("One column with money in positive and money out negative."),
    )
    debit_column = models.CharField(
        _("money out column"),
        max_length=80,
        blank=True,
        help_text=_("Or two columns: the one with money paid out (a debit)…"),
    )
    credit_column = models.CharField(
        _("money in column"),
        max_length=80,
        blank=True,
        help_text=_("…and the one with money received (a credit)."),
    )
    decimal_mark = models.CharField(
        _("decimal mark"),
        max_length=1,
        choices=DecimalMark.choices,
        default=DecimalMark.POINT,
        help_text=_("How the bank writes the cents."),
    )
    description_column = models.CharField(
        _("description column"), max_length=80, blank=True, help_text=""
    )
    reference_column = models.CharField(
        _("reference column"),
        max_length=80,
        blank=True,
        help_text=_("A cheque number or the bank's reference."),
    )
    balance_column = models.CharField(
        _("balance column"),
        max_length=80,
        blank=True,
        help_text=_("The running balance, if the bank writes it."),
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was set up")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "name": INTERNAL,
            "account": INTERNAL,
            "encoding": INTERNAL,
            "delimiter": INTERNAL,
            "skip_rows": INTERNAL,
            "date_column": INTERNAL,
            "date_format": INTERNAL,
            "amount_column": INTERNAL,
            "debit_column": INTERNAL,
            "credit_column": INTERNAL,
            "decimal_mark": INTERNAL,
            "description_column": INTERNAL,
            "reference_column": INTERNAL,
            "balance_column": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Settings of the books: they describe nobody."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_column="")
                | (~models.Q(debit_column="") & ~models.Q(credit_column="")),
                name="bankmapping_has_amounts",
            ),
            models.CheckConstraint(
                condition=models.Q(skip_rows__lte=50), name="bankmapping_skip_rows_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StatementFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    OFX = "ofx", _("OFX")
    CAMT = "camt053", _("CAMT.053")


class StatementStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Being read")
    DONE = "done", _("Read")
    FAILED = "failed", _("Failed")


class Statement(models.Model):
    """One uploaded bank statement. The file is read when it is uploaded (refused whole if it
    cannot be); its rows wait encrypted in chunks, and the worker writes and matches them a
    batch at a time, each batch in its own transaction with the counts below."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="statements",
        help_text="The account the statement is of",
    )
    mapping = models.ForeignKey(
        BankMapping,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        help_text="How a CSV file was read",
    )
    file_format = models.CharField(
        max_length=8, choices=StatementFormat.choices, help_text="What kind of file it was"
    )
    file_name = models.CharField(
        max_length=120, blank=True, help_text="The uploaded file's name (may name a person)"
    )
    period_start = models.DateField(help_text="The first day the statement covers")
    period_end = models.DateField(help_text="The last day the statement covers")
    opening_balance = models.BigIntegerField(
        null=True, blank=True, help_text="The bank's balance before the first line (minor units)"
    )
    closing_balance = models.BigIntegerField(
        null=True, blank=True, help_text="The bank's balance after the last line (minor units)"
    )
    status = models.CharField(
        max_length=8,
        choices=StatementStatus.choices,
        default=StatementStatus.QUEUED,
        help_text="Where the import stands",
    )
    total_lines = models.PositiveIntegerField(default=0, help_text="Lines in the file")
    done_lines = models.PositiveIntegerField(default=0, help_text="Lines the worker has read")
    added_lines = models.PositiveIntegerField(default=0, help_text="New lines written")
    known_lines = models.PositiveIntegerField(
        default=0, help_text="Lines already imported from an earlier file"
    )
    matched_lines = models.PositiveIntegerField(
        default=0, help_text="New lines matched to an entry already in the books"
    )
    failure = models.CharField(max_length=200, blank=True, help_text="Why the import stopped")
    created_by = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The treasurer who uploaded it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was uploaded")
    beat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker last finished a batch"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "account": INTERNAL,
            "mapping": INTERNAL,
            "file_format": INTERNAL,
            "file_name": PERSONAL,
            "period_start": INTERNAL,
            "period_end": INTERNAL,
            "opening_balance": INTERNAL,
            "closing_balance": INTERNAL,
            "status": INTERNAL,
            "total_lines": INTERNAL,
            "done_lines": INTERNAL,
            "added_lines": INTERNAL,
            "known_lines": INTERNAL,
            "matched_lines": INTERNAL,
            "failure": INTERNAL,
            "created_by": INTERNAL,
            "created_at": INTERNAL,
            "beat_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The statement stays with the books; its file's name may name someone and "
            "goes with the lines' descriptions.",
            period=timedelta(days=730),
            basis="created_at",
            strip={"file_name": ""},
        ),
    )

    class Meta:
        ordering = ["-period_end", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="statement_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(done_lines__lte=models.F("total_lines")),
                name="statement_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period_start} - {self.period_end}"


class StatementChunk(models.Model):
    """Rows of an uploaded statement waiting for the worker, encrypted (a batch each). The
    worker deletes a chunk in the same transaction that writes its lines, so what is left is
    exactly what is still to do."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="chunks", help_text="Whose rows"
    )
    number = models.PositiveIntegerField(help_text="Its place in the file")
    rows = EncryptedTextField(help_text="The rows as read from the file (JSON), encrypted")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was uploaded")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "statement": INTERNAL,
            "number": INTERNAL,
            "rows": SENSITIVE,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Rows a worker never wrote go after a week.",
            period=timedelta(days=7),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="statementchunk_unique")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} #{self.number}"


class LineStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")
    PROPOSED = "proposed", _("To post")
    POSTED = "posted", _("Posted")
    IGNORED = "ignored", _("Ignored")


class StatementLine(models.Model):
    """One line of a bank statement: money in (positive) or out (negative) of the account,
    matched to the ledger entry that recorded it, or proposed for posting."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="lines", help_text="Which import"
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="statement_lines",
        help_text="The statement's account (kept here for the unique key)",
    )
    key = models.CharField(
        max_length=64,
        help_text="A keyed digest of what the bank wrote: the same line imported twice is "
        "recognized",
    )
    number = models.PositiveIntegerField(help_text="Its place in the file")
    date = models.DateField(help_text="The day the bank booked it")
    amount = models.BigIntegerField(help_text="Minor units: money in positive, money out negative")
    description = EncryptedTextField(
        null=True, blank=True, help_text="What the bank wrote: often who paid or was paid"
    )
    reference = models.CharField(
        max_length=80, blank=True, help_text="The bank's reference or a cheque number"
    )
    status = models.CharField(
        max_length=8, choices=LineStatus.choices, help_text="What became of it"
    )
    entry = models.ForeignKey(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
        help_text="The ledger entry it matched or was posted as",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "statement": INTERNAL,
            "account": INTERNAL,
            "key": INTERNAL,
            "number": INTERNAL,
            "date": INTERNAL,
            "amount": INTERNAL,
            "description": SENSITIVE,
            "reference": INTERNAL,
            "status": INTERNAL,
            "entry": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The amount, date and match stay for the books; what the bank wrote about "
            "who paid goes two years after the day.",
            period=timedelta(days=730),
            basis="date",
            strip={"description": None},
        ),
    )

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="statementline_once"),
            # An entry is matched once per account (a transfer between two banks matches a
            # line on each).
            models.UniqueConstraint(
                fields=["account", "entry"],
                condition=models.Q(entry__isnull=False),
                name="statementline_entry_once",
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="statementline_not_zero"),
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=["matched", "posted"], entry__isnull=False)
                    | models.Q(status__in=["proposed", "ignored"], entry__isnull=True)
                ),
                name="statementline_entry_with_status",
            ),
        ]
        indexes = [models.Index(fields=["statement", "status"], name="statementline_status")]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"
