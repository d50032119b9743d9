"""Imports that take real exports as they are (issue 15): a CiviCRM export, an Action Network
report and an Excel sheet, each in the layout its tool writes (tests/data). Opt-outs are never
consent; languages are read by their CLDR names; spreadsheet dates in the country's order; a
bad value leaves the person in, with a note to check; refused rows can be downloaded;
organizations are left out; numbers are stored in E.164 so duplicates are found however they
were written."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.core.uploads import UPLOAD_SLACK
from solnet.members.models import Tier
from solnet.people import import_values
from solnet.people.imports import files
from solnet.people.imports import services as import_services
from solnet.people.models import ContactChannel, Person, PersonFlag, PersonImport
from solnet.people.tests.importing import checked

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


@pytest.fixture
def organizer_client(personas):
    return sign_in(Client(), personas["organizer"].member)


def _stored(name: str, organizer) -> PersonImport:
    with (DATA / name).open("rb") as handle:
        return files.store_upload(upload=handle, by=organizer)


def _imported(person_import: PersonImport, organizer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_services.start_import(
            person_import=person_import, default="add", rows={}, skip_errors=True, by=organizer
        )
    person_import.refresh_from_db()
    return person_import.result


def _page(client, name: str, person_import: PersonImport) -> str:
    response = client.get(reverse(name, args=[person_import.public_id]))
    assert response.status_code == 200
    return response.content.decode()


# --- 1. opt-outs are never consent ---------------------------------------------------------


def test_civicrm_opt_outs_win_over_the_consent_box(organizer, django_capture_on_commit_callbacks):
    person_import = _stored("civicrm_standard_export.csv", organizer)
    assert person_import.preset == "civicrm"
    columns = dict(
        zip(files.headers_of(person_import), person_import.mapping["columns"], strict=True)
    )
    assert columns["Do Not Email"] == "no_email" and columns["Do Not Phone"] == "no_phone"
    assert columns["Is Opt Out"] == "opt_out" and columns["Contact Type"] == "contact_type"
    person_import = checked(person_import, by=organizer, consent=True, phone_kind="text")
    assert files.load_findings(person_import)["opted_out"] == {"email": 2, "phone": 2}
    _imported(person_import, organizer, django_capture_on_commit_callbacks)

    def channels(name: str) -> dict[str, ContactChannel]:
        return {c.kind: c for c in Person.objects.get(display_name=name).channels.all()}

    ana = channels("Ana Morales")  # Do Not Email
    assert ana["email"].consent_at is None and ana["email"].opted_out_at is not None
    assert ana["text"].usable
    wei = channels("Wei Chen")  # Do Not Phone
    assert wei["email"].usable
    assert wei["text"].consent_at is None and wei["text"].opted_out_at is not None
    abebe = channels("Abebe Bekele")  # Is Opt Out: no bulk email, no texts
    assert all(c.consent_at is None and c.opted_out_at for c in abebe.values())
    assert channels("Luz Ortiz")["email"].usable  # nothing opted out: the box stands


def test_action_network_unsubscribed_is_no_consent(organizer, django_capture_on_commit_callbacks):
    person_import = _stored("action_network_subscriptions.csv", organizer)
    assert person_import.preset == "action_network"
    person_import = checked(person_import, by=organizer, consent=True, phone_kind="text")
    _imported(person_import, organizer, django_capture_on_commit_callbacks)

    def state(name: str, kind: str) -> tuple[bool, bool]:
        channel = Person.objects.get(display_name=name).channels.get(kind=kind)
        return channel.consent_at is not None, channel.opted_out_at is not None

    assert state("Rosa Delgado", "email") == (True, False)
    assert state("Rosa Delgado", "text") == (True, False)
    assert state("Tomás Ibarra", "email") == (False, True)  # email unsubscribed
    assert state("Tomás Ibarra", "text") == (True, False)
    assert state("Lin Park", "text") == (False, True)  # SMS unsubscribed
    assert state("Lin Park", "email") == (True, False)
    assert state("Kai Moana", "email") == (False, False)  # bouncing: no consent, not opted out


def test_a_known_person_s_opt_out_in_the_file_reaches_their_channel(
    organizer, django_capture_on_commit_callbacks
):
    known = Person.objects.create(display_name="Tomás I.")
    channel = ContactChannel.objects.create(
        person=known, kind="email", value="tomas.ibarra@example.org"
    )
    person_import = checked(
        _stored("action_network_subscriptions.csv", organizer), by=organizer, consent=True
    )
    _imported(person_import, organizer, django_capture_on_commit_callbacks)
    channel.refresh_from_db()
    assert channel.opted_out_at is not None and not channel.usable


def test_a_fix_keeps_the_row_s_opt_out(organizer, django_capture_on_commit_callbacks):
    content = "Display Name,Email,Do Not Email,Contact Type\n,not-an-email,1,Individual\n"
    person_import = checked(
        files.store_upload(upload=io.BytesIO(content.encode()), by=organizer),
        by=organizer,
        consent=True,
    )
    assert files.load_findings(person_import)["error_count"] == 1
    import_services.fix_row(
        person_import=person_import,
        row=2,
        values={"display_name": "Ana", "email": "ana@example.org"},
        by=organizer,
    )
    assert files.load_fixes(person_import)["2"]["no_email"] == "1"


# --- 2. languages by their names, kept even without a SolNet interface ---------------------


@pytest.mark.parametrize(
    ("label", "codes", "unknown"),
    [
        ("Spanish; Castilian (Mexico)", ("es",), ()),
        ("Chinese (China)", ("zh",), ()),
        ("Amharic (Ethiopia)", ("am",), ()),
        ("Dutch; Flemish (Belgium)", ("nl",), ()),
        ("Haitian; Haitian Creole (Haiti)", ("ht",), ()),
        ("amárico", ("am",), ()),
        ("zh_TW", ("zh",), ()),
        ("English; Spanish", ("en", "es"), ()),
        ("English, Parseltongue", ("en",), ("Parseltongue",)),
    ],
)
def test_language_labels_are_read_by_their_cldr_names(label, codes, unknown):
    assert import_values.read_languages(label) == (codes, unknown)


def test_a_standard_civicrm_export_keeps_every_language(
    organizer, organizer_client, django_capture_on_commit_callbacks
):
    person_import = checked(_stored("civicrm_standard_export.csv", organizer), by=organizer)
    findings = files.load_findings(person_import)
    assert not any(
        code == "language_unknown"
        for entry in findings["flagged"]
        for _f, code, _p in entry["problems"]
    )
    _imported(person_import, organizer, django_capture_on_commit_callbacks)
    assert Person.objects.get(display_name="Ana Morales").languages == ["es"]
    assert Person.objects.get(display_name="Wei Chen").languages == ["zh"]
    abebe = Person.objects.get(display_name="Abebe Bekele")
    assert abebe.languages == ["am"]  # SolNet has no Amharic pages: kept all the same
    page = organizer_client.get(reverse("people:detail", args=[abebe.public_id]))
    assert page.status_code == 200 and "Amharic" in page.content.decode()
    with translation.override("es"):
        assert import_values.language_label("am") == "amárico"


# --- 3. spreadsheet dates, in the country's order ------------------------------------------


def test_excel_dates_are_read_in_the_network_s_order(organizer, organizer_client, monkeypatch):
    monkeypatch.setattr(import_values, "network_region", lambda: "US")
    person_import = checked(_stored("excel_us_dates.csv", organizer), by=organizer)
    findings = files.load_findings(person_import)
    joined = {entry["display_name"]: entry["joined_on"] for entry in findings["sample"]}
    assert joined == {
        "Dee": "2021-03-24",
        "Eli": "2020-12-01",  # month first, as in the United States
        "Fay": "2021-03-24",  # 24/3 can only be day first
        "Gus": "2021-03-24",
        "Hana": "2021-03-24",  # Excel's serial number
        "Ivo": "2021-03-04",
        "Jo": "2020-12-31",
        "Kim": "2021-03-24",
        "Lou": "",  # not a date: imported without it, noted
    }
    assert findings["valid"] == 9 and findings["error_count"] == 0
    assert findings["dates_assumed"] == 2  # 12/1/2020 and 3/4/21
    page = _page(organizer_client, "people:import_preview", person_import)
    assert "Dates like 3/4/2021 were read as month/day (March 4), as in United States." in page


def test_a_day_first_country_reads_the_same_dates_the_other_way(organizer, monkeypatch):
    monkeypatch.setattr(import_values, "network_region", lambda: "MX")
    person_import = checked(_stored("excel_us_dates.csv", organizer), by=organizer)
    joined = {
        e["display_name"]: e["joined_on"] for e in files.load_findings(person_import)["sample"]
    }
    assert (joined["Eli"], joined["Ivo"], joined["Fay"]) == (
        "2020-01-12",
        "2021-04-03",
        "2021-03-24",
    )
    assert import_values.date_order_text(files.reading_of(person_import)) == (
        "Dates like 3/4/2021 were read as day/month (3 April), as in Mexico."
    )


# --- 4. a bad value leaves the person in, noted ---------------------------------------------


def test_a_bad_optional_value_is_left_out_and_noted(
    organizer, organizer_client, django_capture_on_commit_callbacks
):
    content = (
        "Name,Email,Phone,Languages,Tags,Joined on,Tier\n"
        "Mo,mo@example.org,12,Parseltongue," + "t" * 41 + ",sometime,boss\n"
        ",pat.q@example.org,,,,,\n"
        ",,206 555 0100,,,,\n"
    )
    upload = files.store_upload(upload=io.BytesIO(content.encode()), by=organizer)
    person_import = checked(upload, by=organizer)
    findings = files.load_findings(person_import)
    assert (findings["valid"], findings["error_count"], findings["flagged_count"]) == (2, 1, 2)
    result = _imported(person_import, organizer, django_capture_on_commit_callbacks)
    assert (result["created"], result["skipped"], result["flagged"]) == (2, 1, 2)
    mo = Person.objects.get(display_name="Mo")
    assert [c.kind for c in mo.channels.all()] == ["email"]
    assert (mo.languages, list(mo.tags.all()), mo.tier) == ([], [], 10)
    flags = {f.field: (f.problem, f.value) for f in mo.flags.all()}
    assert flags == {
        "phone": ("phone_invalid", "12"),
        "languages": ("language_unknown", "Parseltongue"),
        "tags": ("tag_too_long", "t" * 41),
        "joined_on": ("date_invalid", "sometime"),
        "tier": ("tier_unknown", "boss"),
    }
    assert all(f.person_import_id == person_import.pk for f in mo.flags.all())
    pat = Person.objects.get(display_name="pat.q")  # named by their email
    assert [f.problem for f in pat.flags.all()] == ["named_by_email"]
    # The dropped value is never stored in clear.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {PersonFlag._meta.db_table} WHERE value IS NOT NULL")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(
        text.startswith("enc1$") and "Parseltongue" not in text for text in stored
    )
    # The report lists them, with their records.
    report = _page(organizer_client, "people:import_detail", person_import)
    assert "2 people recorded without a value that could not be read" in report
    assert reverse("people:detail", args=[mo.public_id]) + "#to-check" in report
    # The person's page says what to check, with a button to dismiss each note.
    page = _page(organizer_client, "people:detail", mo)
    assert "To check" in page
    assert "The phone number “12” was left out: it is not a phone number we can read." in page
    flag = mo.flags.get(field="phone")
    url = reverse("people:flag_dismiss", args=[mo.public_id, flag.public_id])
    assert url in page
    response = organizer_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[mo.public_id])
    assert not PersonFlag.objects.filter(pk=flag.pk).exists() and mo.flags.count() == 4
    event = AuditEvent.objects.get(action="people.flag_dismissed")
    assert event.data == {"field": "phone", "problem": "phone_invalid"}
    # Someone else's flag through this person's address: 404.
    other = Person.objects.get(display_name="pat.q").flags.get()
    assert (
        organizer_client.post(
            reverse("people:flag_dismiss", args=[mo.public_id, other.public_id])
        ).status_code
        == 404
    )


def test_only_record_keepers_see_and_dismiss_the_notes(personas):
    person = Person.objects.create(display_name="Vic")
    flag = PersonFlag.objects.create(
        person=person, field="phone", problem="phone_invalid", value="9"
    )
    member = sign_in(Client(), personas["member"].member)
    url = reverse("people:flag_dismiss", args=[person.public_id, flag.public_id])
    assert member.post(url).status_code == 404
    assert PersonFlag.objects.filter(pk=flag.pk).exists()


# --- 5. refused rows can be downloaded ------------------------------------------------------


def test_refused_rows_download_with_the_file_s_columns_and_a_reason(
    organizer, organizer_client, django_capture_on_commit_callbacks
):
    lines = ["Name,Email,Phone,Notes", "Ana,ana@example.org,,"]
    lines += [f",,206 555 {100 + n:04d},call back {n}" for n in range(24)]
    lines += [',,,=HYPERLINK("http://evil.example")']
    upload = files.store_upload(upload=io.BytesIO("\n".join(lines).encode()), by=organizer)
    person_import = checked(upload, by=organizer)
    preview = _page(organizer_client, "people:import_preview", person_import)
    assert "And 5 more rows with problems" in preview
    url = reverse("people:import_refused", args=[person_import.public_id])
    assert url in preview

    def downloaded() -> list[list[str]]:
        response = organizer_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    rows = downloaded()
    assert rows[0] == ["Name", "Email", "Phone", "Notes", "reason"]
    assert len(rows) == 1 + 25
    assert rows[1] == [
        "",
        "",
        "206 555 0100",
        "call back 0",
        "There is no name and no email address to know them by",
    ]
    assert rows[-1][3] == '\'=HYPERLINK("http://evil.example")'  # kept as text
    # After the import the file is gone, and the refused rows are still there to download.
    _imported(person_import, organizer, django_capture_on_commit_callbacks)
    assert not person_import.chunks.exists()
    assert downloaded() == rows
    assert "Download the skipped rows" in _page(
        organizer_client, "people:import_detail", person_import
    )


def test_refused_rows_are_the_uploader_s_alone(organizer, network):
    content = b"Name,Email,Phone\nAna,ana@example.org,\n,,206 555 0100\n"
    person_import = checked(
        files.store_upload(upload=io.BytesIO(content), by=organizer), by=organizer
    )
    other, _secret = make_member("second_organizer", tier=Tier.ORGANIZING_TEAM)
    client = sign_in(Client(), other)
    url = reverse("people:import_refused", args=[person_import.public_id])
    assert client.get(url).status_code == 404


# --- 6. organizations are left out, and the page says so ----------------------------------


def test_civicrm_organizations_and_households_are_left_out(
    organizer, organizer_client, django_capture_on_commit_callbacks
):
    person_import = checked(_stored("civicrm_standard_export.csv", organizer), by=organizer)
    findings = files.load_findings(person_import)
    assert findings["left_out"] == {"household": 1, "organization": 2}
    assert findings["error_count"] == 1  # row 8: no name, no email
    page = _page(organizer_client, "people:import_preview", person_import)
    assert (
        "2 organizations left out: SolNet keeps people; add employers and landlords as a "
        "fight\N{RIGHT SINGLE QUOTATION MARK}s target." in page
    )
    assert "1 household left out" in page
    result = _imported(person_import, organizer, django_capture_on_commit_callbacks)
    assert (result["left_out_organization"], result["left_out_household"]) == (2, 1)
    names = set(Person.objects.values_list("display_name", flat=True))
    assert names == {"Ana Morales", "Wei Chen", "Abebe Bekele", "Luz Ortiz"}
    # Organizations are not refused rows either: not in the download.
    response = organizer_client.get(
        reverse("people:import_refused", args=[person_import.public_id])
    )
    assert "Acme" not in response.content.decode("utf-8-sig")


# --- 7. the proxy in the deployment guide takes what SolNet takes ---------------------------


def test_the_nginx_example_accepts_the_largest_upload():
    guide = (Path(settings.BASE_DIR) / "docs" / "deployment.md").read_text()
    sizes = re.findall(r"client_max_body_size\s+(\d+)m;", guide)
    assert sizes, "the nginx example sets client_max_body_size"
    assert all(int(size) * 1024 * 1024 >= files.MAX_UPLOAD_BYTES + UPLOAD_SLACK for size in sizes)


# --- 8. numbers in E.164: local numbers, and duplicates however written ---------------------


def test_local_numbers_are_read_with_the_area_code_and_found_as_duplicates(
    organizer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(import_values, "network_region", lambda: "US")
    content = (
        "Name,Phone\n"
        "Ann,(253) 555-2155\n"
        "Ben,253.555.2157\n"
        "Cal,1-253-555-2159\n"
        "Dot,555-2158\n"
        "Eve,+1 253 555 2155\n"
    )
    upload = files.store_upload(upload=io.BytesIO(content.encode()), by=organizer)
    person_import = checked(upload, by=organizer, area_code="253")
    findings = files.load_findings(person_import)
    assert (findings["valid"], findings["flagged_count"]) == (5, 0)
    phones = {entry["display_name"]: entry["phone"] for entry in findings["sample"]}
    assert phones == {
        "Ann": "+12535552155",
        "Ben": "+12535552157",
        "Cal": "+12535552159",
        "Dot": "+12535552158",
        "Eve": "+12535552155",
    }
    assert [(d["row"], d["earlier_row"], d["on"]) for d in findings["duplicates"]] == [
        (6, 2, "phone")
    ]
    result = _imported(person_import, organizer, django_capture_on_commit_callbacks)
    assert (result["created"], result["added_to_existing"]) == (4, 1)
    assert Person.objects.matching(contact="253-555-2155").get().display_name == "Ann"
    assert Person.objects.matching(contact="+1 253 555 2158").get().display_name == "Dot"
