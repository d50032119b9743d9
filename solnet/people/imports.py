"""Importing people from a CSV file: upload, columns, check, preview, import.

1. `store_upload` reads the uploaded file once, row by row, and keeps it encrypted in
   `PersonImportChunk` rows of a few hundred rows each. Nothing of it reaches the disk in
   clear, and it is deleted when the import ends (or by the retention purge after a week).
2. The organizer maps the columns onto a person's fields (`save_mapping`). Presets match the
   exports of common tools without editing the file (`PRESETS`); `detect_preset` picks one from
   the header row.
3. The worker checks every row (`check_import`): problems by row number, and duplicates of
   people already recorded or of earlier rows of the file, found through the blind indexes.
   The organizer fixes rows in the page (`fix_row`) and says what to do with each duplicate
   (`start_import`).
4. The worker imports (`run_import`) in ONE transaction, so a killed import leaves nobody
   behind. Rows are read back chunk by chunk and written in batches with `executemany`, each
   value encrypted and indexed on its way: memory stays flat whatever the size of the file.
   Progress goes through the cache, outside that transaction, with the worker's process id, so
   the pages can tell a running import from one whose worker died (`is_interrupted`).

The audit log gets counts only, never a name or an address.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from django.core.cache import cache as shared_cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.core.models import new_public_id
from solnet.members.models import Member
from solnet.people import access
from solnet.people.import_rows import (
    VALUE_FIELDS,
    ColumnReader,
    Decision,
    Parsed,
    apply_preset,
    check_columns,
    detect_preset,
    problem_text,
    validate,
)
from solnet.people.models import (
    ChannelKind,
    ContactChannel,
    ImportStatus,
    Person,
    PersonImport,
    PersonImportChunk,
    Tag,
)

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 200
# Rows per stored chunk (or fewer, if they are long). Smaller than a batch, so that what a
# batch holds, not the chunk being read, sets the peak of memory.
CHUNK_ROWS = 250
CHUNK_BYTES = 64 * 1024
BATCH = 500  # rows checked or written at a time
SAMPLE_ROWS = 10  # rows the preview shows as they will be imported
LISTED_ERRORS = 20  # rows with problems listed, each with a form to fix it
LISTED_DUPLICATES = 100  # duplicates listed, each with its own choice
LEASE_SECONDS = 120  # a worker that has not reported for this long is taken for dead


# --- the stored file -----------------------------------------------------------------------


class _TooBig(Exception):
    pass


class _Capped(io.RawIOBase):
    """Reads at most `limit` bytes of a file object, then refuses."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw, self.limit, self.count = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]  # RawIOBase's buffer protocol
        data = self.raw.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise _TooBig
        buffer[: len(data)] = data
        return len(data)


# First bytes of files people often pick instead of a CSV.
_NOT_CSV = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff")
_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def upload_error(code: str) -> ValidationError:
    """Why an uploaded file is refused, in the uploader's language."""
    messages = {
        "too_big": _("The file is larger than %(size)s MB. Split it into smaller files.")
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        "spreadsheet": _(
            "This is a spreadsheet or another kind of file, not a CSV file. In your "
            "spreadsheet program, use “Save as” and choose “CSV UTF-8”."
        ),
        "not_utf8": _(
            "This file is not written in UTF-8, so its letters would come out wrong. Save it "
            "again as “CSV UTF-8” and upload it again."
        ),
        "not_csv": _("This file cannot be read as CSV. Check that it is a CSV file."),
        "empty": _("The file is empty."),
        "no_header": _("The first row must name the columns (a header row)."),
        "too_many_columns": _("The file has more than %(count)s columns.") % {"count": MAX_COLUMNS},
        "no_rows": _("There are no people in this file, only a header row."),
    }
    return ValidationError(messages[code], code=code)


