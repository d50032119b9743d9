"""Exports of people: two people to make one, only the asker downloads it, encrypted on disk,
gone within the hour, every step in the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONA_NAMES, make_member, sign_in
from solnet.core import audit, sealed, twoperson
from solnet.core.models import ApprovalRequest, AuditEvent, SealedFile
from solnet.core.retention import purge_expired
from solnet.core.tasks import purge_expired_sealed_files
from solnet.members.models import Tier
from solnet.people import export_requests, exports, tasks
from solnet.people.models import ContactChannel, Person, PersonSkill, Tag

pytestmark = pytest.mark.django_db

FILTER = {"language": "es", "tier": str(Tier.MEMBER)}
ANA_EMAIL = "anastasia.quesada@example.org"
ANA_OPTED_OUT_PHONE = "+1 206 555 0111"
ANA_NO_CONSENT_SIGNAL = "+1 206 555 0122"
HIDDEN_EMAIL = "beto.hidden@example.org"


@pytest.fixture(autouse=True)
def _no_sealed_files_left():
    """The database rolls back after each test; the sealed files' directory must too."""
    for entry in sealed.directory().iterdir():
        entry.unlink()
    yield
    for entry in sealed.directory().iterdir():
        entry.unlink()


@pytest.fixture
def people(personas):
    """Whom the filter (Spanish, tier Member) must and must not bring into the file."""
    now = timezone.now()
    night = Tag.objects.create(name="night shift")
    ana = Person.objects.create(
        display_name="Anastasia Quesada", tier=Tier.MEMBER, languages=["es", "en"]
    )
    ana.tags.add(night)
    PersonSkill.objects.create(person=ana, skill="medic")
    ContactChannel.objects.create(person=ana, kind="email", value=ANA_EMAIL, consent_at=now)
    ContactChannel.objects.create(
        person=ana, kind="call", value=ANA_OPTED_OUT_PHONE, consent_at=now, opted_out_at=now
    )
    ContactChannel.objects.create(person=ana, kind="signal", value=ANA_NO_CONSENT_SIGNAL)
    formula = Person.objects.create(
        display_name="=HYPERLINK(1)", tier=Tier.MEMBER, languages=["es"]
    )
    # Pressed the panic button: never in a file, whatever the filter.
    hider, _secret = make_member("beto_hider", with_totp=False)
    hider.contacts_hidden = True
    hider.save()
    beto = Person.objects.create(
        display_name="Beto Hidden", tier=Tier.MEMBER, languages=["es"], member=hider
    )
    ContactChannel.objects.create(person=beto, kind="email", value=HIDDEN_EMAIL, consent_at=now)
    Person.objects.create(display_name="Carla Supporter", tier=Tier.SUPPORTER, languages=["es"])
    Person.objects.create(display_name="Dora English", tier=Tier.MEMBER, languages=["en"])
    return {"ana": ana, "formula": formula, "beto": beto, "night": night}


@pytest.fixture
def second_organizer(network):
    member, _secret = make_member("second_organizer", tier=Tier.ORGANIZING_TEAM)
    return member


def _ask(client: Client, query: dict | None = None) -> ApprovalRequest:
    from urllib.parse import urlencode

    response = client.post(reverse("people:export_new"), {"query": urlencode(query or FILTER)})
    assert response.status_code == 302, response.content.decode()
    export = ApprovalRequest.objects.get(action=exports.ACTION)
    assert response["Location"] == reverse("people:export_detail", args=[export.public_id])
    return export


def _approve(client: Client, export: ApprovalRequest, capture) -> None:
    with capture(execute=True):
        response = client.post(reverse("core:approval_approve", args=[export.public_id]))
    assert response.status_code == 302


