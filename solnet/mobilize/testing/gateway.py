"""A stand-in SMS gateway for tests: a real HTTP server on loopback speaking Twilio's wire format.

The one outside service the tests cannot reach is a paid SMS gateway, so this plays it, as
close to Twilio's REST API and webhooks as the tests need (STYLE.md: a stand-in speaks the
real service's wire format):

- `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP Basic auth
  (AccountSid:AuthToken) and form fields To, From, Body, StatusCallback. A wrong account or
  token answers 401 (code 20003); a missing field 400 (21602/21603/21604); a number that is
  not a valid one, or one in `invalid_numbers`, 400 with code 21211; a number in
  `unsubscribed` 400 with code 21610; otherwise 201 with the message's JSON (sid "SM" + 32
  hex, status "queued", to, from, body, date_created…), as Twilio answers.
- `fail_next(n, status=500)` (or 429) makes the next n requests fail the way Twilio's do.
- Every accepted message is recorded (`messages`), with the time it arrived, so tests can
  check that no sending number went over its cap in any second (`max_in_window`,
  `rate_violations`).
- After accepting a message with a StatusCallback it prepares the status callback Twilio
  would post (MessageSid, MessageStatus=delivered — or undelivered with an ErrorCode for a
  number in `undeliverable` —, To, From, AccountSid…), signed as Twilio signs:
  X-Twilio-Signature = base64(HMAC-SHA1(auth token, full URL + each parameter's name and
  value, sorted by name)). With `post_callbacks` on it posts it to that URL itself (for a
  live server); either way it is in `callbacks`, for a test to post with Django's test client
  (`SignedRequest.post(client)`).
- `signed_inbound(from_, to, body)` prepares, and `send_inbound(...)` posts to `inbound_url`,
  the signed webhook of a text someone sent to one of our numbers.
- Voice: `place_call(from_, to)` is someone calling one of our numbers (voice.py).

It shares no code with solnet.mobilize.sms: the signature is computed here on its own, so a
mistake in the app's computation cannot hide behind the same mistake in the test's.
"""

from __future__ import annotations

import base64
import hmac
import http.client
import json
import math
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from solnet.core.testing.loopback import LoopbackService
from solnet.mobilize.testing.voice import PlacedCall, VoiceMixin
from solnet.mobilize.testing.wire import API_VERSION, E164, SignedRequest, e164, twilio_signature

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
MAX_BODY = 1600


@dataclass
class SentText:
    sid: str
    to: str
    from_: str
    body: str
    status_callback: str
    at: float  # time.monotonic() when it was accepted
    created: datetime


@dataclass
class RawRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]
    status: int = 0


@dataclass
class _Failure:
    status: int
    retry_after: int | None


ERRORS = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21606: "The From phone number {from_} is not a valid, SMS-capable inbound phone number or "
    "short code for your account.",
    21610: "Attempt to send to unsubscribed recipient",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}


