"""Sealed files: short-lived files made for one member (an export), encrypted at rest.

* Each file has its own random 256-bit AES-GCM key. The key is kept only in its row
  (`SealedFile.file_key`, an `EncryptedTextField`), so it is encrypted under the field data key,
  which the master key wraps; a key rotation re-encrypts it like any other value. Deleting the
  row destroys the key: whatever is left on disk can no longer be read.
* The bytes live in ``DATA_DIR/sealed/<public id>.sealed``: a magic line, then chunks of at most
  64 KiB, each ``length || nonce || ciphertext+tag``. A chunk's associated data names the file,
  the chunk's position and whether it is the last one, so chunks cannot be reordered, moved to
  another file or cut off without the reader noticing.
* A short-lived file lives `LIFETIME` after it is ready (or after it was asked for, if it never
  gets ready). Reading refuses it from then on; `purge_expired_files` (every minute from the
  worker, and in the nightly retention purge) deletes the row and the bytes, and any file left
  without a row.

A kept file (`lifetime=None`: a fight's evidence) has no expiry; the record holding it decides
who reads it and deletes it with `delete_sealed_file()`.

The worker writes with `writing()`, reports `report_progress()`, then `mark_ready()` (or
`mark_failed()`); a download reads with `read_chunks()` after `downloadable()` says yes.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core.crypto import DecryptionError
from solnet.core.models import ApprovalRequest, SealedFile

LIFETIME = timedelta(hours=1)
CHUNK = 64 * 1024
MAGIC = b"SOLNET-SEALED-1\n"
_LENGTH = struct.Struct(">I")
_NONCE = 12


def directory() -> Path:
    """Where sealed files live; made private to the server's user on first use."""
    path = Path(settings.DATA_DIR) / "sealed"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def path_of(sealed: SealedFile) -> Path:
    return directory() / f"{sealed.public_id}.sealed"


def _partial_path(sealed: SealedFile) -> Path:
    return directory() / f"{sealed.public_id}.part"


def _aad(public_id: str, index: int, last: bool) -> bytes:
    return f"solnet-sealed:{public_id}:{index}:{int(last)}".encode()


def _aead(sealed: SealedFile) -> AESGCM:
    return AESGCM(base64.b64decode(sealed.file_key))


@transaction.atomic
def create_sealed_file(
    *,
    owner: Any,
    purpose: str,
    filename: str,
    content_type: str,
    total: int,
    approval: ApprovalRequest | None = None,
    lifetime: timedelta | None = LIFETIME,
) -> SealedFile:
    """A new, empty sealed file for `owner`, waiting to be written; kept until deleted when
    `lifetime` is None."""
    return SealedFile.objects.create(
        owner=owner,
        approval=approval,
        purpose=purpose,
        filename=filename,
        content_type=content_type,
        total=total,
        file_key=base64.b64encode(AESGCM.generate_key(bit_length=256)).decode(),
        expires_at=timezone.now() + lifetime if lifetime is not None else None,
    )


