"""The worker checks every row: problems by row number, and duplicates of people already recorded
or of earlier rows of the file, found through the blind indexes. What it made of each chunk's
rows is kept beside them for the import (`files.keep_checked`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

from solnet.people.import_rows import (
    LEFT_OUT,
    ColumnReader,
    validate,
)
from solnet.people.import_values import OPTED_OUT
from solnet.people.imports.files import (
    BATCH,
    LISTED_DUPLICATES,
    LISTED_ERRORS,
    SAMPLE_ROWS,
    StoredChunk,
    check_basis,
    contact_indexes,
    keep_checked,
    kept_row,
    load_fixes,
    reading_of,
    stored_chunks,
)
from solnet.people.imports.progress import Beat, claim
from solnet.people.models import (
    ContactChannel,
    ImportStatus,
    PersonImport,
)

logger = logging.getLogger(__name__)


# --- the worker: checking ------------------------------------------------------------------


_KINDS = ("email", "phone")  # what `contact_indexes` gives the indexes of, in its order
# A stored chunk, the number of its first line, and its rows that are not blank.
_ChunkRows = tuple[StoredChunk, int, list[tuple[int, list[str]]]]


def _chunk_batches(person_import: PersonImport) -> Iterator[list[_ChunkRows]]:
    """The stored chunks by batches of at least `BATCH` rows, each chunk whole so that what
    the check makes of its rows is kept with it."""
    group: list[_ChunkRows] = []
    count, first = 0, 1
    for chunk in stored_chunks(person_import):
        rows = list(chunk.rows(first))
        group.append((chunk, first, rows))
        count += len(rows)
        first += len(chunk.lines)
        if count >= BATCH:
            yield group
            group, count = [], 0
    if group:
        yield group


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
    beat = claim(person_import, waiting=ImportStatus.CHECK_QUEUED, working=ImportStatus.CHECKING)
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


def _check(person_import: PersonImport, beat: Beat) -> dict[str, Any]:
    reader = ColumnReader(person_import.mapping["columns"])
    fixes = load_fixes(person_import)
    reading = reading_of(person_import)
    basis = check_basis(person_import, reading)
    found: dict[str, Any] = {
        "rows": 0,
        "valid": 0,
        "error_count": 0,
        "errors": [],
        "flagged_count": 0,
        "flagged": [],
        "left_out": dict.fromkeys(sorted(LEFT_OUT), 0),
        "opted_out": {"email": 0, "phone": 0},
        "dates_assumed": 0,
        "region": reading.region,
        "day_first": reading.day_first,
        "duplicate_count": 0,
        "duplicates": [],
        "sample": [],
    }
    with _SeenInFile() as seen:
        for group in _chunk_batches(person_import):
            plans = []
            kept: list[list[list[Any]]] = []  # each chunk's rows, for the import
            for _chunk, _first, rows in group:
                kept.append([])
                for row, cells in rows:
                    values = fixes.get(str(row)) or reader.values(cells)
                    parsed, problems = validate(values, reading)
                    if parsed is None:
                        kept[-1].append(kept_row(row, None, ("", ""), problems))
                        _note_not_imported(found, row, problems, values)
                        continue
                    _note_imported(found, row, parsed, problems)
                    both = contact_indexes(parsed)
                    kept[-1].append(kept_row(row, parsed, both))
                    pairs = zip(_KINDS, both, strict=True)
                    indexes = [(kind, index) for kind, index in pairs if index]
                    plans.append((row, parsed, indexes))
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
            with transaction.atomic():
                for (chunk, first, _rows), rows_kept in zip(group, kept, strict=True):
                    keep_checked(chunk, first=first, basis=basis, rows=rows_kept)
            found["rows"] += sum(len(rows) for _chunk, _first, rows in group)
            beat(found["rows"])
    return found


def _note_not_imported(found: dict[str, Any], row: int, problems, values) -> None:
    """A row left out (an organization) is counted; a refused one is listed to be fixed."""
    codes = {code for _field, code, _params in problems}
    left_out = codes & LEFT_OUT
    if left_out:
        found["left_out"][left_out.pop()] += 1
        return
    found["error_count"] += 1
    if len(found["errors"]) < LISTED_ERRORS:
        found["errors"].append({"row": row, "problems": problems, "values": values})


def _note_imported(found: dict[str, Any], row: int, parsed, problems) -> None:
    """What the page tells of the rows to import: values left out, opt-outs, dates read by
    the country's order."""
    if parsed.flags:
        found["flagged_count"] += 1
        if len(found["flagged"]) < LISTED_ERRORS:
            found["flagged"].append({"row": row, "name": parsed.display_name, "problems": problems})
    states = parsed.opt_outs
    if states.get("email") == OPTED_OUT:
        found["opted_out"]["email"] += 1
    if OPTED_OUT in (states.get("call"), states.get("text")):
        found["opted_out"]["phone"] += 1
    if parsed.date_assumed:
        found["dates_assumed"] += 1


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
