"""Donor-to-striker matching (DOMAIN.md §7): strikers ask to receive, a delegate or treasurer
verifies them, donors pledge, a treasurer runs rounds that match pledges to strikers, and each
side confirms the money moved. The network holds no money: no ledger entry is posted here.

The round's algorithm is deterministic, so anyone can check it from the same rows:

1. Each verified striker's remaining need is their need less everything matched to them
   before; each open pledge's remainder is its amount less everything matched from it.
2. Pledges are taken oldest first (created_at, then id).
3. Each pledge's remainder goes to the striker with the largest remaining need (ties: verified
   first, then id); if it covers more than that need, the rest goes on to the next largest,
   and so on — a pledge is split as needed. A striker whose need is met gets no more.
4. It stops when pledges or needs run out. Running it again with nothing new matches nothing
   (and makes no round), because remainders count every earlier match.

The fund row is locked for the round, so two treasurers pressing at once make one round.
"""

from __future__ import annotations

import hashlib
import heapq
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.core.tasks import queue_mail
from solnet.funds import matching_access as access
from solnet.funds import money
from solnet.funds.models import (
    Books,
    Fund,
    FundKind,
    Match,
    MatchPledge,
    MatchRound,
    PledgeStatus,
    Recipient,
    RecipientStatus,
)
from solnet.members import trust
from solnet.members.models import Member

SUPPORTER = "a supporter"


def _strike_fund(fund: Fund) -> None:
    if fund.kind != FundKind.STRIKE or fund.closed_at is not None:
        raise ValidationError(_("Matching is for an open strike fund."))


def _check_amount(amount: int | None, field: str = "amount") -> None:
    if amount is None or amount <= 0:
        raise ValidationError({field: _("An amount must be more than zero.")})
    if amount > money.LARGEST:
        raise ValidationError({field: _("That amount is too large.")})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- strikers --------------------------------------------------------------------------------


@transaction.atomic
def ask_to_receive(
    *, fund: Fund, by: Member, shown_name: str, payment_handle: str, need: int
) -> Recipient:
    """A member on strike asks to receive from donors, choosing what donors will see."""
    if not access.can_ask_to_receive(by, fund):
        raise PermissionDenied
    _strike_fund(fund)
    _check_amount(need, "need")
    shown_name = shown_name.strip()
    if not shown_name:
        raise ValidationError({"shown_name": _("Give a first name or a nickname.")})
    if not payment_handle.strip():
        raise ValidationError({"payment_handle": _("Say how donors can send you money.")})
    forget_at = timezone.now() + timedelta(days=fund.applicant_days)
    try:
        with transaction.atomic():
            recipient = Recipient.objects.create(
                fund=fund,
                member=by,
                shown_name=shown_name,
                payment_handle=payment_handle.strip(),
                need=need,
                forget_at=forget_at,
            )
    except IntegrityError:
        raise ValidationError(_("You already asked to receive from this fund.")) from None
    audit.record("matching.asked", actor=by, target=recipient)
    return recipient


def may_verify(member: Member, recipient: Recipient) -> bool:
    """A delegate or treasurer who is not the striker, nor someone the striker brought in
    (invited or approved), nor a member newer than the waiting period."""
    if not access.can_verify(member):
        return False
    return trust.may_be_second_person(
        member, requester_ids=[recipient.member_id], beneficiary_ids=[recipient.member_id]
    )


@transaction.atomic
def verify_recipient(*, recipient: Recipient, by: Member, verified: bool) -> Recipient:
    """Confirms (or refuses) a striker. Never by the striker nor by their own invitee."""
    locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
    if not access.can_verify(by):
        raise PermissionDenied
    if not may_verify(by, locked):
        raise ValidationError(
            _(
                "Someone else must verify this striker: not the striker, nor someone they "
                "invited or approved, nor a member who joined very recently."
            )
        )
    if locked.status != RecipientStatus.ASKED:
        raise ValidationError(_("This striker's request was already settled."))
    locked.status = RecipientStatus.VERIFIED if verified else RecipientStatus.REFUSED
    locked.verified_by = by
    locked.verified_at = timezone.now()
    locked.save(update_fields=["status", "verified_by", "verified_at"])
    audit.record("matching.verified" if verified else "matching.refused", actor=by, target=locked)
    return locked


