"""The public "join the network" page: minimal, multilingual, held back from spam."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.people.models import ContactChannel, JoinRequest, Person
from solnet.people.views import JOIN_US_PER_HOUR, JOIN_US_SALT

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "display_name": "Marisol",
        "kind": "text",
        "value": "+1 206 555 0144",
        "language": "es",
        "message": "My landlord kept my deposit.",
        "consent": "on",
        "website": "",
        "started": signing.dumps(time.time() - 20, salt=JOIN_US_SALT),
    }
    data.update(changes)
    return data


def test_someone_asks_to_join_and_an_organizer_takes_them_in(network, personas):
    response = Client().post(reverse("join_us"), _form())
    assert response.status_code == 302 and response["Location"] == reverse("join_us_thanks")
    join_request = JoinRequest.objects.get()
    assert join_request.value == "+12065550144"
    assert AuditEvent.objects.filter(action="join_request.received").exists()

    organizer = sign_in(Client(), personas["organizer"].member)
    page = organizer.get(reverse("people:requests")).content.decode()
    assert "Marisol" in page and "My landlord kept my deposit." in page
    organizer.post(reverse("people:request_accept", args=[join_request.public_id]))
    person = Person.objects.get(display_name="Marisol")
    channel = ContactChannel.objects.get(person=person)
    assert (channel.kind, channel.value, channel.usable) == ("text", "+12065550144", True)
    assert person.languages == ["es"] and person.tier == 10
    assert not JoinRequest.objects.exists()


def test_the_page_speaks_spanish(network):
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("join_us"))
    assert page.status_code == 200 and page["Content-Language"] == "es"


def test_consent_is_required_and_bad_input_changes_nothing(network):
    response = Client().post(reverse("join_us"), _form(consent="", value="call me"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "consent" in errors and "value" in errors
    assert not JoinRequest.objects.exists()


def test_a_bot_filling_the_hidden_field_is_thanked_and_forgotten(network):
    response = Client().post(reverse("join_us"), _form(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == reverse("join_us_thanks")
    assert not JoinRequest.objects.exists()


def test_a_form_sent_faster_than_a_person_types_is_refused(network):
    quick = signing.dumps(time.time(), salt=JOIN_US_SALT)
    response = Client().post(reverse("join_us"), _form(started=quick))
    assert response.status_code == 422
    assert not JoinRequest.objects.exists()
    forged = Client().post(reverse("join_us"), _form(started="12345"))
    assert forged.status_code == 422


def test_one_address_is_limited_per_hour(network):
    client = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(JOIN_US_PER_HOUR):
        assert client.post(reverse("join_us"), _form(display_name=f"P{n}")).status_code == 302
    response = client.post(reverse("join_us"), _form(display_name="One too many"))
    assert response.status_code == 429
    assert JoinRequest.objects.count() == JOIN_US_PER_HOUR
    other = Client(REMOTE_ADDR="198.51.100.10").post(reverse("join_us"), _form())
    assert other.status_code == 302


def test_only_organizers_see_the_requests(network, personas):
    JoinRequest.objects.create(display_name="X", kind="email", value="x@example.org")
    for persona in ("member", "dispatcher", "supporter"):
        client = sign_in(Client(), personas[persona].member)
        assert client.get(reverse("people:requests")).status_code == 404
