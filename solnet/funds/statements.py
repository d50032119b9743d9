"""Bank statements: upload, import, matching, posting what the books lack, reconciliation.

1. `upload_statement` reads the whole file in the request (`statement_files`): a file that
   cannot be read is refused with a clear error and nothing is written. Its rows are kept
   encrypted in chunks, and the worker's task is queued at commit.
2. The worker (`import_statement`) writes the rows a chunk at a time, each chunk in its own
   transaction that also deletes the chunk and adds to the statement's counts: a worker or a
   server killed half-way leaves whole batches written and the rest still waiting, and
   `restart_statement` goes on from there. A line already imported from an earlier file (the
   same key on the same account) is counted and not written again.
3. Each new line is matched to an entry already in the books: one that moved the same amount
   in or out of the statement's account, dated within `WINDOW` days of the line, not matched
   to another line of that account, not reversed, and with the same reference when both have
   one (an equal reference first, then the nearest date). The rest are proposed for posting.
4. A treasurer posts a proposed line against an income or an expense account (`post_line`).
   Money that left the bank posts to the general money, never to a fund: a fund's money is
   spent only by a decision. Money that came in may go to a fund as a donation.
5. `reconcile`: the bank's closing balance against the books' balance of the account on the
   statement's last day, the difference, and how much is still unmatched.

The audit log gets counts, never a description.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.funds import access, ledger
from solnet.funds.ledger import Line
from solnet.funds.models import (
    Account,
    AccountKind,
    BankMapping,
    Entry,
    EntryKind,
    Fund,
    Leg,
    LineStatus,
    Method,
    Statement,
    StatementChunk,
    StatementFormat,
    StatementLine,
    StatementStatus,
)
from solnet.funds.statement_files import Read, Row, read_statement
from solnet.funds.statement_import import (  # noqa: F401  (the pages and tests reach them here)
    BATCH,
    WINDOW,
    import_statement,
    is_interrupted,
    match_rows,
)
from solnet.members.models import Member

logger = logging.getLogger(__name__)


def _treasurer(by: Member) -> None:
    if by is None or not access.can_keep_books(by):
        raise PermissionDenied


def _asset(account: Account | None) -> Account:
    if account is None or account.kind != AccountKind.ASSET or account.closed_at is not None:
        raise ValidationError(
            {"account": _("Choose an open account where money is kept, such as the bank.")}
        )
    return account


# --- bank mappings --------------------------------------------------------------------------


MAPPING_FIELDS = (
    "name",
    "account",
    "encoding",
    "delimiter",
    "skip_rows",
    "date_column",
    "date_format",
    "amount_column",
    "debit_column",
    "credit_column",
    "decimal_mark",
    "description_column",
    "reference_column",
    "balance_column",
)


@transaction.atomic
def create_mapping(*, by: Member, **fields) -> BankMapping:
    """A treasurer describes how a bank writes its CSV export, once."""
    _treasurer(by)
    unknown = set(fields) - set(MAPPING_FIELDS)
    if unknown:
        raise ValidationError(_("Those settings cannot be changed here."))
    _asset(fields.get("account"))
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if not fields.get("amount_column") and not (
        fields.get("debit_column") and fields.get("credit_column")
    ):
        raise ValidationError(
            {
                "amount_column": _(
                    "Name the amount column, or both the money out and the money in columns."
                )
            }
        )
    mapping = BankMapping(**fields)
    mapping.full_clean()
    mapping.save()
    audit.record("funds.bank_mapping_created", actor=by, target=mapping)
    return mapping


# --- uploading ------------------------------------------------------------------------------


def _queue(statement: Statement) -> None:
    from solnet.funds import statement_tasks

    public_id = statement.public_id
    transaction.on_commit(lambda: statement_tasks.import_bank_statement(public_id))


@transaction.atomic
def upload_statement(
    *,
    by: Member,
    data: bytes,
    file_name: str = "",
    mapping: BankMapping | None = None,
    account: Account | None = None,
    opening: int | None = None,
    closing: int | None = None,
) -> Statement:
    """Reads a bank statement (CSV through its bank mapping, OFX or CAMT.053) and queues its
    import. A CSV feeds its mapping's account; an OFX or CAMT.053 file the `account` chosen.
    Balances typed by the treasurer win over the file's."""
    _treasurer(by)
    if mapping is not None:
        account = mapping.account
    account = _asset(account)
    read: Read = read_statement(data, mapping=mapping, account_id=account.pk)
    assert read.start is not None and read.end is not None
    statement = Statement.objects.create(
        account=account,
        mapping=mapping if read.file_format == StatementFormat.CSV else None,
        file_format=read.file_format,
        file_name=file_name[-120:],
        period_start=read.start,
        period_end=read.end,
        opening_balance=opening if opening is not None else read.opening,
        closing_balance=closing if closing is not None else read.closing,
        total_lines=len(read.rows),
        created_by=by,
    )
    StatementChunk.objects.bulk_create(
        StatementChunk(statement=statement, number=number, rows=_pack(read.rows[at : at + BATCH]))
        for number, at in enumerate(range(0, len(read.rows), BATCH))
    )
    audit.record(
        "funds.statement_uploaded",
        actor=by,
        target=statement,
        lines=len(read.rows),
        format=read.file_format,
    )
    _queue(statement)
    return statement


