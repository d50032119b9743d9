"""Field-level encryption and keyed blind indexes.

Layout of the keys:

* The **master key** comes from the environment or a key file (settings.MASTER_KEY) and never
  enters the database. Earlier master keys may be listed in settings.OLD_MASTER_KEYS while a
  rotation is under way.
* **Data keys** (`core.DataKey`) are random 256-bit AES-GCM keys stored only wrapped (encrypted)
  under the master key. There is one active key per purpose: ``field`` encrypts values, ``index``
  keys the blind indexes, ``audit`` seals the audit chain.
* A ciphertext is ``enc1$<key id>$<base64(nonce || ciphertext+tag)>``; the associated data is the
  column it belongs to (``members.member.email``), so a value copied into another column fails
  to decrypt instead of leaking.

Rotation lives in `solnet.core.keys` (used by `manage.py rotate_keys`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from solnet.core import phones

PREFIX = "enc1"
PURPOSES = ("field", "index", "audit")
_ACTIVE_TTL_SECONDS = 30


class DecryptionError(Exception):
    """A value could not be decrypted: wrong column, unknown key, or tampered bytes."""


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_master(secret: str) -> bytes:
    """Turns the configured master secret (any string of enough entropy) into 32 key bytes."""
    if len(secret) < 32:
        raise ImproperlyConfigured("The master key must be at least 32 characters long")
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"solnet-master-v1", info=b"wrap"
    ).derive(secret.encode())


def master_id(master: bytes) -> str:
    return hashlib.sha256(b"solnet-master-id" + master).hexdigest()[:12]


def current_master() -> bytes:
    return derive_master(settings.MASTER_KEY)


def known_masters() -> dict[str, bytes]:
    """Every master key this process can use to unwrap, by id: the current one first."""
    masters = [current_master()] + [derive_master(s) for s in settings.OLD_MASTER_KEYS]
    return {master_id(m): m for m in masters}


def wrap(master: bytes, key: bytes, *, key_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(master).encrypt(nonce, key, b"solnet-data-key:" + key_id.encode())


def unwrap(master: bytes, wrapped: bytes, *, key_id: str) -> bytes:
    return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], b"solnet-data-key:" + key_id.encode())


class _KeyCache:
    """Unwrapped data keys held in this process's memory only."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: dict[str, bytes] = {}
        self.active: dict[str, tuple[str, float]] = {}
        # Made once per key: building an AES-GCM object or an HMAC state for every value
        # costs more than the encryption of a short value itself.
        self.aeads: dict[str, AESGCM] = {}
        self.macs: dict[str, Any] = {}

    def clear(self) -> None:
        with self.lock:
            self.keys.clear()
            self.aeads.clear()
            self.macs.clear()
            self.active.clear()


_cache = _KeyCache()


def forget_keys() -> None:
    """Drops every unwrapped key from memory (after a rotation, and between tests)."""
    _cache.clear()


def _data_keys():
    """The DataKey model, from Django's registry: `core.models` imports this module for its
    encrypted fields, so this one does not import it back."""
    return apps.get_model("core", "DataKey")


def _load_key(key_id: str) -> bytes:
    key = _cache.keys.get(key_id)
    if key is not None:
        return key
    try:
        row = _data_keys().objects.get(key_id=key_id)
    except _data_keys().DoesNotExist:
        raise DecryptionError(f"unknown data key {key_id}") from None
    masters = known_masters()
    if row.master_id not in masters:
        raise DecryptionError(
            f"data key {key_id} is wrapped by master key {row.master_id}, which is not configured"
        )
    key = unwrap(masters[row.master_id], bytes(row.wrapped), key_id=key_id)
    with _cache.lock:
        _cache.keys[key_id] = key
    return key


