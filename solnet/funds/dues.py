"""Dues on a sliding scale: each member pledges what they can (monthly, yearly, or nothing),
payments are recorded by a treasurer, and standing is derived from the two. A waiver is a
decision of the members. Who is behind is seen by the treasurers and the member alone.

Standing: a period's dues are due by the period's end. A member is paid up when what they
have paid covers every period that has ended since their pledge began (plus what they owed
or had paid ahead when they last changed it). Lowering a pledge never wipes what is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.core import audit
from solnet.funds import access, ledger
from solnet.funds.ledger import Line
from solnet.funds.models import Account, AccountKind, DuesPayment, DuesPeriod, DuesPledge, EntryKind
from solnet.members.access import is_member
from solnet.members.models import Member


class Standing:
    NO_DUES = "no_dues"
    PAID_UP = "paid_up"
    BEHIND = "behind"
    WAIVED = "waived"

    LABELS = {
        NO_DUES: gettext_lazy("No dues pledged"),
        PAID_UP: gettext_lazy("Paid up"),
        BEHIND: gettext_lazy("Behind"),
        WAIVED: gettext_lazy("Waived by decision"),
    }
    GOOD = (NO_DUES, PAID_UP, WAIVED)


@dataclass(frozen=True)
class DuesAccount:
    standing: str
    owed: int  # what the ended periods ask for, with what was carried
    paid: int  # what was paid towards them
    pledge: DuesPledge | None

    @property
    def label(self) -> str:
        return str(Standing.LABELS[self.standing])

    @property
    def behind_by(self) -> int:
        return max(self.owed - self.paid, 0)

    @property
    def good(self) -> bool:
        return self.standing in Standing.GOOD


def periods_ended(since: Date, today: Date, period: str) -> int:
    """How many whole periods have ended between `since` and `today`."""
    if period == DuesPeriod.NONE or today <= since:
        return 0
    months = (today.year - since.year) * 12 + (today.month - since.month)
    if today.day < since.day:
        months -= 1
    return max(months, 0) if period == DuesPeriod.MONTHLY else max(months, 0) // 12


def _paid_since(pledge: DuesPledge) -> int:
    return (
        DuesPayment.objects.filter(
            member=pledge.member, pk__gt=pledge.counted_through, refund_entry__isnull=True
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )


def standing(member: Member, *, today: Date | None = None) -> DuesAccount:
    today = today or timezone.localdate()
    pledge = DuesPledge.objects.filter(member=member).first()
    if pledge is None:
        return DuesAccount(Standing.NO_DUES, 0, 0, None)
    owed = pledge.carried + pledge.amount * periods_ended(pledge.since, today, pledge.period)
    paid = _paid_since(pledge)
    if pledge.waived_until and pledge.waived_until >= today:
        return DuesAccount(Standing.WAIVED, owed, paid, pledge)
    if pledge.period == DuesPeriod.NONE and owed <= paid:
        return DuesAccount(Standing.NO_DUES, owed, paid, pledge)
    return DuesAccount(Standing.PAID_UP if paid >= owed else Standing.BEHIND, owed, paid, pledge)


def in_good_standing(member: Member, *, today: Date | None = None) -> bool:
    """For a fund's rules: paid up, waived, or no dues pledged."""
    return standing(member, today=today).good


@transaction.atomic
def set_pledge(*, member: Member, amount: int, period: str, by: Member) -> DuesPledge:
    """A member chooses what they pay. What they owed so far stays owed."""
    if by.pk != member.pk or not is_member(member):
        raise PermissionDenied
    if period not in DuesPeriod.values:
        raise ValidationError({"period": _("Choose how often from the list.")})
    if period == DuesPeriod.NONE:
        amount = 0
    elif amount <= 0:
        raise ValidationError({"amount": _("An amount must be more than zero.")})
    today = timezone.localdate()
    Member.objects.select_for_update().filter(pk=member.pk).first()  # one change at a time
    current = standing(member, today=today)
    pledge = current.pledge or DuesPledge(member=member, since=today)
    last_payment = DuesPayment.objects.aggregate(last=Max("pk"))["last"] or 0
    pledge.carried = current.owed - current.paid
    pledge.counted_through = last_payment
    pledge.amount, pledge.period, pledge.since = amount, period, today
    pledge.updated_at = timezone.now()
    pledge.save()
    audit.record("funds.dues_pledged", actor=by, target=member)
    return pledge


