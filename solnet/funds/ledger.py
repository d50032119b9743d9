"""Posting to the ledger. Every entry goes through `post_entry`, which checks what the
database checks again (two or more legs, no zero amount, balanced in each fund) and writes
the legs first and the entry last, as the database's rules require. Corrections are
reversing entries (`reverse_entry`); nothing posted is ever changed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from solnet.core import audit
from solnet.funds.models import (
    ROOTS,
    Account,
    AccountKind,
    Entry,
    EntryKind,
    Fund,
    Leg,
)
from solnet.funds.money import LARGEST


@dataclass(frozen=True)
class Line:
    """One leg to post: minor units, a debit positive and a credit negative."""

    account: Account
    amount: int
    fund: Fund | None = None


def check_lines(lines: Sequence[Line]) -> None:
    """What makes an entry postable; raises a ValidationError in the reader's language."""
    if len(lines) < 2:
        raise ValidationError(_("An entry needs at least two lines."), code="legs")
    per_fund: dict[int | None, int] = defaultdict(int)
    for line in lines:
        if not isinstance(line.amount, int) or isinstance(line.amount, bool):
            raise ValidationError(_("Amounts are whole minor units."), code="amount")
        if line.amount == 0:
            raise ValidationError(_("No line of an entry may be zero."), code="zero")
        if abs(line.amount) > LARGEST:
            raise ValidationError(_("That amount is too large."), code="large")
        if line.account.closed_at is not None:
            raise ValidationError(
                _("The account “%(account)s” is closed.") % {"account": line.account},
                code="closed",
            )
        per_fund[line.fund.pk if line.fund else None] += line.amount
    if any(per_fund.values()):
        raise ValidationError(
            _("The entry does not balance: what goes in must equal what comes out."),
            code="unbalanced",
        )


@transaction.atomic
def post_entry(
    *,
    kind: str,
    date: Date,
    lines: Sequence[Line],
    by=None,
    memo: str = "",
    reference: str = "",
    decision: str = "",
    reverses: Entry | None = None,
) -> Entry:
    """Writes one balanced entry and audits it. `by` is the member posting (None for the
    payment processor or a decision's effect)."""
    check_lines(lines)
    entry = Entry(
        kind=kind,
        date=date,
        memo=memo.strip()[:200],
        reference=reference.strip()[:80],
        decision=decision,
        reverses=reverses,
    )
    Leg.objects.bulk_create(
        Leg(entry_id=entry.id, account=line.account, fund=line.fund, amount=line.amount, date=date)
        for line in lines
    )
    Entry.objects.bulk_create([entry])
    audit.record(
        "funds.posted",
        actor=by,
        target=entry,
        kind=kind,
        legs=len(lines),
        total=sum(line.amount for line in lines if line.amount > 0),
    )
    return entry


@transaction.atomic
def reverse_entry(*, entry: Entry, date: Date, by=None, memo: str = "") -> Entry:
    """Posts the mirror image of `entry`, linked to it. An entry is reversed at most once
    (the database's unique link says so too), and a reversal is not itself reversed."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError(_("A correction is not corrected again: post a new entry."))
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry has already been reversed."), code="reversed")
    lines = [
        Line(account=leg.account, amount=-leg.amount, fund=leg.fund)
        for leg in entry.legs.select_related("account", "fund")
    ]
    return post_entry(
        kind=EntryKind.REVERSAL,
        date=date,
        lines=lines,
        by=by,
        memo=memo or _("Correction of %(entry)s") % {"entry": entry.public_id},
        reverses=entry,
    )


# --- the chart of accounts ------------------------------------------------------------------

# The accounts every network starts with: (code, kind, name). Names are kept in English and
# translated when shown.
STANDARD = [
    ("Assets:Cash", AccountKind.ASSET, N_("Cash box")),
    ("Assets:Bank", AccountKind.ASSET, N_("Bank account")),
    ("Assets:Processor", AccountKind.ASSET, N_("Online payments (processor)")),
    ("Liabilities:GrantsPayable", AccountKind.LIABILITY, N_("Grants decided, not yet paid")),
    ("Income:Donations", AccountKind.INCOME, N_("Donations")),
    ("Income:Dues", AccountKind.INCOME, N_("Dues")),
    ("Income:Events", AccountKind.INCOME, N_("Events")),
    ("Expenses:Grants", AccountKind.EXPENSE, N_("Grants")),
    ("Expenses:Supplies", AccountKind.EXPENSE, N_("Supplies")),
    ("Expenses:Fees", AccountKind.EXPENSE, N_("Processor and bank fees")),
    ("Expenses:Other", AccountKind.EXPENSE, N_("Other expenses")),
]


def standard_account(code: str) -> Account:
    """One of the standard accounts, opened the first time it is needed."""
    for known, kind, name in STANDARD:
        if known == code:
            account, _created = Account.objects.get_or_create(
                code=code, defaults={"kind": kind, "name": name}
            )
            return account
    raise KeyError(code)


def open_standard_accounts() -> None:
    for code, _kind, _name in STANDARD:
        standard_account(code)


def account_code(kind: str, name: str) -> str:
    """A Beancount-safe, unique code for a new account: the kind's root and the name in
    ASCII capitalized words (“Credit union” → Assets:CreditUnion)."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_name).split()
    stem = "".join(word[:1].upper() + word[1:] for word in words)[:60] or "Account"
    if not stem[0].isalpha():
        stem = "A" + stem
    code = f"{ROOTS[AccountKind(kind)]}:{stem}"
    taken = set(Account.objects.filter(code__startswith=code).values_list("code", flat=True))
    if code not in taken:
        return code
    number = 2
    while f"{code}{number}" in taken:
        number += 1
    return f"{code}{number}"


# --- reading the books ----------------------------------------------------------------------


def balances(accounts: Iterable[Account] | None = None) -> dict[int, int]:
    """Each account's balance in minor units, debit positive: one GROUP BY over the legs."""
    legs = Leg.objects.all()
    if accounts is not None:
        legs = legs.filter(account__in=list(accounts))
    rows = legs.values_list("account_id").annotate(total=Sum("amount")).order_by()
    return {account_id: total for account_id, total in rows}


def trial_balance() -> int:
    """The sum of every leg: zero in a ledger that holds."""
    return Leg.objects.aggregate(total=Sum("amount"))["total"] or 0


def fund_balance(fund: Fund, *, until: Date | None = None) -> int:
    """What the fund holds: its share of the money in asset accounts less what it owes."""
    legs = Leg.objects.filter(
        fund=fund, account__kind__in=(AccountKind.ASSET, AccountKind.LIABILITY)
    )
    if until is not None:
        legs = legs.filter(date__lte=until)
    return legs.aggregate(total=Sum("amount"))["total"] or 0


def general_balance() -> int:
    return (
        Leg.objects.filter(
            Q(fund__isnull=True), account__kind__in=(AccountKind.ASSET, AccountKind.LIABILITY)
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