def _text_rows(upload: IO[bytes]) -> Iterator[list[str]]:
    """The rows of an uploaded CSV file, decoded as it is read (never all of it at once)."""
    head = upload.read(8)
    upload.seek(0)
    if not head:
        raise upload_error("empty")
    if head.startswith(_NOT_CSV):
        raise upload_error("spreadsheet")
    if head.startswith(_UTF16) or b"\x00" in head:
        raise upload_error("not_utf8")
    text = io.TextIOWrapper(
        io.BufferedReader(_Capped(upload, MAX_UPLOAD_BYTES)), encoding="utf-8-sig", newline=""
    )
    sample = text.read(16 * 1024)
    sample += text.readline()  # end the sample at the end of a line
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    lines = _chain_lines(io.StringIO(sample), text)
    yield from csv.reader(lines, delimiter=delimiter)


def _chain_lines(first: Iterable[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest


@transaction.atomic
def store_upload(*, upload: IO[bytes], by: Member) -> PersonImport:
    """Reads an uploaded CSV file row by row and stores it encrypted, ready for its columns to
    be chosen. Bad files are refused with a clear error and leave nothing behind."""
    if not access.can_import_people(by):
        raise PermissionDenied
    if getattr(upload, "size", 0) and upload.size > MAX_UPLOAD_BYTES:  # type: ignore[attr-defined]
        raise upload_error("too_big")
    person_import = PersonImport.objects.create(created_by=by)
    rows = _text_rows(upload)
    buffer: list[list[str]] = []
    size = seq = total = 0
    headers: list[str] = []
    try:
        for cells in rows:
            if not headers:
                headers = cells = [cell.strip() for cell in cells]
                if not any(headers):
                    raise upload_error("no_header")
                if len(headers) > MAX_COLUMNS:
                    raise upload_error("too_many_columns")
            else:
                cells = cells[: len(headers)]
                if any(cell.strip() for cell in cells):
                    total += 1
            buffer.append(cells)
            size += sum(len(cell) for cell in cells) + len(cells)
            if len(buffer) >= CHUNK_ROWS or size >= CHUNK_BYTES:
                _save_chunk(person_import, seq, buffer)
                buffer, size, seq = [], 0, seq + 1
    except _TooBig:
        raise upload_error("too_big") from None
    except UnicodeDecodeError:
        raise upload_error("not_utf8") from None
    except csv.Error:
        raise upload_error("not_csv") from None
    if not headers:
        raise upload_error("empty")
    if not total:
        raise upload_error("no_rows")
    if buffer:
        _save_chunk(person_import, seq, buffer)
    person_import.preset = detect_preset(headers)
    person_import.mapping = {
        "columns": apply_preset(headers, person_import.preset),
        "phone_kind": ChannelKind.CALL.value,
        "consent": False,
    }
    person_import.total_rows = total
    person_import.save(update_fields=["preset", "mapping", "total_rows"])
    audit.record(
        "people.import_uploaded", actor=by, target=person_import, rows=total, columns=len(headers)
    )
    return person_import


def _save_chunk(person_import: PersonImport, seq: int, rows: list[list[str]]) -> None:
    PersonImportChunk.objects.create(
        person_import=person_import, seq=seq, rows=json.dumps(rows, ensure_ascii=False)
    )


def headers_of(person_import: PersonImport) -> list[str]:
    first = person_import.chunks.order_by("seq").only("rows").first()
    return json.loads(first.rows)[0] if first else []


def read_rows(person_import: PersonImport) -> Iterator[tuple[int, list[str]]]:
    """(row number as in the file, counting the header as row 1; the cells) for each row that
    is not blank, one stored chunk in memory at a time."""
    seq = -1
    number = 0
    while True:
        chunk = (
            PersonImportChunk.objects.filter(person_import=person_import, seq__gt=seq)
            .order_by("seq")
            .only("seq", "rows")
            .first()
        )
        if chunk is None:
            return
        seq = chunk.seq
        rows = json.loads(chunk.rows)
        del chunk
        for cells in rows:
            number += 1
            if number > 1 and any(cell.strip() for cell in cells):
                yield number, cells
        del rows  # before the next chunk is read


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def load_fixes(person_import: PersonImport) -> dict[str, dict[str, str]]:
    return json.loads(person_import.fixes) if person_import.fixes else {}


def load_findings(person_import: PersonImport) -> dict[str, Any]:
    return json.loads(person_import.findings) if person_import.findings else {}


# --- progress and the worker's lease -------------------------------------------------------


def _beat_key(person_import: PersonImport) -> str:
    return f"people-import:{person_import.public_id}"


class _Beat:
    """The worker's progress and its sign of life, in the cache (outside the import's
    transaction, so the pages see it while the transaction is still open)."""

    def __init__(self, person_import: PersonImport, *, total: int) -> None:
        self.key, self.total = _beat_key(person_import), total

    def __call__(self, done: int) -> None:
        shared_cache.set(
            self.key,
            {
                "done": done,
                "total": self.total,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "at": time.time(),
            },
            timeout=LEASE_SECONDS,
        )

    def end(self) -> None:
        shared_cache.delete(self.key)


def progress_of(person_import: PersonImport) -> dict[str, int]:
    """How far the worker got: rows done of rows in the file."""
    beat = shared_cache.get(_beat_key(person_import)) or {}
    return {"done": beat.get("done", 0), "total": beat.get("total", person_import.total_rows)}


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def is_interrupted(person_import: PersonImport) -> bool:
    """A check or an import whose worker died: no report for `LEASE_SECONDS`, or the worker's
    process is gone from this machine."""
    if person_import.status not in (ImportStatus.CHECKING, ImportStatus.RUNNING):
        return False
    beat = shared_cache.get(_beat_key(person_import))
    if beat is None or time.time() - beat["at"] > LEASE_SECONDS:
        return True
    return beat["host"] == socket.gethostname() and not _process_alive(beat["pid"])


def _claim(person_import: PersonImport, *, waiting: str, working: str) -> _Beat | None:
    """Moves the import from `waiting` to `working` for this worker, once: a second worker
    given the same task finds nothing to do."""
    beat = _Beat(person_import, total=person_import.total_rows)
    beat(0)  # the lease exists before the status says someone works on it
    claimed = PersonImport.objects.filter(pk=person_import.pk, status=waiting).update(
        status=working, started_at=timezone.now(), failure=""
    )
    if not claimed:
        beat.end()
        return None
    person_import.status = working
    return beat


# --- the services the pages call -----------------------------------------------------------


def _own(person_import: PersonImport, by: Member) -> None:
    if not access.can_import_people(by) or person_import.created_by_id != by.pk:
        raise PermissionDenied


def _queue_check(person_import: PersonImport) -> None:
    from solnet.people import tasks

    public_id = person_import.public_id
    transaction.on_commit(lambda: tasks.check_person_import(public_id))


def _queue_run(person_import: PersonImport) -> None:
    from solnet.people import tasks

    public_id = person_import.public_id
    transaction.on_commit(lambda: tasks.run_person_import(public_id))


MAPPABLE = (ImportStatus.UPLOADED, ImportStatus.READY, ImportStatus.FAILED)


def _file_still_there(person_import: PersonImport) -> None:
    if not person_import.chunks.exists():
        raise ValidationError(
            _("The file was deleted after a week without an import: upload it again."),
            code="gone",
        )


@transaction.atomic
def save_mapping(
    *, person_import: PersonImport, columns: list[str], phone_kind: str, consent: bool, by: Member
) -> None:
    """The organizer's choice of columns; the worker checks the file again with it."""
    _own(person_import, by)
    person_import.refresh_from_db()
    if person_import.status not in MAPPABLE:
        raise ValidationError(_("This import cannot be changed any more."), code="status")
    _file_still_there(person_import)
    check_columns(columns, len(headers_of(person_import)))
    if phone_kind not in (ChannelKind.CALL, ChannelKind.TEXT):
        raise ValidationError(_("Choose calls or text messages."), code="phone_kind")
    person_import.mapping = {"columns": columns, "phone_kind": phone_kind, "consent": consent}
    person_import.status = ImportStatus.CHECK_QUEUED
    person_import.save(update_fields=["mapping", "status"])
    _queue_check(person_import)


@transaction.atomic
def fix_row(*, person_import: PersonImport, row: int, values: dict[str, str], by: Member) -> None:
    """A row corrected on the preview page; kept with the import and used instead of the
    file's row."""
    _own(person_import, by)
    person_import.refresh_from_db()
    if person_import.status != ImportStatus.READY:
        raise ValidationError(_("Wait for the check to finish."), code="status")
    listed = {entry["row"] for entry in load_findings(person_import).get("errors", [])}
    if row not in listed:
        raise ValidationError(_("There is no such row with a problem."), code="row")
    clean = {name: values.get(name, "").strip() for name in VALUE_FIELDS}
    _parsed, problems = validate(clean)
    if problems:
        raise ValidationError(
            [problem_text(code, params) for _field, code, params in problems], code="invalid"
        )
    fixes = load_fixes(person_import)
    fixes[str(row)] = clean
    person_import.fixes = json.dumps(fixes, ensure_ascii=False)
    person_import.status = ImportStatus.CHECK_QUEUED
    person_import.save(update_fields=["fixes", "status"])
    _queue_check(person_import)


@transaction.atomic
def start_import(
    *,
    person_import: PersonImport,
    default: str,
    rows: dict[int, str],
    skip_errors: bool,
    by: Member,
) -> None:
    """The organizer has seen the preview: the worker imports with these choices."""
    _own(person_import, by)
    person_import.refresh_from_db()
    if person_import.status != ImportStatus.READY:
        raise ValidationError(_("Wait for the check to finish."), code="status")
    _file_still_there(person_import)
    if default not in Decision.values or any(d not in Decision.values for d in rows.values()):
        raise ValidationError(_("Choose what to do with each duplicate."), code="decision")
    if load_findings(person_import).get("error_count") and not skip_errors:
        raise ValidationError(
            _("Some rows have problems: fix them, or choose to skip them."), code="errors"
        )
    person_import.decisions = {
        "default": default,
        "rows": {str(row): decision for row, decision in rows.items()},
        "skip_errors": skip_errors,
    }
    person_import.status = ImportStatus.QUEUED
    person_import.save(update_fields=["decisions", "status"])
    _queue_run(person_import)


@transaction.atomic
def restart_import(*, person_import: PersonImport, by: Member) -> None:
    """Runs a failed or interrupted check or import again, from the stored file."""
    _own(person_import, by)
    person_import.refresh_from_db()
    interrupted = is_interrupted(person_import)
    if person_import.status == ImportStatus.CHECKING and interrupted:
        person_import.status = ImportStatus.CHECK_QUEUED
        _queue_check(person_import)
    elif person_import.status == ImportStatus.FAILED or (
        person_import.status == ImportStatus.RUNNING and interrupted
    ):
        _file_still_there(person_import)
        person_import.status = ImportStatus.QUEUED
        _queue_run(person_import)
    else:
        raise ValidationError(_("Only a failed or interrupted import can be restarted."))
    person_import.save(update_fields=["status"])
    audit.record("people.import_restarted", actor=by, target=person_import)


@transaction.atomic
def delete_import(*, person_import: PersonImport, by: Member) -> None:
    """Throws an import away with its file (people it already recorded stay)."""
    _own(person_import, by)
    person_import.refresh_from_db()
    busy = person_import.status in (ImportStatus.CHECKING, ImportStatus.RUNNING)
    if busy and not is_interrupted(person_import):
        raise ValidationError(_("Wait until the worker is done with this file."), code="busy")
    audit.record("people.import_deleted", actor=by, target=person_import)
    person_import.delete()


# --- the worker: checking ------------------------------------------------------------------

_INDEX = ContactChannel._meta.get_field("value_index")


def _indexes(parsed: Parsed) -> list[tuple[str, str]]:
    """(which value, blind index) of the row's email and phone, as ContactChannel stores
    them: the same lookup as `PersonQuerySet.matching(contact=...)`."""
    found = []
    if parsed.email:
        found.append(("email", _INDEX.lookup_value(parsed.email)))
    if parsed.phone:
        found.append(("phone", _INDEX.lookup_value(parsed.phone)))
    return found


class _SeenInFile:
    """Blind indexes of the rows checked so far, in a temporary table: a file of any length
    is checked against its own earlier rows without the index set growing in memory."""

    TABLE = "people_import_seen"

    def __enter__(self) -> _SeenInFile:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.TABLE} "
                "(idx VARCHAR(64) PRIMARY KEY, first_row INTEGER NOT NULL)"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")

    def first_rows(self, indexes: list[str]) -> dict[str, int]:
        if not indexes:
            return {}
        marks = ", ".join(["%s"] * len(indexes))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT idx, first_row FROM {self.TABLE} WHERE idx IN ({marks})",  # noqa: S608 - a fixed table name and placeholders
                indexes,
            )
            return dict(cursor.fetchall())

    def add(self, first_rows: dict[str, int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.TABLE} (idx, first_row) VALUES (%s, %s)",  # noqa: S608 - a fixed table name
                list(first_rows.items()),
            )


