"""Funds and entries for tests, made directly (the services have their own tests)."""

from __future__ import annotations

from datetime import date

from solnet.democracy.models import Body
from solnet.funds import ledger
from solnet.funds.ledger import Line
from solnet.funds.models import Account, AccountKind, Entry, EntryKind, Fund


def make_fund(name: str = "Strike fund", **fields) -> Fund:
    fields.setdefault("kind", "strike")
    fields.setdefault("body", Body.objects.general())
    fund = Fund.objects.create(name=name, **fields)
    Account.objects.create(
        kind=AccountKind.EQUITY,
        name=name,
        code=ledger.account_code(AccountKind.EQUITY, f"Fund {name}"),
        fund=fund,
    )
    return fund


def give(fund: Fund | None, amount: int, *, on: date | None = None, where="Assets:Bank") -> Entry:
    """A donation's entry: money in the bank for the fund."""
    return ledger.post_entry(
        kind=EntryKind.DONATION,
        date=on or date.today(),
        lines=[
            Line(ledger.standard_account(where), amount, fund),
            Line(ledger.standard_account("Income:Donations"), -amount, fund),
        ],
    )
