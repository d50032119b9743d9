"""Benchmark of bank statement imports (`make bench`): `funds.statement_50k`.

A 50,000-line CSV statement of a credit union (Debit and Credit columns), half of whose lines
have their entry in the books already, is imported and matched through the real services —
the file read and checked, its rows stored encrypted in chunks, then written a batch per
transaction with every description encrypted and every line matched against the ledger —
against a bare `executemany` of the same 50,000 rows, in clear and unmatched, into the same
table, in one transaction."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction

from solnet.core.models import new_public_id
from solnet.core.testing.figures import best_of_interleaved, ratio_figure, scaled
from solnet.funds import ledger, statement_import, statements
from solnet.funds.models import (
    BankMapping,
    LineStatus,
    Statement,
    StatementChunk,
    StatementLine,
    StatementStatus,
)

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

LINES = scaled(50_000, least=2_000)
START = date(2025, 1, 1)
DAYS = 365


def _line(n: int) -> tuple[date, int, str]:
    """The n-th line: a day of the year, an amount in or out, what the bank wrote."""
    day = START + timedelta(days=n * DAYS // LINES)
    amount = (100 + (n * 7919) % 90_000) * (1 if n % 3 else -1)
    return day, amount, f"TRANSFER {n:06d} FROM PERSON NUMBER {n}"


def _csv() -> bytes:
    rows = ['"Account Number","Post Date","Check","Description","Debit","Credit","Status"']
    for n in range(LINES):
        day, amount, words = _line(n)
        money = f"{abs(amount) // 100}.{abs(amount) % 100:02d}"
        debit, credit = ("", money) if amount > 0 else (money, "")
        rows.append(f'"X1234",{day:%m/%d/%Y},,"{words}",{debit},{credit},"Posted"')
    return ("\r\n".join(rows) + "\r\n").encode()


def _seed_books(bank_id: int, other_id: int) -> int:
    """Every other line's entry, posted a day or two before the bank booked it, written raw
    as the ledger's rules require (legs first, then their entries)."""
    posted = datetime(2025, 1, 1, tzinfo=UTC).isoformat()
    legs, entries = [], []
    for n in range(0, LINES, 2):
        day, amount, _words = _line(n)
        day = (day - timedelta(days=n % 3)).isoformat()
        legs += [(n + 1, bank_id, None, amount, day), (n + 1, other_id, None, -amount, day)]
        entries.append((n + 1, f"bench{n:016d}", "other", day, "", posted))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO funds_leg (entry_id, account_id, fund_id, amount, date) "
            "VALUES (%s, %s, %s, %s, %s)",
            legs,
        )
        cursor.executemany(
            "INSERT INTO funds_entry (id, public_id, kind, date, memo, reference, decision, "
            "posted_at) VALUES (%s, %s, %s, %s, %s, '', '', %s)",
            entries,
        )
        cursor.execute("ANALYZE")
    return len(entries)


def _clear() -> None:
    # Raw: the floor's rows hold plain text, which the encrypted field would refuse to read.
    with connection.cursor() as cursor:
        for model in (StatementLine, StatementChunk, Statement):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def _floor(statement_id: int, bank_id: int) -> float:
    """The same rows, in clear, unmatched, into the same table in one executemany."""
    rows = []
    for n in range(LINES):
        day, amount, words = _line(n)
        rows.append(
            (
                new_public_id(),
                statement_id,
                bank_id,
                secrets.token_hex(32),
                n + 1,
                day,
                amount,
                words,
                "",
                LineStatus.PROPOSED,
                None,
            )
        )
    columns = ", ".join(statement_import._COLUMNS)
    sql = (
        f"INSERT INTO funds_statementline ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(statement_import._COLUMNS))})"
    )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return time.perf_counter() - start


def test_import_and_match_a_50k_line_statement(personas):
    treasurer = personas["fund_committee"].member
    ledger.open_standard_accounts()
    bank = ledger.standard_account("Assets:Bank")
    other = ledger.standard_account("Income:Events")
    entries = _seed_books(bank.pk, other.pk)
    mapping = BankMapping.objects.create(
        name="Credit union",
        account=bank,
        date_column="Post Date",
        date_format="%m/%d/%Y",
        debit_column="Debit",
        credit_column="Credit",
        description_column="Description",
    )
    data = _csv()
    results: list[Statement] = []

    def floor() -> float:
        _clear()
        holder = Statement.objects.create(
            account=bank, file_format="csv", period_start=START, period_end=START
        )
        return _floor(holder.pk, bank.pk)

    def measured() -> float:
        _clear()
        start = time.perf_counter()
        # The worker runs at commit (immediate in tests), as it would in the background.
        statement = statements.upload_statement(by=treasurer, data=data, mapping=mapping)
        elapsed = time.perf_counter() - start
        statement.refresh_from_db()
        results.append(statement)
        return elapsed

    floor_time, measured_time = best_of_interleaved(floor, measured, repeat=3)
    statement = results[-1]
    assert statement.status == StatementStatus.DONE, statement.failure
    assert statement.added_lines == LINES
    assert statement.matched_lines == entries
    assert StatementLine.objects.filter(status=LineStatus.MATCHED).count() == entries
    print(
        ratio_figure(
            "funds.statement_50k", measured=measured_time, floor=floor_time, limit=5, unit="s"
        )
    )