def _download(client: Client, export: ApprovalRequest):
    return client.get(reverse("people:export_download", args=[export.public_id]))


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_whole_export_from_asking_to_downloading(
    personas, people, second_organizer, django_capture_on_commit_callbacks
):
    organizer = personas["organizer"].member
    asker = sign_in(Client(), organizer)

    # The list offers it; the page before asking says what the file would hold.
    listing = asker.get(reverse("people:list"), FILTER).content.decode()
    assert reverse("people:export_new") + "?language=es&amp;tier=30" in listing
    preview = asker.get(reverse("people:export_new"), FILTER)
    assert preview.status_code == 200
    assert preview.context["preview"].count == 2
    assert "tier: Member, language: Spanish" in preview.content.decode()

    export = _ask(asker)
    assert export.status == ApprovalRequest.Status.PENDING
    assert export.params == {
        "filter": FILTER,
        "count": 2,
        "by_id": organizer.pk,
        "language": "en",
    }
    # Nothing is produced until a second organizer approves.
    assert not SealedFile.objects.exists()
    assert list(sealed.directory().iterdir()) == []
    assert "Waiting for a second organizer" in asker.get(reverse("people:exports")).content.decode()

    # The asker cannot approve their own export, nor can a member or a contact reader who
    # does not keep the list.
    assert asker.post(reverse("core:approval_approve", args=[export.public_id])).status_code == 404
    for persona in ("member", "dispatcher", "fund_committee"):
        other = sign_in(Client(), personas[persona].member)
        response = other.post(reverse("core:approval_approve", args=[export.public_id]))
        assert response.status_code == 404, persona
    export.refresh_from_db()
    assert export.status == ApprovalRequest.Status.PENDING

    # The second organizer sees in plain words what they approve.
    approver = sign_in(Client(), second_organizer)
    approvals = approver.get(reverse("core:approvals")).content.decode()
    assert (
        "Export 2 people with contact details as a file "
        "(filter: tier: Member, language: Spanish)" in approvals
    )
    _approve(approver, export, django_capture_on_commit_callbacks)

    file = SealedFile.objects.get()
    assert (file.state, file.done, file.total, file.owner) == ("ready", 2, 2, organizer)
    assert file.expires_at <= timezone.now() + timedelta(hours=1)
    detail = asker.get(reverse("people:export_detail", args=[export.public_id])).content.decode()
    assert reverse("people:export_download", args=[export.public_id]) in detail
    assert "Ready until" in asker.get(reverse("people:exports")).content.decode()

    response = _download(asker, export)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{file.filename}"'
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert _rows(response) == [
        ["Display name", "Tier", "Joined on", "Languages", "Tags", "Skills", "Contact channels"],
        ["'=HYPERLINK(1)", "Member", people["formula"].joined_on.isoformat(), "es", "", "", ""],
        [
            "Anastasia Quesada",
            "Member",
            people["ana"].joined_on.isoformat(),
            "es, en",
            "night shift",
            "Medic",
            f"Email: {ANA_EMAIL}",
        ],
    ]

    # Nobody else gets it: not the approver, not another organizer, not a member.
    assert _download(approver, export).status_code == 404
    assert approver.get(reverse("people:export_detail", args=[export.public_id])).status_code == 404
    member = sign_in(Client(), personas["member"].member)
    assert _download(member, export).status_code == 404
    outsider = _download(Client(), export)
    assert outsider.status_code == 302 and outsider["Location"].startswith(reverse("account_login"))

    # Every step is in the audit log, by ids and counts only.
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    for action in (
        "twoperson.requested",
        "people.export_requested",
        "people.export_approved",
        "twoperson.approved",
        "people.export_produced",
        "people.export_downloaded",
    ):
        assert action in actions, action
    requested = AuditEvent.objects.get(action="people.export_requested")
    assert (requested.actor_id, requested.data) == (organizer.pk, {"count": 2})
    approved = AuditEvent.objects.get(action="people.export_approved")
    assert approved.actor_id == second_organizer.pk
    assert approved.data == {"approval": export.public_id, "count": 2, "by_decision": False}
    produced = AuditEvent.objects.get(action="people.export_produced")
    assert (produced.target, produced.data) == (f"core.sealedfile:{file.public_id}", {"count": 2})
    downloaded = AuditEvent.objects.get(action="people.export_downloaded")
    assert downloaded.actor_id == organizer.pk
    logged = json.dumps(list(AuditEvent.objects.values("target", "data")))
    for secret in (ANA_EMAIL, "Anastasia", "Quesada", "night shift"):
        assert secret not in logged
    assert audit.verify_chain().ok


def test_the_file_on_disk_is_encrypted(personas, people, second_organizer):
    export = export_requests.request_export(query=FILTER, by=personas["organizer"].member)
    twoperson.approve_request(approval=export, approver=second_organizer)
    file = SealedFile.objects.get()
    tasks.produce_people_export.call_local(file.pk)
    file.refresh_from_db()
    assert file.state == "ready"
    raw = sealed.path_of(file).read_bytes()
    assert file.size == len(raw)
    for needle in (ANA_EMAIL, "Anastasia Quesada", "night shift", "Medic", "Display name"):
        assert needle.encode() not in raw
        assert needle.encode("utf-16-le") not in raw
    # The file's key is in its row, encrypted under the field data key.
    with connection.cursor() as cursor:
        cursor.execute("SELECT file_key FROM core_sealedfile")
        (stored_key,) = cursor.fetchone()
    assert stored_key.startswith("enc1$")
    assert list(sealed.directory().iterdir()) == [sealed.path_of(file)]
    assert b"".join(sealed.read_chunks(file)).decode("utf-8-sig").count("\n") == 3


