"""Donations: online through the fund's public page, the processor (a stand-in speaking Stripe's
wire format on loopback) and its signed webhook, into the ledger; refunds; the webhook's
refusals; K identical deliveries at once; and the donations a treasurer records."""

from __future__ import annotations

import copy
import json
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conftest import make_member
from solnet.core import public_forms
from solnet.core.models import AuditEvent
from solnet.funds import donations, ledger, money
from solnet.funds.models import (
    Donation,
    DonationStatus,
    Entry,
    EntryKind,
    Fund,
    FundKind,
    Leg,
    Method,
    ProcessorEvent,
)
from solnet.members.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(network) -> Fund:
    return Fund.objects.create(
        name="Strike fund — Acme warehouse",
        kind=FundKind.STRIKE,
        purpose="Strike pay for the pickets.",
        public_donations=True,
    )


def _form(**changes) -> dict:
    data = {
        "amount": "25.50",
        "donor_name": "",
        "email": "",
        "website": "",
        "started": signing.dumps(time.time() - 20, salt=public_forms.SALT),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _give(client: Client, fund: Fund, **changes):
    return client.post(reverse("funds:give", args=[fund.public_id]), _form(**changes))


def _started(fund: Fund, amount: int = 2550, **changes) -> Donation:
    fields = {"email": None, "donor_name": "", "named": False, "language": "en"}
    fields.update(changes)
    return donations.start_online_donation(fund=fund, amount_minor=amount, **fields).donation


def _state() -> tuple:
    """Everything a refused delivery must leave as it was."""
    return (
        Entry.objects.count(),
        Leg.objects.count(),
        ProcessorEvent.objects.count(),
        AuditEvent.objects.count(),
        sorted(Donation.objects.values_list("public_id", "status", "processor_payment")),
    )


def _legs(entry: Entry) -> set[tuple[str, int, int | None]]:
    return {(leg.account.code, leg.amount, leg.fund_id) for leg in entry.legs.all()}


# --- the page, the processor, the webhook, the books ------------------------------------------


def test_a_donation_goes_from_the_page_through_the_processor_into_the_books(stripe, fund):
    client = Client()
    page = client.get(reverse("funds:give", args=[fund.public_id]))
    assert page.status_code == 200
    assert "Strike pay for the pickets." in page.content.decode()
    # The form may be sent on to the processor's page, and nowhere else.
    csp = page["Content-Security-Policy"]
    assert f"form-action 'self' {stripe.base_url};" in csp and "unsafe-inline" not in csp

    response = _give(client, fund, donor_name="Ana Diaz", named="on", email="ana@example.org")
    donation = Donation.objects.get()
    session = stripe.sessions[donation.processor_session]
    assert response.status_code == 302 and response["Location"] == session["url"]
    assert (donation.status, donation.method, donation.amount) == ("pending", "online", 2550)
    assert (donation.donor_name, donation.named, donation.donor_email) == (
        "Ana Diaz",
        True,
        "ana@example.org",
    )
    books_days = timedelta(days=365)
    assert abs(donation.forget_at - (timezone.now() + books_days)) < timedelta(minutes=1)
    form = dict(stripe.session_requests()[-1].pairs)
    assert form["line_items[0][price_data][unit_amount]"] == "2550"
    assert form["line_items[0][price_data][product_data][name]"] == fund.name
    assert form["client_reference_id"] == donation.public_id
    assert form["success_url"].endswith(reverse("funds:give_thanks", args=[fund.public_id]))
    assert form["cancel_url"].endswith(reverse("funds:give_cancelled", args=[fund.public_id]))
    assert Entry.objects.count() == 0  # nothing is in the books before the money is

    paid = stripe.complete(donation.processor_session)
    answer = paid.post(Client())
    assert answer.status_code == 200 and answer.content == b"applied\n"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.RECEIVED
    assert donation.processor_payment == stripe.sessions[session["id"]]["payment_intent"]
    assert donation.received_on == timezone.localdate()
    entry = donation.entry
    assert entry.kind == EntryKind.DONATION and entry.reference == donation.processor_payment
    assert _legs(entry) == {
        ("Assets:Processor", 2550, fund.pk),
        ("Income:Donations", -2550, fund.pk),
    }
    assert "Ana" not in entry.memo and "ana@" not in entry.memo
    assert ledger.fund_balance(fund) == 2550 and ledger.trial_balance() == 0
    posted = AuditEvent.objects.get(action="funds.posted")
    assert posted.actor_id is None and posted.data["total"] == 2550

    thanks = client.get(reverse("funds:give_thanks", args=[fund.public_id]))
    assert thanks.status_code == 200 and fund.name in thanks.content.decode()
    cancelled = client.get(reverse("funds:give_cancelled", args=[fund.public_id]))
    assert cancelled.status_code == 200


def test_a_name_is_kept_only_for_a_donor_who_wants_to_be_thanked_by_it(stripe, fund):
    _give(Client(), fund, donor_name="Ana Diaz")
    donation = Donation.objects.get()
    assert (donation.donor_name, donation.named, donation.donor_email) == ("", False, None)
    assert "customer_email" not in dict(stripe.session_requests()[-1].pairs)


def test_being_thanked_by_name_needs_a_name(stripe, fund):
    response = _give(Client(), fund, named="on")
    assert response.status_code == 422 and "donor_name" in response.context["form"].errors
    assert not Donation.objects.exists() and stripe.session_requests() == []


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "lots", ""])
def test_a_bad_amount_is_refused_and_nothing_is_started(stripe, fund, amount):
    response = _give(Client(), fund, amount=amount)
    assert response.status_code == 422 and "amount" in response.context["form"].errors
    assert not Donation.objects.exists() and stripe.session_requests() == []


