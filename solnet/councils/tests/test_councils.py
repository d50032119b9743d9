"""Councils: set up by the organizing team; a place for their members, who see the roster;
contact details only for the council's organizing team and the network's organizers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.councils.models import Council, CouncilMembership, Site
from solnet.people.models import ContactChannel, Person
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client(personas):
    return sign_in(Client(), personas["organizer"].member)


def test_an_organizer_builds_a_council_with_two_workplaces(organizer_client):
    response = organizer_client.post(
        reverse("councils:new"), {"name": "Bakery Workers", "kind": "industrial"}
    )
    council = Council.objects.get()
    assert response["Location"] == reverse("councils:detail", args=[council.public_id])
    for name in ("Central Bakery", "Eastside Bakery"):
        organizer_client.post(
            reverse("councils:site_add", args=[council.public_id]),
            {"name": name, "kind": "workplace"},
        )
    assert sorted(council.sites.values_list("name", flat=True)) == [
        "Central Bakery",
        "Eastside Bakery",
    ]
    lupe = Person.objects.create(display_name="Lupe")
    site = Site.objects.get(name="Eastside Bakery")
    organizer_client.post(
        reverse("councils:member_add", args=[lupe.public_id]),
        {"council": council.public_id, "role": "member", "site": site.public_id},
    )
    membership = CouncilMembership.objects.get(person=lupe)
    assert membership.site == site
    page = organizer_client.get(reverse("councils:detail", args=[council.public_id]))
    assert "Lupe" in page.content.decode()
    assert AuditEvent.objects.filter(action="council.member_added").exists()


def test_adding_someone_twice_says_so_and_changes_nothing(organizer_client):
    council = Council.objects.create(name="C", kind="tenant")
    lupe = Person.objects.create(display_name="Lupe")
    path = reverse("councils:member_add", args=[lupe.public_id])
    organizer_client.post(path, {"council": council.public_id, "role": "member"})
    response = organizer_client.post(path, {"council": council.public_id, "role": "organizing"})
    assert response.status_code == 302
    assert list(CouncilMembership.objects.values_list("role", flat=True)) == ["member"]
    messages = [str(m) for m in organizer_client.get(response["Location"]).context["messages"]]
    assert "Lupe already belongs to this council." in messages


def test_a_site_of_another_council_is_refused(organizer_client):
    council = Council.objects.create(name="C", kind="tenant")
    other_site = Site.objects.create(
        council=Council.objects.create(name="D", kind="tenant"), name="Elsewhere", kind="building"
    )
    lupe = Person.objects.create(display_name="Lupe")
    organizer_client.post(
        reverse("councils:member_add", args=[lupe.public_id]),
        {"council": council.public_id, "role": "member", "site": other_site.public_id},
    )
    assert not CouncilMembership.objects.exists()


@pytest.fixture
def council_with_roster(personas):
    council = Council.objects.create(name="Greenway Tenants", kind="tenant")
    neighbour = Person.objects.create(display_name="Neighbour")
    from django.utils import timezone

    ContactChannel.objects.create(
        person=neighbour, kind="call", value="+1 206 555 0155", consent_at=timezone.now()
    )
    CouncilMembership.objects.create(council=council, person=neighbour)
    CouncilMembership.objects.create(
        council=council, person=own_record(member=personas["member"].member)
    )
    return council


def test_a_council_member_sees_the_roster_but_no_contact_details(personas, council_with_roster):
    client = sign_in(Client(), personas["member"].member)
    page = client.get(reverse("councils:detail", args=[council_with_roster.public_id]))
    html = page.content.decode()
    assert page.status_code == 200 and "Neighbour" in html
    assert "555-0155" not in html and "5550155" not in html


def test_the_councils_organizing_team_sees_contact_details(personas, council_with_roster):
    CouncilMembership.objects.filter(person__member=personas["member"].member).update(
        role="organizing"
    )
    client = sign_in(Client(), personas["member"].member)
    html = client.get(reverse("councils:detail", args=[council_with_roster.public_id])).content
    assert b"(206) 555-0155" in html  # kept in E.164, shown as the network's country writes it


def test_a_council_organizer_without_a_second_factor_sees_no_contacts(
    personas, council_with_roster, network
):
    network.second_factor_for_all = False
    network.save()
    plain, _ = make_member("plain_organizer", with_totp=False)
    CouncilMembership.objects.create(
        council=council_with_roster, person=own_record(member=plain), role="organizing"
    )
    html = (
        sign_in(Client(), plain)
        .get(reverse("councils:detail", args=[council_with_roster.public_id]))
        .content
    )
    assert b"Neighbour" in html and b"555 0155" not in html


def test_people_outside_a_council_cannot_see_it(personas, council_with_roster):
    for persona in ("supporter", "dispatcher", "fund_committee"):
        client = sign_in(Client(), personas[persona].member)
        path = reverse("councils:detail", args=[council_with_roster.public_id])
        assert client.get(path).status_code == 404
        assert client.get(reverse("councils:list")).status_code == 404
