"""Fixture contact details never reach the disk in clear: not the SQLite file, not its WAL, not
a dump (SECURITY.md P-2). On PostgreSQL the dump is pg_dump's."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from conftest import make_member
from solnet.fights.models import Fight, Lead
from solnet.members import services
from solnet.members.models import Tier
from solnet.people.models import ContactChannel, Person

FIXTURE_PII = [
    "ana.lucia.ramos@example.org",
    "+1 206 555 0142",
    "dolores.huerta.team@example.net",
    "+34 612 345 678",
    "invitee.private@example.com",
    "rosa.channel.only@example.com",
    "+1 415 555 0123",
    "Rosa Maria Perez Lopez",
    "knows the building super by name",
    "+1 503 555 0187",
    "boss paid me in cash and kept thirty weeks",
    "cooks Mateo and Lidia on the night shift",
    "donor.gives.quietly@example.org",
    "Esperanza Donante Villanueva",
    "applicant.reach.me@example.net",
    "three kids and the boiler broke in january",
    "Greenway Properties Holdings LLC",
    "routing 021000021 account 99887766",
    "ICE vans outside 1420 Alder Street",
    "family in apartment 3B asked for accompaniment",
    "+1 360 555 0199",
    "call back Dona Marta at the laundromat",
    "six agents in green vests at the corner store",
    "+1 253 555 0161",
    "my brother was taken from the bus stop on Pine",
    "officer Delgado badge 5521 pushed a woman to the ground",
    "arrested: Tomasa Quintanilla, witness Beto at 555 0133",
    "Guadalupe Arrestada Montenegro",
    "County jail booking 24-5531 cell block C",
    "felony obstruction and resisting",
    "her sister Marisol at 555 0177 keeps the kids",
    "1987-03-14",
]


def _needles() -> list[bytes]:
    found = []
    for value in FIXTURE_PII:
        found += [value.encode(), value.encode("utf-16-le")]
        digits = "".join(c for c in value if c.isdigit())
        if value.startswith("+"):
            found.append(digits.encode())
    return found


def _dump() -> bytes:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump()).encode()
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]
    pg_dump = shutil.which("pg_dump") or "/usr/bin/pg_dump"
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    args = [pg_dump, "--no-owner", "-h", db.get("HOST") or "localhost", "-d", name]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    return subprocess.run(args, check=True, capture_output=True, env=env).stdout


def _files() -> dict[str, bytes]:
    if connection.vendor != "sqlite":
        return {}
    path = connection.settings_dict["NAME"]
    found = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            with open(f"{path}{suffix}", "rb") as handle:
                found[f"database file{suffix}"] = handle.read()
        except FileNotFoundError:
            continue
    return found


@pytest.mark.verify
@pytest.mark.django_db(transaction=True)
def test_fixture_contact_details_are_absent_in_plaintext(network, figures):
    organizer, _ = make_member(
        "ana", tier=Tier.ORGANIZING_TEAM, email=FIXTURE_PII[0], phone=FIXTURE_PII[1]
    )
    make_member("dolores", email=FIXTURE_PII[2], phone=FIXTURE_PII[3])
    services.create_invitation(created_by=organizer, tier=Tier.MEMBER, email=FIXTURE_PII[4])
    rosa = Person.objects.create(
        display_name="Rosa", legal_name=FIXTURE_PII[7], notes=FIXTURE_PII[8]
    )
    ContactChannel.objects.create(person=rosa, kind="email", value=FIXTURE_PII[5])
    ContactChannel.objects.create(person=rosa, kind="text", value=FIXTURE_PII[6])
    lead = Lead.objects.create(
        display_name="Mateo",
        contact_kind="call",
        contact=FIXTURE_PII[9],
        story=FIXTURE_PII[10],
        issue_type="wages",
        channel="call",
    )
    Fight.objects.create(
        title="Back wages", issue_type="wages", facts=FIXTURE_PII[10], pod=FIXTURE_PII[11]
    )
    from solnet.funds.models import Donation
    from solnet.funds.tests.making import make_fund

    Donation.objects.create(
        fund=make_fund(),
        amount=2500,
        method="online",
        status="pending",
        donor_email=FIXTURE_PII[12],
        donor_name=FIXTURE_PII[13],
        named=True,
        forget_at=timezone.now(),
    )
    from solnet.funds.models import AidRequest

    AidRequest.objects.create(
        fund=make_fund("Mutual aid", kind="mutual_aid", members_only=False),
        chosen_name="Luz",
        contact=FIXTURE_PII[14],
        amount=30000,
        purpose="rent",
        details=FIXTURE_PII[15],
        pay_to="creditor",
        creditor_name=FIXTURE_PII[16],
        creditor_details=FIXTURE_PII[17],
        forget_at=timezone.now(),
    )
    from solnet.defense.models import Handover
    from solnet.defense.tests.making import make_report

    make_report(activity=FIXTURE_PII[18], help_asked=FIXTURE_PII[19], reached_at=FIXTURE_PII[20])
    Handover.objects.create(note=FIXTURE_PII[21])
    from solnet.defense.models import Verification

    Verification.objects.create(report=make_report(), verifier=organizer, details=FIXTURE_PII[22])
    from solnet.defense.tests.making import make_conversation

    # A caller's number and what they texted the hotline.
    make_conversation(number=FIXTURE_PII[23], body=FIXTURE_PII[24])
    from solnet.defense import field
    from solnet.defense.tests.making import make_incident

    # A legal observer's field notes, with a photo sealed on disk.
    _incident, entry = make_incident(organizer, what=FIXTURE_PII[25])
    field.annotate(entry=entry, by=organizer, what=FIXTURE_PII[26])
    from datetime import date

    from solnet.defense import jail
    from solnet.defense.models import ReportStatus
    from solnet.members.models import Role

    dispatcher = make_member("drill_dispatcher", roles=(Role.DISPATCHER,))[0]

    # Someone arrested: their name, date of birth, where held, charges, family's contact.
    arrestee = jail.record_arrest(
        report=make_report(status=ReportStatus.CONFIRMED),
        by=dispatcher,
        name=FIXTURE_PII[27],
        held_at=FIXTURE_PII[28],
        charges=FIXTURE_PII[29],
        contact=FIXTURE_PII[30],
        born_on=date.fromisoformat(FIXTURE_PII[31]),
        birth_consent="person",
    )
    jail.add_task(arrestee=arrestee, by=dispatcher, what=FIXTURE_PII[30])
    assert lead.contact == FIXTURE_PII[9]
    if connection.vendor == "sqlite":
        assert connection.settings_dict["NAME"] != ":memory:"
        assert "memory" not in str(connection.settings_dict["NAME"])
    places = {"dump": _dump(), **_files()}
    assert sum(len(b) for b in places.values()) > 10_000  # we really looked at something
    # The fixtures did get written (encrypted): the ciphertext prefix is there.
    assert b"enc1$" in places["dump"]
    hits = [
        (place, needle) for place, blob in places.items() for needle in _needles() if needle in blob
    ]
    figures(
        "P-2.plaintext_pii_found",
        len(hits),
        unit="hits",
        target=f"0 (in {', '.join(sorted(places))})",
        ok=not hits,
    )
    assert hits == []


@pytest.mark.django_db
def test_allauths_email_tables_stay_empty(client, personas):
    from allauth.account.models import EmailAddress, EmailConfirmation

    client.post("/accounts/login/", {"login": "member", "password": "wrong one entirely"})
    assert EmailAddress.objects.count() == 0
    assert EmailConfirmation.objects.count() == 0
