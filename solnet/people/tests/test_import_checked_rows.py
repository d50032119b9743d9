"""The import reads the rows as the check kept them, and only while they match what the check
read them from: a chunk of the file, the columns or the fixes changed since are read and
checked again, so the import writes what the stored file says now."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from solnet.people.import_rows import ColumnReader, validate
from solnet.people.imports import files, writing
from solnet.people.imports import services as import_services
from solnet.people.models import ContactChannel, Person, PersonImport, PersonImportChunk
from solnet.people.tests.importing import checked, upload

pytestmark = pytest.mark.django_db
ROWS = 600  # three chunks: the header and rows 2-250, rows 251-500, rows 501-601


def _csv(rows: int) -> str:
    lines = ["Name,Email,Phone,Tags"]
    lines += [
        f"Person {n},person{n}@example.org,+1206200{n:04d},{'nights' if n % 2 else 'days'}"
        for n in range(rows)
    ]
    return "\n".join(lines) + "\n"


def _fresh(person_import: PersonImport) -> list[files.CheckedRow]:
    """The rows read and checked from the stored file as it is now, nothing kept."""
    reader = ColumnReader(person_import.mapping["columns"])
    fixes = files.load_fixes(person_import)
    reading = files.reading_of(person_import)
    found: list[files.CheckedRow] = []
    for row, cells in files.read_rows(person_import):
        parsed, problems = validate(fixes.get(str(row)) or reader.values(cells), reading)
        if parsed is None:
            found.append((row, None, ("", ""), problems))
        else:
            found.append((row, parsed, files.contact_indexes(parsed), []))
    return found


@pytest.fixture
def validations(monkeypatch) -> list[int]:
    """The rows the import reads and checks again, by number."""
    seen: list[int] = []

    def counted(values, reading=None):
        seen.append(1)
        return validate(values, reading)

    monkeypatch.setattr(files, "validate", counted)
    return seen


def _as_imported(person_import: PersonImport) -> list[files.CheckedRow]:
    person_import.refresh_from_db()
    reader = ColumnReader(person_import.mapping["columns"])
    return list(files.checked_rows(person_import, reader, files.load_fixes(person_import)))


def _change_chunk(person_import: PersonImport, seq: int, change) -> None:
    chunk = PersonImportChunk.objects.get(person_import=person_import, seq=seq)
    lines = json.loads(chunk.rows)
    change(lines)
    PersonImportChunk.objects.filter(pk=chunk.pk).update(rows=json.dumps(lines))


def _import(person_import: PersonImport, organizer) -> dict:
    import_services.start_import(
        person_import=person_import, default="add", rows={}, skip_errors=True, by=organizer
    )
    writing.run_import(public_id=person_import.public_id)
    person_import.refresh_from_db()
    return person_import.result


def test_the_import_reads_the_rows_the_check_kept(organizer, validations):
    person_import = checked(upload(_csv(ROWS), by=organizer), by=organizer)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT checked FROM {PersonImportChunk._meta.db_table}")
        kept = [row[0] for row in cursor.fetchall()]
    assert len(kept) == 3
    assert all(text.startswith("enc1$") and "example.org" not in text for text in kept)

    assert _as_imported(person_import) == _fresh(person_import)
    validations.clear()
    assert len(_as_imported(person_import)) == ROWS and validations == []

    result = _import(person_import, organizer)
    assert validations == []
    assert result["created"] == ROWS and result["skipped"] == 0
    assert ContactChannel.objects.count() == 2 * ROWS
    found = Person.objects.matching(contact="PERSON321@example.org").get()
    assert found.display_name == "Person 321"
    assert [tag.name for tag in found.tags.all()] == ["nights"]


def test_a_chunk_changed_since_the_check_is_read_and_checked_again(organizer, validations):
    person_import = checked(upload(_csv(ROWS), by=organizer), by=organizer)

    def change(lines):
        lines[0][1] = "changed@example.org"  # row 251
        lines[1][1] = "not-an-email"  # row 252: a bad value the check never saw

    _change_chunk(person_import, 1, change)
    assert _as_imported(person_import) == _fresh(person_import)
    validations.clear()
    _as_imported(person_import)
    assert len(validations) == 250  # the changed chunk's rows, and only those

    result = _import(person_import, organizer)
    assert result["created"] == ROWS and result["skipped"] == 0 and result["flagged"] == 1
    assert Person.objects.matching(contact="changed@example.org").get().display_name == (
        "Person 249"
    )
    assert not Person.objects.matching(contact="person249@example.org").exists()
    # Imported without the address it never had, and noted so on the record.
    person_250 = Person.objects.get(display_name="Person 250")
    assert [c.kind for c in person_250.channels.all()] == ["call"]
    assert [(f.field, f.value) for f in person_250.flags.all()] == [("email", "not-an-email")]


def test_a_line_added_to_an_earlier_chunk_numbers_the_later_rows_again(organizer, validations):
    person_import = checked(upload(_csv(ROWS), by=organizer), by=organizer)
    _change_chunk(person_import, 0, lambda lines: lines.append(["Added", "", "", ""]))
    rows = _as_imported(person_import)
    assert rows == _fresh(person_import)
    assert [row for row, _parsed, _indexes, _problems in rows[-2:]] == [601, 602]
    validations.clear()
    _as_imported(person_import)
    assert len(validations) == ROWS + 1  # every chunk: the first changed, the others moved


def test_a_chunk_the_check_kept_nothing_of_is_read_and_checked(organizer, validations):
    person_import = checked(upload(_csv(ROWS), by=organizer), by=organizer)
    PersonImportChunk.objects.filter(person_import=person_import, seq=2).update(checked=None)
    assert _as_imported(person_import) == _fresh(person_import)
    validations.clear()
    _as_imported(person_import)
    assert len(validations) == 101


@pytest.mark.parametrize("change", ["columns", "fixes"])
def test_rows_kept_under_other_columns_or_fixes_are_not_used(organizer, validations, change):
    person_import = checked(upload(_csv(ROWS), by=organizer), by=organizer)
    if change == "columns":
        columns = ["display_name", "email", "phone", "ignore"]  # the tags left out
        PersonImport.objects.filter(pk=person_import.pk).update(
            mapping={**person_import.mapping, "columns": columns}
        )
    else:
        fix = {"display_name": "Fixed", "email": "fixed@example.org", "phone": "", "tags": ""}
        PersonImport.objects.filter(pk=person_import.pk).update(fixes=json.dumps({"300": fix}))
    rows = _as_imported(person_import)
    assert rows == _fresh(person_import)
    validations.clear()
    _as_imported(person_import)
    assert len(validations) == ROWS
    if change == "columns":
        assert all(parsed.tags == [] for _row, parsed, _indexes, _problems in rows if parsed)
    else:
        assert next(p for row, p, _i, _p in rows if row == 300).email == "fixed@example.org"

    # Checked again, the new reading is kept and used.
    person_import = checked(person_import, by=organizer, columns=person_import.mapping["columns"])
    validations.clear()
    assert _as_imported(person_import) == rows and validations == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and its statistics")
def test_finding_who_holds_an_address_looks_each_index_up_even_with_statistics():
    """With a table's statistics at hand (after ANALYZE, as a long-lived network may have run),
    the lookup of who already holds an address must still search the blind index, not walk
    the whole table: a walk per batch made a 100,000-row import two and a half times slower."""
    people = Person.objects.bulk_create(Person(display_name=f"P{n}") for n in range(400))
    ContactChannel.objects.bulk_create(
        ContactChannel(person=person, kind="email", value=f"p{n}@example.org")
        for n, person in enumerate(people)
    )
    later = Person.objects.create(display_name="Shares an address, added later")
    ContactChannel.objects.create(person=later, kind="email", value="p0@example.org")
    shared = ContactChannel.objects.get(person=people[0]).value_index
    other = ContactChannel.objects.get(person=people[7]).value_index
    table = ContactChannel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # Statistics taken when the table held ten thousand addresses, each its own: the table
        # has grown since (an import of a hundred thousand adds to it batch by batch).
        cursor.execute(
            "UPDATE sqlite_stat1 SET stat = CASE WHEN idx IS NULL THEN '10000' "
            "ELSE '10000 1' END WHERE tbl = %s",
            [table],
        )
        cursor.execute("ANALYZE sqlite_schema")  # the planner reads them again
        # A batch asks for a thousand addresses at once.
        asked = [shared, other, *(f"absent{n}" for n in range(998))]
        sql = writing.HOLDERS_SQL.format(marks=", ".join(["%s"] * len(asked)))
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", asked)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "SEARCH" in plan and "value_index" in plan, plan
    assert "SCAN" not in plan, plan
    # The one who has held an address longest is its holder.
    assert writing._earliest_holders([shared, other]) == {
        shared: people[0].pk,
        other: people[7].pk,
    }