@pytest.mark.parametrize("amount", ["0", "1.234"])
def test_a_bad_amount_is_refused_in_the_pages_language(stripe, fund, amount):
    response = _give(Client(HTTP_ACCEPT_LANGUAGE="es"), fund, amount=amount)
    assert response.status_code == 422 and response["Content-Language"] == "es"
    [shown] = response.context["form"].errors["amount"]
    with translation.override("en"):
        try:
            money.to_minor(amount, "USD")
        except ValidationError as error:
            english = error.messages[0]
    assert shown in response.content.decode()
    assert shown != english


def test_an_amount_below_the_processors_minimum_is_a_clear_refusal(stripe, fund):
    response = _give(Client(), fund, amount="0.20")
    assert response.status_code == 422
    assert "smallest the payment processor takes" in response.content.decode()
    assert not Donation.objects.exists()


def test_a_processor_that_fails_leaves_nothing_behind(stripe, fund):
    stripe.fail_next(1, status=503)
    response = _give(Client(), fund)
    assert response.status_code == 422
    assert "could not be opened" in response.content.decode()
    assert not Donation.objects.exists()
    assert _give(Client(), fund).status_code == 302  # and works once it is back


def test_a_bot_is_thanked_and_nothing_is_started(stripe, fund):
    response = _give(Client(), fund, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("funds:give_thanks", args=[fund.public_id])
    assert not Donation.objects.exists() and stripe.session_requests() == []


def test_only_open_funds_with_a_public_page_have_one(stripe, fund):
    private = Fund.objects.create(name="Hardship", kind=FundKind.HARDSHIP)
    closed = Fund.objects.create(
        name="Old strike", kind=FundKind.STRIKE, public_donations=True, closed_at=timezone.now()
    )
    for public_id in (private.public_id, closed.public_id, "no-such-fund"):
        for name in ("funds:give", "funds:give_thanks", "funds:give_cancelled"):
            assert Client().get(reverse(name, args=[public_id])).status_code == 404
    assert _give(Client(), private).status_code == 404
    assert not Donation.objects.exists()


def test_without_a_processor_the_page_says_so_and_takes_nothing(fund, settings):
    settings.SOLNET_STRIPE_SECRET_KEY = ""
    page = Client().get(reverse("funds:give", args=[fund.public_id]))
    assert page.status_code == 200 and "not available" in page.content.decode()
    assert "<form" not in page.content.decode().split("</header>")[-1].split("<footer")[0]
    assert "form-action 'self';" in page["Content-Security-Policy"]
    assert _give(Client(), fund).status_code == 422
    assert not Donation.objects.exists()


def test_the_donation_page_works_in_spanish(stripe, fund):
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("funds:give", args=[fund.public_id]))
    assert page.status_code == 200 and page["Content-Language"] == "es"
    _give(Client(HTTP_ACCEPT_LANGUAGE="es"), fund)
    assert dict(stripe.session_requests()[-1].pairs)["locale"] == "es"


