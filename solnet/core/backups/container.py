"""The backup file: encrypted chunks around a stream of named entries.

A file is::

    SOLNET-BACKUP-1\\n
    u32 length || header            JSON, in clear: format, backup key id, ephemeral public
                                    key, when it was made, which database
    ( u32 length || nonce(12) || AES-GCM ciphertext+tag )*     chunks of 1 MiB of plaintext

The file's key is HKDF-SHA256 of X25519(ephemeral secret, backup key), so each backup has a
key of its own and only the backup key's secret half finds it. Each chunk's associated data is
the SHA-256 of the magic and the header, the chunk's number and whether it is the last: an
altered header, a chunk altered, moved, taken from another backup or cut off is refused.

The plaintext is a sequence of entries, each a JSON header (``name``, and ``zlib`` when its
bytes are compressed) then its bytes in segments (``u32 length || bytes``) ending with an empty
segment; an empty header ends the stream. Entries of unknown size (pg_dump's output) are thus
streamed without a plaintext copy on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

from solnet.core.backups import keyring

MAGIC = b"SOLNET-BACKUP-1\n"
FORMAT = 1
CHUNK = 1024 * 1024
_U32 = struct.Struct(">I")
_NONCE = 12
_MAX_HEADER = 64 * 1024


class DamagedBackup(Exception):
    """The file is not a backup, or was altered, reordered or cut off."""


class WrongKey(Exception):
    """The backup was made for another backup key."""


def _file_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + recipient,
        info=b"solnet-backup-v1",
    ).derive(shared)
    return AESGCM(key)


def _aad(binding: bytes, index: int, last: bool) -> bytes:
    return binding + struct.pack(">QB", index, int(last))


class BackupWriter:
    """Encrypts what is written to it into ``<path>.part``; `close()` seals the last chunk and
    puts the file in place, readable by its owner only."""

    def __init__(self, path: Path, *, recipient: X25519PublicKey, header: dict[str, Any]):
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = keyring.public_bytes(ephemeral.public_key())
        recipient_public = keyring.public_bytes(recipient)
        header = {
            "format": FORMAT,
            "key": keyring.key_id(recipient),
            "ephemeral": ephemeral_public.hex(),
            **header,
        }
        encoded = json.dumps(header, sort_keys=True).encode()
        prefix = MAGIC + _U32.pack(len(encoded)) + encoded
        self._binding = hashlib.sha256(prefix).digest()
        self._aead = _file_key(ephemeral.exchange(recipient), ephemeral_public, recipient_public)
        self.path = path
        self._partial = path.with_name(path.name + ".part")
        descriptor = os.open(self._partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._handle = os.fdopen(descriptor, "wb")
        self._handle.write(prefix)
        self._buffer = bytearray()
        self._index = 0
        self.plaintext_size = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.plaintext_size += len(data)
        # Strictly more than a chunk: the last chunk is only sealed by close().
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def _emit(self, plaintext: bytes, *, last: bool) -> None:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, plaintext, _aad(self._binding, self._index, last))
        self._handle.write(_U32.pack(_NONCE + len(sealed)) + nonce + sealed)
        self._index += 1

    def close(self) -> int:
        """Seals and puts the file in place; returns its size."""
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._handle.flush()
        os.fsync(self._handle.fileno())
        size = self._handle.tell()
        self._handle.close()
        os.replace(self._partial, self.path)
        return size

    def abort(self) -> None:
        self._handle.close()
        self._partial.unlink(missing_ok=True)


def read_header(path: Path) -> dict[str, Any]:
    """The header of a backup file, in clear (no key needed)."""
    with open(path, "rb") as handle:
        return _header(handle)[0]


def _header(handle) -> tuple[dict[str, Any], bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise DamagedBackup(_("This is not a SolNet backup file."))
    raw_length = handle.read(_U32.size)
    if len(raw_length) != _U32.size:
        raise DamagedBackup(_("The backup file was cut off."))
    (length,) = _U32.unpack(raw_length)
    encoded = handle.read(length) if length <= _MAX_HEADER else b""
    if len(encoded) != length or not encoded:
        raise DamagedBackup(_("The backup file's header is damaged."))
    try:
        header = json.loads(encoded)
    except ValueError:
        raise DamagedBackup(_("The backup file's header is damaged.")) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DamagedBackup(_("This backup was written in a format this SolNet does not read."))
    return header, hashlib.sha256(MAGIC + raw_length + encoded).digest()


def read_chunks(path: Path, secret: X25519PrivateKey) -> Iterator[bytes]:
    """The plaintext, chunk by chunk, each one checked before it is given out. Raises WrongKey
    at once for a backup made for another key, DamagedBackup where the damage is found."""
    handle = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    try:
        header, binding = _header(handle)
        recipient = secret.public_key()
        if header.get("key") != keyring.key_id(recipient):
            raise WrongKey(
                _(
                    "This backup was made for backup key %(made_for)s, not for the key given "
                    "(%(given)s)."
                )
                % {"made_for": header.get("key"), "given": keyring.key_id(recipient)}
            )
        ephemeral = bytes.fromhex(str(header.get("ephemeral", "")))
        aead = _file_key(
            secret.exchange(X25519PublicKey.from_public_bytes(ephemeral)),
            ephemeral,
            keyring.public_bytes(recipient),
        )
    except ValueError:
        handle.close()
        raise DamagedBackup(_("The backup file's header is damaged.")) from None
    except BaseException:
        handle.close()
        raise
    return _chunks(handle, aead, binding)


def _chunks(handle, aead: AESGCM, binding: bytes) -> Iterator[bytes]:
    with handle:
        index = 0
        raw_length = handle.read(_U32.size)
        while raw_length:
            if len(raw_length) != _U32.size:
                raise DamagedBackup(_("The backup file was cut off."))
            (length,) = _U32.unpack(raw_length)
            record = handle.read(length) if length <= CHUNK + 64 else b""
            if len(record) != length or length < _NONCE + 16:
                raise DamagedBackup(_("The backup file was cut off or altered."))
            raw_length = handle.read(_U32.size)
            try:
                yield aead.decrypt(
                    record[:_NONCE], record[_NONCE:], _aad(binding, index, not raw_length)
                )
            except InvalidTag:
                raise DamagedBackup(
                    _("The backup file was altered, reordered or cut off (chunk %(n)s).")
                    % {"n": index + 1}
                ) from None
            index += 1
        if index == 0:
            raise DamagedBackup(_("The backup file is empty."))


# --- entries inside the encrypted stream ----------------------------------------------------


class EntryWriter:
    """Writes named entries into a BackupWriter."""

    def __init__(self, out: BackupWriter) -> None:
        self._out = out

    def entry(self, name: str, data: Iterator[bytes], *, compress: bool = False) -> int:
        """Writes one entry from an iterator of byte blocks; returns its size before
        compression."""
        header = json.dumps({"name": name, "zlib": compress}).encode()
        self._out.write(_U32.pack(len(header)) + header)
        packer = zlib.compressobj(3) if compress else None
        size = 0
        for block in data:
            size += len(block)
            piece = packer.compress(block) if packer else block
            if piece:
                self._out.write(_U32.pack(len(piece)) + piece)
        if packer:
            tail = packer.flush()
            if tail:
                self._out.write(_U32.pack(len(tail)) + tail)
        self._out.write(_U32.pack(0))
        return size

    def finish(self) -> None:
        self._out.write(_U32.pack(0))


class _Stream:
    """Reads exact amounts across the decrypted chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = bytearray()

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                raise DamagedBackup(_("The backup's contents end too early."))
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def at_end(self) -> bool:
        if self._buffer:
            return False
        for chunk in self._chunks:  # runs the last chunk's check, which proves the end
            if chunk:
                self._buffer += chunk
                return False
        return True