def _active_key_id(purpose: str) -> str:
    cached = _cache.active.get(purpose)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    row = (
        _data_keys()
        .objects.filter(purpose=purpose, retired_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if row is None:
        row = create_data_key(purpose)
    with _cache.lock:
        _cache.active[purpose] = (row.key_id, time.monotonic() + _ACTIVE_TTL_SECONDS)
    return row.key_id


def active_key(purpose: str) -> tuple[str, bytes]:
    """The active data key for a purpose, created on first use."""
    key_id = _active_key_id(purpose)
    return key_id, _load_key(key_id)


def _aead(key_id: str) -> AESGCM:
    aead = _cache.aeads.get(key_id)
    if aead is None:
        aead = AESGCM(_load_key(key_id))
        with _cache.lock:
            _cache.aeads[key_id] = aead
    return aead


def create_data_key(purpose: str):
    """Makes a new random data key for `purpose`, wrapped under the current master key."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose}")
    key_id = os.urandom(6).hex()
    master = current_master()
    raw = AESGCM.generate_key(bit_length=256)
    row = _data_keys().objects.create(
        key_id=key_id,
        purpose=purpose,
        master_id=master_id(master),
        wrapped=wrap(master, raw, key_id=key_id),
    )
    with _cache.lock:
        _cache.keys[key_id] = raw
    return row


def encrypt(plaintext: str, *, context: str) -> str:
    key_id = _active_key_id("field")
    nonce = os.urandom(12)
    sealed = _aead(key_id).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}${key_id}${_b64e(nonce + sealed)}"


def key_id_of(token: str) -> str:
    parts = token.split("$")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("not a SolNet ciphertext")
    return parts[1]


def decrypt(token: str, *, context: str) -> str:
    key_id = key_id_of(token)
    raw = _b64d(token.split("$")[2])
    try:
        plain = _aead(key_id).decrypt(raw[:12], raw[12:], context.encode())
    except Exception as exc:  # InvalidTag, ValueError from a truncated value
        raise DecryptionError(f"cannot decrypt a value of {context}") from exc
    return plain.decode()


def keyed_digest(purpose: str, message: bytes) -> str:
    """HMAC-SHA256 under the active key of `purpose` (the index and audit keys never rotate
    their value; a master-key rotation only re-wraps them)."""
    key_id = _active_key_id(purpose)
    state = _cache.macs.get(key_id)
    if state is None:
        state = hmac.new(_load_key(key_id), digestmod=hashlib.sha256)
        with _cache.lock:
            _cache.macs[key_id] = state
    mac = state.copy()  # the key already absorbed: only the message is hashed per value
    mac.update(message)
    return mac.hexdigest()


# --- normalizers for blind indexes ---------------------------------------------------------


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    """E.164 in the network's country where the value reads as a number (`phones.index_form`):
    "(206) 555-0100" and "+12065550100" share an index."""
    return phones.index_form(value)


def normalize_text(value: str) -> str:
    return " ".join(value.split()).casefold()


def normalize_contact(value: str) -> str:
    """An email address or a phone number, whichever it is: one index finds both kinds."""
    return normalize_email(value) if "@" in value else normalize_phone(value)


NORMALIZERS = {
    "email": normalize_email,
    "phone": normalize_phone,
    "contact": normalize_contact,
    "text": normalize_text,
}


def blind_index(value: str, *, context: str, normalizer: str) -> str:
    normalized = NORMALIZERS[normalizer](value)
    return keyed_digest("index", f"{context}\x00{normalized}".encode())[:40]


# --- model fields --------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """A text column stored as AES-GCM ciphertext. It cannot be filtered on except for null;
    pair it with a BlindIndexField for exact-match lookups."""

    description = "Text encrypted at rest"

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return decrypt(value, context=self.context)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value), context=self.context)

    def get_lookup(self, lookup_name: str):
        if lookup_name != "isnull":
            raise TypeError(
                f"{self.context} is encrypted: look it up through its blind index instead"
            )
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """A keyed hash of another field's normalized value, for exact-match lookups.

    It is computed when the model instance is saved; `lookup_value()` gives the hash to filter on.
    Without a `source` it holds a copy of another model's index, set by the code that saves it
    (so a delivery and the contact channel it went to share one digest).
    """

    description = "Keyed hash of another field"

    def __init__(self, *args: Any, source: str = "", normalizer: str = "text", **kwargs: Any):
        self.source = source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["normalizer"] = self.normalizer
        return name, path, args, kwargs

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.context = f"{cls._meta.label_lower}.{self.source}"

    def lookup_value(self, value: str) -> str:
        return blind_index(value, context=self.context, normalizer=self.normalizer)

    def pre_save(self, model_instance: Any, add: bool) -> str | None:
        if not self.source:
            return getattr(model_instance, self.attname)
        source_value = getattr(model_instance, self.source)
        digest = None if not source_value else self.lookup_value(source_value)
        setattr(model_instance, self.attname, digest)
        return digest


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found


def blind_index_fields() -> list[tuple[type[models.Model], BlindIndexField]]:
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, BlindIndexField):
                found.append((model, field))
    return found