class Gateway(VoiceMixin, LoopbackService):
    """Start with `start()` (or as a context manager); `base_url` is its address."""

    service_attribute = "gateway"

    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        callback_delay: float = 0.05,
    ):
        self.account_sid = account_sid or "AC" + secrets.token_hex(16)
        self.auth_token = auth_token or secrets.token_hex(16)
        self.callback_delay = callback_delay
        self.messages: list[SentText] = []
        self.requests: list[RawRequest] = []
        self.callbacks: list[SignedRequest] = []
        self.inbound: list[SignedRequest] = []
        self.post_callbacks = False
        # While set, posted callbacks wait (for `release_callbacks()`): a test can save the
        # message id the way the sender does before the report about it arrives.
        self.hold_callbacks = False
        self._released = threading.Event()
        self.inbound_url = ""
        self.invalid_numbers: set[str] = set()
        self.unsubscribed: set[str] = set()
        self.undeliverable: dict[str, str] = {}  # number → Twilio error code, e.g. "30003"
        self.numbers: set[str] | None = None  # the account's numbers; None: any From
        self._init_voice()
        # Posts webhooks with this instead of HTTP when set: (SignedRequest) -> (status, body).
        self.transport: Any = None
        self.caps: dict[str, float] = {}  # sending number → messages per second
        self.reject_over_cap = False
        self._failures: deque[_Failure] = deque()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # --- running ---

    def stop(self) -> None:
        self._released.set()
        for thread in list(self._threads):
            thread.join(timeout=5)
        super().stop()

    # --- what tests tell it ---

    def fail_next(self, count: int = 1, *, status: int = 500, retry_after: int | None = None):
        """The next `count` requests fail with `status` (500, 503 or 429), as Twilio's do."""
        with self._lock:
            self._failures.extend(_Failure(status, retry_after) for _ in range(count))

    def release_callbacks(self) -> None:
        """Lets held status callbacks go."""
        self._released.set()

    # --- what tests read ---

    def sent_from(self, number: str) -> list[SentText]:
        return [m for m in self.messages if m.from_ == e164(number)]

    def max_in_window(self, number: str, window: float = 1.0) -> int:
        """The most messages accepted from `number` within any `window` seconds."""
        times = sorted(m.at for m in self.sent_from(number))
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= window:
                first += 1
            most = max(most, last - first + 1)
        return most

    def rate_violations(
        self, caps: dict[str, float] | None = None, *, slack: float = 0.0
    ) -> list[str]:
        """Each sending number that went over its cap: more than floor(cap) messages within
        one second (for a cap under one a second: two messages closer than 1/cap). `slack`
        forgives that much jitter between the sender's clock and this one."""
        found = []
        for number, per_second in (caps if caps is not None else self.caps).items():
            window = max(1.0, 1.0 / per_second) - slack
            allowed = max(1, math.floor(per_second * max(1.0, 1.0 / per_second) + 1e-9))
            most = self.max_in_window(number, window)
            if most > allowed:
                found.append(f"{number}: {most} within {window:g} s, cap {allowed}")
        return found

    def wait_for_callbacks(self, count: int, timeout: float = 10.0) -> bool:
        """Waits until `count` status callbacks were posted and answered."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                done = sum(1 for c in self.callbacks if c.status is not None)
            if done >= count:
                return True
            time.sleep(0.02)
        return False

    # --- signing and webhooks ---

    def sign(self, url: str, params: dict[str, Any]) -> str:
        return twilio_signature(self.auth_token, url, params)

    def _signed(self, url: str, params: dict[str, str]) -> SignedRequest:
        return SignedRequest(url, params, self.sign(url, params))

    def status_callback(
        self, message: SentText, status: str = "delivered", error_code: str = ""
    ) -> SignedRequest:
        """The status callback Twilio posts for `message`."""
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": message.from_,
            "MessageSid": message.sid,
            "MessageStatus": status,
            "SmsSid": message.sid,
            "SmsStatus": status,
            "To": message.to,
        }
        if error_code:
            params["ErrorCode"] = error_code
        return self._signed(message.status_callback, params)

    def signed_inbound(
        self, from_: str, to: str, body: str, *, sid: str | None = None, url: str | None = None
    ) -> SignedRequest:
        """The webhook Twilio posts when `from_` texts `body` to our number `to`."""
        sid = sid or "SM" + secrets.token_hex(16)
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "Body": body,
            "From": e164(from_),
            "FromCountry": "US",
            "MessageSid": sid,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "To": e164(to),
            "ToCountry": "US",
        }
        signed = self._signed(url or self.inbound_url, params)
        with self._lock:
            self.inbound.append(signed)
        return signed

    def send_inbound(
        self, from_: str, to: str, body: str, *, sid: str | None = None
    ) -> SignedRequest:
        """Posts the inbound webhook to `inbound_url` over HTTP; `status` and `answer` hold
        what our server said."""
        assert self.inbound_url, "set inbound_url (a live server's address) first"
        signed = self.signed_inbound(from_, to, body, sid=sid)
        return self.deliver(signed)

    def deliver(self, signed: SignedRequest) -> SignedRequest:
        """Posts a signed webhook over HTTP (again, for a retried one), or through
        `transport` when a test set one."""
        if self.transport is not None:
            signed.status, signed.answer = self.transport(signed)
        else:
            signed.status, signed.answer = _post(signed.url, signed.params, signed.signature)
        return signed

    # --- the API ---

    def _accept(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        to, from_, body = e164(form.get("To", "")), e164(form.get("From", "")), form.get("Body")
        if not to:
            return _error(21604)
        if not from_:
            return _error(21603)
        if not body:
            return _error(21602)
        if len(body) > MAX_BODY:
            return _error(21617)
        if not E164.match(to) or to in self.invalid_numbers:
            return _error(21211, to=form.get("To", ""))
        if self.numbers is not None and from_ not in {e164(n) for n in self.numbers}:
            return _error(21606, from_=form.get("From", ""))
        if to in self.unsubscribed:
            return _error(21610)
        now = time.monotonic()
        with self._lock:
            if self.reject_over_cap and from_ in self.caps:
                per_second = self.caps[from_]
                window = max(1.0, 1.0 / per_second)
                allowed = max(1, math.floor(per_second * window + 1e-9))
                recent = [m for m in self.messages if m.from_ == from_ and now - m.at < window]
                if len(recent) >= allowed:
                    return _error(20429, status=429)
            message = SentText(
                sid="SM" + secrets.token_hex(16),
                to=to,
                from_=from_,
                body=body,
                status_callback=form.get("StatusCallback", ""),
                at=now,
                created=datetime.now(UTC),
            )
            self.messages.append(message)
        if message.status_callback:
            self._report(message)
        return 201, self._message_json(message)

    def _report(self, message: SentText) -> None:
        code = self.undeliverable.get(message.to, "")
        signed = self.status_callback(
            message, "undelivered" if code else "delivered", error_code=code
        )
        with self._lock:
            self.callbacks.append(signed)
        if not self.post_callbacks:
            return

        hold = self.hold_callbacks

        def post_later() -> None:
            if hold:
                self._released.wait(30)
            time.sleep(self.callback_delay)
            status, answer = _post(signed.url, signed.params, signed.signature)
            with self._lock:
                signed.answer, signed.status = answer, status

        thread = threading.Thread(target=post_later, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _message_json(self, message: SentText) -> dict[str, Any]:
        stamp = format_datetime(message.created, usegmt=False)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": message.body,
            "date_created": stamp,
            "date_sent": None,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": str(max(1, math.ceil(len(message.body) / 153))),
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": message.to,
            "uri": f"{uri}.json",
        }


def _error(code: int, *, status: int = 400, **values: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "code": code,
        "message": ERRORS[code].format(**values),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _post(url: str, params: dict[str, str], signature: str) -> tuple[int, bytes]:
    """One webhook post, as Twilio makes it; redirects are not followed."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request(
            "POST",
            parts.path + (f"?{parts.query}" if parts.query else ""),
            body=urlencode(params).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "X-Twilio-Signature": signature,
                "User-Agent": "TwilioProxy/1.1",
            },
        )
        answer = connection.getresponse()
        return answer.status, answer.read()
    except OSError as error:
        return 0, str(error).encode()
    finally:
        connection.close()