class Entry:
    def __init__(self, name: str, blocks: Iterator[bytes]) -> None:
        self.name = name
        self.blocks = blocks

    def read_all(self, limit: int = 16 * 1024 * 1024) -> bytes:
        data = bytearray()
        for block in self.blocks:
            data += block
            if len(data) > limit:
                raise DamagedBackup(_("An entry of the backup is too big."))
        return bytes(data)

    def drain(self) -> int:
        return sum(len(block) for block in self.blocks)


def read_entries(chunks: Iterator[bytes]) -> Iterator[Entry]:
    """The entries of a decrypted stream; each must be read (or drained) before the next.
    Ends only after the file's last chunk was checked."""
    stream = _Stream(chunks)
    while True:
        (length,) = _U32.unpack(stream.read(_U32.size))
        if length == 0:
            if not stream.at_end():
                raise DamagedBackup(_("The backup holds more than its entries."))
            return
        if length > _MAX_HEADER:
            raise DamagedBackup(_("An entry of the backup is damaged."))
        try:
            meta = json.loads(stream.read(length))
            name = str(meta["name"])
            compressed = bool(meta.get("zlib"))
        except (ValueError, KeyError, TypeError):
            raise DamagedBackup(_("An entry of the backup is damaged.")) from None
        entry = Entry(name, _segments(stream, compressed))
        yield entry
        for _rest in entry.blocks:  # what the caller left unread
            pass


def _segments(stream: _Stream, compressed: bool) -> Iterator[bytes]:
    unpacker = zlib.decompressobj() if compressed else None
    while True:
        (length,) = _U32.unpack(stream.read(_U32.size))
        if length == 0:
            break
        piece = stream.read(length)
        if unpacker:
            try:
                # Bounded output per step, so a small piece cannot fill the memory.
                piece = unpacker.decompress(piece, CHUNK)
                while True:
                    if piece:
                        yield piece
                    if not unpacker.unconsumed_tail:
                        break
                    piece = unpacker.decompress(unpacker.unconsumed_tail, CHUNK)
            except zlib.error:
                raise DamagedBackup(_("An entry of the backup is damaged.")) from None
        else:
            yield piece
    if unpacker:
        tail = unpacker.flush()
        if tail:
            yield tail
        if not unpacker.eof:
            raise DamagedBackup(_("An entry of the backup is damaged."))
