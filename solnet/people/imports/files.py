"""The uploaded file: read once, row by row, and kept encrypted in chunks of a few hundred rows
(`PersonImportChunk`); the rows read back; the fixes, the findings and the checked rows stored
beside them."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import islice
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.members.models import Member
from solnet.people import access
from solnet.people.import_rows import (
    LEFT_OUT,
    ColumnReader,
    Parsed,
    Problem,
    Reading,
    apply_preset,
    detect_preset,
    reading_for,
    validate,
)
from solnet.people.models import (
    ChannelKind,
    ContactChannel,
    PersonImport,
    PersonImportChunk,
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


INDEX = ContactChannel._meta.get_field("value_index")  # the blind index of a contact


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
        "area_code": "",
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


@dataclass(eq=False)
class StoredChunk:
    """A stored chunk of the file, read back, with what the last check kept of it if that was
    asked for."""

    pk: int
    text: str  # the rows as stored: a JSON list of lists of cells, the header's included
    checked: str | None = None

    @cached_property
    def lines(self) -> list[list[str]]:
        return json.loads(self.text)

    @cached_property
    def digest(self) -> str:
        """Of the rows as stored: what the check read is what the import reads."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def rows(self, first: int) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for each of its rows that is not blank, its first line being
        line `first` of the file (the header is line 1)."""
        for number, cells in enumerate(self.lines, start=first):
            if number > 1 and any(cell.strip() for cell in cells):
                yield number, cells


def stored_chunks(person_import: PersonImport, *, checked: bool = False) -> Iterator[StoredChunk]:
    """The stored chunks in order, one in memory at a time."""
    fields = ["pk", "seq", "rows", *(["checked"] if checked else [])]
    seq = -1
    while True:
        found = (
            PersonImportChunk.objects.filter(person_import=person_import, seq__gt=seq)
            .order_by("seq")
            .values_list(*fields)
            .first()
        )
        if found is None:
            return
        pk, seq, text, *kept = found
        del found
        yield StoredChunk(pk, text, kept[0] if kept else None)


def read_rows(person_import: PersonImport) -> Iterator[tuple[int, list[str]]]:
    """(row number as in the file, counting the header as row 1; the cells) for each row that
    is not blank, one stored chunk in memory at a time."""
    first = 1
    for chunk in stored_chunks(person_import):
        yield from chunk.rows(first)
        first += len(chunk.lines)
        del chunk  # before the next chunk is read


# --- what the check keeps of the rows ------------------------------------------------------
#
# The check reads, checks and indexes every row; it keeps what it made of each chunk's rows
# beside them (`PersonImportChunk.checked`, encrypted like the rows), so that the import does
# not do it all again. Kept rows are used only while they match what they were made from: the
# chunk's stored rows (by digest), its place in the file, and the check's basis (the columns,
# the fixes, the key of the blind indexes). A chunk whose kept rows do not match is read and
# checked again as the import goes.

KEPT_FORMAT = 2  # raised whenever what is kept of a row changes
# Any fixed address: its blind index changes if the index key or its normalizing ever does.
_INDEX_PROBE = "probe@example.invalid"


def reading_of(person_import: PersonImport) -> Reading:
    """How this import's rows are read: the network's country, the area code given."""
    return reading_for(area_code=person_import.mapping.get("area_code", ""))


def check_basis(person_import: PersonImport, reading: Reading | None = None) -> str:
    """A digest of what the check's reading of the rows depends on, the rows aside."""
    reading = reading or reading_of(person_import)
    basis = [
        KEPT_FORMAT,
        person_import.mapping["columns"],
        person_import.fixes or "",
        INDEX.lookup_value(_INDEX_PROBE),
        [reading.region, reading.area_code, reading.day_first],
    ]
    return hashlib.sha256(json.dumps(basis, ensure_ascii=False).encode()).hexdigest()


def contact_indexes(parsed: Parsed) -> tuple[str, str]:
    """The blind indexes of a row's email and phone ("" for none), as ContactChannel stores
    them: the same lookup as `PersonQuerySet.matching(contact=...)`."""
    return (
        INDEX.lookup_value(parsed.email) if parsed.email else "",
        INDEX.lookup_value(parsed.phone) if parsed.phone else "",
    )


# A row the check read: (row number, what it holds or None when it is not imported, its
# indexes, and for a row not imported, why).
CheckedRow = tuple[int, Parsed | None, tuple[str, str], list[Problem]]


