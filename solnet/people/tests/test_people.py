"""People: records organizers keep, each person's own record, and deletion that deletes."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.members.models import Member, Tier
from solnet.people.models import ContactChannel, Person, Tag

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "display_name": "Lupe",
    "tier": Tier.PHONE_TREE,
    "languages": ["es"],
    "email": "lupe@example.org",
    "phone": "+1 206 555 0177",
    "consent": "on",
    "notice_needed": "one_day",
    "transport": "needs_ride",
    "notes": "Works nights at the bakery.",
}


@pytest.fixture
def organizer_client(personas):
    return sign_in(Client(), personas["organizer"].member)


def test_an_organizer_records_someone_with_consented_channels(organizer_client):
    response = organizer_client.post(reverse("people:new"), NEW_PERSON)
    assert response.status_code == 302
    person = Person.objects.get(display_name="Lupe")
    assert person.tier == Tier.PHONE_TREE and person.languages == ["es"]
    assert person.notes == "Works nights at the bakery."
    channels = {c.kind: c for c in person.channels.all()}
    assert channels["email"].value == "lupe@example.org" and channels["email"].usable
    assert channels["call"].value == "+1 206 555 0177"
    assert AuditEvent.objects.filter(action="person.recorded").count() == 1
    page = organizer_client.get(response["Location"]).content.decode()
    assert "lupe@example.org" in page and "Works nights" in page


def test_bad_input_changes_nothing(organizer_client):
    response = organizer_client.post(
        reverse("people:new"), {**NEW_PERSON, "email": "lupe at example", "tier": 99}
    )
    assert response.status_code == 422
    assert not Person.objects.exists()


def test_people_are_found_by_exact_contact_through_the_blind_index(organizer_client):
    organizer_client.post(reverse("people:new"), NEW_PERSON)
    organizer_client.post(
        reverse("people:new"),
        {
            **NEW_PERSON,
            "display_name": "Other",
            "email": "other@example.org",
            "phone": "+1 206 555 0199",
        },
    )
    page = organizer_client.get(reverse("people:list"), {"contact": " LUPE@example.org "})
    assert [p.display_name for p in page.context["page"]] == ["Lupe"]
    page = organizer_client.get(reverse("people:list"), {"contact": "+1 (206) 555-0177"})
    assert [p.display_name for p in page.context["page"]] == ["Lupe"]


def test_filters_combine_and_pages_cost_the_same_queries(organizer_client):
    night = Tag.objects.create(name="night shift")
    for n in range(120):
        person = Person.objects.create(
            display_name=f"Person {n:03d}",
            tier=Tier.PHONE_TREE if n % 2 else Tier.SUPPORTER,
            languages=["es"] if n % 3 == 0 else ["en"],
        )
        if n % 5 == 0:
            person.tags.add(night)
    page = organizer_client.get(
        reverse("people:list"), {"tier": Tier.PHONE_TREE, "language": "es", "tag": "night shift"}
    )
    names = [p.display_name for p in page.context["page"]]
    assert names == [f"Person {n:03d}" for n in range(120) if n % 2 and n % 3 == 0 and n % 5 == 0]
    assert page.context["page"].paginator.num_pages == 1
    full = organizer_client.get(reverse("people:list"))
    assert full.context["page"].paginator.num_pages == 3
    # A full page of 50 costs exactly the queries of the last page of 20.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for number in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            response = organizer_client.get(reverse("people:list"), {"page": number})
        counts.append(len(queries))
    assert len(response.context["page"].object_list) == 20
    assert counts[0] == counts[1]
    second = organizer_client.get(reverse("people:list"), {"page": 2, "tier": 20})
    assert "tier=20" in second.content.decode()  # the filter survives paging


def test_a_bad_filter_is_ignored_with_an_error_not_a_crash(organizer_client):
    response = organizer_client.get(reverse("people:list"), {"tier": "; DROP TABLE", "tag": "x"})
    assert response.status_code == 200
    assert response.context["filters"].errors


def test_only_the_organizing_team_keeps_the_list(personas):
    for persona in ("supporter", "member", "dispatcher", "fund_committee"):
        client = sign_in(Client(), personas[persona].member)
        assert client.get(reverse("people:list")).status_code == 404


def test_contacts_follow_the_readers_role_and_the_panic_button(personas, organizer_client):
    from solnet.members import services as member_services
    from solnet.people import services

    target = personas["member"].member
    person = services.own_record(member=target)
    ContactChannel.objects.create(person=person, kind="email", value="m@example.org")
    path = reverse("people:detail", args=[person.public_id])
    assert "m@example.org" in organizer_client.get(path).content.decode()
    member_services.panic(member=target)
    assert "m@example.org" not in organizer_client.get(path).content.decode()


def test_a_member_sees_and_edits_their_own_record(personas):
    member = personas["member"].member
    client = sign_in(Client(), member)
    assert client.get(reverse("people:me")).status_code == 200
    response = client.post(
        reverse("people:me"),
        {"display_name": "Mem", "languages": ["es", "en"], "notice_needed": "same_day"},
    )
    assert response.status_code == 302
    person = Person.objects.get(member=member)
    assert person.display_name == "Mem" and person.languages == ["es", "en"]


def test_a_member_downloads_everything_stored_about_them(personas):
    member = personas["member"].member
    client = sign_in(Client(), member)
    response = client.get(reverse("people:me_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["sign_in_name"] == "member"
    assert data["account"]["email"] == "member@example.org"
    assert data["record"]["display_name"] == "Member"


def test_downloading_asks_for_the_password_when_the_sign_in_is_not_fresh(personas):
    client = Client()
    client.force_login(
        personas["member"].member, backend="allauth.account.auth_backends.AuthenticationBackend"
    )
    response = client.get(reverse("people:me_download"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db(transaction=True)
def test_a_deletion_request_removes_the_persons_data_everywhere(network, personas):
    from solnet.core.tests.test_data_at_rest import _dump
    from solnet.members import services as member_services
    from solnet.people import services

    organizer = personas["organizer"].member
    _row, token = member_services.create_invitation(
        created_by=organizer,
        tier=Tier.MEMBER,
        label="Zoraida from the laundromat",
        email="zoraida.private@example.net",
    )
    zoraida = member_services.accept_invitation(
        token=token,
        username="zoraida_q",
        display_name="Zoraida Quintanilla",
        password="a long enough passphrase",
    )
    Member.objects.filter(pk=zoraida.pk).update(status="active")
    zoraida.refresh_from_db()
    zoraida.email = "zoraida.private@example.net"
    zoraida.save()
    person = services.own_record(member=zoraida)
    ContactChannel.objects.create(person=person, kind="text", value="+1 206 555 0166")

    client = sign_in(Client(), zoraida)
    response = client.post(reverse("people:me_delete"), {"confirm": "on"})
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("home")

    assert not Member.objects.filter(username="zoraida_q").exists()
    assert not Person.objects.filter(display_name__startswith="Zoraida").exists()
    assert not ContactChannel.objects.filter(person_id=person.pk).exists()
    assert AuditEvent.objects.filter(action="person.erased", actor_id=zoraida.pk).exists()
    dump = _dump()
    for trace in (b"zoraida", b"Zoraida", b"Quintanilla", b"laundromat", b"555 0166"):
        assert trace not in dump, trace


def _token(member, scopes=("people:read",)):
    from solnet.members import services as member_services

    _t, secret = member_services.create_api_token(
        member=member, name="t", scopes=list(scopes), days=1
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_api_lists_people_with_the_same_filters_and_rules(personas, organizer_client):
    organizer_client.post(reverse("people:new"), NEW_PERSON)
    Person.objects.create(display_name="English Only", languages=["en"])
    client = Client()
    body = client.get("/api/people?language=es", **_token(personas["organizer"].member)).json()
    assert [p["display_name"] for p in body["items"]] == ["Lupe"]
    channels = {c["kind"]: c for c in body["items"][0]["channels"]}
    assert channels["email"] == {"kind": "email", "value": "lupe@example.org", "usable": True}
    lupe = Person.objects.get(display_name="Lupe")
    member_headers = _token(personas["member"].member)
    assert client.get("/api/people", **member_headers).json()["items"] == []
    assert client.get(f"/api/people/{lupe.public_id}", **member_headers).status_code == 404
    assert (
        client.get("/api/people?tier=many", **_token(personas["organizer"].member)).status_code
        == 422
    )


def test_the_api_needs_the_people_scope(personas):
    headers = _token(personas["organizer"].member, scopes=("members:read",))
    assert Client().get("/api/people", **headers).status_code == 403