# --- the webhook's refusals -------------------------------------------------------------------


def _paid(stripe, fund) -> tuple[Donation, object]:
    donation = _started(fund)
    return donation, stripe.complete(donation.processor_session)


def _session_event(stripe, donation: Donation, **changes):
    session = copy.deepcopy(stripe.sessions[donation.processor_session])
    session.update(changes)
    session.pop("_payment_metadata", None)
    return stripe.event("checkout.session.completed", session)


@pytest.mark.parametrize(
    "forge",
    [
        lambda stripe, event: event.post(Client(), header=event.header.replace("v1=", "v1=f", 1)),
        lambda stripe, event: event.post(
            Client(), payload=event.payload.replace(b'"amount_total": 2550', b'"amount_total": 9')
        ),
        lambda stripe, event: event.post(Client(), header=""),
        lambda stripe, event: event.post(
            Client(), header=stripe.sign(event.payload, timestamp=int(time.time()) - 301)
        ),
    ],
    ids=["forged signature", "forged body", "unsigned", "stale"],
)
def test_a_delivery_that_is_not_the_processors_is_refused_and_writes_nothing(stripe, fund, forge):
    _donation, event = _paid(stripe, fund)
    before = _state()
    response = forge(stripe, event)
    assert response.status_code == 400 and response.content.startswith(b"Refused: ")
    assert _state() == before
    assert event.post(Client()).status_code == 200  # the real one is still taken


def test_a_delivery_signed_with_another_secret_is_refused(stripe, fund, settings):
    _donation, event = _paid(stripe, fund)
    before = _state()
    settings.SOLNET_STRIPE_WEBHOOK_SECRET = "whsec_the_network_rolled_its_secret"
    response = event.post(Client())
    assert response.status_code == 400 and b"no signature matches" in response.content
    assert _state() == before


@pytest.mark.parametrize(
    "changes",
    [{"amount_total": 2549}, {"currency": "eur"}, {"client_reference_id": "someone-else"}],
    ids=["amount", "currency", "reference"],
)
def test_a_signed_event_that_does_not_match_its_donation_is_refused(stripe, fund, changes):
    donation, _event = _paid(stripe, fund)
    before = _state()
    response = _session_event(stripe, donation, **changes).post(Client())
    assert response.status_code == 400 and b"Refused" in response.content
    assert _state() == before


def test_an_event_about_a_session_nobody_started_is_refused(stripe, fund):
    donation, _event = _paid(stripe, fund)
    before = _state()
    response = _session_event(stripe, donation, id="cs_test_a1unknownsession000").post(Client())
    assert response.status_code == 400 and b"no donation or dues were started" in response.content
    assert _state() == before


def test_a_replayed_event_has_its_effect_once(stripe, fund):
    _donation, event = _paid(stripe, fund)
    assert event.post(Client()).content == b"applied\n"
    after = _state()
    again = event.post(Client())
    assert again.status_code == 200 and again.content == b"duplicate\n"
    # Signed anew, as the processor's retries and a replayer who can sign are.
    event.header = stripe.sign(event.payload)
    assert event.post(Client()).content == b"duplicate\n"
    assert _state() == after and Entry.objects.count() == 1


def test_another_event_about_a_received_donation_changes_nothing(stripe, fund):
    donation, event = _paid(stripe, fund)
    event.post(Client())
    entries = Entry.objects.count()
    second = _session_event(stripe, donation)  # a new event id about the same session
    assert second.post(Client()).status_code == 200
    assert Entry.objects.count() == entries
    assert ProcessorEvent.objects.count() == 2


def test_an_unpaid_completed_session_waits_for_its_payment(stripe, fund):
    donation = _started(fund)
    waiting = stripe.complete(donation.processor_session, payment_status="unpaid")
    assert waiting.post(Client()).status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING and not Entry.objects.exists()
    session = copy.deepcopy(stripe.sessions[donation.processor_session])
    session.pop("_payment_metadata")
    session["payment_status"] = "paid"
    succeeded = stripe.event("checkout.session.async_payment_succeeded", session)
    assert succeeded.post(Client()).content == b"applied\n"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.RECEIVED


def test_an_event_solnet_does_not_act_on_is_acknowledged_and_writes_nothing(stripe, fund):
    donation = _started(fund)
    before = _state()
    session = copy.deepcopy(stripe.sessions[donation.processor_session])
    session.pop("_payment_metadata")
    response = stripe.event("checkout.session.expired", session).post(Client())
    assert response.status_code == 200 and response.content == b"ignored\n"
    assert _state() == before


