"""The payment processor adapter in Stripe's wire format, against a real stand-in server on
loopback: opening a payment page, its errors, and checking webhook signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from solnet.funds import processor
from solnet.funds.models import Donation, DonationStatus, Fund, FundKind, Method
from solnet.funds.testing.processor import Processor, stripe_signature

pytestmark = pytest.mark.django_db

SUCCESS = "https://solnet.example/funds/give/x/thanks/"
CANCEL = "https://solnet.example/funds/give/x/cancelled/"


@pytest.fixture
def donation(network) -> Donation:
    fund = Fund.objects.create(
        name="Strike fund — Acme", kind=FundKind.STRIKE, public_donations=True
    )
    return Donation.objects.create(
        fund=fund,
        amount=2550,
        method=Method.ONLINE,
        status=DonationStatus.PENDING,
        donor_email="ana@example.org",
        forget_at=timezone.now() + timedelta(days=365),
    )


def _charge(donation: Donation) -> processor.Charge:
    return processor.Charge(
        kind="donation",
        reference=donation.public_id,
        amount=donation.amount,
        name=donation.fund.name,
        email=donation.donor_email,
        submit_type="donate",
    )


# --- opening a payment page -------------------------------------------------------------------


def test_a_checkout_session_goes_out_in_stripes_wire_format(stripe, donation):
    session = processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL, language="es")
    [request] = stripe.session_requests()
    assert request.headers["authorization"] == f"Bearer {stripe.secret_key}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["idempotency-key"] == f"solnet-donation-{donation.public_id}"
    assert dict(request.pairs) == {
        "mode": "payment",
        "submit_type": "donate",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "2550",
        "line_items[0][price_data][product_data][name]": "Strike fund — Acme",
        "line_items[0][quantity]": "1",
        "client_reference_id": donation.public_id,
        "customer_email": "ana@example.org",
        "metadata[donation]": donation.public_id,
        "payment_intent_data[metadata][donation]": donation.public_id,
        "locale": "es",
        "success_url": SUCCESS,
        "cancel_url": CANCEL,
    }
    kept = stripe.sessions[session.id]
    assert session.id.startswith("cs_test_") and session.url == kept["url"]
    assert (kept["object"], kept["payment_status"], kept["status"]) == (
        "checkout.session",
        "unpaid",
        "open",
    )
    assert (kept["amount_total"], kept["currency"]) == (2550, "usd")
    assert kept["client_reference_id"] == donation.public_id
    assert kept["metadata"] == {"donation": donation.public_id}
    # The payment page stands in too.
    with urllib.request.urlopen(session.url, timeout=5) as page:  # noqa: S310 - the stand-in on loopback
        assert page.status == 200


def test_no_email_no_customer_email_and_an_unknown_language_lets_stripe_guess(stripe, donation):
    donation.donor_email = None
    processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL, language="fr")
    form = dict(stripe.session_requests()[-1].pairs)
    assert "customer_email" not in form and form["locale"] == "auto"


def test_a_zero_decimal_currency_is_sent_in_its_own_units(stripe, donation, network):
    network.currency = "JPY"
    network.save()
    donation.amount = 3000
    processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL)
    form = dict(stripe.session_requests()[-1].pairs)
    assert form["line_items[0][price_data][currency]"] == "jpy"
    assert form["line_items[0][price_data][unit_amount]"] == "3000"


def test_a_retry_gets_the_same_session_not_a_second_one(stripe, donation):
    first = processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL)
    again = processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL)
    assert again == first and len(stripe.sessions) == 1


def test_refused_credentials_are_refused(stripe, donation, settings):
    settings.SOLNET_STRIPE_SECRET_KEY = "sk_test_not_the_key_at_all"
    with pytest.raises(processor.Refused) as error:
        processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL)
    assert (error.value.status, error.value.type) == (401, "invalid_request_error")
    assert error.value.message.startswith("Invalid API Key provided: sk_test_****")
    assert not isinstance(error.value, processor.Unavailable)
    assert stripe.sessions == {}


def test_the_processors_parameter_errors_are_kept(stripe, donation):
    donation.amount = 20  # under Stripe's minimum charge in USD
    with pytest.raises(processor.Refused) as error:
        processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL)
    assert (error.value.status, error.value.code, error.value.param) == (
        400,
        "amount_too_small",
        "line_items",
    )
    assert "400 invalid_request_error amount_too_small" in error.value.summary


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_busy_or_failing_processor_is_worth_trying_again(stripe, donation, status):
    stripe.fail_next(1, status=status)
    with pytest.raises(processor.Unavailable) as error:
        processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL)
    assert error.value.status == status
    assert (
        processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL).id in stripe.sessions
    )


def test_an_unreachable_processor_is_worth_trying_again(stripe, donation):
    stripe.stop()
    with pytest.raises(processor.Unavailable):
        processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL)


def test_without_a_key_nothing_is_offered(donation, settings):
    settings.SOLNET_STRIPE_SECRET_KEY = ""
    assert not processor.configured()
    with pytest.raises(processor.NotConfigured):
        processor.create_checkout_session(_charge(donation), SUCCESS, CANCEL)


def test_the_payment_pages_origin(settings, stripe):
    assert processor.checkout_origin() == stripe.base_url
    settings.SOLNET_STRIPE_API_BASE = "https://api.stripe.com"
    assert processor.checkout_origin() == "https://checkout.stripe.com"


# --- the stand-in itself speaks Stripe's API -------------------------------------------------


def _raw_post(stripe: Processor, body: str, key: str | None = None):
    request = urllib.request.Request(  # noqa: S310 - the stand-in's own http:// address
        stripe.base_url + "/v1/checkout/sessions",
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_stand_in_answers_as_stripe_does(stripe):
    status, body = _raw_post(stripe, "mode=payment")
    assert status == 401 and body["error"]["message"].startswith("You did not provide an API key")
    good = (
        "mode=payment&success_url=https://a.example/&line_items[0][quantity]=1"
        "&line_items[0][price_data][unit_amount]=500"
        "&line_items[0][price_data][product_data][name]=Fund"
    )
    status, body = _raw_post(stripe, good, stripe.secret_key)
    assert status == 400
    assert body["error"]["code"] == "parameter_missing"
    assert body["error"]["param"] == "line_items[0][price_data][currency]"
    assert body["error"]["message"] == (
        "Missing required param: line_items[0][price_data][currency]."
    )
    status, body = _raw_post(
        stripe, good + "&line_items[0][price_data][currency]=usd&colour=red", stripe.secret_key
    )
    assert (status, body["error"]["param"]) == (400, "colour")
    status, body = _raw_post(
        stripe,
        good.replace("=500", "=five") + "&line_items[0][price_data][currency]=usd",
        stripe.secret_key,
    )
    assert (status, body["error"]["code"]) == (400, "parameter_invalid_integer")
    status, body = _raw_post(
        stripe, good + "&line_items[0][price_data][currency]=usd", stripe.secret_key
    )
    assert status == 200 and body["amount_total"] == 500 and body["payment_status"] == "unpaid"


# --- webhook signatures -----------------------------------------------------------------------


def _event(stripe: Processor, **fields) -> tuple[bytes, str]:
    stripe.webhook_url = "http://testserver/funds/processor/webhook/"
    signed = stripe.event("checkout.session.completed", {"object": "checkout.session", **fields})
    return signed.payload, signed.header


def test_a_webhook_signed_as_stripe_signs_is_taken(stripe):
    payload, header = _event(stripe, id="cs_test_1")
    assert ",v0=" in header  # another scheme beside it, which is ignored
    event = processor.verify_webhook(payload, header)
    assert event["type"] == "checkout.session.completed"
    assert event["data"]["object"]["id"] == "cs_test_1"


def test_the_signature_is_stripes_documented_computation(settings):
    # Computed here from Stripe's documentation, by neither the adapter nor the stand-in.
    settings.SOLNET_STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    payload = b'{"id": "evt_1", "object": "event"}'
    at = int(time.time())
    digest = hmac.new(b"whsec_test_secret", f"{at}.".encode() + payload, hashlib.sha256)
    assert stripe_signature("whsec_test_secret", at, payload) == digest.hexdigest()
    assert processor.verify_webhook(payload, f"t={at},v1={digest.hexdigest()}")["id"] == "evt_1"


def test_any_of_several_v1_signatures_may_match(stripe):
    stripe.extra_secrets = ["whsec_the_old_one"]
    payload, header = _event(stripe, id="cs_test_1")
    assert header.count("v1=") == 2
    assert processor.verify_webhook(payload, header)
    at = header.split(",")[0]
    good = next(part for part in header.split(",") if part.startswith("v1="))
    assert processor.verify_webhook(payload, f"{at},v1={'0' * 64},{good}")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda payload, header, stripe: (payload.replace(b"cs_test_1", b"cs_test_2"), header),
        lambda payload, header, stripe: (payload, header.replace("v1=", "v1=0", 1)),
        lambda payload, header, stripe: (payload, ""),
        lambda payload, header, stripe: (payload, header.split(",", 1)[1]),
        lambda payload, header, stripe: (payload, header.split(",")[0]),
        lambda payload, header, stripe: (payload, "t=abc," + header.split(",", 1)[1]),
        lambda payload, header, stripe: (payload, header.replace("v1=", "v2=")),
        lambda payload, header, stripe: (
            payload,
            Processor(webhook_secret="whsec_someone_else").sign(payload),
        ),
        lambda payload, header, stripe: (
            payload,
            stripe.sign(payload, timestamp=int(time.time()) - 301),
        ),
        lambda payload, header, stripe: (
            payload,
            stripe.sign(payload, timestamp=int(time.time()) + 301),
        ),
        lambda payload, header, stripe: (b"[1, 2]", stripe.sign(b"[1, 2]")),
    ],
    ids=[
        "changed body",
        "wrong signature",
        "no header",
        "no timestamp",
        "no v1",
        "bad timestamp",
        "other scheme only",
        "wrong secret",
        "stale",
        "from the future",
        "not an event",
    ],
)
def test_anything_wrong_with_a_webhook_is_refused(stripe, mangle):
    payload, header = mangle(*_event(stripe, id="cs_test_1"), stripe)
    with pytest.raises(processor.SignatureError):
        processor.verify_webhook(payload, header)


def test_no_webhook_is_taken_without_a_secret(stripe, settings):
    payload, header = _event(stripe, id="cs_test_1")
    settings.SOLNET_STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(processor.SignatureError):
        processor.verify_webhook(payload, header)
