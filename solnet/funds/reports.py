"""Where the money went: each fund's months (money in, money out by category, what moved
between funds, the balance at each month's end), its grants in words that name nobody, the
balance drawn as a chart, and every open fund's balance at a glance.

The numbers come from a handful of GROUP BY queries over the legs whatever their number:
the opening balance, then the legs of the period summed by fund, day and account (the
index on (fund, date, account, amount) answers both without reading the table), then the
grants' own legs. Days are folded into months here, over those few thousand sums and never
over the legs: grouping by the plain date column needs no date function, which SQLite
would run in Python for every leg.

A grant is shown as “a grant of $300.00 for rent, decided on 3 March 2026 by the hardship
committee”: the entry's memo holds the purpose in words that name nobody, its `decision`
the proposal that decided it; who received it is never read here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from solnet.democracy.models import Body, BodyKind, Proposal
from solnet.funds.models import (
    Account,
    AccountKind,
    Donation,
    DonationStatus,
    Entry,
    EntryKind,
    Fund,
    Leg,
)
from solnet.funds.money import shown

# How many months a report may cover (the pages offer a few of these).
MONTH_CHOICES = (6, 12, 24, 36)
BALANCE_KINDS = (AccountKind.ASSET, AccountKind.LIABILITY)


@dataclass
class Month:
    """One month of a fund: minor units, money in and out both positive."""

    month: Date  # its first day
    money_in: int = 0
    money_out: int = 0
    # Net money moved to this fund from other funds (negative when it moved out).
    moved: int = 0
    # (expense account's name, amount), the largest first.
    out_by_category: list[tuple[str, int]] = field(default_factory=list)
    balance: int = 0  # at the month's end


def purpose_code(memo: str) -> str:
    """A grant's purpose as its code ("rent"): the entry's memo says it in English words
    ("Grant for rent"). Empty for a memo that names no purpose."""
    from solnet.funds.models.aid import PURPOSE_MEMO

    for purpose, words in PURPOSE_MEMO.items():
        if memo in (words, f"Grant for {words}"):
            return purpose.value
    return ""


def purpose_in_words(memo: str) -> str:
    """A grant's purpose in the reader's language: its purpose's own label, translated."""
    from solnet.funds.models.aid import Purpose

    code = purpose_code(memo)
    return str(Purpose(code).label).lower() if code else memo


@dataclass
class Grant:
    """A grant decided for the fund, described without whom it went to."""

    date: Date
    amount: int
    purpose: str
    decided_on: Date | None
    body: str
    corrected: bool = False  # a later entry reversed it

    def sentence(self, currency: str, language: str | None = None) -> str:
        """“a grant of $300.00 for rent, decided on 3 March 2026 by the general meeting”, in
        `language` (the active one when not given)."""
        with translation.override(language or translation.get_language()):
            return self._sentence(currency, language)

    def _sentence(self, currency: str, language: str | None) -> str:
        values = {
            "amount": shown(self.amount, currency, language),
            "purpose": purpose_in_words(self.purpose),
            "date": formats.date_format(self.decided_on or self.date, "DATE_FORMAT"),
            "body": self.body,
        }
        if self.purpose and self.body:
            text = _("a grant of %(amount)s for %(purpose)s, decided on %(date)s by %(body)s")
        elif self.body:
            text = _("a grant of %(amount)s, decided on %(date)s by %(body)s")
        elif self.purpose:
            text = _("a grant of %(amount)s for %(purpose)s, decided on %(date)s")
        else:
            text = _("a grant of %(amount)s, decided on %(date)s")
        return text % values


@dataclass
class FundReport:
    fund: Fund
    start: Date  # the first day of the first month
    end: Date  # the last day counted
    opening: int  # the balance before `start`
    months: list[Month]
    grants: list[Grant]

    @property
    def closing(self) -> int:
        return self.months[-1].balance if self.months else self.opening

    @property
    def total_in(self) -> int:
        return sum(month.money_in for month in self.months)

    @property
    def total_out(self) -> int:
        return sum(month.money_out for month in self.months)

    @property
    def total_moved(self) -> int:
        return sum(month.moved for month in self.months)


def month_start(day: Date) -> Date:
    return day.replace(day=1)