def _known_people(indexes: list[str]) -> dict[str, tuple[int, str, str]]:
    """Blind index → (pk, public id, name) of the earliest recorded person holding it."""
    owners: dict[str, tuple[int, str, str]] = {}
    if indexes:
        rows = (
            ContactChannel.objects.filter(value_index__in=indexes)
            .order_by("person_id")
            .values_list("value_index", "person_id", "person__public_id", "person__display_name")
        )
        for index, pk, public_id, name in rows:
            owners.setdefault(index, (pk, public_id, name))
    return owners


def check_import(*, public_id: str) -> None:
    """The worker's check of every row: problems, duplicates and the first rows, kept
    (encrypted) for the preview. Writes nothing else."""
    person_import = PersonImport.objects.filter(public_id=public_id).first()
    if person_import is None:
        return
    beat = _claim(person_import, waiting=ImportStatus.CHECK_QUEUED, working=ImportStatus.CHECKING)
    if beat is None:
        return
    try:
        findings = _check(person_import, beat)
    except Exception as error:
        # The class only: a message could quote a value of the file.
        logger.error("checking import %s failed: %s", public_id, type(error).__name__)
        PersonImport.objects.filter(pk=person_import.pk).update(
            status=ImportStatus.UPLOADED, failure="check"
        )
    else:
        PersonImport.objects.filter(pk=person_import.pk, status=ImportStatus.CHECKING).update(
            status=ImportStatus.READY, findings=json.dumps(findings, ensure_ascii=False)
        )
    finally:
        beat.end()


