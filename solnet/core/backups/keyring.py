"""The backup key: an X25519 key pair that is not the master key.

The public half (``solnet-backup-public-1:…``) is configured on the server (`SOLNET_BACKUP_KEY`
or `SOLNET_BACKUP_KEY_FILE`) and only encrypts. The private half (``solnet-backup-secret-1:…``)
restores; it lives off the server and is brought to it only for a restore (`restore --key-file`).
Outside production, with no key configured, the first backup makes a pair in the data directory
(`backup-restore.key`), so the quick start can try a restore; a real network makes its own.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

PUBLIC_PREFIX = "solnet-backup-public-1:"
SECRET_PREFIX = "solnet-backup-secret-1:"  # noqa: S105 - the label of a key, not a key
QUICK_START_FILE = "backup-restore.key"
_RAW = serialization.Encoding.Raw


class BackupKeyError(Exception):
    """No backup key, or a key that is not one: the message says what to do."""


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(_RAW, serialization.PublicFormat.Raw)


def key_id(key: X25519PublicKey) -> str:
    """A short name of a backup key, written in each backup's header: a restore with another
    key is refused by name before anything is decrypted."""
    return hashlib.sha256(b"solnet-backup-key" + public_bytes(key)).hexdigest()[:12]


def new_pair() -> tuple[str, str]:
    """A new backup key: (secret text, public text)."""
    secret = X25519PrivateKey.generate()
    raw = secret.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return SECRET_PREFIX + _b64e(raw), PUBLIC_PREFIX + _b64e(public_bytes(secret.public_key()))


def parse_public(text: str) -> X25519PublicKey:
    text = text.strip()
    if not text.startswith(PUBLIC_PREFIX):
        raise BackupKeyError(
            _(
                "SOLNET_BACKUP_KEY must be the public backup key that manage.py "
                "generate_backup_key prints (it starts with %(prefix)s)."
            )
            % {"prefix": PUBLIC_PREFIX}
        )
    try:
        return X25519PublicKey.from_public_bytes(_b64d(text.removeprefix(PUBLIC_PREFIX)))
    except ValueError:
        raise BackupKeyError(_("SOLNET_BACKUP_KEY is damaged: it is not a backup key.")) from None


def parse_secret(text: str) -> X25519PrivateKey:
    text = text.strip()
    if not text.startswith(SECRET_PREFIX):
        raise BackupKeyError(
            _(
                "This is not a secret backup key: the key file must hold the line starting "
                "with %(prefix)s that manage.py generate_backup_key made."
            )
            % {"prefix": SECRET_PREFIX}
        )
    try:
        return X25519PrivateKey.from_private_bytes(_b64d(text.removeprefix(SECRET_PREFIX)))
    except ValueError:
        raise BackupKeyError(_("The secret backup key is damaged.")) from None


def read_secret(path: Path) -> X25519PrivateKey:
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise BackupKeyError(
            _("Cannot read the backup key file %(path)s: %(error)s")
            % {"path": path, "error": error.strerror}
        ) from None
    return parse_secret(text)


def write_secret(path: Path, secret: str) -> None:
    """Writes a secret key to a new file, readable by its owner only; never overwrites."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret + "\n")


def quick_start_path() -> Path:
    return Path(settings.DATA_DIR) / QUICK_START_FILE


def configured_public_key() -> X25519PublicKey:
    """The key backups are encrypted to: SOLNET_BACKUP_KEY, or outside production the quick
    start's pair in the data directory (made on first use)."""
    if settings.BACKUP_KEY:
        return parse_public(settings.BACKUP_KEY)
    if settings.PRODUCTION:
        raise BackupKeyError(
            _(
                "No backup key: make one with manage.py generate_backup_key, keep its secret "
                "half off the server and set SOLNET_BACKUP_KEY (or SOLNET_BACKUP_KEY_FILE) to "
                "its public half."
            )
        )
    path = quick_start_path()
    if not path.exists():
        secret, _public = new_pair()
        # Another process may have made it meanwhile: then use theirs.
        with contextlib.suppress(FileExistsError):
            write_secret(path, secret)
    return read_secret(path).public_key()


def default_secret_path() -> Path | None:
    """Where `restore` finds the secret key when told nothing: the quick start's file only."""
    if settings.PRODUCTION or settings.BACKUP_KEY:
        return None
    path = quick_start_path()
    return path if path.exists() else None