def kept_row(
    row: int, parsed: Parsed | None, indexes: tuple[str, str], problems: list[Problem] | None = None
) -> list[Any]:
    if parsed is None:
        return [row, [list(problem) for problem in problems or ()]]
    joined_on = parsed.joined_on.isoformat() if parsed.joined_on else ""
    return [
        row,
        *(parsed.display_name, parsed.email, parsed.phone, parsed.languages, parsed.tags),
        *(parsed.notes, joined_on, parsed.tier, *indexes, parsed.flags, parsed.opt_outs),
    ]


def _from_kept(kept: list[Any]) -> CheckedRow:
    if len(kept) == 2:
        return kept[0], None, ("", ""), [tuple(problem) for problem in kept[1]]
    row, name, email, phone, languages, tags, notes, joined_on, tier, *rest = kept
    email_index, phone_index, flags, opt_outs = rest
    joined = date.fromisoformat(joined_on) if joined_on else None
    parsed = Parsed(name, email, phone, languages, tags, notes, joined, tier, flags, opt_outs)
    return row, parsed, (email_index, phone_index), []


def keep_checked(chunk: StoredChunk, *, first: int, basis: str, rows: list[list[Any]]) -> None:
    """Keeps the check's `kept_row`s of a chunk whose first line is line `first`."""
    kept = {
        "basis": basis,
        "source": chunk.digest,
        "first": first,
        "lines": len(chunk.lines),
        "rows": rows,
    }
    PersonImportChunk.objects.filter(pk=chunk.pk).update(
        checked=json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    )


def _checked_chunks(
    person_import: PersonImport, reader: ColumnReader, fixes: dict[str, dict[str, str]]
) -> Iterator[tuple[StoredChunk, int, Iterator[CheckedRow]]]:
    """Each stored chunk, the number of its first line, and its rows read, checked and
    indexed: as the check kept them where that still matches, read and checked again where
    it does not. The rows come one at a time, to be used before the next chunk is read: a
    batch holds its own rows as records, never the whole chunk's."""
    reading = reading_of(person_import)
    basis = check_basis(person_import, reading)
    first = 1
    for chunk in stored_chunks(person_import, checked=True):
        kept = json.loads(chunk.checked) if chunk.checked else {}
        if (kept.get("basis"), kept.get("first")) == (basis, first) and kept.get(
            "source"
        ) == chunk.digest:
            yield chunk, first, map(_from_kept, kept["rows"])
        else:
            yield chunk, first, _checked_again(chunk, first, reader, fixes, reading)
        first += len(chunk.lines)
        del chunk, kept  # before the next chunk is read


def _checked_again(chunk, first, reader, fixes, reading) -> Iterator[CheckedRow]:
    for row, cells in chunk.rows(first):
        parsed, problems = validate(fixes.get(str(row)) or reader.values(cells), reading)
        if parsed is None:
            yield row, None, ("", ""), problems
        else:
            yield row, parsed, contact_indexes(parsed), []


def checked_rows(
    person_import: PersonImport, reader: ColumnReader, fixes: dict[str, dict[str, str]]
) -> Iterator[CheckedRow]:
    """Every row that is not blank, read, checked and indexed."""
    for _chunk, _first, rows in _checked_chunks(person_import, reader, fixes):
        yield from rows


def refused_rows(person_import: PersonImport) -> Iterator[tuple[int, list[str], list[Problem]]]:
    """(row number, the file's cells, why) of every row the import refuses: neither a name
    nor an email to know them by (organizations and households are left out, not refused).
    A fixed row is not refused."""
    reader = ColumnReader(person_import.mapping["columns"])
    fixes = load_fixes(person_import)
    for chunk, first, rows in _checked_chunks(person_import, reader, fixes):
        refused = {
            row: problems
            for row, parsed, _indexes, problems in rows
            if parsed is None and not {code for _f, code, _p in problems} & LEFT_OUT
        }
        if refused:
            for row, cells in chunk.rows(first):
                if row in refused:
                    yield row, cells, refused[row]


def batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def load_fixes(person_import: PersonImport) -> dict[str, dict[str, str]]:
    return json.loads(person_import.fixes) if person_import.fixes else {}


def load_findings(person_import: PersonImport) -> dict[str, Any]:
    return json.loads(person_import.findings) if person_import.findings else {}


def file_still_there(person_import: PersonImport) -> None:
    if not person_import.chunks.exists():
        raise ValidationError(
            _("The file was deleted after a week without an import: upload it again."),
            code="gone",
        )