def _check(person_import: PersonImport, beat: _Beat) -> dict[str, Any]:
    reader = ColumnReader(person_import.mapping["columns"])
    fixes = load_fixes(person_import)
    found: dict[str, Any] = {
        "rows": 0,
        "valid": 0,
        "error_count": 0,
        "errors": [],
        "duplicate_count": 0,
        "duplicates": [],
        "sample": [],
    }
    with _SeenInFile() as seen:
        for batch in _batches(read_rows(person_import), BATCH):
            plans = []
            for row, cells in batch:
                values = fixes.get(str(row)) or reader.values(cells)
                parsed, problems = validate(values)
                if parsed is None:
                    found["error_count"] += 1
                    if len(found["errors"]) < LISTED_ERRORS:
                        found["errors"].append({"row": row, "problems": problems, "values": values})
                else:
                    plans.append((row, parsed, _indexes(parsed)))
            everything = [index for _row, _parsed, indexes in plans for _kind, index in indexes]
            known = _known_people(everything)
            earlier = seen.first_rows(everything)
            new: dict[str, int] = {}
            for row, parsed, indexes in plans:
                found["valid"] += 1
                if len(found["sample"]) < SAMPLE_ROWS:
                    found["sample"].append(parsed.preview(row))
                duplicate = _duplicate(row, parsed, indexes, known, earlier, new)
                for _kind, index in indexes:
                    if index not in earlier:
                        new.setdefault(index, row)
                if duplicate:
                    found["duplicate_count"] += 1
                    if len(found["duplicates"]) < LISTED_DUPLICATES:
                        found["duplicates"].append(duplicate)
            seen.add(new)
            found["rows"] += len(batch)
            beat(found["rows"])
    return found


