"""Signing and checking the messages servers send each other (docs/confederation-protocol.md).

A message is an HTTPS POST of JSON to the peer's inbox. It carries:

- `Content-Digest` (RFC 9530): the SHA-256 of the body;
- `Signature-Input` and `Signature` (RFC 9421), label `sig1`, Ed25519 (`alg="ed25519"`, which
  must be named: no algorithm is guessed from the key), over exactly `@method`, `@target-uri`,
  `content-digest` and `content-type`, with `created`, a `nonce` and a `keyid` that is the
  sender's key endpoint — so the key id names, and binds, the sender's origin.

Checking refuses, before anything is looked up in the database: a body over 64 KiB, a
signature not in that shape, a date more than five minutes off, a digest missing or wrong, an
envelope whose `from` is not the key id's origin or whose `to` is not this server. The
signature itself is checked with pyauth's `http-message-signatures` against the key pinned for
that origin; the target URI is this server's own inbox address, never what a Host header says.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
    http_sfv,
)
from http_message_signatures.structures import CaseInsensitiveDict
from pydantic import ValidationError

from solnet.confederation import keys
from solnet.confederation.schemas import ORIGIN, PROTOCOL_VERSION, Envelope, parse_body

MAX_BODY = 64 * 1024
WINDOW = 300  # seconds either side of now
LABEL = "sig1"
COVERED = ("@method", "@target-uri", "content-digest", "content-type")
PARAMETERS = {"created", "keyid", "alg", "nonce"}
CONTENT_TYPE = "application/json"
DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


class Rejected(Exception):
    """A message refused: `code` says why (it goes to the audit log and to the sender)."""

    status = 400

    def __init__(self, code: str, status: int = 400):
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Checked:
    """The parts of an inbound message that passed every check but the signature's."""

    origin: str
    nonce: str
    envelope: Envelope
    body: Any


class _Message:
    """The shape the signature library reads: a method, a URL and headers."""

    def __init__(self, method: str, url: str, headers: dict[str, str]):
        self.method = method
        self.url = url
        self.headers = headers


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, *, private: ed25519.Ed25519PrivateKey | None = None, public=None):
        self._private = private
        self._public = public

    def resolve_private_key(self, key_id: str):
        return self._private

    def resolve_public_key(self, key_id: str):
        return self._public


class _Verifier(HTTPMessageVerifier):
    def validate_created_and_expires(self, sig_input, max_age=None):
        """`check` holds `created` to the window (against the epoch, not local time), and
        `expires` is not among the parameters it lets through: nothing is left to do here."""


def digest_header(body: bytes) -> str:
    return str(http_sfv.Dictionary({"sha-256": hashlib.sha256(body).digest()}))


