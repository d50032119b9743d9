"""A stand-in payment processor for tests: a real HTTP server on loopback speaking Stripe's wire
format.

A payment processor is a paid outside service the tests cannot reach, so this plays it, as
close to Stripe's API and webhooks as the tests need (STYLE.md: a stand-in speaks the real
service's wire format):

- `POST /v1/checkout/sessions`, form-encoded in Stripe's bracket notation
  (`line_items[0][price_data][currency]=usd`), with the secret key as a Bearer token (or as
  HTTP Basic's user name, which Stripe also takes). No key or a wrong one answers 401 with
  Stripe's error body (`{"error": {"message": "Invalid API Key provided: sk_test_****…",
  "type": "invalid_request_error"}}`); a missing parameter 400 `parameter_missing` with its
  `param`; an unknown one 400 "Received unknown parameter"; an integer that is not one 400
  `parameter_invalid_integer`; an unknown currency, locale, mode or submit type, an email that
  is not one, a total under the currency's minimum (`amount_too_small`) 400 too. Otherwise
  200 with the Checkout Session: id "cs_test_…", object "checkout.session", url, amount_total,
  currency, client_reference_id, customer_email, metadata, locale, mode, payment_status
  "unpaid", status "open", success_url, cancel_url… An `Idempotency-Key` seen before with the
  same parameters answers the first answer again (`Idempotent-Replayed: true`); with other
  parameters 400 `idempotency_error`, as Stripe does.
- `fail_next(n, status=500)` (or 429) makes the next n requests fail the way Stripe's do.
- Every request is recorded (`requests`, with its raw and its nested form) and every session
  kept (`sessions`); `GET /c/pay/{id}` answers a plain page, standing in for the payment page.
- `complete(session_id)` pays a session and prepares the `checkout.session.completed` event
  (id "evt_…", created, data.object the session with payment_status "paid", status
  "complete" and a payment_intent "pi_…"); `refund(session_id)` prepares `charge.refunded`
  (data.object the charge "ch_…" with its payment_intent, amount_refunded and refunded true,
  or false for a partial refund). `event(kind, obj)` makes any other.
- Each event is a pretty-printed JSON body signed as Stripe signs: `Stripe-Signature:
  t=<unix time>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<body>")>`, with a `v0` of another
  (test-mode) scheme beside it, and one more `v1` per secret in `extra_secrets` (a secret
  being rolled). It is kept in `events` for a test to post with Django's test client
  (`SignedEvent.post(client)`); with `post_events` on it is posted to `webhook_url` (a live
  server's address) at once, as Stripe would; `deliver()` posts one again, signed anew (a
  retry).

It shares no code with solnet.funds.processor: the signature is computed here on its own, so
a mistake in the app's computation cannot hide behind the same mistake in the test's.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import http.client
import json
import re
import secrets
import string
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from solnet.core.testing.loopback import LoopbackService
from solnet.funds.testing.checkout_params import _money, _ParamError, checked_session, nested

API_VERSION = "2024-06-20"
SESSIONS_PATH = "/v1/checkout/sessions"
PAY_PATH = re.compile(r"^/c/pay/(?P<session>cs_[A-Za-z0-9_]+)$")
ALPHANUMERIC = string.ascii_letters + string.digits


def stripe_signature(secret: str, timestamp: int, payload: bytes) -> str:
    """Stripe's `v1` webhook signature, written from its documentation."""
    message = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def stripe_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))


def _redacted(key: str) -> str:
    return f"{key[:8]}****{key[-4:]}" if len(key) > 12 else "****"


# --- what it records and sends ------------------------------------------------------------------


@dataclass
class RawRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, Any] = field(default_factory=dict)  # nested, as Stripe reads it
    pairs: list[tuple[str, str]] = field(default_factory=list)
    status: int = 0


@dataclass
class SignedEvent:
    """A webhook delivery as the processor makes it: the raw body, its signature header, and
    the event; `status` and `answer` once the stand-in posted it itself."""

    url: str
    payload: bytes
    header: str
    event: dict[str, Any]
    status: int | None = None
    answer: bytes = b""

    @property
    def id(self) -> str:
        return self.event["id"]

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def post(self, client, *, payload: bytes | None = None, header: str | None = None):
        """Posts it with Django's test client (to the same path). `payload` or `header`
        replace the signed ones, as a forger would."""
        return client.post(
            self.path,
            data=self.payload if payload is None else payload,
            content_type="application/json; charset=utf-8",
            HTTP_STRIPE_SIGNATURE=self.header if header is None else header,
        )


@dataclass
class _Failure:
    status: int