class SealedWriter:
    """Encrypts what is written to it, chunk by chunk, into the file's partial path; `close()`
    seals the last chunk and puts the file in place."""

    def __init__(self, sealed: SealedFile) -> None:
        self._public_id = sealed.public_id
        self._aead = _aead(sealed)
        self._partial = _partial_path(sealed)
        self._final = path_of(sealed)
        descriptor = os.open(self._partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._handle = os.fdopen(descriptor, "wb")
        self._handle.write(MAGIC)
        self._buffer = bytearray()
        self._index = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        # Strictly more than a chunk: the last chunk is only sealed by close().
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def _emit(self, plaintext: bytes, *, last: bool) -> None:
        nonce = os.urandom(_NONCE)
        record = nonce + self._aead.encrypt(
            nonce, plaintext, _aad(self._public_id, self._index, last)
        )
        self._handle.write(_LENGTH.pack(len(record)) + record)
        self._index += 1

    def close(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.size = self._handle.tell()
        self._handle.close()
        os.replace(self._partial, self._final)

    def abort(self) -> None:
        self._handle.close()
        self._partial.unlink(missing_ok=True)


@contextmanager
def writing(sealed: SealedFile) -> Iterator[SealedWriter]:
    """Writes a sealed file; on any error the partial file is removed."""
    writer = SealedWriter(sealed)
    try:
        yield writer
    except BaseException:
        writer.abort()
        raise
    writer.close()


def report_progress(sealed: SealedFile, *, done: int, total: int | None = None) -> None:
    """Progress the owner sees while the file is produced (committed at once by the worker)."""
    changes: dict[str, int] = {"done": done}
    if total is not None:
        changes["total"] = total
    SealedFile.objects.filter(pk=sealed.pk, state=SealedFile.State.PRODUCING).update(**changes)


def mark_ready(sealed: SealedFile, *, size: int, done: int) -> bool:
    """The file is complete: it can be downloaded for `LIFETIME` from now. False (and the bytes
    deleted) when the row went meanwhile: the request expired or the owner left."""
    now = timezone.now()
    changed = SealedFile.objects.filter(pk=sealed.pk, state=SealedFile.State.PRODUCING).update(
        state=SealedFile.State.READY,
        ready_at=now,
        expires_at=now + LIFETIME if sealed.expires_at is not None else None,
        size=size,
        done=done,
        total=done,
    )
    if not changed:
        _delete_bytes(sealed.public_id)
        return False
    sealed.refresh_from_db()
    return True


def mark_failed(sealed: SealedFile) -> None:
    """Production failed: nothing of it stays on disk."""
    SealedFile.objects.filter(pk=sealed.pk).update(state=SealedFile.State.FAILED)
    _delete_bytes(sealed.public_id)


def downloadable(sealed: SealedFile | None) -> bool:
    return (
        sealed is not None
        and sealed.state == SealedFile.State.READY
        and (sealed.expires_at is None or sealed.expires_at > timezone.now())
        and path_of(sealed).exists()
    )


def read_chunks(sealed: SealedFile) -> Iterator[bytes]:
    """The plaintext, chunk by chunk. The file is opened (and its header checked) at once, so a
    missing file fails here rather than half-way through a response; a tampered, reordered or
    truncated file raises DecryptionError when the reader reaches the damage."""
    handle = path_of(sealed).open("rb")
    if handle.read(len(MAGIC)) != MAGIC:
        handle.close()
        raise DecryptionError("not a sealed file")
    return _chunks(handle, _aead(sealed), sealed.public_id)


def _chunks(handle, aead: AESGCM, public_id: str) -> Iterator[bytes]:
    with handle:
        index = 0
        header = handle.read(_LENGTH.size)
        while header:
            if len(header) != _LENGTH.size:
                raise DecryptionError("a sealed file was cut off")
            (length,) = _LENGTH.unpack(header)
            record = handle.read(length)
            if len(record) != length or length < _NONCE:
                raise DecryptionError("a sealed file was cut off")
            header = handle.read(_LENGTH.size)
            try:
                yield aead.decrypt(
                    record[:_NONCE], record[_NONCE:], _aad(public_id, index, not header)
                )
            except InvalidTag:
                raise DecryptionError("a sealed file was altered, reordered or cut off") from None
            index += 1
        if index == 0:
            raise DecryptionError("a sealed file is empty")


def _delete_bytes(public_id: str) -> None:
    for suffix in ("sealed", "part"):
        (directory() / f"{public_id}.{suffix}").unlink(missing_ok=True)


def delete_sealed_file(sealed: SealedFile) -> None:
    """The row (and with it the key) first; the bytes once that is committed."""
    public_id = sealed.public_id
    sealed.delete()
    transaction.on_commit(lambda: _delete_bytes(public_id))


def purge_expired_files(cutoff=None) -> int:
    """Deletes every sealed file past its expiry (row, key and bytes) and every file on disk
    without a row (its owner's account was deleted, or a worker died); returns how many."""
    cutoff = cutoff or timezone.now()
    # Files are listed before the rows are read: a file is only ever created after its row
    # was committed, so one missing from the rows read afterwards has really lost its row.
    on_disk = list(directory().iterdir())
    expired = list(SealedFile.objects.filter(expires_at__lte=cutoff).values_list("pk", "public_id"))
    # The row (with the key) goes first: from then on the bytes are unreadable anyway.
    SealedFile.objects.filter(pk__in=[pk for pk, _public_id in expired]).delete()
    for _pk, public_id in expired:
        _delete_bytes(public_id)
    known = set(SealedFile.objects.values_list("public_id", flat=True))
    orphans = 0
    for entry in on_disk:
        if entry.name.split(".", 1)[0] not in known and entry.exists():
            entry.unlink(missing_ok=True)
            orphans += 1
    return len(expired) + orphans


# --- an export's state, for its owner's pages (people's exports, the funds' journal) ----------


def file_of(member: Any, export: ApprovalRequest) -> SealedFile | None:
    """The export's file, if it was produced (and not yet purged) and `member` owns it."""
    try:
        file = export.sealed_file  # type: ignore[attr-defined]  # the reverse one-to-one
    except SealedFile.DoesNotExist:
        return None
    return file if file.owner_id == member.pk else None


@dataclass
class ExportState:
    """Where an export stands, for its owner's pages."""

    code: str  # waiting, producing, ready, failed, expired, refused, withdrawn, lapsed
    label: str
    file: SealedFile | None = None
    expires_at: datetime | None = None


def export_state(member: Any, export: ApprovalRequest, *, waiting: str) -> ExportState:
    """`waiting` says who is awaited ("Waiting for a second organizer to approve it")."""
    now = timezone.now()
    status = export.status
    if status == ApprovalRequest.Status.PENDING:
        if export.expires_at > now:
            return ExportState("waiting", waiting)
        return ExportState("lapsed", _("Nobody approved it in time"))
    if status == ApprovalRequest.Status.REJECTED:
        return ExportState("refused", _("Refused"))
    if status == ApprovalRequest.Status.CANCELLED:
        return ExportState("withdrawn", _("Withdrawn"))
    if status == ApprovalRequest.Status.EXPIRED:
        return ExportState("lapsed", _("Nobody approved it in time"))
    file = file_of(member, export)
    if file is None or file.expires_at is None or file.expires_at <= now:
        return ExportState("expired", _("Expired: the file is deleted"))
    if file.state == SealedFile.State.PRODUCING:
        return ExportState("producing", _("Being produced"), file)
    if file.state == SealedFile.State.FAILED:
        return ExportState("failed", _("It could not be produced; ask again"), file)
    return ExportState("ready", _("Ready"), file, file.expires_at)
