"""Field notes: observers check in to a confirmed incident and log sealed, chained entries;
each rule attacked as someone inside the network acting in bad faith would — an observer the
alert never reached, a member without the skill, a correction after 15 minutes, someone else's
entry, a closed incident, the database edited, rows deleted or slipped in, a photo swapped."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import make_member, sign_in
from solnet.core import sealed
from solnet.core.models import AuditEvent
from solnet.defense import field, footage, reports
from solnet.defense.models import (
    CheckIn,
    EntryKind,
    FieldEntry,
    FieldMedia,
    ReportStatus,
)
from solnet.defense.tests.making import make_report
from solnet.defense.tests.test_verify import _with_skills
from solnet.members.models import Role
from solnet.mobilize.models import Zone
from solnet.people.models import Skill

pytestmark = pytest.mark.django_db


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (47.0, 36.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def _video_with_place() -> bytes:
    """A small MP4: ftyp, a moov holding a track and udta with the place (©xyz) and Apple's
    location keys in meta, and the media data."""
    place = _box(b"\xa9xyz", b"\x00\x12\x15\xc7+40.7128-074.0060/")
    apple = _box(b"meta", b"\x00\x00\x00\x00" + _box(b"keys", b"com.apple.quicktime.make iPhone"))
    track = _box(b"trak", _box(b"tkhd", bytes(84)) + _box(b"udta", _box(b"\xa9nam", b"Rosa")))
    moov = _box(b"moov", _box(b"mvhd", bytes(100)) + track + _box(b"udta", place) + apple)
    return _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + moov + _box(b"mdat", b"F" * 500)


@pytest.fixture
def incident(personas):
    """A confirmed report in Eastside whose alert reached two legal observers there; a copwatcher
    elsewhere the alert did not reach; a member without the skill the alert reached."""
    from solnet.defense import verify

    eastside = Zone.objects.create(name="Eastside")
    westside = Zone.objects.create(name="Westside")
    observers = [
        _with_skills(
            make_member(f"observer{n}", email=f"observer{n}@example.org")[0],
            Skill.LEGAL_OBSERVER,
            zone=eastside,
        )
        for n in range(2)
    ]
    medic = _with_skills(
        make_member("medic", email="medic@example.org")[0], Skill.MEDIC, zone=eastside
    )
    far = _with_skills(make_member("copwatcher")[0], Skill.COPWATCH, zone=westside)
    report = make_report(zone=eastside, status=ReportStatus.CONFIRMED)
    dispatcher = personas["dispatcher"].member
    verify.alert_responders(
        report=report,
        message="Alder St and 14th",
        skills=[Skill.LEGAL_OBSERVER, Skill.MEDIC],
        zones=[eastside],
        by=dispatcher,
    )
    report.refresh_from_db()
    return {
        "report": report,
        "observers": observers,
        "medic": medic,
        "far": far,
        "dispatcher": dispatcher,
        "zone": eastside,
    }


def _log(report, by, what="Six ICE agents at the door of 1420", **extra):
    return field.log_entry(
        report=report, by=by, kind=extra.pop("kind", EntryKind.AGENCIES), what=what, **extra
    )


def _checked_in(incident):
    report, lo = incident["report"], incident["observers"][0]
    field.check_in(report=report, member=lo, by=lo)
    return report, lo


# --- checking in ------------------------------------------------------------------------------


def test_an_observer_the_alert_reached_checks_in_and_logs(incident):
    report, lo = _checked_in(incident)
    entry = _log(report, lo, names="Officer Grant, badge 4471; car 22-113")
    assert entry.position == 1 and entry.author == lo
    assert CheckIn.objects.get(report=report, member=lo).skill == Skill.LEGAL_OBSERVER
    second = _log(report, lo, kind=EntryKind.ARREST, what="A man taken to the white van")
    assert second.position == 2
    assert field.check_chain(report).holds


def test_an_observer_the_alert_did_not_reach_cannot_check_in_themselves(incident):
    report, far = incident["report"], incident["far"]
    with pytest.raises(PermissionDenied):
        field.check_in(report=report, member=far, by=far)
    assert not CheckIn.objects.exists()
    # Nor can they write: not checked in.
    with pytest.raises(PermissionDenied):
        _log(report, far)
    assert not FieldEntry.objects.exists()


def test_a_member_without_the_skill_cannot_check_in_even_if_alerted(incident):
    report, medic = incident["report"], incident["medic"]
    with pytest.raises(ValidationError, match="legal observers and copwatchers"):
        field.check_in(report=report, member=medic, by=medic)
    assert not CheckIn.objects.exists()


def test_a_dispatcher_or_the_coordinator_checks_in_someone_else_and_nobody_else_can(incident):
    report, far, lo = incident["report"], incident["far"], incident["observers"][0]
    field.check_in(report=report, member=lo, by=lo)
    # An observer cannot check in a friend the alert never reached.
    with pytest.raises(PermissionDenied):
        field.check_in(report=report, member=far, by=lo)
    assert not CheckIn.objects.filter(member=far).exists()
    coordinator = make_member("coordinator", roles=(Role.LEGAL_OBSERVER_COORDINATOR,))[0]
    field.check_in(report=report, member=far, by=coordinator)
    assert CheckIn.objects.get(member=far).checked_in_by == coordinator


def test_an_unconfirmed_or_closed_incident_takes_no_check_in(incident):
    report, lo, dispatcher = incident["report"], incident["observers"][0], incident["dispatcher"]
    unverified = make_report(zone=incident["zone"])
    with pytest.raises(ValidationError):
        field.check_in(report=unverified, member=lo, by=dispatcher)
    reports.close_report(report=report, status=ReportStatus.CLOSED, note="Over.", by=dispatcher)
    with pytest.raises(ValidationError, match="still open"):
        field.check_in(report=report, member=lo, by=lo)
    assert not CheckIn.objects.exists()


# --- writing ----------------------------------------------------------------------------------


def test_bad_entries_are_refused_and_change_nothing(incident):
    report, lo = _checked_in(incident)
    for kwargs, field_name in (
        ({"what": "  "}, "what"),
        ({"what": "x" * 2001}, "what"),
        ({"kind": EntryKind.ANNOTATION}, "kind"),
        ({"kind": "gossip"}, "kind"),
        ({"observed_at": timezone.now() + timedelta(hours=2)}, "observed_at"),
        ({"observed_at": timezone.now() - timedelta(days=3)}, "observed_at"),
    ):
        with pytest.raises(ValidationError) as refused:
            _log(report, lo, **kwargs)
        assert field_name in refused.value.message_dict
    assert not FieldEntry.objects.exists()


def test_a_closed_incident_takes_no_entry_but_takes_notes(incident):
    report, lo = _checked_in(incident)
    entry = _log(report, lo)
    reports.close_report(
        report=report, status=ReportStatus.CLOSED, note="Over.", by=incident["dispatcher"]
    )
    with pytest.raises(ValidationError, match="over"):
        _log(report, lo)
    note = field.annotate(entry=entry, by=lo, what="The van's plate was WA 7GH-221.")
    assert note.position == 2 and note.annotates == entry
    assert field.check_chain(report).holds


def test_a_correction_within_15_minutes_reseals_and_after_is_refused(incident):
    report, lo = _checked_in(incident)
    first = _log(report, lo, what="Five agents")
    second = _log(report, lo, kind=EntryKind.WARNING, what="Dispersal order", audible="no")
    field.correct(entry=first, by=lo, what="Six agents", names="")
    first.refresh_from_db()
    assert first.what == "Six agents" and first.edited_at is not None
    assert field.check_chain(report).holds  # sealed again, the later entry too
    assert AuditEvent.objects.filter(action=field.CORRECTED).count() == 1
    # Someone else cannot correct it, even within the window.
    other = incident["observers"][1]
    field.check_in(report=report, member=other, by=other)
    with pytest.raises(PermissionDenied):
        field.correct(entry=second, by=other, what="No order was given")
    # After 15 minutes: refused, unchanged.
    FieldEntry.objects.filter(pk=second.pk).update(
        written_at=timezone.now() - timedelta(minutes=16)
    )
    second.refresh_from_db()
    with pytest.raises(ValidationError, match="15 minutes"):
        field.correct(entry=second, by=lo, what="No order was given")
    second.refresh_from_db()
    assert second.what == "Dispersal order"


def test_an_annotation_cannot_be_annotated_and_needs_words(incident):
    report, lo = _checked_in(incident)
    entry = _log(report, lo)
    note = field.annotate(entry=entry, by=lo, what="Badge 4471, not 4417.")
    with pytest.raises(ValidationError):
        field.annotate(entry=note, by=lo, what="again")
    with pytest.raises(ValidationError):
        field.annotate(entry=entry, by=lo, what=" ")
    assert FieldEntry.objects.count() == 2


# --- the chain against someone who edits the database -------------------------------------


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _three(incident):
    report, lo = _checked_in(incident)
    entries = [
        _log(report, lo, what="Six agents"),
        _log(report, lo, kind=EntryKind.OFFICERS, what="Sergeant in charge", names="Sgt Ruiz 88"),
        _log(report, lo, kind=EntryKind.ARREST, what="Man arrested", names="José L."),
    ]
    assert field.check_chain(report).holds
    return report, lo, entries


def test_the_chain_finds_an_entry_edited_in_the_database(incident):
    report, _lo, entries = _three(incident)
    # Words changed through the model (a copy of the database with the key to decrypt).
    FieldEntry.objects.filter(pk=entries[1].pk).update(names="Sgt Smith 12")
    check = field.check_chain(report)
    assert not check.holds and check.position == 2 and "changed" in check.problem


def test_the_chain_finds_a_kind_or_time_changed(incident):
    report, _lo, entries = _three(incident)
    FieldEntry.objects.filter(pk=entries[0].pk).update(
        observed_at=entries[0].observed_at - timedelta(minutes=30)
    )
    check = field.check_chain(report)
    assert not check.holds and check.position == 1


def test_the_chain_finds_a_deleted_entry(incident):
    report, _lo, entries = _three(incident)
    FieldEntry.objects.filter(pk=entries[1].pk).delete()
    check = field.check_chain(report)
    assert not check.holds and check.position == 2 and "deleted" in check.problem


def test_the_chain_finds_the_newest_entry_deleted(incident):
    report, _lo, entries = _three(incident)
    FieldEntry.objects.filter(pk=entries[2].pk).delete()
    check = field.check_chain(report)
    assert not check.holds and "removed" in check.problem


def test_the_chain_finds_an_inserted_entry_with_a_copied_seal(incident):
    report, lo, entries = _three(incident)
    # Make room after the first, and slip an entry in with the seal the real one had.
    for entry in reversed(entries[1:]):
        FieldEntry.objects.filter(pk=entry.pk).update(position=entry.position + 1)
    FieldEntry.objects.create(
        report=report,
        position=2,
        author=lo,
        kind=EntryKind.WARNING,
        what="A dispersal order was given three times, audibly",
        observed_at=entries[0].observed_at,
        forget_at=entries[0].forget_at,
        content_seal=entries[1].content_seal,
        seal=entries[1].seal,
    )
    check = field.check_chain(report)
    assert not check.holds and check.position == 2


def test_the_chain_finds_words_removed_before_their_time(incident):
    report, _lo, entries = _three(incident)
    FieldEntry.objects.filter(pk=entries[2].pk).update(what=None, names=None)
    check = field.check_chain(report)
    assert not check.holds and check.position == 3 and "removed" in check.problem


def test_the_chain_finds_a_seal_rewritten_without_the_key(incident):
    report, _lo, entries = _three(incident)
    forged = hashlib.sha256(b"whatever someone with the database computes").hexdigest()
    FieldEntry.objects.filter(pk=entries[0].pk).update(what="Two agents", content_seal=forged)
    check = field.check_chain(report)
    assert not check.holds and check.position == 1


def test_retention_strips_the_words_and_the_chain_still_holds(
    incident, monkeypatch, django_capture_on_commit_callbacks
):
    from solnet.core.retention import purge_expired

    report, lo = _checked_in(incident)
    entry = _log(report, lo, kind=EntryKind.OFFICERS, what="Sgt Ruiz", media=_photo_with_gps())
    _log(report, lo, what="They left")
    file = FieldMedia.objects.get(entry=entry).file
    assert sealed.path_of(file).exists()
    # The hotline's period (30 days) has passed.
    later = timezone.now() + timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired()
    entry.refresh_from_db()
    assert entry.what is None and entry.names is None
    assert not FieldMedia.objects.exists() and not sealed.path_of(file).exists()
    check = field.check_chain(report)
    assert check.holds and check.entries == 2


# --- photos and videos ------------------------------------------------------------------------


def test_a_photo_is_kept_without_its_metadata_and_a_swap_is_found(incident):
    report, lo = _checked_in(incident)
    photo = _photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif()
    entry = _log(report, lo, media=photo)
    media = FieldMedia.objects.get(entry=entry)
    kept = b"".join(sealed.read_chunks(media.file))
    assert not Image.open(io.BytesIO(kept)).getexif()
    assert b"PhoneMaker" not in kept
    assert entry.media_digest == hashlib.sha256(kept).hexdigest()
    assert field.check_chain(report).holds
    # Someone with the server swaps the photo for another, sealed under the same key.
    other = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 0, 0)).save(other, format="JPEG")
    with sealed.writing(media.file) as writer:
        writer.write(other.getvalue())
    check = field.check_chain(report)
    assert not check.holds and "replaced" in check.problem


def test_a_video_loses_its_place_and_maker_but_keeps_its_length_and_media():
    video = _video_with_place()
    kept, kind = footage.clean(video)
    assert kind == "video/mp4" and len(kept) == len(video)
    for secret in (b"+40.7128-074.0060", b"iPhone", b"Rosa", b"\xa9xyz"):
        assert secret in video and secret not in kept
    assert kept.endswith(b"F" * 500) and kept[:40] == video[:40]


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\0" * 40,
        b"%PDF-1.7 a document",
        b"\x00\x00\x00\x40ftypisom" + b"\x00" * 8,  # a box larger than the file
    ],
)
def test_what_is_not_a_photo_or_a_readable_video_is_refused(incident, data):
    report, lo = _checked_in(incident)
    with pytest.raises(ValidationError):
        _log(report, lo, media=data)
    assert not FieldEntry.objects.exists() and not FieldMedia.objects.exists()


# --- pages ------------------------------------------------------------------------------------


def test_the_pages_let_an_observer_check_in_log_with_a_photo_and_annotate(incident):
    report, lo = incident["report"], incident["observers"][0]
    client = sign_in(Client(), lo)
    listed = client.get(reverse("defense:incidents")).content.decode()
    assert reverse("defense:incident", args=[report.public_id]) in listed
    page = client.get(reverse("defense:incident", args=[report.public_id]))
    assert "Check in to keep notes" in page.content.decode()
    client.post(reverse("defense:incident_check_in", args=[report.public_id]))
    photo = io.BytesIO(_photo_with_gps())
    photo.name = "IMG_0042.jpg"
    response = client.post(
        reverse("defense:entry_new", args=[report.public_id]),
        {
            "kind": EntryKind.ARREST,
            "what": "Young woman arrested",
            "names": "Ana P.",
            "media": photo,
        },
    )
    assert response.status_code == 302
    entry = FieldEntry.objects.get()
    assert entry.media_digest
    shown = client.get(reverse("defense:incident", args=[report.public_id])).content.decode()
    assert "Young woman arrested" in shown and "IMG_0042" not in shown
    media = client.get(reverse("defense:entry_media", args=[report.public_id, entry.public_id]))
    assert media.status_code == 200 and media["Content-Type"] == "image/jpeg"
    assert b"PhoneMaker" not in b"".join(media.streaming_content)
    response = client.post(
        reverse("defense:entry_annotate", args=[report.public_id, entry.public_id]),
        {"what": "Taken to the 4th precinct"},
    )
    assert response.status_code == 302
    # An empty entry comes back with its error, nothing logged.
    response = client.post(
        reverse("defense:entry_new", args=[report.public_id]),
        {"kind": EntryKind.OTHER, "what": ""},
    )
    assert response.status_code == 422 and "Say what happened." in response.content.decode()
    assert FieldEntry.objects.count() == 2


def test_a_member_the_alert_did_not_reach_sees_no_incident(incident):
    report, far = incident["report"], incident["far"]
    client = sign_in(Client(), far)
    assert report.public_id not in client.get(reverse("defense:incidents")).content.decode()
    assert client.get(reverse("defense:incident", args=[report.public_id])).status_code == 404
    assert (
        client.post(reverse("defense:incident_check_in", args=[report.public_id])).status_code
        == 404
    )


def test_the_dispatcher_sees_the_chain_hold_and_break(incident):
    report, _lo, entries = _three(incident)
    client = sign_in(Client(), incident["dispatcher"])
    url = reverse("defense:incident", args=[report.public_id])
    assert "The notes hold: 3 entries" in client.get(url).content.decode()
    FieldEntry.objects.filter(pk=entries[1].pk).delete()
    page = client.get(url).content.decode()
    assert "The notes were altered outside SolNet" in page and "Entry 2 is missing" in page


def test_a_photo_whose_sealed_bytes_were_damaged_or_removed_breaks_the_chain(incident):
    report, lo = _checked_in(incident)
    entry = _log(report, lo, media=_photo_with_gps())
    path = sealed.path_of(FieldMedia.objects.get(entry=entry).file)
    damaged = bytearray(path.read_bytes())
    damaged[-5] ^= 0xFF
    path.write_bytes(bytes(damaged))
    check = field.check_chain(report)
    assert not check.holds and check.position == 1
    path.unlink()
    assert not field.check_chain(report).holds


def test_a_responder_who_is_not_a_member_reaches_no_notes(incident):
    """The alert reached a person with no account: their one-tap page lets them answer, and
    nothing more; the incident's notes ask for a member's sign-in."""
    from solnet.mobilize import links
    from solnet.mobilize.models import Delivery
    from solnet.people.models import ContactChannel, Person, PersonSkill

    report = incident["report"]
    outsider = Person.objects.create(display_name="Neighbour without an account")
    PersonSkill.objects.create(person=outsider, skill=Skill.LEGAL_OBSERVER)
    ContactChannel.objects.create(
        person=outsider, kind="email", value="n@example.org", consent_at=timezone.now()
    )
    delivery = Delivery.objects.filter(send__alert=report.alert).first()
    delivery.person = outsider
    delivery.save()
    client = Client()
    path = "/" + links.alert_link(delivery).split("://", 1)[1].split("/", 1)[1]
    answer = client.get(path)
    assert answer.status_code == 200 and "defense/incidents" not in answer.content.decode()
    page = client.get(reverse("defense:incident", args=[report.public_id]))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert not CheckIn.objects.exists()