class Processor(LoopbackService):
    """Start with `start()` (or as a context manager); `base_url` is its address."""

    service_attribute = "processor"

    def __init__(self, *, secret_key: str | None = None, webhook_secret: str | None = None):
        self.secret_key = secret_key or stripe_id("sk_test_", 32)
        self.webhook_secret = webhook_secret or "whsec_" + secrets.token_hex(16)
        self.extra_secrets: list[str] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}  # session id → its charge, once paid
        self.requests: list[RawRequest] = []
        self.events: list[SignedEvent] = []
        self.webhook_url = ""
        self.post_events = False
        self._idempotent: dict[str, tuple[list[tuple[str, str]], int, dict[str, Any]]] = {}
        self._failures: deque[_Failure] = deque()
        self._lock = threading.Lock()

    # --- what tests tell it ---

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        """The next `count` requests fail with `status` (500, 503 or 429), as Stripe's do."""
        with self._lock:
            self._failures.extend(_Failure(status) for _ in range(count))

    def session_requests(self) -> list[RawRequest]:
        return [r for r in self.requests if r.path == SESSIONS_PATH and r.method == "POST"]

    # --- webhooks ---

    def sign(self, payload: bytes, *, timestamp: int | None = None) -> str:
        """The Stripe-Signature header for `payload`: the test-mode `v0` too, and a `v1` per
        secret (the current one first)."""
        at = int(time.time()) if timestamp is None else timestamp
        parts = [f"t={at}"]
        for secret in [self.webhook_secret, *self.extra_secrets]:
            parts.append(f"v1={stripe_signature(secret, at, payload)}")
        parts.append(f"v0={secrets.token_hex(32)}")
        return ",".join(parts)

    def event(
        self, kind: str, obj: dict[str, Any], *, previous: dict[str, Any] | None = None
    ) -> SignedEvent:
        """Any event of `kind` about `obj`, signed, kept in `events`, and posted to
        `webhook_url` when `post_events` is on."""
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        event = {
            "id": stripe_id("evt_"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        payload = json.dumps(event, indent=2).encode()
        signed = SignedEvent(self.webhook_url, payload, self.sign(payload), event)
        with self._lock:
            self.events.append(signed)
        if self.post_events:
            self.deliver(signed)
        return signed

    def complete(self, session_id: str, *, payment_status: str = "paid") -> SignedEvent:
        """The donor paid: the session is complete, its payment intent and charge made, and
        `checkout.session.completed` prepared (and posted, with `post_events`)."""
        with self._lock:
            session = self.sessions[session_id]
            session["status"] = "complete"
            session["payment_status"] = payment_status
            session["payment_intent"] = session["payment_intent"] or stripe_id("pi_")
            if session["customer_email"]:
                session["customer_details"] = {"email": session["customer_email"]}
            self.charges[session_id] = {
                "id": stripe_id("ch_"),
                "object": "charge",
                "amount": session["amount_total"],
                "amount_captured": session["amount_total"],
                "amount_refunded": 0,
                "captured": True,
                "created": int(time.time()),
                "currency": session["currency"],
                "livemode": False,
                "metadata": dict(session["_payment_metadata"]),
                "paid": True,
                "payment_intent": session["payment_intent"],
                "refunded": False,
                "status": "succeeded",
            }
            shown = _public(session)
        return self.event("checkout.session.completed", shown)

    def refund(self, session_id: str, *, amount: int | None = None) -> SignedEvent:
        """A refund of the session's charge, whole or `amount` of it: `charge.refunded`."""
        with self._lock:
            charge = self.charges[session_id]
            before = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
            charge["amount_refunded"] = min(
                charge["amount"], charge["amount_refunded"] + (amount or charge["amount"])
            )
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            shown = copy.deepcopy(charge)
        return self.event("charge.refunded", shown, previous=before)

    def deliver(self, signed: SignedEvent, *, resign: bool = True) -> SignedEvent:
        """Posts a webhook over HTTP to its URL (again, for a retry: Stripe signs each attempt
        anew, with the time of that attempt)."""
        assert signed.url, "set webhook_url (a live server's address) first"
        if resign:
            signed.header = self.sign(signed.payload)
        signed.status, signed.answer = _post(signed.url, signed.payload, signed.header)
        return signed

    # --- the API ---

    def _create_session(self, form: dict[str, Any]) -> dict[str, Any]:
        checked = checked_session(form)
        mode, success_url, locale = checked["mode"], checked["success_url"], checked["locale"]
        total, currency, email = checked["total"], checked["currency"], checked["email"]
        reference, submit_type = checked["reference"], checked["submit_type"]
        metadata, payment_metadata = checked["metadata"], checked["payment_metadata"]
        now = int(time.time())
        session_id = "cs_test_" + stripe_id("a1", 56)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": form.get("cancel_url"),
            "client_reference_id": reference,
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": email,
            "expires_at": now + 86400,
            "livemode": False,
            "locale": locale,
            "metadata": metadata,
            "mode": mode,
            "payment_intent": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "submit_type": submit_type,
            "success_url": success_url,
            "url": f"{self.base_url}/c/pay/{session_id}",
            "_payment_metadata": payment_metadata,
        }
        with self._lock:
            self.sessions[session_id] = session
        return _public(session)


def _public(session: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy({k: v for k, v in session.items() if not k.startswith("_")})


def _error_body(
    message: str, *, type: str = "invalid_request_error", code: str = "", param: str = ""
) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": type}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        error["param"] = param
    error["request_log_url"] = "https://dashboard.stripe.com/test/logs/" + stripe_id("req_", 14)
    return {"error": error}


def _post(url: str, payload: bytes, header: str) -> tuple[int, bytes]:
    """One webhook post, as Stripe makes it; redirects are not followed."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request(
            "POST",
            parts.path + (f"?{parts.query}" if parts.query else ""),
            body=payload,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": header,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Cache-Control": "no-cache",
            },
        )
        answer = connection.getresponse()
        return answer.status, answer.read()
    except OSError as error:
        return 0, str(error).encode()
    finally:
        connection.close()


class _Handler(BaseHTTPRequestHandler):
    processor: Processor
    protocol_version = "HTTP/1.1"
    server_version = "StandInStripe/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read `requests` instead

    def _record(self) -> RawRequest:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = RawRequest(
            self.command,
            urlsplit(self.path).path,
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        with self.processor._lock:
            self.processor.requests.append(record)
        return record

    def _send(
        self,
        status: int,
        body: bytes,
        record: RawRequest,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        record.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", stripe_id("req_", 14))
        self.send_header("Stripe-Version", API_VERSION)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any], record: RawRequest, **kw: Any) -> None:
        self._send(status, json.dumps(payload, indent=2).encode(), record, **kw)

    def _key(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header[7:].strip()
        if header.startswith("Basic "):
            try:
                user = base64.b64decode(header[6:]).decode("utf-8").partition(":")[0]
            except (ValueError, UnicodeDecodeError):
                return ""
            return user
        return None

    def _unauthorized(self, record: RawRequest) -> bool:
        key = self._key()
        if key is None or key == "":
            message = (
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
                "or we can help at https://support.stripe.com/."
            )
        elif hmac.compare_digest(key.encode(), self.processor.secret_key.encode()):
            return False
        else:
            message = f"Invalid API Key provided: {_redacted(key)}"
        self._json(
            401,
            {"error": {"message": message, "type": "invalid_request_error"}},
            record,
            headers={"WWW-Authenticate": 'Basic realm="Stripe"'},
        )
        return True

    def do_GET(self) -> None:
        record = self._record()
        match = PAY_PATH.match(record.path)
        session = self.processor.sessions.get(match["session"]) if match else None
        if session is None:
            self._json(404, _error_body("Unrecognized request URL (GET)."), record)
            return
        page = (
            "<!doctype html><title>Stand-in checkout</title>"
            f"<h1>Pay {_money(session['amount_total'], session['currency'])}</h1>"
        )
        self._send(200, page.encode(), record, content_type="text/html; charset=utf-8")

    def do_POST(self) -> None:
        record = self._record()
        processor = self.processor
        with processor._lock:
            failure = processor._failures.popleft() if processor._failures else None
        if failure is not None:
            if failure.status == 429:
                body = _error_body(
                    "Too many requests hit the API too quickly.",
                    code="rate_limit",
                    type="invalid_request_error",
                )
            else:
                body = _error_body("An unknown error occurred", type="api_error")
            self._json(failure.status, body, record)
            return
        if record.path != SESSIONS_PATH:
            self._json(404, _error_body(f"Unrecognized request URL (POST: {record.path})."), record)
            return
        if self._unauthorized(record):
            return
        try:
            record.pairs = parse_qsl(
                record.body.decode("utf-8"),
                keep_blank_values=True,
                strict_parsing=bool(record.body),
            )
            record.form = nested(record.pairs)
        except (ValueError, UnicodeDecodeError):
            self._json(400, _error_body("Invalid request body"), record)
            return
        except _ParamError as error:
            self._json(400, _error_body(error.message, param=error.param), record)
            return
        key = self.headers.get("Idempotency-Key")
        if key:
            with processor._lock:
                seen = processor._idempotent.get(key)
            if seen is not None:
                pairs, status, payload = seen
                if sorted(pairs) != sorted(record.pairs):
                    message = (
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}' if you "
                        "meant to execute a different request."
                    )
                    self._json(400, _error_body(message, type="idempotency_error"), record)
                else:
                    self._json(status, payload, record, headers={"Idempotent-Replayed": "true"})
                return
        try:
            status, payload = 200, processor._create_session(record.form)
        except _ParamError as error:
            status = 400
            payload = _error_body(error.message, code=error.code, param=error.param)
        # Stripe saves no result for a request its validation refused: the key may be used again.
        if key and status == 200:
            with processor._lock:
                processor._idempotent.setdefault(key, (record.pairs, status, payload))
        self._json(status, payload, record)


Processor.handler = _Handler