def _duplicate(row, parsed, indexes, known, earlier, new) -> dict[str, Any] | None:
    for kind, index in indexes:
        if index in known:
            _pk, public_id, name = known[index]
            return {
                "row": row,
                "name": parsed.display_name,
                "on": kind,
                "existing": {"public_id": public_id, "name": name},
            }
    for kind, index in indexes:
        first = earlier.get(index) or new.get(index)
        if first:
            return {"row": row, "name": parsed.display_name, "on": kind, "earlier_row": first}
    return None


# --- the worker: importing -----------------------------------------------------------------


@dataclass(eq=False)
class _Plan:
    """A row on its way into the database (and the rows whose details it absorbed)."""

    row: int
    parsed: Parsed
    channels: list[tuple[str, str, str]] = field(default_factory=list)  # kind, value, index
    indexes: list[str] = field(default_factory=list)  # the channels' blind indexes
    duplicate_of: int | _Plan | None = None
    public_id: str = ""

    def add_channel(self, kind: str, value: str) -> None:
        index = _INDEX.lookup_value(value)
        self.channels.append((kind, value, index))
        self.indexes.append(index)

    def absorb(self, other: _Plan) -> None:
        """Another row of the file about the same person: its details join this one's."""
        for kind, value, index in other.channels:
            if index not in self.indexes:
                self.channels.append((kind, value, index))
                self.indexes.append(index)
        mine, theirs = self.parsed, other.parsed
        mine.languages += [code for code in theirs.languages if code not in mine.languages]
        mine.tags += [name for name in theirs.tags if name not in mine.tags]
        if theirs.notes and theirs.notes not in mine.notes:
            mine.notes = f"{mine.notes}\n{theirs.notes}".strip()
        if theirs.joined_on and (not mine.joined_on or theirs.joined_on < mine.joined_on):
            mine.joined_on = theirs.joined_on


