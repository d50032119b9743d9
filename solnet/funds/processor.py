"""Online payments through a payment processor speaking Stripe's API (Stripe itself, or any
processor that offers the same interface), and the checks on what its webhook sends back.

Paying: `create_checkout_session()` posts one Checkout Session (a `Charge`: a donation to a
fund, or a member's dues) to
`{SOLNET_STRIPE_API_BASE}/v1/checkout/sessions` (form-encoded, Stripe's bracket notation,
`Authorization: Bearer <secret key>`, an `Idempotency-Key` per charge so that a retried post
makes no second session) through the project's one outbound client, and returns the session's
id and the address of the processor's payment page, where the donor is sent. SolNet never
sees a card. It raises `Unavailable` when trying again later may work (429, 5xx, timeouts,
connection failures) and `Refused` when it will not (any other 4xx), with the processor's
error type, code, param and message kept.

Hearing back: `verify_webhook()` checks the `Stripe-Signature` header of a webhook delivery —
`t=<unix time>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<raw body>")>`, several `v1` allowed
(the processor sends one per active secret while a secret is rolled), other schemes ignored —
in constant time and within five minutes of `t`, and returns the event. What the event does
to the books is `solnet.funds.donations.record_processor_event`'s (a donation's) and
`solnet.funds.dues_online`'s (dues a member pays).

Settings are read at each call, so that tests (and an operator's reload) can change them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from solnet.core import http

SESSIONS_PATH = "/v1/checkout/sessions"
# Where money paid online sits in the books until the processor pays it out to the bank.
ACCOUNT = "Assets:Processor"
TIMEOUT = 10
MAX_ANSWER_BYTES = 256 * 1024
# Stripe's libraries refuse a signature older than this; so does SolNet (a replay window).
TOLERANCE_SECONDS = 300
SESSION_ID = re.compile(r"^cs_[A-Za-z0-9_]{8,250}$")
# The languages SolNet ships; the processor's page speaks the donor's, or guesses.
LOCALES = {"en": "en", "es": "es"}
# Where Stripe's own payment pages are (the API's host is not the pages' host).
STRIPE_API = "https://api.stripe.com"
STRIPE_CHECKOUT = "https://checkout.stripe.com"


class ProcessorError(Exception):
    """A payment page that could not be opened, with what the processor said."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        type: str = "",
        code: str = "",
        param: str = "",
    ):
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        """For the log: what the processor said, never the donor's details."""
        parts = [str(self.status or ""), self.type, self.code, self.param]
        head = " ".join(part for part in parts if part)
        return f"{head}: {self.message}"[:300] if head else self.message[:300]


class Unavailable(ProcessorError):
    """Try again later: the processor was busy or down, or did not answer in time."""


class Refused(ProcessorError):
    """Trying again will not help: refused credentials, a parameter the processor rejects."""


class NotConfigured(Refused):
    """No secret key: SolNet offers no online donations."""


class SignatureError(Exception):
    """A webhook delivery that is not provably the processor's, is too old, or is not an
    event."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class Charge:
    """What one payment page asks for. `kind` names what is paid ("donation", "dues") in the
    session's metadata and idempotency key; `reference` is SolNet's public id of it, sent back
    in every event about the payment; `name` is the line the payer reads on the page."""

    kind: str
    reference: str
    amount: int
    name: str
    email: str | None = None
    submit_type: str = "pay"


class EventRefused(Exception):
    """A signed event SolNet will not apply: it does not match a payment it started, or its
    amount or currency is not that payment's. Nothing is written; the processor will retry."""


# --- settings ---------------------------------------------------------------------------------


def _secret_key() -> str:
    return getattr(settings, "SOLNET_STRIPE_SECRET_KEY", "") or ""


def _webhook_secret() -> str:
    return getattr(settings, "SOLNET_STRIPE_WEBHOOK_SECRET", "") or ""


def _api_base() -> str:
    return (getattr(settings, "SOLNET_STRIPE_API_BASE", "") or "").rstrip("/")


def configured() -> bool:
    """True when online donations are offered: a secret key, the webhook's secret and an API."""
    return bool(_secret_key() and _webhook_secret() and _api_base())


def checkout_origin() -> str:
    """The origin of the processor's payment pages, which the donation form posts on to (its
    page's Content-Security-Policy must let the form go there): Stripe's checkout host for
    Stripe, the API's own origin for a processor (or a stand-in) that serves both."""
    base = _api_base()
    if base == STRIPE_API:
        return STRIPE_CHECKOUT
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


# --- paying -----------------------------------------------------------------------------------


