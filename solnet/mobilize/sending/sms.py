"""Text messages through the SMS gateway, in Twilio's wire format (Twilio itself, or any gateway
that speaks its API), and what comes back through the gateway's webhooks.

Sending: `send_text()` posts one message to
`{SOLNET_SMS_API_BASE}/2010-04-01/Accounts/{AccountSid}/Messages.json` (form fields To, From,
Body, StatusCallback; HTTP Basic auth AccountSid:AuthToken) through the project's one outbound
client, and returns the gateway's message id (`sid`). It raises `TransientError` when trying
again later may work (429, 5xx, timeouts, connection failures) and `PermanentError` when it
will not (any other 4xx: 21610 the recipient said STOP, 21211 not a valid number…), with the
gateway's code, message and more_info kept. A number that said STOP is refused here, before
anything is sent, whatever record it is on.

Receiving: the webhooks (sms_views.py) check `valid_signature()` and call `receive_text()`
(an inbound message: STOP, START, HELP, an answer to a call-out or an alert) or
`note_delivery_report()` (the gateway's status callback).

Settings are read at each call, so that tests (and an operator's reload) can change them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse

from solnet.core import http, phones
from solnet.mobilize import pacing
from solnet.mobilize.models import (
    SmsOptOut,
)
from solnet.people.models import ContactChannel

API_VERSION = "2010-04-01"
MAX_BODY = 1600  # Twilio's limit for one (concatenated) message
TIMEOUT = 10
MAX_ANSWER_BYTES = 64 * 1024
# Twilio's error for a recipient who said STOP; used too when SolNet refuses one itself.
UNSUBSCRIBED = 21610
ANSWER_WINDOW = timedelta(days=7)
SID = re.compile(r"^[A-Za-z0-9]{2,64}$")


class SmsError(Exception):
    """A text that did not go out, with what the gateway said (`code`, `message`,
    `more_info`) and the HTTP status where there was one."""

    def __init__(
        self,
        message: str,
        *,
        code: int | str | None = None,
        status: int | None = None,
        more_info: str = "",
        retry_after: int | None = None,
    ):
        self.message = message
        self.code = code
        self.status = status
        self.more_info = more_info
        self.retry_after = retry_after
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        """Short enough for `Delivery.error`."""
        text = f"{self.code}: {self.message}" if self.code is not None else self.message
        return text[:200]


class TransientError(SmsError):
    """Try again later: the gateway was busy or down, or did not answer in time."""


class PermanentError(SmsError):
    """Trying again will not help: a bad or unsubscribed number, refused credentials…"""


class NotConfigured(PermanentError):
    """No account SID or auth token: SolNet sends no texts."""


class OptedOut(PermanentError):
    """The number said STOP: SolNet sends it nothing until it says START."""


# --- settings ---------------------------------------------------------------------------------


def _account_sid() -> str:
    return getattr(settings, "SOLNET_SMS_ACCOUNT_SID", "") or ""


def _auth_token() -> str:
    return getattr(settings, "SOLNET_SMS_AUTH_TOKEN", "") or ""


def configured() -> bool:
    """True when texts can be sent: an account SID and an auth token are set."""
    return bool(_account_sid() and _auth_token() and getattr(settings, "SOLNET_SMS_API_BASE", ""))


def account_sid_matches(value: str) -> bool:
    ours = _account_sid()
    return bool(ours) and hmac.compare_digest(value.encode(), ours.encode())


def messages_url() -> str:
    base = settings.SOLNET_SMS_API_BASE.rstrip("/")
    return f"{base}/{API_VERSION}/Accounts/{quote(_account_sid(), safe='')}/Messages.json"


def status_callback_url() -> str:
    """Where the gateway reports what became of a text (the status webhook)."""
    return settings.BASE_URL + reverse("mobilize:sms_status")


def inbound_url() -> str:
    """Where the gateway posts texts people send to the network's numbers; the operator
    sets it on each number at the gateway."""
    return settings.BASE_URL + reverse("mobilize:sms_inbound")


def number_index(number: str) -> str:
    """The blind index of a phone number, the one its contact channels carry."""
    return ContactChannel._meta.get_field("value_index").lookup_value(number)  # type: ignore[union-attr]


def is_opted_out(number: str) -> bool:
    return SmsOptOut.objects.filter(number_index=number_index(number)).exists()


# --- sending ----------------------------------------------------------------------------------


def _gateway_error(status: int, body: bytes, retry_after: str | None) -> SmsError:
    code: int | str | None = None
    message = f"the gateway answered HTTP {status}"
    more_info = ""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        code = answer.get("code") if isinstance(answer.get("code"), int | str) else None
        message = str(answer.get("message") or message)[:500]
        more_info = str(answer.get("more_info") or "")[:200]
    wait = int(retry_after) if retry_after and retry_after.isdigit() else None
    kind = TransientError if status == 429 or status >= 500 else PermanentError
    return kind(message, code=code, status=status, more_info=more_info, retry_after=wait)


def send_text(*, to: str, sender: str, body: str, status_callback: str | None = None) -> str:
    """Posts one text and returns the gateway's id for it (Twilio's `sid`).

    `status_callback`: where the gateway reports delivery; None means SolNet's own status
    webhook, "" asks for no report."""
    if not configured():
        raise NotConfigured("SMS is not configured", code="not_configured")
    # As the gateway wants them, in E.164: "(206) 555-0100" is sent as +12065550100.
    to, sender = phones.index_form(to or ""), phones.index_form(sender or "")
    if len(to.lstrip("+")) < 3 or len(sender.lstrip("+")) < 3:
        raise PermanentError("a text needs a recipient and a sending number", code="invalid")
    if not body or len(body) > MAX_BODY:
        raise PermanentError(f"a text holds 1 to {MAX_BODY} characters", code="invalid")
    if is_opted_out(to):
        raise OptedOut("the number said STOP", code=UNSUBSCRIBED)
    if status_callback is None:
        status_callback = status_callback_url()
    fields = {"To": to, "From": sender, "Body": body}
    # Never over the number's cap, whatever the plan and however late the worker runs.
    pacing.gate.wait(sender)
    if status_callback:
        fields["StatusCallback"] = status_callback
    try:
        status, headers, answer = http.post_form(
            messages_url(),
            fields,
            auth=(_account_sid(), _auth_token()),
            headers={"Accept": "application/json"},
            timeout=TIMEOUT,
            max_bytes=MAX_ANSWER_BYTES,
            # The gateway's address is the operator's setting, never a user's.
            trusted_host=True,
        )
    except http.DestinationRefused as error:
        raise PermanentError(str(error), code="refused") from error
    except http.OutboundError as error:
        # Timeouts, refused connections, an answer too long: the gateway may be back soon.
        raise TransientError(str(error), code="unreachable") from error
    if status in (200, 201):
        try:
            sid = json.loads(answer)["sid"]
        except (ValueError, KeyError, TypeError):
            sid = None
        if not isinstance(sid, str) or not SID.match(sid):
            # It may well have been sent: trying again could text the person twice.
            raise PermanentError("the gateway's answer had no message id", code="unreadable")
        return sid
    raise _gateway_error(status, answer, headers.get("retry-after"))


# --- signatures -------------------------------------------------------------------------------


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    value = getlist(name) if getlist is not None else params[name]
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(v) for v in value]
    return [str(value)]


def _signature(token: str, url: str, params: Mapping[str, Any]) -> bytes:
    """Twilio's X-Twilio-Signature: base64(HMAC-SHA1(auth token, the full URL followed by
    each POST parameter's name and value, by name; a name sent more than once contributes
    each of its distinct values, in order))."""
    text = url
    for name in sorted(set(params)):
        for value in sorted(set(_values(params, name))):
            text += name + value
    digest = hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest)


def _with_and_without_port(url: str) -> list[str]:
    """Twilio's own validators accept the URL with or without its scheme's default port."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    if default is None or parts.hostname is None:
        return [url]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is None:
        other = urlunsplit(parts._replace(netloc=f"{parts.netloc}:{default}"))
    elif parts.port == default:
        userinfo = parts.netloc.rpartition("@")[0]
        other = urlunsplit(parts._replace(netloc=(userinfo + "@" if userinfo else "") + host))
    else:
        return [url]
    return [url, other]


def valid_signature(url: str, params: Mapping[str, Any], signature: str) -> bool:
    """True when `signature` is what the gateway computes for this URL and these POST
    parameters with our auth token; compared in constant time."""
    token = _auth_token()
    if not token or not signature:
        return False
    given = signature.strip().encode()
    matches = False
    for candidate in _with_and_without_port(url):
        # Every candidate is compared, so the time taken does not say which one was close.
        matches |= hmac.compare_digest(_signature(token, candidate, params), given)
    return matches
