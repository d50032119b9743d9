"""Twilio's wire format as the stand-in gateway speaks it: its API version, numbers in E.164,
its request signature, and a signed webhook request. Written from Twilio's documentation and
sharing no code with solnet.mobilize.sending.sms, so that a mistake in the app's computation
cannot hide behind the same mistake in the test's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def twilio_signature(auth_token: str, url: str, params: dict[str, Any]) -> str:
    """Twilio's request signature, written from its documentation."""
    pairs = set()
    for name, value in params.items():
        for one in value if isinstance(value, list | tuple) else [value]:
            pairs.add((name, str(one)))
    payload = url + "".join(name + value for name, value in sorted(pairs))
    mac = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def e164(number: str) -> str:
    """Twilio accepts a number written with spaces, dashes, dots or brackets."""
    return re.sub(r"[\s().-]", "", number or "")


@dataclass
class SignedRequest:
    """A webhook request as the gateway makes it: where, what, and its signature."""

    url: str
    params: dict[str, str]
    signature: str
    status: int | None = None  # the answer's status, once the gateway posted it itself
    answer: bytes = b""

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def post(self, client, **changes: str):
        """Posts it with Django's test client (to the same path). `changes` alter the fields
        after signing, as a forger would."""
        return client.post(
            self.path, {**self.params, **changes}, HTTP_X_TWILIO_SIGNATURE=self.signature
        )