def _fields(
    charge: Charge, success_url: str, cancel_url: str, currency: str, locale: str
) -> dict[str, str]:
    fields = {
        "mode": "payment",
        "submit_type": charge.submit_type,
        "line_items[0][price_data][currency]": currency.lower(),
        "line_items[0][price_data][unit_amount]": str(int(charge.amount)),
        "line_items[0][price_data][product_data][name]": charge.name,
        "line_items[0][quantity]": "1",
        "client_reference_id": charge.reference,
        f"metadata[{charge.kind}]": charge.reference,
        # So that the charge, and its refund, carry SolNet's id too.
        f"payment_intent_data[metadata][{charge.kind}]": charge.reference,
        "locale": locale,
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if charge.email:
        fields["customer_email"] = charge.email
    return fields


def _processor_error(status: int, body: bytes) -> ProcessorError:
    """Stripe's errors: `{"error": {"type", "code", "param", "message", ...}}`."""
    message = f"the processor answered HTTP {status}"
    details: dict[str, Any] = {}
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        error = answer["error"]
        message = str(error.get("message") or message)[:500]
        for name in ("type", "code", "param"):
            if isinstance(error.get(name), str):
                details[name] = error[name][:120]
    kind = Unavailable if status == 429 or status >= 500 else Refused
    return kind(message, status=status, **details)


def create_checkout_session(
    charge: Charge,
    success_url: str,
    cancel_url: str,
    *,
    currency: str | None = None,
    language: str | None = None,
) -> CheckoutSession:
    """Opens the processor's payment page for `charge` (its amount in minor units of the
    network's currency, the payer's email if they gave one) and returns the session's id and
    the page's address. Posting it again for the same charge (a retry after a timeout) gets
    the same session back: the charge's reference is the idempotency key."""
    if not configured():
        raise NotConfigured("online payments are not configured", code="not_configured")
    if currency is None:
        from solnet.network.models import Network

        currency = Network.objects.current().currency
    locale = LOCALES.get((language or translation.get_language() or "")[:2], "auto")
    try:
        status, _headers, answer = http.post_form(
            _api_base() + SESSIONS_PATH,
            _fields(charge, success_url, cancel_url, currency, locale),
            headers={
                "Authorization": f"Bearer {_secret_key()}",
                "Idempotency-Key": f"solnet-{charge.kind}-{charge.reference}",
                "Accept": "application/json",
            },
            timeout=TIMEOUT,
            max_bytes=MAX_ANSWER_BYTES,
            # The processor's address is the operator's setting, never a user's.
            trusted_host=True,
        )
    except http.DestinationRefused as error:
        raise Refused(str(error), code="refused") from error
    except http.OutboundError as error:
        raise Unavailable(str(error), code="unreachable") from error
    if status != 200:
        raise _processor_error(status, answer)
    try:
        session = json.loads(answer)
        session_id, url = session["id"], session["url"]
    except (ValueError, KeyError, TypeError):
        session_id = url = None
    if (
        not isinstance(session_id, str)
        or not SESSION_ID.match(session_id)
        or not isinstance(url, str)
        or urlsplit(url).scheme not in ("https", "http")
    ):
        raise Refused("the processor's answer had no session id or payment page", code="unreadable")
    return CheckoutSession(id=session_id, url=url)


def refusal(error: ProcessorError) -> ValidationError:
    """What the payer reads when no payment page could be opened, in their language."""
    if error.code == "amount_too_small":
        return ValidationError(
            _("That amount is below the smallest the payment processor takes."),
            code="too_small",
        )
    if error.code == "amount_too_large":
        return ValidationError(
            _("That amount is above the largest the payment processor takes."),
            code="too_large",
        )
    return ValidationError(
        _("The payment page could not be opened. Please try again in a few minutes."),
        code="processor",
    )


# --- hearing back -----------------------------------------------------------------------------


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    """The hex HMAC-SHA256 the processor puts in `v1`: over "<timestamp>." and the raw body."""
    signed = str(timestamp).encode("ascii") + b"." + payload
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def _parse_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in (header or "").split(","):
        name, equals, value = item.strip().partition("=")
        if not equals:
            continue
        if name == "t":
            if timestamp is not None or not value.isdigit() or len(value) > 12:
                raise SignatureError("the signature's timestamp is missing or malformed")
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value.strip())
    if timestamp is None:
        raise SignatureError("the signature header has no timestamp")
    if not signatures:
        raise SignatureError("the signature header has no v1 signature")
    return timestamp, signatures[:8]


def verify_webhook(
    payload: bytes, header: str, *, now: float | None = None, secret: str | None = None
) -> dict[str, Any]:
    """The event a webhook delivery carries, once its `Stripe-Signature` proves it is the
    processor's and recent. Raises `SignatureError` for anything wrong: no secret configured, no
    or a malformed header, no matching `v1` signature, a timestamp more than five minutes away,
    a body that is not an event."""
    secret = secret if secret is not None else _webhook_secret()
    if not secret:
        raise SignatureError("online donations are not configured")
    if not isinstance(payload, bytes | bytearray):
        raise SignatureError("the payload must be the raw bytes of the body")
    timestamp, given = _parse_header(header)
    expected = signature(secret, timestamp, bytes(payload)).encode("ascii")
    matches = False
    for candidate in given:
        # Every candidate is compared, so the time taken does not say which one was close.
        matches |= hmac.compare_digest(expected, candidate.encode("utf-8", "replace"))
    if not matches:
        raise SignatureError("no signature matches the payload")
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("the signature's timestamp is outside the tolerance")
    try:
        event = json.loads(payload)
    except ValueError:
        raise SignatureError("the body is not JSON") from None
    if not isinstance(event, dict) or event.get("object") != "event":
        raise SignatureError("the body is not an event")
    return event


# --- what an event carries --------------------------------------------------------------------


def event_text(obj: dict[str, Any], name: str, *, pattern: str = r"^[A-Za-z0-9_]{1,255}$") -> str:
    """A string field of an event's object, or EventRefused."""
    value = obj.get(name)
    if not isinstance(value, str) or not re.match(pattern, value):
        raise EventRefused(f"the event's {name} is missing or malformed")
    return value


def event_whole(obj: dict[str, Any], name: str) -> int:
    """A whole, non-negative number in an event's object, or EventRefused."""
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise EventRefused(f"the event's {name} is missing or not a whole number")
    return value


def network_currency() -> str:
    """The currency events must be in, as the processor writes it (lower case)."""
    from solnet.network.models import Network

    return Network.objects.current().currency.lower()
