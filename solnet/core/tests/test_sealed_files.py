"""Sealed files: encrypted at rest chunk by chunk, readable only whole and in order, reached by
key rotation, and purged with their key once expired."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from solnet.core import keys, sealed
from solnet.core.crypto import DecryptionError
from solnet.core.models import SealedFile

pytestmark = pytest.mark.django_db

SECRET_LINE = b"rosa.sealed@example.org,+1 206 555 0177\n"
# Three full chunks and a bit: the last chunk is short.
CONTENT = SECRET_LINE * ((3 * sealed.CHUNK) // len(SECRET_LINE) + 10)


@pytest.fixture(autouse=True)
def _empty_directory():
    for entry in sealed.directory().iterdir():
        entry.unlink()
    yield
    for entry in sealed.directory().iterdir():
        entry.unlink()


def _sealed_file(owner, content: bytes = CONTENT) -> SealedFile:
    file = sealed.create_sealed_file(
        owner=owner, purpose="test", filename="t.csv", content_type="text/csv", total=1
    )
    with sealed.writing(file) as out:
        for start in range(0, len(content), 10_000):  # written in pieces, as a worker does
            out.write(content[start : start + 10_000])
    assert sealed.mark_ready(file, size=out.size, done=1)
    return file


def test_a_sealed_file_reads_back_and_holds_no_plaintext(member):
    file = _sealed_file(member)
    raw = sealed.path_of(file).read_bytes()
    assert SECRET_LINE[:20] not in raw and b"555 0177" not in raw
    assert file.size == len(raw) and file.state == "ready"
    assert file.expires_at - file.ready_at == sealed.LIFETIME
    assert b"".join(sealed.read_chunks(file)) == CONTENT
    assert oct(sealed.path_of(file).stat().st_mode & 0o777) == "0o600"
    assert sealed.downloadable(file)


def test_an_empty_file_is_sealed_too(member):
    file = _sealed_file(member, b"")
    assert b"".join(sealed.read_chunks(file)) == b""


def _records(raw: bytes) -> list[bytes]:
    """The chunk records after the magic line, each with its length prefix."""
    body, found = raw[len(sealed.MAGIC) :], []
    while body:
        length = int.from_bytes(body[:4], "big")
        found.append(body[: 4 + length])
        body = body[4 + length :]
    return found


@pytest.mark.parametrize("damage", ["flip", "truncate", "reorder", "drop_last"])
def test_a_damaged_file_is_refused(member, damage):
    file = _sealed_file(member)
    path = sealed.path_of(file)
    raw = path.read_bytes()
    records = _records(raw)
    assert len(records) == 4
    if damage == "flip":
        position = len(raw) // 2
        raw = raw[:position] + bytes([raw[position] ^ 1]) + raw[position + 1 :]
    elif damage == "truncate":
        raw = raw[:-100]
    elif damage == "reorder":
        raw = sealed.MAGIC + records[1] + records[0] + records[2] + records[3]
    else:  # cut off at a chunk boundary: the chunk now last was not sealed as the last
        raw = sealed.MAGIC + b"".join(records[:3])
    path.write_bytes(raw)
    with pytest.raises(DecryptionError):
        b"".join(sealed.read_chunks(file))


def test_a_file_moved_under_another_row_is_refused(member):
    first, second = _sealed_file(member), _sealed_file(member)
    shutil.copyfile(sealed.path_of(first), sealed.path_of(second))
    with pytest.raises(DecryptionError):
        b"".join(sealed.read_chunks(second))
    # Even with the first file's key copied over too, the chunks name the file they belong to.
    SealedFile.objects.filter(pk=second.pk).update(file_key=first.file_key)
    second.refresh_from_db()
    with pytest.raises(DecryptionError):
        b"".join(sealed.read_chunks(second))


def test_a_failed_write_leaves_nothing_on_disk(member):
    file = sealed.create_sealed_file(
        owner=member, purpose="test", filename="t.csv", content_type="text/csv", total=1
    )
    with pytest.raises(RuntimeError), sealed.writing(file) as out:
        out.write(CONTENT)
        raise RuntimeError("the worker died")
    assert list(sealed.directory().iterdir()) == []
    sealed.mark_failed(file)
    file.refresh_from_db()
    assert file.state == "failed" and not sealed.downloadable(file)


def test_a_key_rotation_reaches_the_files_key(member):
    file = _sealed_file(member)
    report = keys.rotate_keys()
    file.refresh_from_db()
    assert b"".join(sealed.read_chunks(file)) == CONTENT
    destroyed, still_used = keys.destroy_retired_keys()
    assert destroyed == report.retired and still_used == []
    file.refresh_from_db()
    assert b"".join(sealed.read_chunks(file)) == CONTENT


def test_the_purge_takes_expired_files_and_orphans_and_keeps_the_rest(member):
    fresh, old = _sealed_file(member), _sealed_file(member)
    SealedFile.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    orphan = sealed.directory() / "no-such-row.sealed"
    orphan.write_bytes(b"left by a worker that died")
    assert sealed.purge_expired_files() == 2
    assert list(SealedFile.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert sorted(p.name for p in sealed.directory().iterdir()) == [f"{fresh.public_id}.sealed"]
    assert not sealed.downloadable(old)


def test_a_file_finished_after_its_row_was_purged_is_deleted(member):
    file = sealed.create_sealed_file(
        owner=member, purpose="test", filename="t.csv", content_type="text/csv", total=1
    )
    with sealed.writing(file) as out:
        out.write(CONTENT)
    SealedFile.objects.filter(pk=file.pk).delete()  # expired while the worker was writing
    assert not sealed.mark_ready(file, size=out.size, done=1)
    assert not os.path.exists(sealed.path_of(file))


def test_expiry_ends_downloads_even_before_the_purge(member):
    file = _sealed_file(member)
    file.expires_at = timezone.now() - timedelta(seconds=1)
    assert not sealed.downloadable(file)