@transaction.atomic
def record_dues_payment(
    *, member: Member, amount: int, paid_on: Date, where: Account, by: Member, reference: str = ""
) -> DuesPayment:
    """A treasurer records dues received: the money goes to the network's general money."""
    if not access.can_keep_books(by):
        raise PermissionDenied
    if where.kind != AccountKind.ASSET or where.closed_at is not None:
        raise ValidationError({"where": _("Choose where the money is kept.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be in the future.")})
    entry = ledger.post_entry(
        kind=EntryKind.DUES,
        date=paid_on,
        by=by,
        memo=_("Dues"),
        reference=reference,
        lines=[
            Line(where, amount, None),
            Line(ledger.standard_account("Income:Dues"), -amount, None),
        ],
    )
    payment = DuesPayment.objects.create(member=member, amount=amount, paid_on=paid_on, entry=entry)
    audit.record("funds.dues_paid", actor=by, target=member)
    return payment


@transaction.atomic
def waive_dues(*, member: Member, until: Date, decision: str) -> DuesPledge:
    """A passed decision waives a member's dues until a day (what they owed is forgiven)."""
    today = timezone.localdate()
    pledge = DuesPledge.objects.select_for_update().filter(member=member).first()
    if pledge is None:
        pledge = DuesPledge(member=member, since=today)
    current = standing(member, today=today)
    pledge.carried = 0
    pledge.counted_through = DuesPayment.objects.aggregate(last=Max("pk"))["last"] or 0
    pledge.since = until if pledge.period != DuesPeriod.NONE else today
    pledge.waived_until, pledge.waived_by = until, decision
    pledge.updated_at = timezone.now()
    pledge.save()
    audit.record("funds.dues_waived", target=member, decision=decision, forgiven=current.behind_by)
    return pledge


def pledges_for_treasurer(viewer: Member):
    """Every pledge, for the treasurers; nobody else sees another member's dues."""
    if not access.can_keep_books(viewer):
        return DuesPledge.objects.none()
    return DuesPledge.objects.select_related("member").order_by("member__display_name", "pk")


# --- the decision that waives: an effect of the democracy app -------------------------------


def _prepare_waiver(params: dict[str, Any], body, by: Member):
    from solnet.democracy.effects import Prepared
    from solnet.democracy.models import BodyKind

    if body.kind != BodyKind.GENERAL:
        raise ValidationError(_("Only the general meeting waives dues."), code="invalid_effect")
    member = Member.objects.filter(public_id=str(params.get("member", ""))).first()
    if member is None or not member.is_active:
        raise ValidationError(_("Choose a member from the list."), code="invalid_effect")
    try:
        until = Date.fromisoformat(str(params.get("until", "")))
    except ValueError:
        raise ValidationError(
            _("Give the last day of the waiver."), code="invalid_effect"
        ) from None
    today = timezone.localdate()
    if not today < until <= today.replace(year=today.year + 1):
        raise ValidationError(_("A waiver ends within the next year."), code="invalid_effect")
    return Prepared(params={"member": member.public_id, "until": until.isoformat()})


def _describe_waiver(params: dict[str, Any]) -> str:
    member = Member.objects.filter(public_id=params.get("member")).first()
    return _("Waive the dues of %(member)s until %(date)s") % {
        "member": member or "?",
        "date": params.get("until"),
    }


def _run_waiver(params: dict[str, Any], proposal) -> None:
    member = Member.objects.filter(public_id=params["member"]).first()
    if member is None:
        raise ValidationError(_("That member is no longer here."))
    waive_dues(
        member=member, until=Date.fromisoformat(params["until"]), decision=proposal.public_id
    )


def _waiver_conflicted(params: dict[str, Any]) -> set[int]:
    return set(Member.objects.filter(public_id=params.get("member")).values_list("pk", flat=True))


def register() -> None:
    from solnet.democracy import effects
    from solnet.democracy.models import EffectKind

    effects.register(
        EffectKind.WAIVE_DUES,
        effects.Kind(_prepare_waiver, _describe_waiver, _run_waiver, _waiver_conflicted),
    )
