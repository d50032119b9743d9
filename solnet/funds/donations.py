"""Donations to the funds: given online through the payment processor, or recorded by a
treasurer (cash, a cheque, a bank transfer).

Online, a donation is started here (`start_online_donation`: a pending donation and the
processor's payment page) and reaches the books only when the processor's signed webhook says
it was paid (`record_processor_event`); a refund made at the processor comes back the same way.
Each webhook event has its effect once: its id is remembered in the same transaction as the
effect, so a delivery sent again — the processor retries, an attacker replays, K copies arrive
at once — changes nothing more. Every entry goes through `ledger.post_entry`, which audits it;
entries name nobody, and a donor's name is kept only when they chose to be thanked by name.
"""

from __future__ import annotations

import enum
import logging
import re
from datetime import UTC, datetime, timedelta
from datetime import date as Date
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.funds import access, dues_online, ledger, money, processor
from solnet.funds.models import (
    AccountKind,
    Books,
    Donation,
    DonationStatus,
    EntryKind,
    Fund,
    Method,
    ProcessorEvent,
)
from solnet.funds.models.ledger import Account

logger = logging.getLogger(__name__)

PROCESSOR_ACCOUNT = processor.ACCOUNT
INCOME_ACCOUNT = "Income:Donations"
# How a treasurer may record a donation; online ones come only through the processor.
RECORDED_METHODS = (Method.CASH, Method.CHEQUE, Method.TRANSFER, Method.OTHER)
EVENT_ID = re.compile(r"^evt_[A-Za-z0-9_]{1,250}$")


class StartedDonation(NamedTuple):
    donation: Donation
    checkout_url: str


class Outcome(enum.Enum):
    APPLIED = "applied"  # the event had its effect now
    DUPLICATE = "duplicate"  # the event was had before: nothing more happens
    IGNORED = "ignored"  # an event SolNet does not act on: nothing is written


def _forget_at() -> datetime:
    return timezone.now() + timedelta(days=Books.current().donor_days)


def _check_donor(donor_name: str, named: bool) -> str:
    """The name to keep: none unless the donor chose to be thanked by it."""
    donor_name = (donor_name or "").strip()[:120]
    if named and not donor_name:
        raise ValidationError(_("Write the name to thank, or untick the box."), code="name_needed")
    return donor_name if named else ""


# --- online donations -------------------------------------------------------------------------


def start_online_donation(
    *,
    fund: Fund,
    amount_minor: int,
    email: str | None,
    donor_name: str,
    named: bool,
    language: str,
) -> StartedDonation:
    """Starts a donation of `amount_minor` (minor units of the network's currency) to `fund`:
    a pending donation and the processor's payment page for it, where the donor is sent. It is
    received only when the processor's webhook says it was paid.

    Not one transaction on purpose: the donation is saved before the processor is called, so
    no database lock is held while the processor answers; if no payment page could be opened,
    the pending donation is removed again and the reason raised as a ValidationError."""
    if not processor.configured():
        raise ValidationError(_("Online donations are not available."), code="off")
    money.check_amount(amount_minor)
    donor_name = _check_donor(donor_name, named)
    email = (email or "").strip() or None
    if email is not None:
        validate_email(email)
    with transaction.atomic():
        fund = Fund.objects.select_for_update().get(pk=fund.pk)
        if fund.closed_at is not None or not fund.public_donations:
            raise ValidationError(_("This fund does not take donations online."), code="closed")
        donation = Donation.objects.create(
            fund=fund,
            amount=amount_minor,
            method=Method.ONLINE,
            status=DonationStatus.PENDING,
            donor_name=donor_name,
            named=named,
            donor_email=email,
            forget_at=_forget_at(),
        )
    base = settings.BASE_URL
    charge = processor.Charge(
        kind="donation",
        reference=donation.public_id,
        amount=donation.amount,
        name=fund.name,
        email=email,
        submit_type="donate",
    )
    try:
        session = processor.create_checkout_session(
            charge,
            base + reverse("funds:give_thanks", args=[fund.public_id]),
            base + reverse("funds:give_cancelled", args=[fund.public_id]),
            language=language,
        )
    except processor.ProcessorError as error:
        logger.warning("the payment processor opened no payment page: %s", error.summary)
        donation.delete()
        raise processor.refusal(error) from error
    Donation.objects.filter(pk=donation.pk).update(processor_session=session.id)
    donation.processor_session = session.id
    return StartedDonation(donation, session.url)


def _session_paid(session: dict[str, Any], on: Date) -> None:
    """checkout.session.completed (or async_payment_succeeded): the donation is received."""
    if session.get("object") != "checkout.session":
        raise processor.EventRefused("the event's object is not a checkout session")
    session_id = processor.event_text(session, "id")
    donation = (
        Donation.objects.select_for_update()
        .select_related("fund")
        .filter(processor_session=session_id, method=Method.ONLINE)
        .first()
    )
    if donation is None:
        dues_online.session_paid(session, on)  # dues a member pays, or EventRefused
        return
    if session.get("client_reference_id") != donation.public_id:
        raise processor.EventRefused("the session's reference is not its donation's")
    amount, currency = processor.event_whole(session, "amount_total"), session.get("currency")
    if amount != donation.amount or currency != processor.network_currency():
        raise processor.EventRefused("the amount or currency paid is not the donation's")
    if session.get("payment_status") != "paid":
        return  # a payment still on its way (a bank debit): its success is another event
    if donation.status != DonationStatus.PENDING:
        return  # received already, through another event about the same session
    payment = processor.event_text(session, "payment_intent")
    # A fund closed after the donor paid still received the money: the books say so, and
    # a treasurer refunds it if the network wants (refusing it would only hide it).
    entry = ledger.post_entry(
        kind=EntryKind.DONATION,
        date=on,
        lines=[
            ledger.Line(ledger.standard_account(PROCESSOR_ACCOUNT), amount, donation.fund),
            ledger.Line(ledger.standard_account(INCOME_ACCOUNT), -amount, donation.fund),
        ],
        memo=_("Online donation"),
        reference=payment,
    )
    donation.status = DonationStatus.RECEIVED
    donation.received_on = on
    donation.processor_payment = payment
    donation.entry = entry
    donation.save(update_fields=["status", "received_on", "processor_payment", "entry"])


