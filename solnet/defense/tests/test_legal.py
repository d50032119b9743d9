"""The legal hand-off: a sealed bundle of an incident for the network's legal contact, under
the two-person rule, audit-logged, behind an expiring link; the incident held from retention
until the legal contact closes it. Attacked as someone inside the network would: approving
one's own hand-off, or through an account one invited, or as a member without the role; a
guessed, old or expired link; a copy of the disk."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core import sealed, twoperson
from solnet.core.models import ApprovalRequest, AuditEvent
from solnet.defense import bundles, field, jail, legal
from solnet.defense.models import (
    EntryKind,
    FieldEntry,
    FieldMedia,
    Hotline,
    LegalHandoff,
    Report,
)
from solnet.defense.tests.making import make_incident, tiny_photo
from solnet.members.models import Role

pytestmark = pytest.mark.django_db
LAWYER = "intake@peoples-law.example.org"


@pytest.fixture
def incident(personas):
    hotline = Hotline.current()
    hotline.legal_contact = LAWYER
    hotline.save()
    observer = personas["member"].member
    report, _entry = make_incident(observer, what="Officer Ruiz pushed a woman to the ground")
    field.log_entry(
        report=report,
        by=observer,
        kind=EntryKind.ARREST,
        what="She was arrested",
        names="Ana P.",
        media=tiny_photo(),
    )
    dispatcher = personas["dispatcher"].member
    jail.record_arrest(report=report, by=dispatcher, name="Ana P.", charges="Obstruction")
    second = make_member("second_dispatcher", roles=(Role.DISPATCHER,))[0]
    return {"report": report, "dispatcher": dispatcher, "second": second, "observer": observer}


def _link(message) -> str:
    return re.search(r"https?://\S+/defense/legal/[\w-]+/", message.body).group(0)


def _handed(incident, django_capture_on_commit_callbacks):
    handoff = legal.request_handoff(report=incident["report"], by=incident["dispatcher"])
    with django_capture_on_commit_callbacks(execute=True):
        twoperson.approve_request(approval=handoff.approval, approver=incident["second"])
    handoff.refresh_from_db()
    [message] = [m for m in mail.outbox if m.to == [LAWYER]]
    return handoff, _link(message)


def test_nobody_hands_an_incident_over_alone(incident, personas):
    dispatcher = incident["dispatcher"]
    handoff = legal.request_handoff(report=incident["report"], by=dispatcher)
    # Their own approval, an account they invited, a member without the role: refused.
    invitee = make_member("invited_dispatcher", roles=(Role.DISPATCHER,))[0]
    invitee.invited_by = dispatcher
    invitee.save()
    for approver in (dispatcher, invitee, personas["member"].member, personas["organizer"].member):
        with pytest.raises(PermissionDenied):
            twoperson.approve_request(approval=handoff.approval, approver=approver)
    report = Report.objects.get(pk=incident["report"].pk)
    assert report.legal_hold_at is None
    assert handoff.file is None and not mail.outbox
    # A member without the role cannot ask either, nor ask twice while one waits.
    with pytest.raises(PermissionDenied):
        legal.request_handoff(report=report, by=personas["member"].member)
    with pytest.raises(ValidationError, match="already"):
        legal.request_handoff(report=report, by=incident["second"])


def test_the_approved_bundle_holds_the_summary_the_notes_and_the_photos(
    incident, django_capture_on_commit_callbacks
):
    handoff, link = _handed(incident, django_capture_on_commit_callbacks)
    report = incident["report"]
    report.refresh_from_db()
    assert report.legal_hold_at is not None and handoff.ready_at is not None
    # The email names no one: only the network and the link.
    [message] = [m for m in mail.outbox if m.to == [LAWYER]]
    assert "Ana" not in message.body and "Ruiz" not in message.body
    response = Client().get(link)
    # The page links nowhere else: the secret in its address goes to no other site.
    assert response.status_code == 200 and response["Referrer-Policy"] == "same-origin"
    token = link.rstrip("/").rsplit("/", 1)[1]
    download = Client().get(reverse("defense:legal_download", args=[token]))
    assert download.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = set(bundle.namelist())
    assert {"summary.pdf", "entries.json", "media/entry-1.jpg", "media/entry-2.jpg"} <= names
    assert bundle.read("summary.pdf").startswith(b"%PDF")
    data = json.loads(bundle.read("entries.json"))
    entries = {row["position"]: row for row in data["entries"]}
    assert entries[2]["names"] == "Ana P."
    # A court recomputes the digests without the network's key.
    for row in data["entries"]:
        words = json.dumps([row["what"] or "", row["names"] or ""], ensure_ascii=False)
        assert hashlib.sha256(words.encode()).hexdigest() == row["words_sha256"]
    photo = bundle.read("media/entry-2.jpg")
    assert hashlib.sha256(photo).hexdigest() == entries[2]["media_sha256"]
    # Every step is in the audit log.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "defense.handoff_requested",
        "defense.handoff_approved",
        "defense.handoff_sent",
        "defense.handoff_downloaded",
        "twoperson.approved",
    } <= actions
    # The bundle on disk is sealed: none of its words, no ZIP header.
    handoff.refresh_from_db()
    on_disk = sealed.path_of(handoff.file).read_bytes()
    assert b"Ana P." not in on_disk and b"PK\x03\x04" not in on_disk


def test_a_guessed_replaced_or_expired_link_opens_nothing(
    incident, django_capture_on_commit_callbacks
):
    handoff, link = _handed(incident, django_capture_on_commit_callbacks)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert Client().get(reverse("defense:legal_bundle", args=["x" * 43])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        legal.send_new_link(handoff=handoff, by=incident["dispatcher"])
    assert Client().get(link).status_code == 404  # the old link stopped
    fresh = _link([m for m in mail.outbox if m.to == [LAWYER]][-1])
    assert Client().get(fresh).status_code == 200
    LegalHandoff.objects.filter(pk=handoff.pk).update(expires_at=timezone.now())
    assert Client().get(fresh).status_code == 404
    assert token not in "".join(LegalHandoff.objects.values_list("token_hash", flat=True))


def test_the_hold_keeps_the_incident_past_its_period_until_the_contact_closes_it(
    incident, django_capture_on_commit_callbacks, monkeypatch
):
    from solnet.core.retention import purge_expired

    handoff, link = _handed(incident, django_capture_on_commit_callbacks)
    report = incident["report"]
    later = timezone.now() + timedelta(days=45)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired()
    report.refresh_from_db()
    assert report.activity is not None
    assert FieldEntry.objects.filter(report=report, what__isnull=True).count() == 0
    assert FieldMedia.objects.count() == 2
    # The legal contact closes it (the box ticked): the bundle goes, the hold lifts.
    handoff.refresh_from_db()
    file = handoff.file
    token = link.rstrip("/").rsplit("/", 1)[1]
    monkeypatch.setattr(timezone, "now", lambda: later - timedelta(days=40))
    client = Client()
    refused = client.post(reverse("defense:legal_bundle", args=[token]), {})
    assert refused.status_code == 302 and LegalHandoff.objects.get().closed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(reverse("defense:legal_bundle", args=[token]), {"confirm": "close"})
    assert closed.status_code == 200
    assert not sealed.path_of(file).exists()
    report.refresh_from_db()
    assert report.legal_hold_at is None
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired()
    report.refresh_from_db()
    assert report.activity is None and not FieldMedia.objects.exists()
    assert field.check_chain(report).holds


def test_no_hand_off_without_a_legal_contact(incident):
    hotline = Hotline.current()
    hotline.legal_contact = None
    hotline.save()
    with pytest.raises(ValidationError, match="legal contact"):
        legal.request_handoff(report=incident["report"], by=incident["dispatcher"])
    assert not LegalHandoff.objects.exists()


def test_the_bundle_names_the_second_person_the_address_it_goes_to(incident):
    handoff = legal.request_handoff(report=incident["report"], by=incident["dispatcher"])
    assert LAWYER in twoperson.describe(handoff.approval)
    assert bundles.LINK_DAYS == 14


def test_one_dispatcher_alone_cannot_point_the_bundles_elsewhere(incident, personas):
    """Whoever could set the legal contact to their own address would receive every incident
    handed over afterwards: the change waits for a second dispatcher."""
    dispatcher = incident["dispatcher"]
    client = sign_in(Client(), dispatcher)
    response = client.post(
        reverse("defense:hotline"),
        {"ring_seconds": 20, "report_days": 30, "legal_contact": "me@attacker.example"},
    )
    assert response.status_code == 302
    assert Hotline.current().legal_contact == LAWYER  # asked, not changed
    approval = ApprovalRequest.objects.get(action=legal.CONTACT_ACTION)
    assert "me@attacker.example" in twoperson.describe(approval)
    invitee = make_member("invited_dispatcher", roles=(Role.DISPATCHER,))[0]
    invitee.invited_by = dispatcher
    invitee.save()
    for approver in (dispatcher, invitee, personas["member"].member):
        with pytest.raises(PermissionDenied):
            twoperson.approve_request(approval=approval, approver=approver)
    assert Hotline.current().legal_contact == LAWYER
    twoperson.approve_request(approval=approval, approver=incident["second"])
    assert Hotline.current().legal_contact == "me@attacker.example"
