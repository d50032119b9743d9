"""This server's signing key: made on first use, shown as a fingerprint, rotated on request.

A fingerprint is the SHA-256 of the raw 32-byte Ed25519 public key in base32, in groups of
four so that two organizers can read it to each other.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.conf import settings
from django.db import transaction

from solnet.confederation.models import ServerKey

KEY_PATH = "/.well-known/solnet/key"
INBOX_PATH = "/.well-known/solnet/inbox"


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def origin() -> str:
    """This server's origin, as peers know it: scheme, host and port of SOLNET_BASE_URL."""
    return settings.BASE_URL.rstrip("/")


def key_id(of_origin: str) -> str:
    """A server's key id is its key endpoint: it names, and so binds, the signer's origin."""
    return of_origin + KEY_PATH


def fingerprint(public_key: str) -> str:
    digest = hashlib.sha256(b64d(public_key)).digest()
    text = base64.b32encode(digest).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def same_fingerprint(given: str, public_key: str) -> bool:
    """Compares a fingerprint as typed (any case, with or without dashes or spaces)."""
    clean = "".join(ch for ch in given.upper() if ch.isalnum())
    return clean == fingerprint(public_key).replace("-", "")


def _new_pair() -> tuple[str, str]:
    private = ed25519.Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return b64e(raw_public), b64e(raw_private)


def current() -> ServerKey:
    """The current key, made the first time it is needed."""
    key = ServerKey.objects.filter(retired_at__isnull=True).first()
    if key is not None:
        return key
    with transaction.atomic():
        # Two first uses racing: the table lock of the insert lets one win; both read it back.
        key = ServerKey.objects.select_for_update().filter(retired_at__isnull=True).first()
        if key is None:
            public, private = _new_pair()
            key = ServerKey.objects.create(public_key=public, private_key=private)
    return key


def private_key_of(key: ServerKey) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(b64d(key.private_key))


def public_key_of(text: str) -> ed25519.Ed25519PublicKey:
    """Raises ValueError for anything but a 32-byte Ed25519 key."""
    raw = b64d(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw)


def new_key() -> ServerKey:
    """A fresh key, not yet current (the rotation makes it so)."""
    public, private = _new_pair()
    return ServerKey(public_key=public, private_key=private)
