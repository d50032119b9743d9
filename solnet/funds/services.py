"""The treasurer's work on the books: funds and their rules, accounts, money moved between
funds, and the books' settings. Rules that protect the money — a fund's cap, cooldown and
deciding body, the amount above which a payment needs a second person — change only with a
second treasurer's approval (the two-person rule), never by one person alone."""

from __future__ import annotations

from datetime import date as Date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from solnet.core import audit, twoperson
from solnet.core.models import ApprovalRequest
from solnet.democracy.models import Body, BodyKind
from solnet.funds import access, ledger
from solnet.funds.ledger import Line
from solnet.funds.models import Account, AccountKind, Books, Entry, EntryKind, Fund
from solnet.members.models import Member
from solnet.people.models import Person

RULES_ACTION = "funds.rules"
SETTINGS_ACTION = "funds.settings"
COMMITTEE_SIZE = (3, 5)

# The rules of a fund that only two treasurers together may change, and the settings.
RULE_FIELDS = (
    "cap",
    "cooldown_months",
    "pay_within_days",
    "decider",
    "body",
    "members_only",
    "good_standing",
)
SETTING_FIELDS = ("two_person_above", "donor_days", "publish_report")


def _treasurer(by: Member) -> None:
    if not access.can_keep_books(by):
        raise PermissionDenied


def check_body(body: Body | None) -> None:
    """A fund is decided by the general meeting or by a committee of three to five."""
    if body is None:
        raise ValidationError({"body": _("Choose who decides the fund's grants.")})
    if body.kind == BodyKind.GENERAL:
        return
    committee = body.committee if body.kind == BodyKind.COMMITTEE else None
    if committee is None:
        raise ValidationError({"body": _("Choose a committee or the general meeting.")})
    size = Person.objects.filter(committees=committee, member__is_active=True).count()
    low, high = COMMITTEE_SIZE
    if not low <= size <= high:
        raise ValidationError(
            {
                "body": _(
                    "A fund's committee has %(low)s to %(high)s members with accounts; "
                    "“%(committee)s” has %(size)s."
                )
                % {"low": low, "high": high, "committee": committee, "size": size}
            }
        )


@transaction.atomic
def create_fund(
    *,
    by: Member,
    name: str,
    kind: str,
    body: Body | None,
    purpose: str = "",
    eligibility: str = "",
    members_only: bool = True,
    good_standing: bool = False,
    cap: int | None = None,
    cooldown_months: int = 0,
    pay_within_days: int = 7,
    decider: str = "body",
    applicant_days: int = 183,
    public_donations: bool = False,
    public_requests: bool = False,
) -> Fund:
    """A treasurer sets up a fund with its written rules; its balance account opens with it."""
    _treasurer(by)
    check_body(body)
    if good_standing and not members_only:
        raise ValidationError(
            {"good_standing": _("Only members have dues: good standing needs members only.")}
        )
    if public_requests and members_only:
        raise ValidationError(
            {"public_requests": _("A public request form is for a fund anyone may ask.")}
        )
    fund = Fund(
        name=name.strip(),
        kind=kind,
        body=body,
        purpose=purpose.strip(),
        eligibility=eligibility.strip(),
        members_only=members_only,
        good_standing=good_standing,
        cap=cap,
        cooldown_months=cooldown_months,
        pay_within_days=pay_within_days,
        decider=decider,
        applicant_days=applicant_days,
        public_donations=public_donations,
        public_requests=public_requests,
    )
    fund.full_clean()
    fund.save()
    Account.objects.create(
        kind=AccountKind.EQUITY,
        name=fund.name,
        code=ledger.account_code(AccountKind.EQUITY, f"Fund {fund.name}"),
        fund=fund,
    )
    audit.record("funds.fund_created", actor=by, target=fund)
    return fund


def general_account() -> Account:
    """The balance account of the network's general money (no fund)."""
    account, _created = Account.objects.get_or_create(
        code="Equity:General", defaults={"kind": AccountKind.EQUITY, "name": N_("General money")}
    )
    return account


def balance_account(fund: Fund | None) -> Account:
    return general_account() if fund is None else fund.balance_account


@transaction.atomic
def open_account(*, by: Member, kind: str, name: str) -> Account:
    _treasurer(by)
    if kind not in (AccountKind.ASSET, AccountKind.INCOME, AccountKind.EXPENSE):
        raise ValidationError({"kind": _("Choose where money is, comes from or goes.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the account a name.")})
    account = Account.objects.create(kind=kind, name=name, code=ledger.account_code(kind, name))
    audit.record("funds.account_opened", actor=by, target=account, kind=kind)
    return account