class _Insert:
    """An executemany INSERT into a model's table: the named columns per row, every other
    column at its default (worked out once), so a field added to the model later is written
    too. Values go through each field's own preparation: encryption and blind indexes
    included."""

    def __init__(self, model: type[models.Model], names: list[str], instance: Any) -> None:
        by_name = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
        rest = [f for name, f in by_name.items() if name not in names]
        # The named columns first, then the others: a row is its values and the defaults.
        fields = [by_name[name] for name in names] + rest
        self.defaults = tuple(
            f.get_db_prep_save(getattr(instance, f.attname), connection) for f in rest
        )
        quote = connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
            quote(model._meta.db_table),
            ", ".join(quote(str(f.column)) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )

    def row(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return values + self.defaults

    def run(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)


class _Writer:
    """Writes a batch of planned people, their channels and their tags."""

    def __init__(self, *, phone_kind: str, consent: bool) -> None:
        now = timezone.now()
        self.phone_kind = phone_kind
        self.consent_at = now if consent else None
        self.person_fields = {f.name: f for f in Person._meta.concrete_fields}
        self.people = _Insert(
            Person,
            ["public_id", "display_name", "tier", "joined_on", "languages", "notes"],
            Person(created_at=now, updated_at=now),
        )
        self.channels = _Insert(
            ContactChannel,
            ["person", "kind", "value", "value_index"],
            ContactChannel(consent_at=self.consent_at, created_at=now),
        )
        through = Person.tags.through
        self.tag_links = _Insert(through, ["person", "tag"], through())
        self.tag_ids: dict[str, int] = {}
        self.language_values: dict[tuple[str, ...], Any] = {}
        self.today = self.person_fields["joined_on"].get_db_prep_save(
            timezone.localdate(), connection
        )

    def plan(self, row: int, parsed: Parsed) -> _Plan:
        plan = _Plan(row, parsed)
        if parsed.email:
            plan.add_channel(ChannelKind.EMAIL.value, parsed.email)
        if parsed.phone:
            plan.add_channel(self.phone_kind, parsed.phone)
        return plan

    def _languages(self, codes: list[str]) -> Any:
        key = tuple(codes)
        if key not in self.language_values:  # a handful of combinations in a whole file
            field = self.person_fields["languages"]
            self.language_values[key] = field.get_db_prep_save(codes, connection)
        return self.language_values[key]

    def _tag_id(self, name: str) -> int:
        if name not in self.tag_ids:
            self.tag_ids[name] = Tag.objects.get_or_create(name=name)[0].pk
        return self.tag_ids[name]

    def insert(self, plans: list[_Plan]) -> None:
        if not plans:
            return
        fields = self.person_fields
        rows = []
        for plan in plans:
            parsed = plan.parsed
            plan.public_id = new_public_id()
            rows.append(
                self.people.row(
                    (
                        plan.public_id,
                        parsed.display_name,
                        parsed.tier,
                        fields["joined_on"].get_db_prep_save(parsed.joined_on, connection)
                        if parsed.joined_on
                        else self.today,
                        self._languages(parsed.languages),
                        fields["notes"].get_prep_value(parsed.notes) if parsed.notes else None,
                    )
                )
            )
        self.people.run(rows)
        ids = dict(_select_in(IDS_SQL, [plan.public_id for plan in plans]))
        value_field = ContactChannel._meta.get_field("value")
        channel_rows, tag_rows = [], []
        for plan in plans:
            pk = ids[plan.public_id]
            for kind, value, index in plan.channels:
                channel_rows.append(
                    self.channels.row((pk, kind, value_field.get_prep_value(value), index))
                )
            for name in plan.parsed.tags:
                tag_rows.append(self.tag_links.row((pk, self._tag_id(name))))
        self.channels.run(channel_rows)
        self.tag_links.run(tag_rows)

    def add_to(self, pk: int, plans: list[_Plan]) -> None:
        """The rows' new details go onto someone already recorded: new channels (with this
        import's consent), tags, languages, notes, and the earlier date they joined."""
        person = Person.objects.get(pk=pk)
        have = set(person.channels.values_list("value_index", flat=True))
        tag_ids: set[int] = set()
        for plan in plans:
            for kind, value, index in plan.channels:
                if index not in have:
                    ContactChannel.objects.create(
                        person=person, kind=kind, value=value, consent_at=self.consent_at
                    )
                    have.add(index)
            parsed = plan.parsed
            person.languages = person.languages + [
                code for code in parsed.languages if code not in person.languages
            ]
            if parsed.notes and parsed.notes not in (person.notes or ""):
                person.notes = f"{person.notes or ''}\n{parsed.notes}".strip()
            if parsed.joined_on and parsed.joined_on < person.joined_on:
                person.joined_on = parsed.joined_on
            tag_ids.update(self._tag_id(name) for name in parsed.tags)
        person.save(update_fields=["languages", "notes", "joined_on", "updated_at"])
        through = Person.tags.through
        through.objects.bulk_create(
            [through(person_id=pk, tag_id=tag_id) for tag_id in tag_ids], ignore_conflicts=True
        )


def _select_in(sql: str, values: list[str]) -> list[tuple[Any, Any]]:
    """Rows of a two-column query with `IN ({marks})`: written out by hand because these two
    lookups run once per batch with a thousand values each, where the ORM's preparation of
    every value costs more than the query."""
    if not values:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql.format(marks=", ".join(["%s"] * len(values))), values)
        return cursor.fetchall()


