"""Properties of the ledger (hypothesis): whatever sequence of postings, refused postings,
corrections, bank statement imports (their proposed lines posted) and attacks around the
service, every entry balances within each fund, the
trial balance is zero, and each fund's balance is what was given to it less what left it.
Run on SQLite and on PostgreSQL (CI runs the suite on both)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_member
from solnet.funds import ledger
from solnet.funds.ledger import Line
from solnet.funds.models import Entry, EntryKind, Leg
from solnet.funds.tests.making import make_fund
from solnet.members.models import Role

START = date(2026, 1, 1)
ACCOUNTS = ["Assets:Bank", "Assets:Cash", "Income:Donations", "Expenses:Grants"]

amounts = st.integers(min_value=1, max_value=10**9)
posting = st.tuples(
    st.just("post"),
    st.lists(  # (account, fund, amount) lines; the service adds nothing, so many are refused
        st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from([None, 0, 1]), amounts),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),  # balance it (the last line takes what the others leave)
    st.integers(min_value=0, max_value=400),  # the day
)
reversal = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50))
attack = st.tuples(
    st.just("attack"),
    st.sampled_from(
        [
            "UPDATE funds_leg SET amount = amount * 2",
            "DELETE FROM funds_leg WHERE id IN (SELECT MIN(id) FROM funds_leg)",
            "UPDATE funds_entry SET date = '2001-01-01'",
            "DELETE FROM funds_entry",
        ]
    ),
)
statement = st.tuples(
    st.just("import"),
    st.lists(  # (day, cents in, or out when negative), posted or left proposed
        st.tuples(
            st.integers(min_value=0, max_value=400),
            st.integers(min_value=-(10**7), max_value=10**7).filter(bool),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    ),
)
operations = st.lists(st.one_of(posting, reversal, attack, statement), min_size=1, max_size=25)


def _import(operation, accounts, expected, treasurer) -> None:
    """A credit union's CSV through the import; each proposed line posted or not. Money in
    goes to donations, money out to an expense of the general money (never a fund's)."""
    from solnet.funds import statements
    from solnet.funds.models import BankMapping, StatementLine

    mapping = BankMapping.objects.filter(account=accounts["Assets:Bank"]).first()
    if mapping is None:
        mapping = BankMapping.objects.create(
            name="Credit union",
            account=accounts["Assets:Bank"],
            date_column="Date",
            date_format="%Y-%m-%d",
            debit_column="Debit",
            credit_column="Credit",
            description_column="Description",
        )
    rows = ["Date,Description,Debit,Credit"]
    for day, cents, _post in operation[1]:
        amount = f"{abs(cents) // 100}.{abs(cents) % 100:02d}"
        rows.append(
            f"{START + timedelta(days=day)},Line {len(rows)},"
            + (f",{amount}" if cents > 0 else f"{amount},")
        )
    data = ("\r\n".join(rows) + "\r\n").encode()
    try:
        imported = statements.upload_statement(by=treasurer, data=data, mapping=mapping)
    except ValidationError:
        return
    statements.import_statement(public_id=imported.public_id)
    lines = StatementLine.objects.filter(statement=imported, status="proposed").order_by("pk")
    wanted = [post for _day, _cents, post in operation[1]]
    for line, post in zip(lines, wanted, strict=False):
        if not post:
            continue
        other = accounts["Income:Donations"] if line.amount > 0 else accounts["Expenses:Grants"]
        statements.post_line(by=treasurer, line=line, account=other)
        expected[None] += line.amount


def _apply_import(operation, accounts, expected) -> None:
    _import(operation, accounts, expected, accounts["treasurer"])


def _apply(operation, funds, accounts, expected) -> None:
    kind = operation[0]
    if kind == "post":
        _kind, raw_lines, balance, day = operation
        lines = []
        for index, (code, fund_index, amount) in enumerate(raw_lines):
            fund = None if fund_index is None else funds[fund_index]
            sign = 1 if index % 2 == 0 else -1
            lines.append(Line(accounts[code], sign * amount, fund))
        if balance:
            per_fund = defaultdict(int)
            for line in lines:
                per_fund[line.fund] += line.amount
            lines += [Line(accounts["Income:Donations"], -t, f) for f, t in per_fund.items() if t]
        try:
            entry = ledger.post_entry(
                kind=EntryKind.OTHER, date=START + timedelta(days=day), lines=lines
            )
        except ValidationError:
            return
        for line in lines:
            expected[line.fund] += line.amount if line.account.kind in ("asset", "liability") else 0
        assert entry.legs.count() == len(lines)
    elif kind == "reverse":
        entries = list(Entry.objects.order_by("posted_at", "pk"))
        if not entries:
            return
        target = entries[operation[1] % len(entries)]
        try:
            ledger.reverse_entry(entry=target, date=START)
        except ValidationError:
            return
        for leg in target.legs.select_related("account", "fund"):
            if leg.account.kind in ("asset", "liability"):
                expected[leg.fund] -= leg.amount
    elif kind == "import":
        _apply_import(operation, accounts, expected)
    elif Entry.objects.exists():  # on an empty ledger the attack touches no row
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(operation[1])


def _holds(funds, expected) -> None:
    assert ledger.trial_balance() == 0
    unbalanced = (
        Leg.objects.values("entry_id", "fund_id")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by()
    )
    assert not unbalanced.exists()
    thin = Leg.objects.values("entry_id").annotate(n=Count("id")).filter(n__lt=2).order_by()
    assert not thin.exists()
    assert set(Leg.objects.values_list("entry_id", flat=True)) == set(
        Entry.objects.values_list("id", flat=True)
    )
    for fund in funds:
        assert ledger.fund_balance(fund) == expected[fund]
    assert ledger.general_balance() == expected[None]


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=operations)
def test_any_sequence_keeps_the_books_balanced(operations):
    with transaction.atomic():
        funds = [make_fund("Strike"), make_fund("Hardship")]
        accounts = {code: ledger.standard_account(code) for code in ACCOUNTS}
        accounts["treasurer"], _secret = make_member(
            "property_treasurer", roles=(Role.FUND_COMMITTEE,), with_totp=False
        )
        expected: dict = defaultdict(int)
        for operation in operations:
            _apply(operation, funds, accounts, expected)
            _holds(funds, expected)
        transaction.set_rollback(True)