@transaction.atomic
def move_money(
    *,
    by: Member,
    amount: int,
    where: Account,
    source: Fund | None,
    target: Fund | None,
    on: Date,
    memo: str = "",
) -> Entry:
    """Moves `amount` held in `where` from one fund's balance to another's (or to or from the
    general money): the money stays where it is; what it is for changes."""
    _treasurer(by)
    if where.kind != AccountKind.ASSET:
        raise ValidationError({"where": _("Choose where the money is kept.")})
    if source == target:
        raise ValidationError({"target": _("Choose two different funds.")})
    for fund in (source, target):
        if fund is not None and fund.closed_at is not None:
            raise ValidationError(_("The fund “%(fund)s” is closed.") % {"fund": fund})
    held = ledger.fund_balance(source) if source else ledger.general_balance()
    if amount > held:
        raise ValidationError({"amount": _("The fund holds less than that.")}, code="insufficient")
    return ledger.post_entry(
        kind=EntryKind.TRANSFER,
        date=on,
        by=by,
        memo=memo or _("Moved between funds"),
        lines=[
            Line(where, -amount, source),
            Line(balance_account(source), amount, source),
            Line(where, amount, target),
            Line(balance_account(target), -amount, target),
        ],
    )


@transaction.atomic
def record_opening_balance(
    *, by: Member, amount: int, where: Account, fund: Fund | None, on: Date
) -> Entry:
    """Money the network already had when it started keeping its books here."""
    _treasurer(by)
    if where.kind != AccountKind.ASSET:
        raise ValidationError({"where": _("Choose where the money is kept.")})
    return ledger.post_entry(
        kind=EntryKind.OPENING,
        date=on,
        by=by,
        memo=_("Opening balance"),
        lines=[Line(where, amount, fund), Line(balance_account(fund), -amount, fund)],
    )


@transaction.atomic
def correct_entry(*, by: Member, entry: Entry, on: Date, why: str) -> Entry:
    """A treasurer reverses a mistaken entry. Grants and payments that rest on a decision
    are not undone by one person: the money decided stays decided."""
    _treasurer(by)
    if entry.decision:
        raise ValidationError(
            _("This entry carries out a decision; only a new decision can undo it.")
        )
    if not why.strip():
        raise ValidationError({"why": _("Say what was wrong.")})
    return ledger.reverse_entry(entry=entry, date=on, by=by, memo=why)


# --- rules and settings: two treasurers ------------------------------------------------------


def _clean_changes(fund: Fund | None, changes: dict[str, Any]) -> dict[str, Any]:
    allowed = RULE_FIELDS if fund is not None else SETTING_FIELDS
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(_("Those settings cannot be changed here."))
    return changes


def _apply_rules(params: dict[str, Any], approval: ApprovalRequest) -> None:
    fund = Fund.objects.select_for_update().get(public_id=params["fund"])
    changes = dict(params["changes"])
    if "body" in changes:
        body = Body.objects.filter(public_id=changes.pop("body")).first()
        check_body(body)
        fund.body = body
    for field, value in changes.items():
        setattr(fund, field, value)
    fund.full_clean()
    fund.save()
    audit.record("funds.rules_changed", target=fund, fields=sorted(params["changes"]))


def _apply_settings(params: dict[str, Any], approval: ApprovalRequest) -> None:
    books = Books.current()
    for field, value in params["changes"].items():
        setattr(books, field, value)
    books.full_clean()
    books.save()
    audit.record("funds.settings_changed", fields=sorted(params["changes"]))


def _label(model, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _describe_rules(params: dict[str, Any]) -> str:
    fund = Fund.objects.filter(public_id=params.get("fund")).first()
    return _("Change the rules of the fund “%(fund)s”: %(fields)s") % {
        "fund": fund or "?",
        "fields": ", ".join(_label(Fund, name) for name in params["changes"]),
    }


def _describe_settings(params: dict[str, Any]) -> str:
    return _("Change the books' settings: %(fields)s") % {
        "fields": ", ".join(_label(Books, name) for name in params["changes"])
    }


def _may_approve(member: Member, params: dict[str, Any]) -> bool:
    return access.can_keep_books(member)


@transaction.atomic
def ask_to_change_rules(*, by: Member, fund: Fund, changes: dict[str, Any]) -> ApprovalRequest:
    """A treasurer asks; the change happens when a second treasurer approves."""
    _treasurer(by)
    changes = _clean_changes(fund, changes)
    if "body" in changes:
        check_body(Body.objects.filter(public_id=changes["body"]).first())
    if not changes:
        raise ValidationError(_("Nothing would change."))
    return twoperson.request_action(
        name=RULES_ACTION, params={"fund": fund.public_id, "changes": changes}, requested_by=by
    )


@transaction.atomic
def ask_to_change_settings(*, by: Member, changes: dict[str, Any]) -> ApprovalRequest:
    _treasurer(by)
    changes = _clean_changes(None, changes)
    if not changes:
        raise ValidationError(_("Nothing would change."))
    trial = Books.current()
    for field, value in changes.items():
        setattr(trial, field, value)
    trial.full_clean()
    return twoperson.request_action(
        name=SETTINGS_ACTION, params={"changes": changes}, requested_by=by
    )


def register() -> None:
    twoperson.register(
        twoperson.TwoPersonAction(
            name=RULES_ACTION,
            run=_apply_rules,
            describe=_describe_rules,
            can_request=access.can_keep_books,
            can_approve=_may_approve,
            beneficiary_keys=(),
        )
    )
    twoperson.register(
        twoperson.TwoPersonAction(
            name=SETTINGS_ACTION,
            run=_apply_settings,
            describe=_describe_settings,
            can_request=access.can_keep_books,
            can_approve=_may_approve,
            beneficiary_keys=(),
        )
    )


def today() -> Date:
    return timezone.localdate()