def _pack(rows: list[Row]) -> str:
    return json.dumps(
        [[r.date.isoformat(), r.amount, r.description, r.reference, r.key] for r in rows],
        ensure_ascii=False,
    )


@transaction.atomic
def restart_statement(*, by: Member, statement: Statement) -> None:
    """Goes on with a failed or interrupted import, from the chunks still waiting."""
    _treasurer(by)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if not (statement.status == StatementStatus.FAILED or is_interrupted(statement)):
        raise ValidationError(_("Only a failed or interrupted import can be restarted."))
    statement.status = StatementStatus.QUEUED
    statement.save(update_fields=["status"])
    audit.record("funds.statement_restarted", actor=by, target=statement)
    _queue(statement)


# --- the treasurer's part: proposed lines ---------------------------------------------------


def _entry_kind(account: Account, amount: int) -> str:
    if account.kind == AccountKind.INCOME:
        if account.code == "Income:Dues":
            return EntryKind.DUES
        if account.code == "Income:Donations":
            return EntryKind.DONATION
        return EntryKind.OTHER
    return EntryKind.EXPENSE if amount < 0 else EntryKind.REFUND


@transaction.atomic
def post_line(
    *, by: Member, line: StatementLine, account: Account, fund: Fund | None = None
) -> Entry:
    """Posts a proposed line the books lack: the statement's account against an income or
    expense account. Money out posts to the general money only — a fund's money is spent by a
    decision, never from a bank line. Money in may go to a fund, as income (a donation to a
    fund is recorded as a donation)."""
    _treasurer(by)
    line = StatementLine.objects.select_for_update().select_related("account").get(pk=line.pk)
    if line.status != LineStatus.PROPOSED:
        raise ValidationError(_("This line is not waiting to be posted."), code="status")
    account = Account.objects.get(pk=account.pk)
    if account.kind not in (AccountKind.INCOME, AccountKind.EXPENSE) or account.closed_at:
        raise ValidationError(
            {"account": _("Choose an open account where money comes from or goes.")}
        )
    if fund is not None:
        if line.amount < 0 or account.kind != AccountKind.INCOME:
            raise ValidationError(
                {
                    "fund": ValidationError(
                        _(
                            "A fund's money is spent only by a decision: post money that left "
                            "the bank to the general money."
                        ),
                        code="fund_expense",
                    )
                }
            )
        if fund.closed_at is not None:
            raise ValidationError({"fund": _("This fund is closed.")}, code="closed")
    if fund is not None and account.code == "Income:Donations":
        from solnet.funds import donations

        donation = donations.record_donation(
            fund=fund,
            amount_minor=line.amount,
            method=Method.TRANSFER,
            received_on=line.date,
            account=line.account,
            donor_name="",
            named=False,
            by=by,
            reference=line.reference,
        )
        entry = donation.entry
    else:
        entry = ledger.post_entry(
            kind=_entry_kind(account, line.amount),
            date=line.date,
            lines=[Line(line.account, line.amount, fund), Line(account, -line.amount, fund)],
            by=by,
            memo=_("From the bank statement"),
            reference=line.reference,
        )
    line.entry, line.status = entry, LineStatus.POSTED
    line.save(update_fields=["entry", "status"])
    audit.record("funds.statement_line_posted", actor=by, target=line, entry=entry.public_id)
    return entry


@transaction.atomic
def set_ignored(*, by: Member, line: StatementLine, ignored: bool) -> None:
    """A proposed line the books need not show (a hold released, a line the bank corrected),
    set aside; or taken back to be posted."""
    _treasurer(by)
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    wanted, current = (
        (LineStatus.IGNORED, LineStatus.PROPOSED)
        if ignored
        else (LineStatus.PROPOSED, LineStatus.IGNORED)
    )
    if line.status != current:
        raise ValidationError(_("This line is not waiting to be posted."), code="status")
    line.status = wanted
    line.save(update_fields=["status"])
    audit.record(
        "funds.statement_line_ignored" if ignored else "funds.statement_line_restored",
        actor=by,
        target=line,
    )


# --- reconciliation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    closing: int | None  # the bank's balance on the last day
    books: int  # the books' balance of the account on that day
    difference: int | None  # the bank's less the books'
    unmatched: int  # lines still to post
    unmatched_total: int  # what they add up to
    ignored: int

    @property
    def agrees(self) -> bool:
        return self.difference == 0


def reconcile(statement: Statement) -> Reconciliation:
    """The bank's closing balance against the books' balance of the same account on the
    statement's last day."""
    books = (
        Leg.objects.filter(
            account_id=statement.account_id, date__lte=statement.period_end
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    waiting = statement.lines.filter(status=LineStatus.PROPOSED).aggregate(
        count=Count("pk"), total=Sum("amount")
    )
    ignored = statement.lines.filter(status=LineStatus.IGNORED).count()
    closing = statement.closing_balance
    return Reconciliation(
        closing=closing,
        books=books,
        difference=None if closing is None else closing - books,
        unmatched=waiting["count"] or 0,
        unmatched_total=waiting["total"] or 0,
        ignored=ignored,
    )


def lines_of(statement: Statement, status: str = ""):
    lines = statement.lines.select_related("entry").order_by("number")
    if status in LineStatus.values:
        lines = lines.filter(status=status)
    return lines