def add_months(day: Date, count: int) -> Date:
    """The first day of the month `count` months after `day`'s (before, when negative)."""
    index = day.year * 12 + day.month - 1 + count
    return Date(index // 12, index % 12 + 1, 1)


def period(*, months: int, until: Date | None = None) -> tuple[Date, Date, list[Date]]:
    """The first day, the last day and the months of a report of `months` months ending
    with `until`'s month (today's by default), `until` being the last day counted."""
    if months < 1:
        raise ValueError("a report covers at least one month")
    end = until or timezone.localdate()
    first = add_months(end, -(months - 1))
    return first, end, [add_months(first, n) for n in range(months)]


def monthly_report(fund: Fund, *, months: int = 12, until: Date | None = None) -> FundReport:
    """One fund's report, as its members read it (`monthly_reports` for several)."""
    return monthly_reports([fund], months=months, until=until)[0]


def monthly_reports(
    funds: list[Fund], *, months: int = 12, until: Date | None = None, public: bool = False
) -> list[FundReport]:
    """The report of each fund in `funds` over the same months, in five queries whatever the
    number of funds and legs. `public`: the deciding bodies of grants are named only when
    naming them says nothing about where people organize (see `_body_name`)."""
    start, end, firsts = period(months=months, until=until)
    funds = list(funds)
    if not funds:
        return []
    fund_ids = [fund.pk for fund in funds]
    kinds: dict[int, str] = {}
    names: dict[int, str] = {}
    for account_id, kind, name in Account.objects.values_list("id", "kind", "name"):
        kinds[account_id] = kind
        names[account_id] = name
    balance_accounts = [pk for pk, kind in kinds.items() if kind in BALANCE_KINDS]
    expense_accounts = [pk for pk, kind in kinds.items() if kind == AccountKind.EXPENSE]

    opening = dict(
        Leg.objects.filter(fund_id__in=fund_ids, account_id__in=balance_accounts, date__lt=start)
        .values_list("fund_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    sums = (
        Leg.objects.filter(fund_id__in=fund_ids, date__gte=start, date__lte=end)
        .values_list("fund_id", "date", "account_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    # Per fund, per month: [in, out, moved, change of balance], and out by account.
    totals: dict[tuple[int, Date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    out_by: dict[tuple[int, Date], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for fund_id, day, account_id, total in sums:
        key = (fund_id, month_start(day))
        kind = kinds[account_id]
        if kind == AccountKind.INCOME:
            totals[key][0] -= total
        elif kind == AccountKind.EXPENSE:
            totals[key][1] += total
            out_by[key][account_id] += total
        elif kind == AccountKind.EQUITY:
            totals[key][2] -= total
        else:
            totals[key][3] += total

    grants = _grants(fund_ids, start, end, expense_accounts, public=public)
    reports = []
    for fund in funds:
        balance = opening.get(fund.pk) or 0
        rows = []
        for first in firsts:
            money_in, money_out, moved, change = totals.get((fund.pk, first), (0, 0, 0, 0))
            balance += change
            categories = sorted(
                (
                    (names[pk], amount)
                    for pk, amount in out_by.get((fund.pk, first), {}).items()
                    if amount  # a category whose entries were all corrected
                ),
                key=lambda item: (-item[1], item[0]),
            )
            rows.append(Month(first, money_in, money_out, moved, categories, balance))
        reports.append(
            FundReport(
                fund=fund,
                start=start,
                end=end,
                opening=opening.get(fund.pk) or 0,
                months=rows,
                grants=grants.get(fund.pk, []),
            )
        )
    return reports


def _grants(
    fund_ids: list[int], start: Date, end: Date, expense_accounts: list[int], *, public: bool
) -> dict[int, list[Grant]]:
    """Each fund's grants of the period, oldest first: the expense legs of GRANT entries
    (one query), then the decisions behind them (one more)."""
    legs = (
        Leg.objects.filter(
            fund_id__in=fund_ids,
            date__gte=start,
            date__lte=end,
            account_id__in=expense_accounts,
            entry__kind=EntryKind.GRANT,
        )
        .annotate(corrected=Exists(Entry.objects.filter(reverses=OuterRef("entry_id"))))
        .values_list(
            "fund_id", "entry_id", "date", "entry__memo", "entry__decision", "amount", "corrected"
        )
        .order_by("date", "entry__posted_at", "entry_id")
    )
    found: dict[tuple[int, int], dict] = {}
    for fund_id, entry_id, day, memo, decision, amount, corrected in legs:
        grant = found.setdefault(
            (fund_id, entry_id),
            {"date": day, "memo": memo, "decision": decision, "amount": 0, "corrected": corrected},
        )
        grant["amount"] += amount
    decisions = {
        proposal.public_id: proposal
        for proposal in Proposal.objects.filter(
            public_id__in={g["decision"] for g in found.values() if g["decision"]}
        ).select_related("body__council", "body__fight", "body__committee")
    }
    by_fund: dict[int, list[Grant]] = defaultdict(list)
    for (fund_id, _entry_id), grant in found.items():
        proposal = decisions.get(grant["decision"])
        by_fund[fund_id].append(
            Grant(
                date=grant["date"],
                amount=grant["amount"],
                purpose=grant["memo"],
                decided_on=timezone.localdate(proposal.closed_at)
                if proposal is not None and proposal.closed_at
                else None,
                body=_body_name(proposal.body, public=public) if proposal is not None else "",
                corrected=grant["corrected"],
            )
        )
    return by_fund


def _body_name(body: Body, *, public: bool) -> str:
    """Members read the deciding body's name. On the public report a council's or a fight's
    name would tell an employer or a landlord where people organize: those are named by
    their kind only."""
    if not public or body.kind in (BodyKind.GENERAL, BodyKind.COMMITTEE):
        return str(body)
    if body.kind == BodyKind.COUNCIL:
        return _("a council")
    return _("the people of a fight")


# --- the network at a glance ---------------------------------------------------------------


@dataclass
class Summary:
    funds: list[tuple[Fund, int]]  # every open fund and its balance

    @property
    def total(self) -> int:
        return sum(balance for _fund, balance in self.funds)


def network_summary() -> Summary:
    """Every open fund's balance: one GROUP BY over the legs (and the funds)."""
    funds = list(Fund.objects.open())
    balances = dict(
        Leg.objects.filter(fund_id__in=[fund.pk for fund in funds], account__kind__in=BALANCE_KINDS)
        .values_list("fund_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return Summary([(fund, balances.get(fund.pk) or 0) for fund in funds])


def thanked_donors(funds: list[Fund], *, start: Date, end: Date) -> list[str]:
    """The names of donors to `funds` in the period who chose to be thanked by name, each
    once, alphabetically; never an amount beside a name."""
    names = Donation.objects.filter(
        Q(received_on__gte=start, received_on__lte=end),
        fund__in=funds,
        named=True,
        status=DonationStatus.RECEIVED,
    ).values_list("donor_name", flat=True)
    # The names are encrypted: empty ones are left out, and twins merged, once read.
    return sorted({name.strip() for name in names if name and name.strip()}, key=str.casefold)


# --- the chart -----------------------------------------------------------------------------


def balance_chart(report: FundReport, *, shown) -> dict | None:
    """Points of the fund's balance at the start and at each month's end, for an SVG line
    drawn on the server (the pressure timeline's way: no JavaScript). `shown(minor)` writes
    an amount for the axis labels. None when there is nothing to draw."""
    if not report.months:
        return None
    values = [report.opening, *(month.balance for month in report.months)]
    days = [report.start, *(add_months(m.month, 1) - timedelta(days=1) for m in report.months)]
    width, height, left, right, top, bottom = 360, 200, 70, 10, 14, 24
    low, high = min(0, *values), max(0, *values)
    spread = (high - low) or 1

    def x(index: int) -> float:
        return round(left + index / max(len(values) - 1, 1) * (width - left - right), 1)

    def y(value: int) -> float:
        return round(top + (high - value) / spread * (height - top - bottom), 1)

    points = [
        {
            "x": x(n),
            "y": y(value),
            "label": f"{formats.date_format(day, 'SHORT_DATE_FORMAT')}: {shown(value)}",
        }
        for n, (value, day) in enumerate(zip(values, days, strict=True))
    ]
    lines = [{"y": y(0), "label": shown(0)}]
    if high > 0:
        lines.append({"y": y(high), "label": shown(high)})
    if low < 0:
        lines.append({"y": y(low), "label": shown(low)})
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": height - bottom,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "lines": lines,
        "first": report.start,
        "last": report.end,
        "low": shown(low),
        "high": shown(high),
        "closing": shown(report.closing),
    }