def _charge_refunded(charge: dict[str, Any], on: Date) -> None:
    """charge.refunded: the money went back to the donor, and out of the fund."""
    if charge.get("object") != "charge":
        raise processor.EventRefused("the event's object is not a charge")
    payment = processor.event_text(charge, "payment_intent")
    donation = (
        Donation.objects.select_for_update()
        .select_related("fund")
        .filter(processor_payment=payment, method=Method.ONLINE)
        .first()
    )
    if donation is None:
        dues_online.charge_refunded(charge, on)  # dues a member paid, or EventRefused
        return
    if (
        processor.event_whole(charge, "amount") != donation.amount
        or charge.get("currency") != processor.network_currency()
    ):
        raise processor.EventRefused("the amount or currency charged is not the donation's")
    if donation.status == DonationStatus.REFUNDED:
        return  # refunded already, through another event
    if donation.status != DonationStatus.RECEIVED:
        # The payment's own event has not arrived yet: the processor will try this one again.
        raise processor.EventRefused("the donation's payment has not been recorded yet")
    refunded = processor.event_whole(charge, "amount_refunded")
    if charge.get("refunded") is not True or refunded != donation.amount:
        # Part of it went back: that is a treasurer's entry to make, with what was agreed.
        audit.record("funds.partial_refund", target=donation, refunded=refunded)
        return
    entry = ledger.post_entry(
        kind=EntryKind.REFUND,
        date=on,
        lines=[
            ledger.Line(ledger.standard_account(INCOME_ACCOUNT), donation.amount, donation.fund),
            ledger.Line(
                ledger.standard_account(PROCESSOR_ACCOUNT), -donation.amount, donation.fund
            ),
        ],
        memo=_("Refund of an online donation"),
        reference=processor.event_text(charge, "id"),
    )
    donation.status = DonationStatus.REFUNDED
    donation.refund_entry = entry
    donation.save(update_fields=["status", "refund_entry"])


HANDLERS = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "charge.refunded": _charge_refunded,
}


def record_processor_event(payload: bytes, header: str) -> Outcome:
    """Applies one webhook delivery of the processor: `payload` its raw body, `header` its
    Stripe-Signature. Raises `processor.SignatureError` when it is not provably the
    processor's and `EventRefused` when it does not match what SolNet started; either way
    nothing is written. An event had before is a DUPLICATE and changes nothing."""
    event = processor.verify_webhook(payload, header)
    event_id = processor.event_text(event, "id", pattern=EVENT_ID.pattern)
    kind = event.get("type")
    if not isinstance(kind, str) or kind not in HANDLERS:
        return Outcome.IGNORED
    created = processor.event_whole(event, "created")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise processor.EventRefused("the event carries no object")
    on = timezone.localdate(datetime.fromtimestamp(created, UTC))
    try:
        with transaction.atomic():
            # First: a second delivery of this event stops here (on PostgreSQL it waits for
            # the first one's transaction, then finds its id taken).
            ProcessorEvent.objects.create(event_id=event_id, kind=kind[:60])
            HANDLERS[kind](obj, on)
    except IntegrityError:
        if ProcessorEvent.objects.filter(event_id=event_id).exists():
            return Outcome.DUPLICATE
        raise
    return Outcome.APPLIED


# --- donations a treasurer records ------------------------------------------------------------


@transaction.atomic
def record_donation(
    *,
    fund: Fund,
    amount_minor: int,
    method: str,
    received_on: Date,
    account: Account,
    donor_name: str,
    named: bool,
    by,
    reference: str = "",
) -> Donation:
    """Records money given to `fund` in cash, by cheque or by transfer, and received into
    `account` (the cash box, the bank): the entry Dr that account / Cr Income:Donations for
    the fund, posted and audited in `by`'s name. Only a treasurer may; the fund must be open."""
    if by is None or not access.can_keep_books(by):
        raise PermissionDenied
    money.check_amount(amount_minor)
    donor_name = _check_donor(donor_name, named)
    if method not in RECORDED_METHODS:
        raise ValidationError(_("Choose how the money came."), code="method")
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if fund.closed_at is not None:
        raise ValidationError(_("This fund is closed."), code="closed")
    account = Account.objects.get(pk=account.pk)
    if account.kind != AccountKind.ASSET or account.closed_at is not None:
        raise ValidationError(
            _("Choose an open account where money is, such as the cash box or the bank."),
            code="account",
        )
    if received_on > timezone.localdate():
        raise ValidationError(_("A donation cannot arrive in the future."), code="future")
    entry = ledger.post_entry(
        kind=EntryKind.DONATION,
        date=received_on,
        lines=[
            ledger.Line(account, amount_minor, fund),
            ledger.Line(ledger.standard_account(INCOME_ACCOUNT), -amount_minor, fund),
        ],
        by=by,
        memo=_("Donation (%(method)s)") % {"method": Method(method).label},
        reference=reference,
    )
    return Donation.objects.create(
        fund=fund,
        amount=amount_minor,
        method=method,
        status=DonationStatus.RECEIVED,
        received_on=received_on,
        donor_name=donor_name,
        named=named,
        entry=entry,
        forget_at=_forget_at(),
    )
