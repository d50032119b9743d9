"""Benchmarks of the funds' books (`make bench`), over 1,000,000 legs in four funds over two
years: every account's balance (`ledger.balances`) against the bare GROUP BY that sums the
legs by account, and one fund's monthly report over the last twelve months
(`reports.monthly_report`) against bare SQL computing the same numbers — the balance before
the period, the legs summed by month and account, and the grants' legs with their entries.

The legs are written with raw `executemany`, as the ledger's database rules require: each
batch's legs first, then their entries, in one transaction, every entry balanced in its fund.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from solnet.core.testing.figures import best_of_interleaved, ratio_figure, scaled, seconds
from solnet.funds import ledger, reports
from solnet.funds.models import EntryKind, Fund

pytestmark = [pytest.mark.bench]

LEGS = scaled(1_000_000, least=10_000)
FUNDS = 4
DAYS = 730
BATCH = 20_000  # legs per transaction


def _seed() -> tuple[list[Fund], dict[str, int]]:
    """Four funds and LEGS legs, two per entry: donations, supplies, fees and, one entry in
    a thousand, a grant for rent."""
    funds = [Fund.objects.create(name=f"Fund {n}", kind="strike") for n in range(FUNDS)]
    codes = [
        "Assets:Bank",
        "Income:Donations",
        "Expenses:Supplies",
        "Expenses:Fees",
        "Expenses:Grants",
        "Liabilities:GrantsPayable",
    ]
    accounts = {code: ledger.standard_account(code).pk for code in codes}
    today = timezone.localdate()
    posted = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    legs, entries = [], []

    def flush() -> None:
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
        legs.clear()
        entries.clear()

    for n in range(1, LEGS // 2 + 1):
        fund = funds[n % FUNDS].pk
        day = (today - timedelta(days=n % DAYS)).isoformat()
        amount = 100 + n % 5000
        if n % 1000 == 1:  # in fund 1, the one reported
            kind, debit, credit, memo = (
                EntryKind.GRANT,
                "Expenses:Grants",
                "Liabilities:GrantsPayable",
                "rent",
            )
        elif n % 4 == 1:
            kind, debit, credit, memo = EntryKind.EXPENSE, "Expenses:Supplies", "Assets:Bank", ""
        elif n % 4 == 2:
            kind, debit, credit, memo = EntryKind.EXPENSE, "Expenses:Fees", "Assets:Bank", ""
        else:
            kind, debit, credit, memo = EntryKind.DONATION, "Assets:Bank", "Income:Donations", ""
        legs.append((n, accounts[debit], fund, amount, day))
        legs.append((n, accounts[credit], fund, -amount, day))
        entries.append((n, f"bench{n:016d}", kind, day, memo, posted))
        if len(legs) >= BATCH:
            flush()
    if legs:
        flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return funds, accounts


@pytest.mark.django_db(transaction=True)
def test_balances_and_the_monthly_report_over_1m_legs(network):
    funds, accounts = _seed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM funds_leg")
        assert cursor.fetchone()[0] == LEGS // 2 * 2

    # --- every account's balance -------------------------------------------------------------
    found: list = []

    def bare_balances() -> float:
        def run():
            with connection.cursor() as cursor:
                cursor.execute("SELECT account_id, SUM(amount) FROM funds_leg GROUP BY account_id")
                found.append(dict(cursor.fetchall()))

        return seconds(run)

    def measured_balances() -> float:
        return seconds(lambda: found.append(ledger.balances()))

    floor_time, measured_time = best_of_interleaved(bare_balances, measured_balances, repeat=5)
    assert found[-1] == found[-2]
    assert sum(found[-1].values()) == 0
    print(
        ratio_figure(
            "funds.balance_1m", measured=measured_time, floor=floor_time, limit=2, unit="s"
        )
    )

    # --- one fund's monthly report -----------------------------------------------------------
    fund = funds[1]
    start, end, _months = reports.period(months=12)
    balance_ids = [accounts["Assets:Bank"], accounts["Liabilities:GrantsPayable"]]
    expense_ids = [accounts[c] for c in ("Expenses:Supplies", "Expenses:Fees", "Expenses:Grants")]
    month = (
        "date_trunc('month', date)"
        if connection.vendor == "postgresql"
        else "strftime('%%Y-%%m', date)"
    )
    bare: list = []
    reports_made: list = []

    def bare_report() -> float:
        def run():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT SUM(amount) FROM funds_leg WHERE fund_id = %s AND account_id IN "
                    f"({', '.join(['%s'] * len(balance_ids))}) AND date < %s",
                    [fund.pk, *balance_ids, start],
                )
                opening = cursor.fetchone()[0]
                cursor.execute(
                    f"SELECT {month}, account_id, SUM(amount) FROM funds_leg "
                    "WHERE fund_id = %s AND date >= %s AND date <= %s "
                    f"GROUP BY {month}, account_id",
                    [fund.pk, start, end],
                )
                months = cursor.fetchall()
                cursor.execute(
                    "SELECT l.entry_id, l.date, e.memo, e.decision, l.amount FROM funds_leg l "
                    "JOIN funds_entry e ON e.id = l.entry_id WHERE l.fund_id = %s "
                    "AND l.date >= %s AND l.date <= %s AND l.account_id IN "
                    f"({', '.join(['%s'] * len(expense_ids))}) AND e.kind = %s",
                    [fund.pk, start, end, *expense_ids, EntryKind.GRANT],
                )
                bare.append((opening, months, cursor.fetchall()))

        return seconds(run)

    def measured_report() -> float:
        return seconds(lambda: reports_made.append(reports.monthly_report(fund, months=12)))

    floor_time, measured_time = best_of_interleaved(bare_report, measured_report, repeat=5)
    report = reports_made[-1]
    opening, months, grants = bare[-1]
    # The same numbers: the opening balance, the money out, and the grants.
    assert report.opening == opening
    out = sum(total for _m, account, total in months if account in expense_ids)
    assert report.total_out == out
    assert len(report.grants) == len(grants) > 0
    assert report.closing == ledger.fund_balance(fund, until=end)
    money_in = -sum(
        total for _m, account, total in months if account == accounts["Income:Donations"]
    )
    assert report.total_in == money_in
    print(
        ratio_figure("funds.report_1m", measured=measured_time, floor=floor_time, limit=3, unit="s")
    )