class _Handler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    server_version = "StandInTwilio/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read `requests` instead

    def _answer(self, status: int, payload: dict[str, Any], record: RawRequest) -> None:
        record.status = status
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
        failure = getattr(self, "_failure", None)
        if failure is not None and failure.retry_after is not None:
            self.send_header("Retry-After", str(failure.retry_after))
        self.end_headers()
        self.wfile.write(body)

    def _record(self) -> RawRequest:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        record = RawRequest(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            parse_qs(raw, keep_blank_values=True),
        )
        with self.gateway._lock:
            self.gateway.requests.append(record)
        return record

    def _authorized(self, account: str) -> bool:
        gateway = self.gateway
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return (
            hmac.compare_digest(user, gateway.account_sid)
            and hmac.compare_digest(password, gateway.auth_token)
            and account == gateway.account_sid
        )

    def do_GET(self) -> None:
        record = self._record()
        self._answer(*_error(20404, status=404), record)

    def do_POST(self) -> None:
        record = self._record()
        gateway = self.gateway
        with gateway._lock:
            self._failure = gateway._failures.popleft() if gateway._failures else None
        if self._failure is not None:
            code = 20429 if self._failure.status == 429 else 20500
            self._answer(*_error(code, status=self._failure.status), record)
            return
        match = MESSAGES_PATH.match(urlsplit(self.path).path)
        if match is None:
            self._answer(*_error(20404, status=404), record)
            return
        if not self._authorized(match["account"]):
            self._answer(*_error(20003, status=401), record)
            return
        form = {name: values[0] for name, values in record.form.items()}
        self._answer(*gateway._accept(form), record)


Gateway.handler = _Handler


__all__ = ["API_VERSION", "Gateway", "PlacedCall", "SignedRequest", "e164", "twilio_signature"]
