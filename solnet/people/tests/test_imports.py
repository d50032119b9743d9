"""Importing people from a CSV file: presets, columns, the preview with its row errors, fixes
and duplicates, consent, streaming, access, and what is kept (or not) afterwards."""

from __future__ import annotations

import gc
import io
import json
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.core.retention import purge_expired
from solnet.members.models import Tier
from solnet.people import import_rows
from solnet.people.imports import files, progress, writing
from solnet.people.imports import services as import_services
from solnet.people.models import (
    ContactChannel,
    ImportStatus,
    Person,
    PersonImport,
    PersonImportChunk,
    Tag,
)
from solnet.people.tests.importing import checked, upload

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


@pytest.fixture
def organizer_client(personas):
    return sign_in(Client(), personas["organizer"].member)


@pytest.fixture
def run_at_commit(django_capture_on_commit_callbacks):
    """Runs what is queued on commit (the check, the import) as the worker would."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def _upload_file(client, name: str, content: bytes | None = None):
    data = content if content is not None else (DATA / name).read_bytes()
    handle = io.BytesIO(data)
    handle.name = name
    return client.post(reverse("people:import_new"), {"file": handle})


def _import_of(response) -> PersonImport:
    public_id = response["Location"].rstrip("/").split("/")[-2]
    return PersonImport.objects.get(public_id=public_id)


def _columns_data(person_import: PersonImport, **changes) -> dict:
    columns = dict(enumerate(person_import.mapping["columns"]))
    columns.update(changes.pop("columns", {}))
    data = {f"column_{i}": target for i, target in columns.items()}
    data.update({"phone_kind": "call", **changes})
    return data


def _known(name: str, email: str = "", phone: str = "") -> Person:
    person = Person.objects.create(display_name=name)
    if email:
        ContactChannel.objects.create(person=person, kind="email", value=email)
    if phone:
        ContactChannel.objects.create(person=person, kind="call", value=phone)
    return person


# --- presets and columns -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "preset", "expected"),
    [
        (
            "action_network.csv",
            "action_network",
            {1: "first_name", 2: "last_name", 3: "email", 9: "phone", 10: "tags", 11: "joined_on"},
        ),
        (
            "civicrm.csv",
            "civicrm",
            {
                1: "contact_type",
                2: "display_name",
                3: "first_name",
                4: "last_name",
                5: "email",
                6: "phone",
                7: "languages",
                8: "tags",
            },
        ),
        (
            "spreadsheet.csv",
            "spreadsheet",
            {
                0: "display_name",
                1: "email",
                2: "phone",
                3: "languages",
                4: "tags",
                5: "notes",
                6: "joined_on",
                7: "tier",
            },
        ),
        (
            "spreadsheet_semicolons.csv",
            "spreadsheet",
            {0: "display_name", 1: "email", 2: "phone", 3: "languages"},
        ),
    ],
)
def test_presets_are_detected_from_real_looking_exports(organizer, name, preset, expected):
    with (DATA / name).open("rb") as handle:
        person_import = files.store_upload(upload=handle, by=organizer)
    assert person_import.preset == preset
    columns = person_import.mapping["columns"]
    assert {i: target for i, target in enumerate(columns) if target != "ignore"} == expected
    assert person_import.status == ImportStatus.UPLOADED


def test_every_preset_reads_its_own_export_into_people(organizer):
    results = {}
    for name in ("action_network.csv", "civicrm.csv", "spreadsheet.csv"):
        with (DATA / name).open("rb") as handle:
            person_import = checked(files.store_upload(upload=handle, by=organizer), by=organizer)
        results[name] = {
            entry["display_name"]: entry for entry in files.load_findings(person_import)["sample"]
        }
    action_network = results["action_network.csv"]
    assert action_network["Rosa Delgado"]["phone"] == "+12065550101"  # E.164
    assert action_network["Rosa Delgado"]["joined_on"] == "2024-03-02"
    assert action_network["Rosa Delgado"]["tags"] == ["rent strike", "building A"]
    civicrm = results["civicrm.csv"]
    # The display name wins; first and last name stand in where it is empty.
    assert set(civicrm) == {"Ana Morales", "Bill Tran", "Carmen R."}
    assert civicrm["Ana Morales"]["languages"] == ["es"]  # "Spanish (Mexico)"
    assert civicrm["Bill Tran"]["languages"] == ["en"]  # "en_US"
    spreadsheet = results["spreadsheet.csv"]
    assert spreadsheet["Dee"]["languages"] == ["en", "es"]
    assert spreadsheet["Dee"]["tier"] == Tier.PHONE_TREE
    assert spreadsheet["Dee"]["joined_on"] == "2023-11-04"
    assert spreadsheet["Fay"]["tags"] == ["night shift", "drivers"]


def test_the_organizer_adjusts_the_columns_and_can_apply_another_preset(
    organizer_client, run_at_commit
):
    response = _upload_file(organizer_client, "spreadsheet.csv")
    assert response.status_code == 302
    person_import = _import_of(response)
    page = organizer_client.get(reverse("people:import_columns", args=[person_import.public_id]))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="column_0"' in content and "For example: Dee" in content
    # The preset form only changes the proposal, never the stored mapping.
    page = organizer_client.get(
        reverse("people:import_columns", args=[person_import.public_id]), {"preset": "civicrm"}
    )
    assert page.context["form"].initial["column_0"] == "ignore"
    # Leave the notes out; the check then runs with that mapping.
    response = run_at_commit(
        organizer_client.post,
        reverse("people:import_columns", args=[person_import.public_id]),
        _columns_data(person_import, columns={5: "ignore"}),
    )
    assert response.status_code == 302
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.READY
    assert person_import.mapping["columns"][5] == "ignore"
    sample = files.load_findings(person_import)["sample"]
    assert all(entry["notes"] == "" for entry in sample)


def test_a_mapping_without_a_name_or_with_two_email_columns_is_refused(organizer_client):
    person_import = _import_of(_upload_file(organizer_client, "spreadsheet.csv"))
    url = reverse("people:import_columns", args=[person_import.public_id])
    response = organizer_client.post(url, _columns_data(person_import, columns={0: "ignore"}))
    assert response.status_code == 422
    assert "Choose the column with the name" in response.content.decode()
    response = organizer_client.post(url, _columns_data(person_import, columns={2: "email"}))
    assert response.status_code == 422
    assert "Only one column can go to “Email”" in response.content.decode()
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.UPLOADED


# --- bad files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Name,Email\nJosé,jose@example.org\n".encode("latin-1"), "not written in UTF-8"),
        ("Name\nAna\n".encode("utf-16"), "not written in UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "not a CSV file"),
        (b"", "The submitted file is empty"),
        (b"Name,Email\n", "only a header row"),
        (b",,\nAna,ana@example.org,\n", "must name the columns"),
        (b'Name,Email\n"Ana,ana@example.org\n' + b"x" * 140_000, "cannot be read as CSV"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error(organizer_client, content, message):
    response = _upload_file(organizer_client, "people.csv", content)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not PersonImport.objects.exists() and not PersonImportChunk.objects.exists()


def test_an_uploaded_file_never_touches_the_disk_in_clear(organizer_client, settings, monkeypatch):
    """Django writes uploads over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file; the import
    keeps them in memory (up to its own cap) and stores them encrypted."""
    from django.core.files import uploadedfile

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    written = []
    real_init = uploadedfile.TemporaryUploadedFile.__init__

    def spy(self, *args, **kwargs):
        written.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", spy)
    response = _upload_file(organizer_client, "spreadsheet.csv")
    assert response.status_code == 302
    assert written == []
    assert PersonImport.objects.get().total_rows == 3


def test_a_file_with_a_byte_order_mark_is_read(organizer):
    person_import = upload(b"\xef\xbb\xbfName,Email\nAna,ana@example.org\n", by=organizer)
    assert files.headers_of(person_import) == ["Name", "Email"]
    assert person_import.mapping["columns"] == ["display_name", "email"]


def test_a_file_over_the_size_cap_is_refused_unread(organizer_client, organizer, monkeypatch):
    monkeypatch.setattr(files, "MAX_UPLOAD_BYTES", 1000)
    big = b"Name,Email\n" + b"Ana,ana@example.org\n" * 200
    response = _upload_file(organizer_client, "people.csv", big)
    assert response.status_code == 422
    assert "larger than" in response.content.decode()
    assert not PersonImport.objects.exists()
    # The service refuses it too, whoever calls it.
    monkeypatch.setattr(files, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than"):
        files.store_upload(upload=io.BytesIO(big), by=organizer)


def test_the_upload_needs_a_csrf_token(organizer):
    client = sign_in(Client(enforce_csrf_checks=True), organizer)
    response = _upload_file(client, "spreadsheet.csv")
    assert response.status_code == 403
    assert not PersonImport.objects.exists()


# --- the preview ---------------------------------------------------------------------------


def test_the_preview_names_each_bad_value_and_each_refused_row(organizer_client, run_at_commit):
    content = (
        "Name,Email,Phone,Languages,Joined on,Tier,Tags\n"
        "Ana,ana@example.org,,,,,\n"
        ",,206 555 0100,,,,\n"
        "Bea,bea@,abc,Parseltongue,99/99/2023,boss," + "x" * 41 + "\n"
        "Cy,cy@example.org,,French,,,\n"
        ",dee.w@example.org,,,,,\n"
    )
    person_import = _import_of(_upload_file(organizer_client, "p.csv", content.encode()))
    run_at_commit(
        organizer_client.post,
        reverse("people:import_columns", args=[person_import.public_id]),
        _columns_data(person_import),
    )
    response = organizer_client.get(reverse("people:import_detail", args=[person_import.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_preview", args=[person_import.public_id])
    page = organizer_client.get(response["Location"]).content.decode()
    for text in (
        "Row 3: there is no name and no email address to know them by.",
        "Row 4: the email “bea@” is not an email address.",
        "Row 4: the phone number “abc” is not a phone number.",
        "Row 4: “Parseltongue” is not a language we know.",
        "Row 4: “99/99/2023” is not a date we can read.",
        "Row 4: “boss” is not a tier",
        "Row 4: the tag “" + "x" * 41 + "” is longer than 40 characters.",
        "Row 6: there is no name: they are called “dee.w” from their email.",
    ):
        assert text.replace("“", "&ldquo;").replace("”", "&rdquo;") in page or text in page, text
    findings = files.load_findings(PersonImport.objects.get(pk=person_import.pk))
    assert (findings["rows"], findings["valid"], findings["error_count"]) == (5, 4, 1)
    assert findings["flagged_count"] == 2
    assert [entry["row"] for entry in findings["errors"]] == [3]
    sample = {entry["display_name"]: entry for entry in findings["sample"]}
    assert list(sample) == ["Ana", "Bea", "Cy", "dee.w"]
    # French is kept although SolNet's pages do not come in French.
    assert sample["Cy"]["languages"] == ["fr"]
    assert (sample["Bea"]["email"], sample["Bea"]["phone"], sample["Bea"]["tags"]) == ("", "", [])


def test_problems_are_told_in_the_reader_s_language():
    from django.utils import translation

    with translation.override("es"):
        spanish = import_rows.row_problem_text(7, "email_invalid", {"value": "x@"})
    with translation.override("en"):
        english = import_rows.row_problem_text(7, "email_invalid", {"value": "x@"})
    assert english == "Row 7: the email “x@” is not an email address."
    assert "7" in spanish and "x@" in spanish


def test_a_bad_row_is_fixed_in_the_page_and_the_fix_is_kept(organizer_client, run_at_commit):
    person_import = _import_of(_upload_file(organizer_client, "action_network.csv"))
    run_at_commit(
        organizer_client.post,
        reverse("people:import_columns", args=[person_import.public_id]),
        _columns_data(person_import),
    )
    preview = organizer_client.get(reverse("people:import_preview", args=[person_import.public_id]))
    form = preview.context["errors"][0]["form"]
    assert preview.context["errors"][0]["row"] == 4
    assert form.initial["email"] == "mei@example" and form.initial["display_name"] == ""
    fix_url = reverse("people:import_fix", args=[person_import.public_id, 4])
    # A fix is checked like a row of the file.
    response = organizer_client.post(fix_url, {"row4-display_name": "Mei", "row4-email": "mei@"})
    assert response.status_code == 422
    assert "The email “mei@” is not an email address." in response.content.decode()
    assert files.load_fixes(PersonImport.objects.get(pk=person_import.pk)) == {}
    response = run_at_commit(
        organizer_client.post,
        fix_url,
        {"row4-display_name": "Mei Chen", "row4-email": "mei@example.org", "row4-tags": "new"},
    )
    assert response.status_code == 302
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.READY
    assert files.load_fixes(person_import)["4"]["email"] == "mei@example.org"
    findings = files.load_findings(person_import)
    assert findings["error_count"] == 0
    run_at_commit(
        organizer_client.post,
        reverse("people:import_start", args=[person_import.public_id]),
        {f"row_{d['row']}": "add" for d in findings["duplicates"]},
    )
    mei = Person.objects.get(display_name="Mei Chen")
    assert [c.value for c in mei.channels.all()] == ["mei@example.org"]
    assert [t.name for t in mei.tags.all()] == ["new"]


def test_rows_with_problems_hold_the_import_until_the_organizer_skips_them(
    organizer_client, run_at_commit
):
    person_import = _import_of(_upload_file(organizer_client, "action_network.csv"))
    run_at_commit(
        organizer_client.post,
        reverse("people:import_columns", args=[person_import.public_id]),
        _columns_data(person_import),
    )
    url = reverse("people:import_start", args=[person_import.public_id])
    response = organizer_client.post(url, {"row_6": "add"})
    assert response.status_code == 422
    assert "Some rows have problems" in response.content.decode()
    assert not Person.objects.exists()
    response = run_at_commit(organizer_client.post, url, {"row_6": "add", "skip_errors": "on"})
    assert response.status_code == 302
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.DONE
    assert person_import.result["skipped"] == 1
    assert not Person.objects.filter(display_name="Mei").exists()


# --- duplicates ----------------------------------------------------------------------------


def test_duplicates_are_found_in_the_file_and_among_people_recorded(
    organizer_client, run_at_commit
):
    sam = _known("Sam O.", email="Sam.Okafor@example.org")
    jordan = _known("J. Lee", phone="(206) 555 0104")
    person_import = _import_of(_upload_file(organizer_client, "action_network.csv"))
    run_at_commit(
        organizer_client.post,
        reverse("people:import_columns", args=[person_import.public_id]),
        _columns_data(person_import),
    )
    page = organizer_client.get(reverse("people:import_preview", args=[person_import.public_id]))
    duplicates = {entry["row"]: entry for entry, _field in page.context["duplicates"]}
    assert set(duplicates) == {5, 6, 7}
    assert duplicates[5]["existing"]["public_id"] == jordan.public_id
    assert duplicates[5]["on"] == "phone"
    assert duplicates[6]["earlier_row"] == 2 and duplicates[6]["on"] == "email"
    assert duplicates[7]["existing"]["name"] == "Sam O."
    content = page.content.decode()
    assert 'id="duplicate-6"' in content and "same email address as row 2" in content
    # Row 5 adds its details to Jordan, row 6 is skipped, row 7 makes a new Sam anyway.
    run_at_commit(
        organizer_client.post,
        reverse("people:import_start", args=[person_import.public_id]),
        {"row_5": "add", "row_6": "skip", "row_7": "create", "skip_errors": "on"},
    )
    person_import.refresh_from_db()
    result = person_import.result
    assert (result["created"], result["added_to_existing"], result["skipped_duplicates"]) == (
        3,
        1,
        1,
    )
    assert {p.display_name for p in Person.objects.all()} == {
        "Sam O.",
        "J. Lee",
        "Rosa Delgado",
        "Tomás Ibarra",
        "Sam Okafor",
    }
    jordan_channels = {c.kind: c.value for c in jordan.channels.all()}
    assert jordan_channels == {"call": "(206) 555 0104", "email": "jordan.lee@example.org"}
    assert [t.name for t in jordan.tags.all()] == ["building A"]
    new_sam = Person.objects.get(display_name="Sam Okafor")
    assert result["possible_duplicates"] == [[new_sam.public_id, sam.public_id]]
    done = organizer_client.get(reverse("people:import_detail", args=[person_import.public_id]))
    assert reverse("people:merge", args=[sam.public_id, new_sam.public_id]) in done.content.decode()


def test_a_row_that_repeats_an_earlier_row_adds_its_details_to_it(organizer, run_at_commit):
    content = (
        "Name,Email,Phone,Tags,Notes\n"
        "Rosa,rosa@example.org,,rent strike,\n"
        "Rosa D.,ROSA@example.org,206 555 0101,building A,Has a car\n"
        "Someone,other@example.org,(206) 555-0101,,\n"
    )
    person_import = checked(upload(content, by=organizer), by=organizer)
    duplicates = files.load_findings(person_import)["duplicates"]
    assert [(d["row"], d["earlier_row"]) for d in duplicates] == [(3, 2), (4, 3)]
    run_at_commit(
        import_services.start_import,
        person_import=person_import,
        default="add",
        rows={},
        skip_errors=False,
        by=organizer,
    )
    rosa = Person.objects.get()
    assert rosa.display_name == "Rosa"
    assert sorted(c.value for c in rosa.channels.all()) == [
        "+12065550101",  # as read_phone writes it, E.164
        "other@example.org",
        "rosa@example.org",
    ]
    assert sorted(t.name for t in rosa.tags.all()) == ["building A", "rent strike"]
    assert rosa.notes == "Has a car"


@pytest.mark.parametrize("decision", ["add", "skip", "create"])
def test_each_choice_about_a_duplicate_does_what_it_says(organizer, run_at_commit, decision):
    known = _known("Lupe", email="lupe@example.org")
    content = "Name,Email,Phone,Languages\nLupe G.,lupe@example.org,206 555 0177,es\n"
    person_import = checked(upload(content, by=organizer), by=organizer)
    run_at_commit(
        import_services.start_import,
        person_import=person_import,
        default="skip",
        rows={2: decision},
        skip_errors=False,
        by=organizer,
    )
    known.refresh_from_db()
    people = Person.objects.count()
    channels = sorted(c.kind for c in known.channels.all())
    if decision == "add":
        assert people == 1 and channels == ["call", "email"] and known.languages == ["es"]
    elif decision == "skip":
        assert people == 1 and channels == ["email"] and known.languages == []
    else:
        assert people == 2 and channels == ["email"]
        assert Person.objects.get(display_name="Lupe G.").channels.count() == 2


# --- consent -------------------------------------------------------------------------------


@pytest.mark.parametrize("consent", [False, True])
def test_channels_are_usable_only_when_the_organizer_says_people_agreed(
    organizer_client, run_at_commit, consent
):
    person_import = _import_of(_upload_file(organizer_client, "spreadsheet.csv"))
    data = _columns_data(person_import, phone_kind="text")
    if consent:
        data["consent"] = "on"
    run_at_commit(
        organizer_client.post,
        reverse("people:import_columns", args=[person_import.public_id]),
        data,
    )
    preview = organizer_client.get(reverse("people:import_preview", args=[person_import.public_id]))
    assert ("nobody may use them until" in preview.content.decode()) is not consent
    run_at_commit(
        organizer_client.post, reverse("people:import_start", args=[person_import.public_id]), {}
    )
    dee = Person.objects.get(display_name="Dee")
    kinds = {c.kind: c for c in dee.channels.all()}
    assert set(kinds) == {"email", "text"}
    assert all(c.usable is consent for c in kinds.values())
    assert all((c.consent_at is not None) is consent for c in kinds.values())


# --- the import itself ---------------------------------------------------------------------


def _generated(rows: int, *, start: int = 0) -> bytes:
    lines = ["first_name,last_name,email,zip_code,can2_phone,can2_user_tags"]
    for n in range(start, start + rows):
        lines.append(
            f"Person,Number {n},person{n}@example.org,98122,+1206{200 + n // 10000}{n % 10000:04d},"
            f"{'night shift' if n % 3 else 'day shift'}"
        )
    return ("\n".join(lines) + "\n").encode()


def test_a_big_file_is_stored_in_encrypted_chunks_and_imported_whole(organizer):
    person_import = upload(_generated(2500), by=organizer)
    assert person_import.total_rows == 2500
    assert PersonImportChunk.objects.filter(person_import=person_import).count() == 11
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rows FROM {PersonImportChunk._meta.db_table}")
        stored = [row[0] for row in cursor.fetchall()]
    assert all(text.startswith("enc1$") and "example.org" not in text for text in stored)
    person_import = checked(person_import, by=organizer, consent=True)
    import_services.start_import(
        person_import=person_import, default="add", rows={}, skip_errors=False, by=organizer
    )
    writing.run_import(public_id=person_import.public_id)
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.DONE
    assert person_import.result["created"] == 2500
    assert Person.objects.count() == 2500 and ContactChannel.objects.count() == 5000
    assert Person.tags.through.objects.count() == 2500 and Tag.objects.count() == 2
    found = Person.objects.matching(contact="PERSON1234@example.org").get()
    assert found.display_name == "Person Number 1234"
    assert Person.objects.matching(contact="(206) 200-1234").get() == found
    # The file is gone with the import, and so is what the check found in it.
    assert not PersonImportChunk.objects.exists()
    assert person_import.findings is None and person_import.fixes is None


def _peak_of_import(organizer, rows: int) -> int:
    Person.objects.all().delete()
    person_import = checked(upload(_generated(rows), by=organizer), by=organizer)
    import_services.start_import(
        person_import=person_import, default="add", rows={}, skip_errors=False, by=organizer
    )
    gc.collect()  # what earlier tests left behind is not the import's
    tracemalloc.start()
    try:
        writing.run_import(public_id=person_import.public_id)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Person.objects.count() == rows
    return peak


def test_the_import_streams_its_file_so_memory_stays_flat(organizer):
    """The peak for 4,000 rows is hardly above the peak for 1,000: the import holds one
    stored chunk and one batch at a time, never the whole file."""
    # Warm up caches: keys, language and tier names, and PostgreSQL's driver, which prepares
    # a statement once it has run five times (here, after five batches) and keeps it.
    _peak_of_import(organizer, 6 * files.BATCH)
    small = _peak_of_import(organizer, 1000)
    large = _peak_of_import(organizer, 4000)
    print(f"peak: {small} bytes for 1,000 rows, {large} bytes for 4,000")
    assert large < small * 1.25, (small, large)


def test_a_failing_import_leaves_nobody_and_says_so(organizer, monkeypatch, run_at_commit):
    person_import = checked(upload(_generated(1200), by=organizer), by=organizer)
    calls = {"n": 0}
    real_insert = writing._Writer.insert

    def insert_then_break(self, plans):
        calls["n"] += 1
        if calls["n"] == 3:  # after two batches were written
            raise RuntimeError("disk full")
        real_insert(self, plans)

    monkeypatch.setattr(writing._Writer, "insert", insert_then_break)
    run_at_commit(
        import_services.start_import,
        person_import=person_import,
        default="add",
        rows={},
        skip_errors=False,
        by=organizer,
    )
    person_import.refresh_from_db()
    assert calls["n"] == 3
    assert person_import.status == ImportStatus.FAILED
    assert not Person.objects.exists() and not ContactChannel.objects.exists()
    assert AuditEvent.objects.filter(action="people.import_failed").count() == 1
    assert PersonImportChunk.objects.filter(person_import=person_import).exists()
    # Started again, it imports everyone.
    monkeypatch.setattr(writing._Writer, "insert", real_insert)
    run_at_commit(import_services.restart_import, person_import=person_import, by=organizer)
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.DONE and Person.objects.count() == 1200


def test_the_audit_log_gets_counts_and_never_personal_data(organizer, run_at_commit):
    person_import = checked(
        files.store_upload(upload=(DATA / "action_network.csv").open("rb"), by=organizer),
        by=organizer,
    )
    run_at_commit(
        import_services.start_import,
        person_import=person_import,
        default="add",
        rows={},
        skip_errors=True,
        by=organizer,
    )
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="people.import")}
    assert events["people.import_uploaded"].data == {"rows": 6, "columns": 12}
    imported = events["people.imported"]
    assert imported.data == {
        "rows": 6,
        "created": 4,
        "added_to_existing": 1,
        "skipped_duplicates": 0,
        "skipped": 1,
        "left_out_household": 0,
        "left_out_organization": 0,
        "flagged": 0,
    }
    assert imported.actor_id == organizer.pk
    text = json.dumps([e.data for e in events.values()] + [e.target for e in events.values()])
    for personal in ("Rosa", "Delgado", "example.org", "555"):
        assert personal not in text


# --- the progress page ---------------------------------------------------------------------


def test_the_progress_page_shows_rows_done_and_htmx_gets_the_fragment(organizer_client, organizer):
    person_import = checked(upload(_generated(10), by=organizer), by=organizer)
    PersonImport.objects.filter(pk=person_import.pk).update(status=ImportStatus.RUNNING)
    beat = progress.Beat(person_import, total=10)
    beat(4)
    url = reverse("people:import_detail", args=[person_import.public_id])
    page = organizer_client.get(url)
    content = page.content.decode()
    assert page.status_code == 200
    assert "4 of 10 rows" in content and 'value="4"' in content
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in content
    assert 'hx-trigger="every 2s"' in content and 'id="import-reload"' in content
    fragment = organizer_client.get(url, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<section id="import-status"')
    assert "<html" not in fragment.content.decode()
    # Once it is over, htmx reloads the whole page, which then shows the outcome.
    PersonImport.objects.filter(pk=person_import.pk).update(status=ImportStatus.FAILED)
    beat.end()
    fragment = organizer_client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 204 and fragment["HX-Refresh"] == "true"
    assert 'id="import-failed"' in organizer_client.get(url).content.decode()


def test_an_import_whose_worker_died_shows_as_interrupted_and_restarts(
    organizer_client, organizer, run_at_commit
):
    person_import = checked(upload(_generated(30), by=organizer), by=organizer)
    import_services.start_import(
        person_import=person_import, default="add", rows={}, skip_errors=False, by=organizer
    )
    PersonImport.objects.filter(pk=person_import.pk).update(status=ImportStatus.RUNNING)
    person_import.refresh_from_db()
    beat = progress.Beat(person_import, total=30)
    beat(10)
    assert not progress.is_interrupted(person_import)
    # A worker that stopped reporting long ago is taken for dead...
    stale = cache.get(f"people-import:{person_import.public_id}")
    cache.set(
        f"people-import:{person_import.public_id}",
        {**stale, "at": time.time() - files.LEASE_SECONDS - 1},
    )
    assert progress.is_interrupted(person_import)
    # ...and so is one whose process is gone from this machine.
    cache.set(f"people-import:{person_import.public_id}", {**stale, "pid": 2**22 + 12345})
    assert progress.is_interrupted(person_import)
    url = reverse("people:import_detail", args=[person_import.public_id])
    assert 'id="import-failed"' in organizer_client.get(url).content.decode()
    run_at_commit(
        organizer_client.post, reverse("people:import_restart", args=[person_import.public_id])
    )
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.DONE and Person.objects.count() == 30
    assert AuditEvent.objects.filter(action="people.import_restarted").count() == 1


def test_a_running_import_cannot_be_restarted_or_deleted(organizer_client, organizer):
    person_import = checked(upload(_generated(5), by=organizer), by=organizer)
    PersonImport.objects.filter(pk=person_import.pk).update(status=ImportStatus.RUNNING)
    progress.Beat(person_import, total=5)(1)
    response = organizer_client.post(
        reverse("people:import_restart", args=[person_import.public_id])
    )
    assert response.status_code == 302
    response = organizer_client.post(
        reverse("people:import_delete", args=[person_import.public_id])
    )
    assert response.status_code == 302
    person_import.refresh_from_db()
    assert person_import.status == ImportStatus.RUNNING


def test_the_command_runs_only_a_queued_import(organizer):
    from django.core.management import CommandError, call_command

    person_import = checked(upload(_generated(3), by=organizer), by=organizer)
    with pytest.raises(CommandError, match="only a queued import"):
        call_command("run_person_import", person_import.public_id)
    import_services.start_import(
        person_import=person_import, default="add", rows={}, skip_errors=False, by=organizer
    )
    out = io.StringIO()
    call_command("run_person_import", person_import.public_id, stdout=out)
    assert "3 people recorded" in out.getvalue()


def test_the_command_takes_an_id_that_begins_with_a_dash(organizer):
    """Ids made before they stopped beginning with "-" still run, given after `--`."""
    from django.core.management import call_command

    person_import = checked(upload(_generated(2), by=organizer), by=organizer)
    PersonImport.objects.filter(pk=person_import.pk).update(public_id="-dash-first-id")
    person_import.refresh_from_db()
    import_services.start_import(
        person_import=person_import, default="add", rows={}, skip_errors=False, by=organizer
    )
    out = io.StringIO()
    call_command("run_person_import", "--", "-dash-first-id", stdout=out)
    assert "2 people recorded" in out.getvalue()


def test_new_public_ids_never_begin_with_a_dash():
    """One in 64 random ids would, and a command line reads it as an option."""
    from solnet.core.models import new_public_id

    assert not any(new_public_id().startswith("-") for _ in range(2000))


# --- access, retention ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supporter", "phone_tree", "member", "dispatcher"])
def test_only_organizers_reach_the_import(personas, persona, organizer):
    person_import = upload(_generated(2), by=organizer)
    client = sign_in(Client(), personas[persona].member)
    for url in (
        reverse("people:import_new"),
        reverse("people:import_detail", args=[person_import.public_id]),
        reverse("people:import_columns", args=[person_import.public_id]),
    ):
        assert client.get(url).status_code == 404
    assert _upload_file(client, "spreadsheet.csv").status_code == 404
    assert PersonImport.objects.count() == 1


def test_an_outsider_is_sent_to_sign_in(organizer):
    person_import = upload(_generated(2), by=organizer)
    response = Client().get(reverse("people:import_preview", args=[person_import.public_id]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_import_is_its_uploader_s_alone(organizer, network):
    other, _secret = make_member("second_organizer", tier=Tier.ORGANIZING_TEAM)
    person_import = upload(_generated(2), by=organizer)
    client = sign_in(Client(), other)
    assert client.get(reverse("people:import_new")).status_code == 200
    assert (
        client.get(reverse("people:import_detail", args=[person_import.public_id])).status_code
        == 404
    )
    response = client.post(reverse("people:import_delete", args=[person_import.public_id]))
    assert response.status_code == 404 and PersonImport.objects.filter(pk=person_import.pk)
    with pytest.raises(PermissionDenied):
        import_services.delete_import(person_import=person_import, by=other)


def test_uploads_never_imported_are_purged(organizer, run_at_commit):
    person_import = checked(upload(_generated(5), by=organizer), by=organizer)
    PersonImportChunk.objects.update(created_at=timezone.now() - timedelta(days=8))
    purge_expired()
    assert not PersonImportChunk.objects.exists()
    assert PersonImport.objects.filter(pk=person_import.pk).exists()
    # Without its file the import cannot start, and a worker never calls it done.
    with pytest.raises(ValidationError, match="deleted after a week"):
        import_services.start_import(
            person_import=person_import, default="add", rows={}, skip_errors=False, by=organizer
        )
    PersonImport.objects.filter(pk=person_import.pk).update(status=ImportStatus.QUEUED)
    writing.run_import(public_id=person_import.public_id)
    person_import.refresh_from_db()
    assert (person_import.status, person_import.failure) == (ImportStatus.FAILED, "gone")
    assert not Person.objects.exists()
    PersonImport.objects.update(created_at=timezone.now() - timedelta(days=31))
    purge_expired()
    assert not PersonImport.objects.exists()


def test_dates_tiers_and_languages_are_read_leniently():
    values = dict.fromkeys(import_rows.VALUE_FIELDS, "")
    parsed, problems = import_rows.validate(
        {
            **values,
            "display_name": "  Ana   María ",
            "languages": "English (United States); español / es_MX",
            "joined_on": "2024-03-02 17:36:27",
            "tier": "Organizing team",
        },
        import_rows.reading_for(region="US"),
    )
    assert problems == []
    assert parsed.display_name == "Ana María"
    assert parsed.languages == ["en", "es"]
    assert parsed.joined_on == date(2024, 3, 2)
    assert parsed.tier == Tier.ORGANIZING_TEAM