@transaction.atomic
def withdraw_recipient(*, recipient: Recipient, by: Member) -> Recipient:
    """The striker stops receiving: no new matches (those made stay)."""
    locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
    if locked.member_id != by.pk:
        raise PermissionDenied
    if locked.status not in (RecipientStatus.ASKED, RecipientStatus.VERIFIED):
        raise ValidationError(_("This request is already closed."))
    locked.status = RecipientStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    audit.record("matching.recipient_withdrawn", actor=by, target=locked)
    return locked


# --- donors ---------------------------------------------------------------------------------


def _pledge(fund: Fund, key: str, **fields: Any) -> tuple[MatchPledge, bool]:
    """One pledge per form key: the same form sent K times at once makes one pledge."""
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("The form expired. Please load the page again."))
    found = MatchPledge.objects.filter(fund=fund, key=key).first()
    if found is not None:
        return found, False
    forget_at = timezone.now() + timedelta(days=Books.current().donor_days)
    try:
        with transaction.atomic():
            return (
                MatchPledge.objects.create(fund=fund, key=key, forget_at=forget_at, **fields),
                True,
            )
    except IntegrityError:
        return MatchPledge.objects.get(fund=fund, key=key), False


def _name(named: bool, donor_name: str) -> str | None:
    donor_name = (donor_name or "").strip()
    if named and not donor_name:
        raise ValidationError({"donor_name": _("Give the name the strikers may see.")})
    return donor_name if named else None


@transaction.atomic
def pledge(
    *, fund: Fund, by: Member, amount: int, key: str, named: bool = False, donor_name: str = ""
) -> MatchPledge:
    """A member pledges to send `amount` to strikers directly."""
    if not access.can_pledge(by, fund):
        raise PermissionDenied
    _strike_fund(fund)
    _check_amount(amount)
    made, new = _pledge(
        fund, key, donor=by, amount=amount, named=named, donor_name=_name(named, donor_name)
    )
    if new:
        audit.record("matching.pledged", actor=by, target=made)
    return made


@transaction.atomic
def pledge_publicly(
    *, fund: Fund, amount: int, email: str, key: str, named: bool = False, donor_name: str = ""
) -> MatchPledge:
    """Anyone on the fund's public page pledges, leaving an email for the match notice (it
    goes once a round has matched the whole pledge, or with the donor's period)."""
    if not access.public_pledges_open(fund):
        raise PermissionDenied
    _check_amount(amount)
    email = (email or "").strip()
    if not email:
        raise ValidationError({"email": _("We need an email to tell you whom to send to.")})
    made, new = _pledge(
        fund,
        key,
        amount=amount,
        donor_email=email,
        named=named,
        donor_name=_name(named, donor_name),
    )
    if new:
        audit.record("matching.pledged_publicly", target=made)
    return made


@transaction.atomic
def withdraw_pledge(*, pledge: MatchPledge, by: Member) -> MatchPledge:
    """The donor withdraws what is not matched yet."""
    locked = MatchPledge.objects.select_for_update().get(pk=pledge.pk)
    if locked.donor_id != by.pk:
        raise PermissionDenied
    if locked.status != PledgeStatus.OPEN:
        raise ValidationError(_("That pledge is already withdrawn."))
    locked.status = PledgeStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    audit.record("matching.pledge_withdrawn", actor=by, target=locked)
    return locked


# --- rounds ---------------------------------------------------------------------------------


def plan_round(fund: Fund) -> list[tuple[MatchPledge, Recipient, int]]:
    """What a round would match now (the algorithm in the module's docstring), made of rows
    only: (pledge, recipient, amount) in order."""
    recipients = list(
        Recipient.objects.filter(fund=fund, status=RecipientStatus.VERIFIED).order_by(
            "verified_at", "pk"
        )
    )
    given = dict(
        Match.objects.filter(recipient__fund=fund)
        .values("recipient_id")
        .annotate(total=Sum("amount"))
        .values_list("recipient_id", "total")
    )
    taken = dict(
        Match.objects.filter(pledge__fund=fund)
        .values("pledge_id")
        .annotate(total=Sum("amount"))
        .values_list("pledge_id", "total")
    )
    # A heap of (-remaining need, place in the verified order, recipient).
    heap = []
    for place, recipient in enumerate(recipients):
        remaining = recipient.need - given.get(recipient.pk, 0)
        if remaining > 0:
            heap.append((-remaining, place, recipient))
    heapq.heapify(heap)
    plan = []
    pledges = MatchPledge.objects.filter(fund=fund, status=PledgeStatus.OPEN).order_by(
        "created_at", "pk"
    )
    for pledge in pledges:
        left = pledge.amount - taken.get(pledge.pk, 0)
        while left > 0 and heap:
            negative, place, recipient = heapq.heappop(heap)
            part = min(left, -negative)
            plan.append((pledge, recipient, part))
            left -= part
            if -negative - part > 0:
                heapq.heappush(heap, (negative + part, place, recipient))
        if not heap:
            break
    return plan


