"""Benchmarks of the people app (`make bench`), each a ratio to a floor measured in the same
run on the same database.

`people.import_100k`: 100,000 rows of an Action Network export imported through the real
service — read back from the encrypted stored file, checked, looked up for duplicates through
the blind indexes, every address encrypted and indexed, written in one transaction — against a
bare `executemany` of the same rows, in clear, into the same tables. The peak of memory is a
property, not a timing: it must not grow with the number of rows, and that is asserted."""

from __future__ import annotations

import gc
import time
import tracemalloc
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from solnet.core.models import new_public_id
from solnet.core.testing.figures import (
    best_of_interleaved,
    ratio_figure,
    record,
    scaled,
    seconds,
)
from solnet.people.imports import files
from solnet.people.imports import services as import_services
from solnet.people.models import ContactChannel, ImportStatus, Person, PersonImport

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]
# A smoke run (SOLNET_BENCH_SCALE) keeps 5,000 rows (person 4242 is looked up) and a small
# import of two batches, where the peak of memory levels off.
ROWS = scaled(100_000, least=5_000)
SMALL = scaled(10_000, least=2 * files.BATCH)


def _phone(n: int) -> str:
    """A different real-looking number for each of 100,000 people, in E.164 as the import
    stores it (+1 206 200-0000 onwards: numbers that exist in the numbering plan)."""
    return f"+1206{200 + n // 10000}{n % 10000:04d}"


def _write_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("uuid,first_name,last_name,email,zip_code,can2_phone\n")
        for n in range(rows):
            handle.write(
                f"0a1b2c3d-{n:04d},Person,Number {n},person{n}@example.org,98122,{_phone(n)}\n"
            )
    return path


def _clear() -> None:
    # Raw: the floor's rows hold plain text, which the encrypted fields would refuse to read.
    with connection.cursor() as cursor:
        for model in (ContactChannel, Person.tags.through, Person):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def _floor(rows: int) -> float:
    """The same people and channels, in clear, with ids given: one executemany per table.
    The rows are made before the clock starts; only the inserts are timed."""
    now = timezone.now()
    today = timezone.localdate()
    person_fields = [f for f in Person._meta.concrete_fields]
    channel_fields = [f for f in ContactChannel._meta.concrete_fields]

    def insert_sql(model, fields):
        quote = connection.ops.quote_name
        return "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )

    plain = {
        "display_name": None,
        "legal_name": None,
        "member": None,
        "tier": 10,
        "joined_on": today,
        "languages": "[]",
        "interpreter_needed": False,
        "notice_needed": "",
        "transport": "",
        "notes": None,
        "last_contact_at": None,
        "created_at": now,
        "updated_at": now,
    }
    people = []
    channels = []
    for n in range(rows):
        values = {
            **plain,
            "id": n + 1,
            "public_id": new_public_id(),  # random, as every record's: the same rows
            "display_name": f"Person Number {n}",
        }
        people.append([values.get(f.name) for f in person_fields])
        for pk, kind, value in (
            (2 * n + 1, "email", f"person{n}@example.org"),
            (2 * n + 2, "call", _phone(n)),
        ):
            channel = {
                "id": pk,
                "person": n + 1,
                "kind": kind,
                "value": value,
                "value_index": None,
                "consent_at": None,
                "opted_out_at": None,
                "created_at": now,
            }
            channels.append([channel[f.name] for f in channel_fields])
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(insert_sql(Person, person_fields), people)
        cursor.executemany(insert_sql(ContactChannel, channel_fields), channels)
    return time.perf_counter() - start


def _prepared(path: Path, organizer) -> PersonImport:
    """Uploaded and checked (the check runs at once here, as the worker would)."""
    with path.open("rb") as handle:
        person_import = files.store_upload(upload=handle, by=organizer)
    import_services.save_mapping(
        person_import=person_import,
        columns=person_import.mapping["columns"],
        phone_kind="call",
        consent=False,
        by=organizer,
    )
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.READY
    return person_import


def _import(person_import: PersonImport, organizer) -> None:
    """The organizer starts the import; the worker (immediate in tests) runs it at commit."""
    import_services.start_import(
        person_import=person_import, default="add", rows={}, skip_errors=False, by=organizer
    )


def _peak_of_import(path: Path, organizer) -> int:
    _clear()
    person_import = _prepared(path, organizer)
    gc.collect()  # what came before is not the import's
    tracemalloc.start()
    try:
        _import(person_import, organizer)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.DONE
    return peak


def test_import_of_100k_people(organizer, tmp_path):
    big = _write_csv(tmp_path / "big.csv", ROWS)
    small = _write_csv(tmp_path / "small.csv", SMALL)

    preparations = []

    def floor() -> float:
        _clear()
        return _floor(ROWS)

    def measured() -> float:
        _clear()
        start = time.perf_counter()
        person_import = _prepared(big, organizer)
        preparations.append(time.perf_counter() - start)
        elapsed = seconds(lambda: _import(person_import, organizer))
        person_import.refresh_from_db()
        assert person_import.status == ImportStatus.DONE
        assert person_import.result["created"] == ROWS
        return elapsed

    floor_time, import_time = best_of_interleaved(floor, measured, repeat=3)
    prepared = min(preparations)
    assert Person.objects.count() == ROWS and ContactChannel.objects.count() == 2 * ROWS
    found = Person.objects.matching(contact="person4242@example.org").get()
    assert found.display_name == "Person Number 4242"
    assert not found.channels.get(kind="email").usable  # no consent was given

    print(
        ratio_figure(
            "people.import_100k", measured=import_time, floor=floor_time, limit=5, unit="s"
        )
    )
    print(
        record(
            "people.import_100k.upload_and_check",
            round(prepared, 3),
            unit="s",
            target="informative",
            ok=True,
        )
    )

    peak_small = _peak_of_import(small, organizer)
    peak_big = _peak_of_import(big, organizer)
    flat = peak_big <= 1.5 * peak_small
    print(
        record(
            "people.import_100k.peak_memory",
            peak_big,
            unit="bytes",
            target=f"<= 1.5 x the peak for {SMALL:,} rows ({peak_small} bytes)",
            ok=flat,
        )
    )
    assert flat, (peak_small, peak_big)