def _sql(text: str, **names: str) -> str:
    return text.format(**{key: connection.ops.quote_name(value) for key, value in names.items()})


# Blind index → person, the latest first: dict() of the rows keeps the earliest for each index.
HOLDERS_SQL = _sql(
    "SELECT {index}, {person} FROM {table} WHERE {index} IN ({{marks}}) ORDER BY {person} DESC",
    table=ContactChannel._meta.db_table,
    index=str(ContactChannel._meta.get_field("value_index").column),
    person=str(ContactChannel._meta.get_field("person").column),
)
IDS_SQL = _sql(
    "SELECT {public_id}, {id} FROM {table} WHERE {public_id} IN ({{marks}})",
    table=Person._meta.db_table,
    public_id="public_id",
    id="id",
)


def run_import(*, public_id: str) -> None:
    """The worker's import: everything in one transaction, or nothing at all."""
    person_import = PersonImport.objects.filter(public_id=public_id).first()
    if person_import is None:
        return
    beat = _claim(person_import, waiting=ImportStatus.QUEUED, working=ImportStatus.RUNNING)
    if beat is None:
        return
    try:
        with transaction.atomic():
            _file_still_there(person_import)  # never "done" with nobody from a purged file
            counts = _write(person_import, beat)
            person_import.chunks.all().delete()  # the file goes with the import's success
            PersonImport.objects.filter(pk=person_import.pk).update(
                status=ImportStatus.DONE,
                finished_at=timezone.now(),
                findings=None,
                fixes=None,
                result=counts,
            )
            audit.record(
                "people.imported",
                actor=person_import.created_by_id,
                target=person_import,
                **{k: v for k, v in counts.items() if isinstance(v, int)},
            )
    except Exception as error:
        # The class only: a database's message may quote a value.
        logger.error("import %s failed: %s", public_id, type(error).__name__)
        failure = "gone" if getattr(error, "code", "") == "gone" else "error"
        with transaction.atomic():
            PersonImport.objects.filter(pk=person_import.pk).update(
                status=ImportStatus.FAILED, failure=failure
            )
            audit.record(
                "people.import_failed",
                actor=person_import.created_by_id,
                target=person_import,
                reason=failure,
            )
    finally:
        beat.end()