@transaction.atomic
def run_round(*, fund: Fund, by: Member, confirm_days: int = 7) -> MatchRound:
    """A treasurer runs a round: the matches are made, each side is told by mail where an
    address is known, and public donors' emails go once their pledge is wholly matched."""
    if not access.can_run_rounds(by):
        raise PermissionDenied
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    _strike_fund(fund)
    if not 1 <= confirm_days <= 90:
        raise ValidationError({"confirm_days": _("Between 1 and 90 days.")})
    plan = plan_round(fund)
    # Pairs a pledge and a striker once a round: the same pair twice is one match.
    merged: dict[tuple[int, int], list[Any]] = {}
    for pledge, recipient, amount in plan:
        row = merged.setdefault((pledge.pk, recipient.pk), [pledge, recipient, 0])
        row[2] += amount
    if not merged:
        raise ValidationError(_("Nothing to match: no open pledges or no striker still in need."))
    number = (MatchRound.objects.filter(fund=fund).aggregate(n=Max("number"))["n"] or 0) + 1
    match_round = MatchRound.objects.create(
        fund=fund, number=number, run_by=by, confirm_days=confirm_days
    )
    made = []
    links: dict[int, str] = {}
    for pledge, recipient, amount in merged.values():
        token = None
        if pledge.donor_id is None:
            token = secrets.token_urlsafe(32)
        match = Match.objects.create(
            round=match_round,
            pledge=pledge,
            recipient=recipient,
            amount=amount,
            token_digest=_digest(token) if token else None,
        )
        if token:
            links[match.pk] = token
        made.append(match)
    _tell(made, links)
    _forget_matched_emails(fund)
    audit.record(
        "matching.round", actor=by, target=match_round, matches=len(made), fund=fund.public_id
    )
    return match_round


