"""API operations on the network's funds, under the same access rules as the pages: every
member reads each fund, its rules and balance (never who gave or who was helped); the books'
accounts are for treasurers.

(No `from __future__ import annotations` here: ninja reads the annotations at import time.)
"""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from solnet.core.api import ERRORS, ErrorOut, Pagination, require_scope
from solnet.funds import access, ledger, money, reports
from solnet.funds.models import Account, Fund
from solnet.members.models import ApiScope

router = Router(tags=["funds"])
NOT_FOUND = {404: ErrorOut}


class FundOut(Schema):
    public_id: str
    name: str
    kind: str
    currency: str = Field(description="ISO 4217 code of the network's currency")
    balance: str = Field(description="What the fund holds, as a decimal in the currency")
    balance_minor: int = Field(description="The same, in the currency's minor unit (cents)")

    @staticmethod
    def resolve_currency(obj: Fund) -> str:
        return money.network_currency()

    @staticmethod
    def resolve_balance_minor(obj: Fund) -> int:
        return ledger.fund_balance(obj)

    @staticmethod
    def resolve_balance(obj: Fund) -> str:
        return money.plain(ledger.fund_balance(obj), money.network_currency())


class FundDetailOut(FundOut):
    purpose: str
    eligibility: str
    members_only: bool
    cap_minor: int | None = Field(description="The most one grant may be; null for no cap")
    cooldown_months: int
    pay_within_days: int
    decider: str
    body_id: str | None = Field(description="The public id of the body that decides grants")
    public_donations: bool
    public_requests: bool
    closed: bool

    @staticmethod
    def resolve_cap_minor(obj: Fund) -> int | None:
        return obj.cap

    @staticmethod
    def resolve_body_id(obj: Fund) -> str | None:
        return obj.body.public_id if obj.body else None

    @staticmethod
    def resolve_closed(obj: Fund) -> bool:
        return obj.closed_at is not None


class AccountOut(Schema):
    public_id: str
    kind: str
    name: str
    code: str = Field(description="Its name in an exported journal, e.g. Assets:Bank")
    balance_minor: int = Field(description="Its balance in minor units, as the kind reads it")


class CategoryOut(Schema):
    category: str = Field(description="The expense account the money went to")
    amount_minor: int


class MonthOut(Schema):
    month: date = Field(description="The month's first day")
    money_in_minor: int
    money_out_minor: int
    moved_minor: int = Field(description="Moved in from other funds (negative: out to them)")
    out_by_category: list[CategoryOut]
    balance_minor: int = Field(description="The fund's balance at the month's end")


class GrantOut(Schema):
    date: date
    amount_minor: int
    purpose: str = Field(
        description="What the grant was for, as a code (rent, utilities, food, medical, "
        "transport, childcare, bail, other); empty when its entry names none"
    )
    purpose_label: str = Field(description="The same in the reader's language")
    decided_on: date | None
    body: str = Field(description="The body that decided it, never who asked")
    corrected: bool


class ReportOut(Schema):
    fund_id: str
    currency: str
    start: date
    end: date
    opening_minor: int
    months: list[MonthOut]
    grants: list[GrantOut]


@router.get("", response={200: list[FundOut], **ERRORS}, summary="The network's funds")
@paginate(Pagination)
def list_funds(request: HttpRequest):
    return access.visible_funds(require_scope(request, ApiScope.FUNDS_READ)).select_related()


@router.get(
    "/accounts",
    response={200: list[AccountOut], **ERRORS},
    summary="The books' accounts and their balances (treasurers)",
)
@paginate(Pagination)
def list_accounts(request: HttpRequest):
    viewer = require_scope(request, ApiScope.FUNDS_BOOKS)
    accounts = list(access.books_accounts(viewer))
    totals = ledger.balances(accounts)
    return [_account_out(account, totals.get(account.pk, 0)) for account in accounts]


def _account_out(account: Account, raw: int) -> dict:
    return {
        "public_id": account.public_id,
        "kind": account.kind,
        "name": account.name,
        "code": account.code,
        "balance_minor": -raw if account.credit_normal else raw,
    }


@router.get(
    "/{public_id}",
    response={200: FundDetailOut, **NOT_FOUND, **ERRORS},
    summary="A fund: its rules and balance",
)
def get_fund(request: HttpRequest, public_id: str):
    return access.get_fund_or_404(require_scope(request, ApiScope.FUNDS_READ), public_id)


@router.get(
    "/{public_id}/report",
    response={200: ReportOut, **NOT_FOUND, **ERRORS},
    summary="A fund's monthly report: money in and out, the balance, each grant — never whose",
)
def get_report(request: HttpRequest, public_id: str, months: int = Query(12, ge=1, le=36)):
    fund = access.get_fund_or_404(require_scope(request, ApiScope.FUNDS_READ), public_id)
    report = reports.monthly_report(fund, months=months)
    return {
        "fund_id": fund.public_id,
        "currency": money.network_currency(),
        "start": report.start,
        "end": report.end,
        "opening_minor": report.opening,
        "months": [
            {
                "month": month.month,
                "money_in_minor": month.money_in,
                "money_out_minor": month.money_out,
                "moved_minor": month.moved,
                "out_by_category": [
                    {"category": name, "amount_minor": amount}
                    for name, amount in month.out_by_category
                ],
                "balance_minor": month.balance,
            }
            for month in report.months
        ],
        "grants": [
            {
                "date": grant.date,
                "amount_minor": grant.amount,
                "purpose": reports.purpose_code(grant.purpose),
                "purpose_label": reports.purpose_in_words(grant.purpose),
                "decided_on": grant.decided_on,
                "body": grant.body,
                "corrected": grant.corrected,
            }
            for grant in report.grants
        ],
    }