def test_the_webhook_takes_only_posts(stripe):
    url = reverse("funds:processor_webhook")
    assert Client().get(url).status_code == 405


# --- refunds ----------------------------------------------------------------------------------


def test_a_refund_at_the_processor_comes_back_into_the_books(stripe, fund):
    donation, event = _paid(stripe, fund)
    event.post(Client())
    refund = stripe.refund(donation.processor_session)
    assert refund.event["data"]["object"]["refunded"] is True
    response = refund.post(Client())
    assert response.status_code == 200 and response.content == b"applied\n"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    entry = donation.refund_entry
    assert entry.kind == EntryKind.REFUND
    assert _legs(entry) == {
        ("Income:Donations", 2550, fund.pk),
        ("Assets:Processor", -2550, fund.pk),
    }
    assert ledger.fund_balance(fund) == 0 and ledger.trial_balance() == 0
    assert refund.post(Client()).content == b"duplicate\n"
    assert Entry.objects.count() == 2


def test_a_refund_before_its_payment_is_recorded_is_refused_for_now(stripe, fund):
    donation, paid = _paid(stripe, fund)
    refund = stripe.refund(donation.processor_session)
    # Deliveries arrive in any order; the refund's payment id is not known yet.
    assert refund.post(Client()).status_code == 400
    assert paid.post(Client()).status_code == 200
    assert refund.post(Client()).content == b"applied\n"  # the processor's retry


def test_a_partial_refund_is_left_to_a_treasurer(stripe, fund):
    donation, event = _paid(stripe, fund)
    event.post(Client())
    partial = stripe.refund(donation.processor_session, amount=1000)
    assert partial.event["data"]["object"]["refunded"] is False
    assert partial.post(Client()).status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.RECEIVED and donation.refund_entry is None
    assert Entry.objects.count() == 1
    noted = AuditEvent.objects.get(action="funds.partial_refund")
    assert noted.data == {"refunded": 1000}


# --- K identical deliveries at once (R-4) -----------------------------------------------------


@pytest.mark.verify
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_deliveries_post_one_entry(stripe, network, figures):
    """The processor retries, a proxy duplicates, a replayer races it: K copies of one event
    arriving together give one entry and no server error."""
    fund = Fund.objects.create(name="Strike fund", kind=FundKind.STRIKE, public_donations=True)
    donation = _started(fund)
    event = stripe.complete(donation.processor_session)
    k = 8
    clients = [Client(raise_request_exception=False) for _ in range(k)]
    barrier = threading.Barrier(k)
    statuses: list[int] = []
    answers: list[bytes] = []

    def deliver(client: Client) -> None:
        try:
            barrier.wait()
            response = event.post(client)
            statuses.append(response.status_code)
            answers.append(response.content)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = Entry.objects.filter(kind=EntryKind.DONATION).count()
    server_errors = sum(1 for status in statuses if status >= 500)
    figures(
        "R-4.duplicate_payments.processor_webhook",
        entries - 1,
        unit="entries",
        target="0",
        ok=entries == 1,
    )
    figures(
        "R-4.server_errors.processor_webhook",
        server_errors,
        unit="responses",
        target="0",
        ok=not server_errors,
    )
    assert len(statuses) == k and server_errors == 0 and set(statuses) == {200}
    assert entries == 1 and ProcessorEvent.objects.count() == 1
    assert sorted(answers) == sorted([b"applied\n"] + [b"duplicate\n"] * (k - 1))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.RECEIVED and ledger.trial_balance() == 0


@pytest.mark.django_db(transaction=True)
def test_the_processor_posts_its_webhook_to_a_live_server(live_stripe, network):
    fund = Fund.objects.create(name="Bail fund", kind=FundKind.BAIL, public_donations=True)
    donation = _started(fund, amount=10000)
    paid = live_stripe.complete(donation.processor_session)
    assert (paid.status, paid.answer) == (200, b"applied\n")
    retried = live_stripe.deliver(paid)  # Stripe's retry, signed anew
    assert (retried.status, retried.answer) == (200, b"duplicate\n")
    donation.refresh_from_db()
    assert donation.status == DonationStatus.RECEIVED
    assert ledger.fund_balance(fund) == 10000
    refund = live_stripe.refund(donation.processor_session)
    assert refund.status == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED and ledger.fund_balance(fund) == 0