def _absolute(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


def _tell(matches: list[Match], links: dict[int, str]) -> None:
    """The match notices: each donor learns whom to send to (only what the striker chose to
    share), each striker how much a supporter will send (their name only if they chose)."""
    currency = money.network_currency()
    for match in matches:
        pledge, recipient = match.pledge, match.recipient
        amount = money.plain(match.amount, currency)
        if pledge.donor_id is None and pledge.donor_email:
            link = _absolute(reverse("funds:match_donor", args=[links[match.pk]]))
            body = _(
                "Thank you for supporting the strike. Please send %(amount)s %(currency)s to "
                "%(name)s: %(handle)s\n\nWhen you have sent it, tell us here: %(link)s"
            ) % {
                "amount": amount,
                "currency": currency,
                "name": recipient.shown_name,
                "handle": recipient.payment_handle or "",
                "link": link,
            }
            queue_mail(to=pledge.donor_email, subject=_("Whom to send your support to"), body=body)
        elif pledge.donor is not None and pledge.donor.email:
            link = _absolute(reverse("funds:matching", args=[match.round.fund.public_id]))
            queue_mail(
                to=pledge.donor.email,
                subject=_("Your pledge is matched"),
                body=_("Your pledge to the strike is matched to a striker. See whom: %(link)s")
                % {"link": link},
            )
        striker = recipient.member
        if striker is not None and striker.email:
            link = _absolute(reverse("funds:matching", args=[match.round.fund.public_id]))
            queue_mail(
                to=striker.email,
                subject=_("A supporter will send you money"),
                body=_(
                    "%(donor)s will send you %(amount)s %(currency)s. Tell us when it "
                    "arrives: %(link)s"
                )
                % {
                    "donor": donor_shown(pledge),
                    "amount": amount,
                    "currency": currency,
                    "link": link,
                },
            )


def _forget_matched_emails(fund: Fund) -> int:
    """A public donor's email is only for the match notice: gone once a round has matched
    the whole pledge (the notices are already sealed in the queue)."""
    pledges = MatchPledge.objects.filter(
        fund=fund, donor__isnull=True, donor_email__isnull=False
    ).annotate(matched=Sum("matches__amount"))
    done = [p.pk for p in pledges if (p.matched or 0) >= p.amount]
    return MatchPledge.objects.filter(pk__in=done).update(donor_email=None)


# --- confirming -----------------------------------------------------------------------------


@transaction.atomic
def confirm_sent(*, match: Match, by: Member | None = None, token: str = "") -> Match:
    """The donor says they sent it: the member who pledged, or whoever holds the link."""
    locked = Match.objects.select_for_update().select_related("pledge").get(pk=match.pk)
    if by is not None:
        if locked.pledge.donor_id != by.pk:
            raise PermissionDenied
    elif not token or locked.token_digest != _digest(token):
        raise PermissionDenied
    if locked.sent_at is None:
        locked.sent_at = timezone.now()
        locked.save(update_fields=["sent_at"])
        audit.record("matching.sent", actor=by, target=locked)
    return locked


@transaction.atomic
def confirm_received(*, match: Match, by: Member) -> Match:
    """The striker says the money arrived."""
    locked = Match.objects.select_for_update().select_related("recipient").get(pk=match.pk)
    if locked.recipient.member_id != by.pk:
        raise PermissionDenied
    if locked.received_at is None:
        locked.received_at = timezone.now()
        locked.save(update_fields=["received_at"])
        audit.record("matching.received", actor=by, target=locked)
    return locked


def match_by_token(token: str) -> Match | None:
    if not token or len(token) > 64:
        return None
    return (
        Match.objects.select_related("recipient", "round")
        .filter(token_digest=_digest(token))
        .first()
    )


# --- what each side sees --------------------------------------------------------------------


def donor_shown(pledge: MatchPledge) -> str:
    """How a striker sees a donor: "a supporter", or the name the donor chose to give."""
    if pledge.named and pledge.donor_name:
        return pledge.donor_name
    return _(SUPPORTER)


def for_donor(match: Match) -> dict[str, Any]:
    """What a donor sees of a match: what the striker chose to share, nothing else."""
    return {
        "public_id": match.public_id,
        "amount": match.amount,
        "to": match.recipient.shown_name,
        "handle": match.recipient.payment_handle or "",
        "sent": match.sent_at is not None,
        "received": match.received_at is not None,
        "overdue": match.overdue,
        "round": match.round.number,
    }


def for_recipient(match: Match) -> dict[str, Any]:
    """What a striker sees of a match: the amount and "a supporter" (or the donor's chosen
    name); never an email or an account."""
    return {
        "public_id": match.public_id,
        "amount": match.amount,
        "from": donor_shown(match.pledge),
        "sent": match.sent_at is not None,
        "received": match.received_at is not None,
        "overdue": match.overdue,
        "round": match.round.number,
    }


def totals(fund: Fund) -> dict[str, Any]:
    """The fund page's figures: counts and sums, never a name."""
    matches = Match.objects.filter(round__fund=fund)
    figures = matches.aggregate(
        matched_count=Count("pk"),
        matched_sum=Sum("amount"),
        sent_count=Count("pk", filter=Q(sent_at__isnull=False)),
        confirmed_count=Count("pk", filter=Q(sent_at__isnull=False, received_at__isnull=False)),
        confirmed_sum=Sum("amount", filter=Q(sent_at__isnull=False, received_at__isnull=False)),
    )
    pledged = MatchPledge.objects.filter(fund=fund, status=PledgeStatus.OPEN).aggregate(
        count=Count("pk"), total=Sum("amount")
    )
    recipients = Recipient.objects.filter(fund=fund, status=RecipientStatus.VERIFIED)
    overdue = sum(1 for m in matches.select_related("round") if m.overdue)
    return {
        "pledged_count": pledged["count"],
        "pledged_sum": pledged["total"] or 0,
        "matched_count": figures["matched_count"],
        "matched_sum": figures["matched_sum"] or 0,
        "sent_count": figures["sent_count"],
        "confirmed_count": figures["confirmed_count"],
        "confirmed_sum": figures["confirmed_sum"] or 0,
        "overdue_count": overdue,
        "recipients": recipients.count(),
        "rounds": MatchRound.objects.filter(fund=fund).count(),
    }
