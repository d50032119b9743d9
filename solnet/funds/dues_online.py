"""Dues a member pays online, through the same payment processor as online donations
(solnet.funds.processor).

A member starts a payment on their dues page (`start`: a pending DuesCheckout and the
processor's payment page); it becomes a DuesPayment, with its entry Dr Assets:Processor /
Cr Income:Dues in the network's general money, only when the processor's signed webhook says
it was paid (`session_paid`). A refund made at the processor comes back the same way
(`charge_refunded`): the entry is reversed by a refund entry and the payment stops counting
towards the member's standing. Both are called by `donations.record_processor_event` inside
the transaction that remembers the event's id, so each event has its effect once.

The processor is not told who pays: no name, no email (its page asks the payer for what it
needs), only the checkout's random id.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.funds import ledger, money, processor
from solnet.funds.models import (
    CheckoutStatus,
    DuesCheckout,
    DuesPayment,
    DuesPledge,
    EntryKind,
)
from solnet.members.access import is_member
from solnet.members.models import Member
from solnet.network.models import Network

INCOME_ACCOUNT = "Income:Dues"
# A member who leaves a payment page unfinished may start another; past this many waiting at
# once, they are asked to finish one (or wait for it to lapse) first.
MOST_WAITING = 5
# The processor's payment page lapses after a day (Stripe's default for a Checkout Session).
PAGE_LIFETIME = timedelta(hours=24)


class Started(NamedTuple):
    checkout: DuesCheckout
    checkout_url: str


def offered() -> bool:
    return processor.configured()


def waiting(member: Member):
    """The member's payments started in the last day that the processor has not confirmed
    yet, newest first. (An older one is a page left unfinished; a bank debit confirmed days
    later still finds it.)"""
    return DuesCheckout.objects.filter(
        member=member,
        status=CheckoutStatus.PENDING,
        created_at__gte=timezone.now() - PAGE_LIFETIME,
    )


def start(*, member: Member, amount_minor: int, language: str) -> Started:
    """Starts `member` paying `amount_minor` of dues online: a pending checkout and the
    processor's page, where the member is sent. Nothing is paid, and nothing is in the books,
    until the processor's webhook says so.

    Not one transaction on purpose (as with donations): no lock is held while the processor
    answers; when no page could be opened the checkout is removed and the reason raised."""
    if not is_member(member):
        raise PermissionDenied
    if not offered():
        raise ValidationError(_("Paying dues online is not available."), code="off")
    money.check_amount(amount_minor)
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()  # one start at a time
        if waiting(member).count() >= MOST_WAITING:
            raise ValidationError(
                _(
                    "You have several payments waiting for the payment processor. Finish one, "
                    "or wait a day, before starting another."
                ),
                code="too_many",
            )
        checkout = DuesCheckout.objects.create(member=member, amount=amount_minor)
    page = settings.BASE_URL + reverse("funds:my_dues")
    charge = processor.Charge(
        kind="dues",
        reference=checkout.public_id,
        amount=amount_minor,
        name=_("Dues — %(network)s") % {"network": Network.objects.current().name},
    )
    try:
        session = processor.create_checkout_session(
            charge, page + "?paid=1", page + "?cancelled=1", language=language
        )
    except processor.ProcessorError as error:
        checkout.delete()
        raise processor.refusal(error) from error
    DuesCheckout.objects.filter(pk=checkout.pk).update(processor_session=session.id)
    checkout.processor_session = session.id
    return Started(checkout, session.url)


def _check_matches(checkout: DuesCheckout, amount: int, currency: Any) -> None:
    if amount != checkout.amount or currency != processor.network_currency():
        raise processor.EventRefused("the amount or currency paid is not the dues'")


def session_paid(session: dict[str, Any], on: Date) -> None:
    """A checkout session paid (an event the donations found no donation for): the dues are
    paid. EventRefused when SolNet started no dues payment with this session."""
    session_id = processor.event_text(session, "id")
    checkout = (
        DuesCheckout.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(processor_session=session_id)
        .first()
    )
    if checkout is None:
        raise processor.EventRefused("no donation or dues were started with this session")
    if session.get("client_reference_id") != checkout.public_id:
        raise processor.EventRefused("the session's reference is not its payment's")
    _check_matches(
        checkout, processor.event_whole(session, "amount_total"), session.get("currency")
    )
    if session.get("payment_status") != "paid":
        return  # still on its way: its success is another event
    if checkout.status != CheckoutStatus.PENDING:
        return  # had already, through another event about the same session
    reference = processor.event_text(session, "payment_intent")
    entry = ledger.post_entry(
        kind=EntryKind.DUES,
        date=on,
        memo=_("Dues paid online"),
        reference=reference,
        lines=[
            ledger.Line(ledger.standard_account(processor.ACCOUNT), checkout.amount, None),
            ledger.Line(ledger.standard_account(INCOME_ACCOUNT), -checkout.amount, None),
        ],
    )
    payment = DuesPayment.objects.create(
        member=checkout.member, amount=checkout.amount, paid_on=on, entry=entry
    )
    checkout.status = CheckoutStatus.PAID
    checkout.processor_payment = reference
    checkout.payment = payment
    checkout.save(update_fields=["status", "processor_payment", "payment"])
    audit.record("funds.dues_paid", target=checkout.member or checkout, online=True)


def charge_refunded(charge: dict[str, Any], on: Date) -> None:
    """A charge refunded at the processor: the dues go back out of the books and stop counting
    towards the member's standing. EventRefused when no dues were paid with this payment."""
    reference = processor.event_text(charge, "payment_intent")
    checkout = (
        DuesCheckout.objects.select_for_update(of=("self",))
        .select_related("member", "payment")
        .filter(processor_payment=reference)
        .first()
    )
    if checkout is None:
        raise processor.EventRefused("no donation or dues were paid with this payment")
    _check_matches(checkout, processor.event_whole(charge, "amount"), charge.get("currency"))
    if checkout.status == CheckoutStatus.REFUNDED:
        return  # had already, through another event
    refunded = processor.event_whole(charge, "amount_refunded")
    if charge.get("refunded") is not True or refunded != checkout.amount:
        # Part of it went back: a treasurer's entry to make, with what was agreed.
        audit.record("funds.partial_refund", target=checkout, refunded=refunded)
        return
    member = checkout.member
    if member is not None:
        # As when a pledge changes: one change to what a member owes at a time.
        Member.objects.select_for_update().filter(pk=member.pk).first()
    entry = ledger.post_entry(
        kind=EntryKind.REFUND,
        date=on,
        memo=_("Refund of dues paid online"),
        reference=processor.event_text(charge, "id"),
        lines=[
            ledger.Line(ledger.standard_account(INCOME_ACCOUNT), checkout.amount, None),
            ledger.Line(ledger.standard_account(processor.ACCOUNT), -checkout.amount, None),
        ],
    )
    payment = checkout.payment
    payment.refund_entry = entry
    payment.save(update_fields=["refund_entry"])
    if member is not None:
        pledge = DuesPledge.objects.filter(member=member).first()
        if pledge is not None and payment.pk <= pledge.counted_through:
            # The payment was already counted into what the member owed when the pledge last
            # changed: its refund is owed again.
            pledge.carried += payment.amount
            pledge.save(update_fields=["carried"])
    checkout.status = CheckoutStatus.REFUNDED
    checkout.save(update_fields=["status"])
    audit.record("funds.dues_refunded", target=member or checkout)