def test_an_expired_export_is_refused_then_purged(
    personas, people, second_organizer, django_capture_on_commit_callbacks
):
    asker = sign_in(Client(), personas["organizer"].member)
    export = _ask(asker)
    _approve(sign_in(Client(), second_organizer), export, django_capture_on_commit_callbacks)
    file = SealedFile.objects.get()
    path = sealed.path_of(file)
    assert path.exists()

    SealedFile.objects.filter(pk=file.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _download(asker, export)
    assert response.status_code == 410
    assert "This export has expired" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "Expired" in asker.get(reverse("people:exports")).content.decode()
    assert not AuditEvent.objects.filter(action="people.export_downloaded").exists()

    # The worker's minute-by-minute purge deletes the row (and its key) and the bytes.
    assert purge_expired_sealed_files.call_local() == 1
    assert not SealedFile.objects.exists() and not path.exists()
    assert AuditEvent.objects.get(action="sealed_file.purged").data == {"count": 1}
    # Once purged it stays refused, and the list still says what happened.
    assert _download(asker, export).status_code == 410
    assert "Expired" in asker.get(reverse("people:exports")).content.decode()


def test_the_nightly_retention_purge_deletes_expired_files_too(personas, people, second_organizer):
    export = export_requests.request_export(query=FILTER, by=personas["organizer"].member)
    twoperson.approve_request(approval=export, approver=second_organizer)
    old = SealedFile.objects.get()
    tasks.produce_people_export.call_local(old.pk)
    SealedFile.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    fresh = export_requests.request_export(
        query={"language": "es"}, by=personas["organizer"].member
    )
    twoperson.approve_request(approval=fresh, approver=second_organizer)
    kept = SealedFile.objects.get(approval=fresh)
    tasks.produce_people_export.call_local(kept.pk)

    results = purge_expired()
    assert results["core.SealedFile"] == 1
    assert list(SealedFile.objects.values_list("pk", flat=True)) == [kept.pk]
    assert [p.name for p in sealed.directory().iterdir()] == [f"{kept.public_id}.sealed"]


def test_progress_is_shown_while_the_file_is_produced(personas, people, second_organizer):
    asker = sign_in(Client(), personas["organizer"].member)
    export = _ask(asker)
    # Approved, but the worker has not run yet (the commit never happens in this test).
    twoperson.approve_request(approval=export, approver=second_organizer)
    file = SealedFile.objects.get()
    path = reverse("people:export_detail", args=[export.public_id])
    page = asker.get(path).content.decode()
    assert "0 of 2 people written" in page
    assert f'hx-get="{path}"' in page  # htmx refreshes it; without JavaScript, a link does
    assert f'href="{path}"' in page
    assert "Being produced: 0 of 2" in asker.get(reverse("people:exports")).content.decode()
    assert _download(asker, export).status_code == 404

    sealed.report_progress(file, done=1)
    fragment = asker.get(path, HTTP_HX_REQUEST="true")
    assert "1 of 2 people written" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()

    tasks.produce_people_export.call_local(file.pk)
    fragment = asker.get(path, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in fragment  # done: it stops asking
    assert reverse("people:export_download", args=[export.public_id]) in fragment


def test_a_rejected_or_withdrawn_export_produces_nothing(personas, people, second_organizer):
    organizer = personas["organizer"].member
    asker = sign_in(Client(), organizer)
    export = _ask(asker)
    twoperson.reject_request(approval=export, member=second_organizer)
    assert not SealedFile.objects.exists()
    assert "Refused" in asker.get(reverse("people:exports")).content.decode()
    assert _download(asker, export).status_code == 404

    withdrawn = export_requests.request_export(query={"language": "es"}, by=organizer)
    asker.post(reverse("core:approval_reject", args=[withdrawn.public_id]))
    withdrawn.refresh_from_db()
    assert withdrawn.status == ApprovalRequest.Status.CANCELLED
    assert not SealedFile.objects.exists()
    assert "Withdrawn" in asker.get(reverse("people:exports")).content.decode()


def test_a_passed_decision_can_carry_the_export(
    personas, people, django_capture_on_commit_callbacks
):
    asker = sign_in(Client(), personas["organizer"].member)
    export = _ask(asker)
    with django_capture_on_commit_callbacks(execute=True):
        twoperson.approve_by_decision(approval=export, decision_ref="assembly-2026-11-24")
    file = SealedFile.objects.get()
    assert file.state == "ready"
    approved = AuditEvent.objects.get(action="people.export_approved")
    assert approved.actor_id is None and approved.data["by_decision"] is True
    assert len(_rows(_download(asker, export))) == 3


def test_name_and_contact_searches_cannot_be_exported(personas, people):
    asker = sign_in(Client(), personas["organizer"].member)
    for query in ("q=Anastasia", f"contact={ANA_EMAIL}", "language=es&q=Ana"):
        response = asker.post(reverse("people:export_new"), {"query": query})
        assert response.status_code == 422
        assert "cannot use the name or the contact search" in response.content.decode()
        preview = asker.get(reverse("people:export_new") + "?" + query)
        assert preview.context["preview"] is None
    bad = asker.post(reverse("people:export_new"), {"query": "tier=; DROP TABLE"})
    assert bad.status_code == 422
    nobody = asker.post(reverse("people:export_new"), {"query": "language=es&tag=no-such"})
    assert nobody.status_code == 422
    assert not ApprovalRequest.objects.exists()


def test_a_filter_that_stops_working_fails_cleanly(personas, people, second_organizer):
    asker = sign_in(Client(), personas["organizer"].member)
    export = _ask(asker, {"tag": "night shift"})
    twoperson.approve_request(approval=export, approver=second_organizer)
    file = SealedFile.objects.get()
    people["night"].delete()  # between the approval and the worker
    tasks.produce_people_export.call_local(file.pk)
    file.refresh_from_db()
    assert file.state == "failed"
    assert list(sealed.directory().iterdir()) == []
    assert AuditEvent.objects.filter(action="people.export_failed").count() == 1
    page = asker.get(reverse("people:export_detail", args=[export.public_id])).content.decode()
    assert "could not be produced" in page
    assert _download(asker, export).status_code == 404


def test_downloading_asks_for_the_password_again_when_it_is_not_fresh(
    personas, people, second_organizer, django_capture_on_commit_callbacks
):
    organizer = personas["organizer"].member
    export = _ask(sign_in(Client(), organizer))
    _approve(sign_in(Client(), second_organizer), export, django_capture_on_commit_callbacks)
    stale = Client()
    stale.force_login(organizer, backend="allauth.account.auth_backends.AuthenticationBackend")
    response = _download(stale, export)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEvent.objects.filter(action="people.export_downloaded").exists()


def test_only_organizers_who_read_contacts_reach_the_export_pages(
    personas, people, second_organizer, django_capture_on_commit_callbacks
):
    organizer = personas["organizer"].member
    export = _ask(sign_in(Client(), organizer))
    _approve(sign_in(Client(), second_organizer), export, django_capture_on_commit_callbacks)
    pages = [
        ("get", reverse("people:exports"), {}),
        ("get", reverse("people:export_new"), FILTER),
        ("post", reverse("people:export_new"), {"query": "language=es"}),
        ("get", reverse("people:export_detail", args=[export.public_id]), {}),
        ("get", reverse("people:export_download", args=[export.public_id]), {}),
    ]
    for persona in PERSONA_NAMES:
        member = personas[persona].member
        client = sign_in(Client(), member) if member else Client()
        for method, path, data in pages:
            response = getattr(client, method)(path, data)
            if persona == "organizer":
                assert response.status_code in (200, 302), (persona, path)
                if response.status_code == 302:
                    assert "/exports/" in response["Location"]
            elif member is None:
                assert response["Location"].startswith(reverse("account_login")), path
            elif persona == "pending":
                assert response["Location"].startswith(reverse("members:waiting")), path
            else:
                assert response.status_code == 404, (persona, path)
    # The other organizer may ask for exports of their own, but sees none of the first's.
    other = sign_in(Client(), second_organizer)
    assert other.get(reverse("people:exports")).context["page"].paginator.count == 0


def test_the_export_list_is_paginated_and_shows_only_ones_own(personas, people, second_organizer):
    organizer = personas["organizer"].member
    for _n in range(exports_page_size() + 3):
        export_requests.request_export(query={"language": "es"}, by=organizer)
    export_requests.request_export(query={"language": "es"}, by=second_organizer)
    asker = sign_in(Client(), organizer)
    first = asker.get(reverse("people:exports"))
    assert first.context["page"].paginator.count == exports_page_size() + 3
    assert len(first.context["rows"]) == exports_page_size()
    assert "?page=2" in first.content.decode()
    assert len(asker.get(reverse("people:exports"), {"page": 2}).context["rows"]) == 3


def exports_page_size() -> int:
    from solnet.people.export_views import PAGE_SIZE

    return PAGE_SIZE