# --- donations a treasurer records ------------------------------------------------------------


@pytest.fixture
def treasurer(network):
    return make_member("treasurer", roles=(Role.FUND_COMMITTEE,), with_totp=False)[0]


def _record(fund, treasurer, **changes) -> Donation:
    fields = {
        "fund": fund,
        "amount_minor": money.to_minor("40", "USD"),
        "method": Method.CASH,
        "received_on": timezone.localdate(),
        "account": ledger.standard_account("Assets:Cash"),
        "donor_name": "",
        "named": False,
        "by": treasurer,
    }
    fields.update(changes)
    return donations.record_donation(**fields)


def test_a_treasurer_records_a_cash_donation(fund, treasurer):
    donation = _record(fund, treasurer, donor_name="Bea", named=True, reference="box 3")
    assert (donation.status, donation.method, donation.amount) == ("received", "cash", 4000)
    assert (donation.donor_name, donation.named) == ("Bea", True)
    assert _legs(donation.entry) == {
        ("Assets:Cash", 4000, fund.pk),
        ("Income:Donations", -4000, fund.pk),
    }
    assert "Bea" not in donation.entry.memo and donation.entry.reference == "box 3"
    posted = AuditEvent.objects.get(action="funds.posted")
    assert posted.actor_id == treasurer.pk
    cheque = _record(
        fund,
        treasurer,
        method=Method.CHEQUE,
        account=ledger.standard_account("Assets:Bank"),
        donor_name="Carl",
        amount_minor=money.to_minor(Decimal("12.5"), "USD"),
    )
    assert cheque.donor_name == "" and cheque.amount == 1250
    assert ledger.fund_balance(fund) == 5250 and ledger.trial_balance() == 0


@pytest.mark.parametrize("typed", ["0", "-5", "12.345", "abc"])
def test_an_amount_that_is_not_one_is_refused_before_anything_is_written(fund, treasurer, typed):
    with pytest.raises(ValidationError):
        _record(fund, treasurer, amount_minor=money.to_minor(typed, "USD"))
    assert not Entry.objects.exists() and not Donation.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"amount_minor": 0},
        {"amount_minor": -500},
        {"amount_minor": 10**14},
        {"method": Method.ONLINE},
        {"named": True},
        # Resolved when the test runs, not when it is collected (a run may cross midnight).
        {"received_on": "tomorrow"},
        {"account": "income"},
    ],
    ids=["zero", "negative", "too large", "online", "named without a name", "future", "income"],
)
def test_a_donation_that_cannot_be_is_refused_and_writes_nothing(fund, treasurer, changes):
    if changes.get("account") == "income":
        changes["account"] = ledger.standard_account("Income:Dues")
    if changes.get("received_on") == "tomorrow":
        changes["received_on"] = timezone.localdate() + timedelta(days=1)
    before = _state()
    with pytest.raises(ValidationError):
        _record(fund, treasurer, **changes)
    assert _state() == before and ledger.trial_balance() == 0


def test_a_closed_fund_takes_no_donation(fund, treasurer, stripe):
    fund.closed_at = timezone.now()
    fund.save()
    before = _state()
    with pytest.raises(ValidationError):
        _record(fund, treasurer)
    with pytest.raises(ValidationError):
        _started(fund)
    assert _state() == before and stripe.session_requests() == []


def test_only_a_treasurer_records_donations(fund, personas):
    for name in ("member", "organizer", "supporter"):
        with pytest.raises(PermissionDenied):
            _record(fund, personas[name].member)
    with pytest.raises(PermissionDenied):
        _record(fund, None)
    assert not Entry.objects.exists() and not Donation.objects.exists()
    assert _record(fund, personas["fund_committee"].member).status == "received"


def test_the_events_body_is_the_json_stripe_sends(stripe, fund):
    # A sanity check of the stand-in's events against the fields SolNet reads.
    _donation, event = _paid(stripe, fund)
    body = json.loads(event.payload)
    assert body["object"] == "event" and body["id"].startswith("evt_")
    session = body["data"]["object"]
    assert session["object"] == "checkout.session" and session["payment_status"] == "paid"
    assert session["payment_intent"].startswith("pi_") and "_payment_metadata" not in session
