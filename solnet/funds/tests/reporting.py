"""A small ledger whose report is computed by hand in test_reports.py, shared by the export
tests and the authorization matrix (`books`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from solnet.democracy.models import Body, Proposal
from solnet.funds import ledger
from solnet.funds.ledger import Line
from solnet.funds.models import Account, AccountKind, Donation, EntryKind, Fund

DONOR_SECRET = "Wilhelmina Unnamedgiver"
DONOR_NAMED = "Proud Giver Collective"


def _account(code: str, kind: str, name: str, fund: Fund | None = None) -> Account:
    return Account.objects.create(code=code, kind=kind, name=name, fund=fund)


def build_books(proposer, *, base: date = date(2026, 1, 1)) -> dict:
    """Three months from `base` (its month and the two after), and one entry before and one
    after them. All amounts are cents. `proposer` puts the grant's proposal forward."""

    def day(month_offset: int, day_of_month: int) -> date:
        index = base.year * 12 + base.month - 1 + month_offset
        return date(index // 12, index % 12 + 1, day_of_month)

    strike = Fund.objects.create(name="Strike fund", kind="strike", purpose="Strike pay")
    hardship = Fund.objects.create(name="Hardship fund", kind="hardship")
    closed = Fund.objects.create(
        name="Old bail fund", kind="bail", closed_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    bank = ledger.standard_account("Assets:Bank")
    income = ledger.standard_account("Income:Donations")
    supplies = ledger.standard_account("Expenses:Supplies")
    fees = ledger.standard_account("Expenses:Fees")
    grants = ledger.standard_account("Expenses:Grants")
    payable = ledger.standard_account("Liabilities:GrantsPayable")
    strike_equity = _account("Equity:StrikeFund", AccountKind.EQUITY, "Strike fund", strike)
    hardship_equity = _account("Equity:HardshipFund", AccountKind.EQUITY, "Hardship fund", hardship)

    proposal = _proposal(proposer)

    def post(kind, when, *lines, **extra):
        return ledger.post_entry(kind=kind, date=when, lines=list(lines), **extra)

    # Before the period: the opening balance of 100.00.
    opening = post(
        EntryKind.DONATION, day(-1, 10), Line(bank, 10000, strike), Line(income, -10000, strike)
    )
    # Month 1: 250.00 in, 40.00 of supplies out; the hardship fund gets 70.00.
    given = post(
        EntryKind.DONATION, day(0, 5), Line(bank, 25000, strike), Line(income, -25000, strike)
    )
    post(EntryKind.EXPENSE, day(0, 20), Line(supplies, 4000, strike), Line(bank, -4000, strike))
    hardship_gift = post(
        EntryKind.DONATION,
        day(0, 8),
        Line(bank, 7000, hardship),
        Line(income, -7000, hardship),
    )
    # Month 2: a grant of 300.00 for rent, decided by the general meeting, then paid; 50.00
    # moved from the hardship fund to the strike fund.
    grant = post(
        EntryKind.GRANT,
        day(1, 3),
        Line(grants, 30000, strike),
        Line(payable, -30000, strike),
        memo="rent",
        decision=proposal.public_id,
    )
    post(EntryKind.PAYMENT, day(1, 10), Line(payable, 30000, strike), Line(bank, -30000, strike))
    transfer = post(
        EntryKind.TRANSFER,
        day(1, 15),
        Line(bank, 5000, strike),
        Line(strike_equity, -5000, strike),
        Line(hardship_equity, 5000, hardship),
        Line(bank, -5000, hardship),
        memo="Moved to the strike fund",
    )
    # Month 3: 1.50 of fees; a donation of 20.00 posted by mistake and corrected; a grant of
    # 80.00 for a utility bill, corrected too.
    post(EntryKind.EXPENSE, day(2, 2), Line(fees, 150, strike), Line(bank, -150, strike))
    mistake = post(
        EntryKind.DONATION, day(2, 5), Line(bank, 2000, strike), Line(income, -2000, strike)
    )
    ledger.reverse_entry(entry=mistake, date=day(2, 6))
    wrong_grant = post(
        EntryKind.GRANT,
        day(2, 7),
        Line(grants, 8000, strike),
        Line(payable, -8000, strike),
        memo="utility bill",
    )
    ledger.reverse_entry(entry=wrong_grant, date=day(2, 8))
    # After the period: not counted.
    post(EntryKind.DONATION, day(3, 1), Line(bank, 99900, strike), Line(income, -99900, strike))

    Donation.objects.create(
        fund=strike,
        amount=25000,
        method="transfer",
        received_on=given.date,
        donor_name=DONOR_SECRET,
        named=False,
        entry=given,
        forget_at=datetime(2099, 1, 1, tzinfo=UTC),
    )
    Donation.objects.create(
        fund=hardship,
        amount=7000,
        method="cash",
        received_on=hardship_gift.date,
        donor_name=DONOR_NAMED,
        named=True,
        entry=hardship_gift,
        forget_at=datetime(2099, 1, 1, tzinfo=UTC),
    )
    return {
        "strike": strike,
        "hardship": hardship,
        "closed": closed,
        "proposal": proposal,
        "grant": grant,
        "transfer": transfer,
        "opening": opening,
        "mistake": mistake,
        "day": day,
    }


def _proposal(proposer) -> Proposal:
    from solnet.democracy import services

    proposal = services.propose(
        body=Body.objects.general(), by=proposer, title="A grant for rent to a member"
    )
    Proposal.objects.filter(pk=proposal.pk).update(
        status="passed", closed_at=datetime(2026, 1, 30, 18, tzinfo=UTC)
    )
    proposal.refresh_from_db()
    return proposal