def _write(person_import: PersonImport, beat: _Beat) -> dict[str, Any]:
    mapping, decisions = person_import.mapping, person_import.decisions
    reader = ColumnReader(mapping["columns"])
    default = decisions.get("default", Decision.ADD)
    chosen = decisions.get("rows", {})
    fixes = load_fixes(person_import)
    writer = _Writer(phone_kind=mapping["phone_kind"], consent=mapping["consent"])
    counts = Counter(
        {"rows": 0, "created": 0, "added_to_existing": 0, "skipped_duplicates": 0, "skipped": 0}
    )
    possible_duplicates: list[tuple[_Plan, int | _Plan]] = []
    for batch in _batches(read_rows(person_import), BATCH):
        plans = []
        for row, cells in batch:
            parsed, _problems = validate(fixes.get(str(row)) or reader.values(cells))
            if parsed is None:
                counts["skipped"] += 1
            else:
                plans.append(writer.plan(row, parsed))
        # Whoever already holds one of these addresses: people recorded before, and people
        # this import wrote in earlier batches (the same transaction sees them).
        everything = [index for plan in plans for index in plan.indexes]
        claims: dict[str, int | _Plan] = dict(_select_in(HOLDERS_SQL, everything))
        new: list[_Plan] = []
        additions: dict[int, list[_Plan]] = {}
        for plan in plans:
            holder = next((claims[i] for i in plan.indexes if i in claims), None)
            if holder is not None:
                decision = chosen.get(str(plan.row), default)
                if decision == Decision.SKIP:
                    counts["skipped_duplicates"] += 1
                    continue
                if decision == Decision.ADD:
                    if isinstance(holder, _Plan):
                        holder.absorb(plan)
                    else:
                        additions.setdefault(holder, []).append(plan)
                    for index in plan.indexes:
                        claims.setdefault(index, holder)
                    counts["added_to_existing"] += 1
                    continue
                plan.duplicate_of = holder
                if len(possible_duplicates) < LISTED_DUPLICATES:
                    possible_duplicates.append((plan, holder))
            new.append(plan)
            for index in plan.indexes:
                claims.setdefault(index, plan)
        writer.insert(new)
        for pk, added in additions.items():
            writer.add_to(pk, added)
        counts["created"] += len(new)
        counts["rows"] += len(batch)
        beat(counts["rows"])
    result: dict[str, Any] = dict(counts)
    result["possible_duplicates"] = _merge_suggestions(possible_duplicates)
    return result


def _merge_suggestions(pairs: list[tuple[_Plan, int | _Plan]]) -> list[list[str]]:
    """(new person, the one they may duplicate) as public ids, for the "merge" links."""
    pks = [holder for _plan, holder in pairs if isinstance(holder, int)]
    public_ids = dict(Person.objects.filter(pk__in=pks).values_list("pk", "public_id"))
    return [
        [plan.public_id, holder.public_id if isinstance(holder, _Plan) else public_ids[holder]]
        for plan, holder in pairs
    ]