def envelope(*, kind: str, to: str, body: dict[str, Any], message_id: uuid.UUID) -> bytes:
    return json.dumps(
        {
            "v": PROTOCOL_VERSION,
            "id": str(message_id),
            "kind": kind,
            "from": keys.origin(),
            "to": to,
            "sent_at": datetime.now(UTC).isoformat(),
            "body": body,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def sign(
    *,
    url: str,
    body: bytes,
    private: ed25519.Ed25519PrivateKey,
    key_id: str,
    created: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The headers that make a POST of `body` to `url` a signed message."""
    headers = {"Content-Type": CONTENT_TYPE, "Content-Digest": digest_header(body)}
    message = _Message("POST", url, headers)
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=_Keys(private=private)
    )
    signer.sign(
        message,
        key_id=key_id,
        created=datetime.fromtimestamp(created if created is not None else time.time()),
        nonce=nonce or secrets.token_urlsafe(18),
        label=LABEL,
        covered_component_ids=COVERED,
    )
    return headers


# --- checking -------------------------------------------------------------------------------


def _dictionary(headers: dict[str, str], name: str) -> http_sfv.Dictionary:
    value = headers.get(name.lower())
    if not value:
        raise Rejected("no_signature" if name != "content-digest" else "digest_missing", 401)
    parsed = http_sfv.Dictionary()
    try:
        parsed.parse(value.encode())
    except Exception as error:
        code = "digest_missing" if name == "content-digest" else "bad_signature_input"
        raise Rejected(code, 401) from error
    return parsed


def _no_twins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice is refused: two parsers could each believe a different one."""
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a key appears twice")
    return found


def origin_of_key_id(key_id: str) -> str:
    if not key_id.endswith(keys.KEY_PATH):
        raise Rejected("key_id", 401)
    origin = key_id[: -len(keys.KEY_PATH)]
    if not ORIGIN.match(origin):
        raise Rejected("key_id", 401)
    return origin


def check(
    *,
    method: str,
    headers: dict[str, str],
    body: bytes,
    now: float | None = None,
    recipient: str | None = None,
) -> Checked:
    """Everything but the signature itself. `headers` with lower-case names; `recipient` is
    this server's origin unless given."""
    if len(body) > MAX_BODY:
        raise Rejected("too_large", 413)
    if method.upper() != "POST":
        raise Rejected("method", 405)
    inputs = _dictionary(headers, "signature-input")
    signatures = _dictionary(headers, "signature")
    if headers.get("content-type", "").split(";")[0].strip().lower() != CONTENT_TYPE:
        raise Rejected("content_type", 415)
    if list(inputs.keys()) != [LABEL] or list(signatures.keys()) != [LABEL]:
        raise Rejected("bad_signature_input", 401)
    given = inputs[LABEL]
    if not isinstance(given, http_sfv.InnerList):
        raise Rejected("bad_signature_input", 401)
    components = tuple(str(item.value) for item in given)
    if components != COVERED or any(item.params for item in given):
        raise Rejected("components", 401)
    params = dict(given.params)
    if set(params) != PARAMETERS:
        raise Rejected("bad_signature_input", 401)
    if params["alg"] != algorithms.ED25519.algorithm_id:
        raise Rejected("algorithm", 401)
    created = params["created"]
    if not isinstance(created, int) or isinstance(created, bool):
        raise Rejected("bad_signature_input", 401)
    if abs((now if now is not None else time.time()) - created) > WINDOW:
        raise Rejected("stale", 401)
    nonce = params["nonce"]
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 64:
        raise Rejected("nonce", 401)
    key_id = params["keyid"]
    if not isinstance(key_id, str):
        raise Rejected("key_id", 401)
    origin = origin_of_key_id(key_id)

    digests = _dictionary(headers, "content-digest")
    if "sha-256" not in digests:
        raise Rejected("digest_missing", 401)
    for name, item in digests.items():
        algorithm = DIGESTS.get(name)
        if algorithm is None:
            continue
        if not isinstance(item.value, bytes) or not secrets.compare_digest(
            item.value, algorithm(body).digest()
        ):
            raise Rejected("digest_mismatch", 401)

    try:
        data = json.loads(body, object_pairs_hook=_no_twins)
        if not isinstance(data, dict):
            raise Rejected("schema")
        sealed = Envelope.model_validate(data)
        parsed = parse_body(sealed.kind, sealed.body)
    except (ValueError, ValidationError) as error:
        raise Rejected("schema") from error
    if sealed.sender != origin:
        raise Rejected("origin_mismatch", 401)
    if sealed.to != (recipient or keys.origin()):
        raise Rejected("wrong_recipient", 421)
    return Checked(origin=origin, nonce=nonce, envelope=sealed, body=parsed)


def verify(*, url: str, headers: dict[str, str], public_key: str) -> None:
    """Checks the signature against the pinned key. `url` is this server's inbox address.
    Only after `check`, which holds the signature's date to the window."""
    try:
        public = keys.public_key_of(public_key)
    except ValueError as error:
        raise Rejected("bad_signature", 401) from error
    verifier = _Verifier(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(public=public))
    try:
        verifier.verify(_Message("POST", url, CaseInsensitiveDict(headers)))
    except Exception as error:
        raise Rejected("bad_signature", 401) from error


def rotation_text(origin: str, old_key: str, new_key: str) -> bytes:
    return f"solnet-key-rotation\n{origin}\n{old_key}\n{new_key}".encode()
