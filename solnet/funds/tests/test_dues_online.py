"""Dues paid online: from the member's page, through the processor (a stand-in speaking
Stripe's wire format on loopback) and its signed webhook, into the books and the member's
standing; refunds; forged, replayed and concurrent deliveries; bad input in both languages."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.funds import dues, dues_online, ledger
from solnet.funds.dues import Standing
from solnet.funds.models import (
    CheckoutStatus,
    DuesCheckout,
    DuesPayment,
    DuesPledge,
    Entry,
    EntryKind,
    Leg,
    ProcessorEvent,
)
from solnet.members.models import Tier

pytestmark = pytest.mark.django_db


def _pledged(member, amount=2000, months_ago=3):
    dues.set_pledge(member=member, amount=amount, period="monthly", by=member)
    started = timezone.localdate() - timedelta(days=31 * months_ago)
    DuesPledge.objects.filter(member=member).update(since=started)


def _state() -> tuple:
    """Everything a refused delivery must leave as it was."""
    return (
        Entry.objects.count(),
        Leg.objects.count(),
        ProcessorEvent.objects.count(),
        AuditEvent.objects.count(),
        DuesPayment.objects.count(),
        sorted(DuesCheckout.objects.values_list("public_id", "status", "processor_payment")),
    )


def _legs(entry: Entry) -> set[tuple[str, int, int | None]]:
    return {(leg.account.code, leg.amount, leg.fund_id) for leg in entry.legs.all()}


def _started(member, amount=6000) -> DuesCheckout:
    return dues_online.start(member=member, amount_minor=amount, language="en").checkout


def _session_event(stripe, checkout: DuesCheckout, **changes):
    session = copy.deepcopy(stripe.sessions[checkout.processor_session])
    session.update(changes)
    session.pop("_payment_metadata", None)
    return stripe.event("checkout.session.completed", session)


# --- the page, the processor, the webhook, the standing ---------------------------------------


def test_a_member_behind_pays_online_and_is_paid_up(stripe, personas):
    member = personas["member"].member
    _pledged(member)
    client = sign_in(Client(), member)
    page = client.get(reverse("funds:my_dues"))
    html = page.content.decode()
    assert page.status_code == 200 and "Pay online" in html
    assert 'value="60.00"' in html  # what they are behind by, offered to pay
    # The pay form may be sent on to the processor's page, and nowhere else.
    assert f"form-action 'self' {stripe.base_url};" in page["Content-Security-Policy"]

    response = client.post(reverse("funds:pay_dues"), {"amount": "60"})
    checkout = DuesCheckout.objects.get()
    session = stripe.sessions[checkout.processor_session]
    assert response.status_code == 302 and response["Location"] == session["url"]
    assert (checkout.member, checkout.amount, checkout.status) == (member, 6000, "pending")
    form = dict(stripe.session_requests()[-1].pairs)
    assert form["submit_type"] == "pay"
    assert form["line_items[0][price_data][unit_amount]"] == "6000"
    assert form["client_reference_id"] == form["metadata[dues]"] == checkout.public_id
    assert form["payment_intent_data[metadata][dues]"] == checkout.public_id
    assert form["success_url"].endswith(reverse("funds:my_dues") + "?paid=1")
    assert form["cancel_url"].endswith(reverse("funds:my_dues") + "?cancelled=1")
    # The processor is not told who pays.
    assert "customer_email" not in form
    assert member.display_name not in str(form) and member.email not in str(form)
    assert Entry.objects.count() == 0 and dues.standing(member).standing == Standing.BEHIND
    waiting = client.get(reverse("funds:my_dues") + "?paid=1").content.decode()
    assert "Waiting for the payment processor" in waiting and "once the payment" in waiting

    answer = stripe.complete(checkout.processor_session).post(Client())
    assert answer.status_code == 200 and answer.content == b"applied\n"
    checkout.refresh_from_db()
    payment = checkout.payment
    assert checkout.status == CheckoutStatus.PAID
    assert checkout.processor_payment == session["payment_intent"] == payment.entry.reference
    assert (payment.member, payment.amount, payment.paid_on) == (
        member,
        6000,
        timezone.localdate(),
    )
    assert payment.entry.kind == EntryKind.DUES
    assert _legs(payment.entry) == {("Assets:Processor", 6000, None), ("Income:Dues", -6000, None)}
    assert member.display_name not in payment.entry.memo
    assert ledger.trial_balance() == 0
    assert dues.standing(member).standing == Standing.PAID_UP
    paid_event = AuditEvent.objects.get(action="funds.dues_paid")
    assert paid_event.actor_id is None and paid_event.data == {"online": True}
    after = client.get(reverse("funds:my_dues")).content.decode()
    assert "Paid up" in after and "online" in after
    assert "Waiting for the payment processor" not in after


def test_the_page_offers_paying_in_spanish_and_the_processor_speaks_it(stripe, personas):
    member = personas["member"].member
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), member)
    page = client.get(reverse("funds:my_dues")).content.decode()
    assert "Pagar en línea" in page and "Ir a la página de pago" in page
    client.post(reverse("funds:pay_dues"), {"amount": "15"})
    form = dict(stripe.session_requests()[-1].pairs)
    assert form["locale"] == "es"
    assert form["line_items[0][price_data][product_data][name]"].startswith("Cuotas — ")


@pytest.mark.parametrize(
    "amount, english, spanish",
    [
        ("", "This field is required.", "Este campo es obligatorio."),
        ("0", "more than zero", "mayor que cero"),
        ("-5", "cannot be negative", "no puede ser negativo"),
        ("1.234", "decimal", "decimal"),
        ("ten", "amount", "monto"),
    ],
)
def test_a_bad_amount_is_refused_in_the_members_language(
    stripe, personas, amount, english, spanish
):
    member = personas["member"].member
    for language, expected in (("en", english), ("es", spanish)):
        client = sign_in(Client(HTTP_ACCEPT_LANGUAGE=language), member)
        response = client.post(reverse("funds:pay_dues"), {"amount": amount})
        assert response.status_code == 422
        assert expected in response.content.decode()
    assert not DuesCheckout.objects.exists() and not stripe.session_requests()


def test_an_amount_below_the_processors_minimum_is_a_clear_refusal(stripe, personas):
    client = sign_in(Client(), personas["member"].member)
    response = client.post(reverse("funds:pay_dues"), {"amount": "0.20"})
    assert response.status_code == 422
    assert "below the smallest the payment processor takes" in response.content.decode()
    assert not DuesCheckout.objects.exists()


def test_a_processor_that_fails_leaves_nothing_behind(stripe, personas):
    stripe.fail_next(3, status=503)
    with pytest.raises(ValidationError) as refused:
        _started(personas["member"].member)
    assert refused.value.code == "processor"
    assert not DuesCheckout.objects.exists() and Entry.objects.count() == 0


def test_without_a_processor_the_page_offers_no_payment_and_takes_none(personas, settings):
    settings.SOLNET_STRIPE_SECRET_KEY = ""
    client = sign_in(Client(), personas["member"].member)
    page = client.get(reverse("funds:my_dues"))
    assert page.status_code == 200 and "Pay online" not in page.content.decode()
    assert "form-action 'self';" in page["Content-Security-Policy"]
    response = client.post(reverse("funds:pay_dues"), {"amount": "20"})
    assert response.status_code == 422 and "not available" in response.content.decode()
    assert not DuesCheckout.objects.exists()


def test_only_a_member_pays_dues_and_only_their_own(stripe, personas, network):
    supporter = make_member("a_supporter", tier=Tier.SUPPORTER, with_totp=False)[0]
    with pytest.raises(PermissionDenied):
        _started(supporter)
    response = sign_in(Client(), supporter).post(reverse("funds:pay_dues"), {"amount": "20"})
    assert response.status_code in (302, 403, 404)
    assert not DuesCheckout.objects.exists()
    # The form names no member: whoever posts it pays their own dues.
    member, other = personas["member"].member, personas["organizer"].member
    sign_in(Client(), member).post(
        reverse("funds:pay_dues"), {"amount": "20", "member": other.public_id}
    )
    assert DuesCheckout.objects.get().member == member


def test_a_member_cannot_open_payment_pages_without_end(stripe, personas):
    member = personas["member"].member
    for _ in range(dues_online.MOST_WAITING):
        _started(member, amount=1000)
    with pytest.raises(ValidationError) as refused:
        _started(member, amount=1000)
    assert refused.value.code == "too_many"
    # A page left unfinished lapses after a day, and stops counting.
    DuesCheckout.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert _started(member, amount=1000).status == CheckoutStatus.PENDING


# --- the webhook's refusals, replays and races ------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [{"amount_total": 5999}, {"currency": "eur"}, {"client_reference_id": "someone-else"}],
    ids=["amount", "currency", "reference"],
)
def test_a_signed_event_that_does_not_match_the_dues_is_refused(stripe, personas, changes):
    checkout = _started(personas["member"].member)
    stripe.complete(checkout.processor_session)
    before = _state()
    response = _session_event(stripe, checkout, **changes).post(Client())
    assert response.status_code == 400 and b"Refused" in response.content
    assert _state() == before


def test_a_forged_delivery_is_refused_and_writes_nothing(stripe, personas):
    checkout = _started(personas["member"].member)
    event = stripe.complete(checkout.processor_session)
    before = _state()
    response = event.post(Client(), header=event.header.replace("v1=", "v1=f", 1))
    assert response.status_code == 400 and _state() == before
    assert event.post(Client()).content == b"applied\n"


def test_a_replayed_or_repeated_event_pays_once(stripe, personas):
    member = personas["member"].member
    checkout = _started(member)
    event = stripe.complete(checkout.processor_session)
    assert event.post(Client()).content == b"applied\n"
    assert event.post(Client()).content == b"duplicate\n"
    # Another event about the same session (a late async success) changes nothing more.
    again = _session_event(stripe, checkout)
    assert again.post(Client()).content == b"applied\n"
    assert DuesPayment.objects.filter(member=member).count() == 1
    assert Entry.objects.filter(kind=EntryKind.DUES).count() == 1


def test_an_unpaid_completed_session_waits_for_its_payment(stripe, personas):
    member = personas["member"].member
    checkout = _started(member)
    stripe.complete(checkout.processor_session, payment_status="unpaid").post(Client())
    assert not DuesPayment.objects.exists()
    # The bank debit is confirmed days later, after the page itself lapsed.
    DuesCheckout.objects.update(created_at=timezone.now() - timedelta(days=3))
    session = copy.deepcopy(stripe.sessions[checkout.processor_session])
    session.pop("_payment_metadata", None)
    session["payment_status"] = "paid"
    stripe.event("checkout.session.async_payment_succeeded", session).post(Client())
    assert DuesPayment.objects.get().member == member


@pytest.mark.verify
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_deliveries_pay_dues_once(stripe, network, figures):
    """K copies of one paid event arriving together give one payment and one entry."""
    member = make_member("payer", with_totp=False)[0]
    checkout = _started(member)
    event = stripe.complete(checkout.processor_session)
    k = 8
    barrier = threading.Barrier(k)
    statuses: list[int] = []

    def deliver() -> None:
        try:
            barrier.wait()
            statuses.append(event.post(Client(raise_request_exception=False)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(k)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    payments = DuesPayment.objects.count()
    figures(
        "R-4.duplicate_payments.dues_webhook",
        payments - 1,
        unit="payments",
        target="0",
        ok=payments == 1,
    )
    assert sorted(statuses) == [200] * k
    assert payments == 1 and Entry.objects.filter(kind=EntryKind.DUES).count() == 1
    assert ledger.trial_balance() == 0


# --- refunds ----------------------------------------------------------------------------------


def test_a_refund_takes_the_dues_back_out_and_the_member_is_behind_again(stripe, personas):
    member = personas["member"].member
    _pledged(member)
    checkout = _started(member)
    stripe.complete(checkout.processor_session).post(Client())
    assert dues.standing(member).standing == Standing.PAID_UP
    refund = stripe.refund(checkout.processor_session)
    assert refund.post(Client()).content == b"applied\n"
    checkout.refresh_from_db()
    payment = checkout.payment
    assert checkout.status == CheckoutStatus.REFUNDED
    assert payment.refund_entry.kind == EntryKind.REFUND
    assert _legs(payment.refund_entry) == {
        ("Income:Dues", 6000, None),
        ("Assets:Processor", -6000, None),
    }
    assert ledger.trial_balance() == 0
    account = dues.standing(member)
    assert account.standing == Standing.BEHIND and account.behind_by == 6000
    assert refund.post(Client()).content == b"duplicate\n"
    assert Entry.objects.count() == 2
    page = sign_in(Client(), member).get(reverse("funds:my_dues")).content.decode()
    assert "refunded" in page


def test_a_refund_after_the_pledge_changed_is_still_owed(stripe, personas):
    """Attack: pay online, change the pledge (which folds the payment into what was owed),
    then have the payment refunded — the member must not stay paid up on money returned."""
    member = personas["member"].member
    _pledged(member)
    checkout = _started(member)
    stripe.complete(checkout.processor_session).post(Client())
    dues.set_pledge(member=member, amount=1000, period="monthly", by=member)
    assert dues.standing(member).standing == Standing.PAID_UP
    stripe.refund(checkout.processor_session).post(Client())
    account = dues.standing(member)
    assert account.standing == Standing.BEHIND and account.behind_by == 6000


def test_a_refund_before_its_payment_is_recorded_is_refused_for_now(stripe, personas):
    checkout = _started(personas["member"].member)
    paid = stripe.complete(checkout.processor_session)
    refund = stripe.refund(checkout.processor_session)
    assert refund.post(Client()).status_code == 400
    assert paid.post(Client()).status_code == 200
    assert refund.post(Client()).content == b"applied\n"


def test_a_partial_refund_is_left_to_a_treasurer(stripe, personas):
    member = personas["member"].member
    checkout = _started(member)
    stripe.complete(checkout.processor_session).post(Client())
    stripe.refund(checkout.processor_session, amount=1000).post(Client())
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.PAID and checkout.payment.refund_entry is None
    assert AuditEvent.objects.get(action="funds.partial_refund").data == {"refunded": 1000}


def test_a_member_who_left_still_has_their_payment_in_the_books(stripe, personas):
    member = personas["member"].member
    checkout = _started(member)
    member.delete()
    stripe.complete(checkout.processor_session).post(Client())
    payment = DuesPayment.objects.get()
    assert payment.member is None and payment.amount == 6000
    assert ledger.trial_balance() == 0
