"""The network's settings and the language it speaks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.network.models import Network

pytestmark = pytest.mark.django_db

SETTINGS = {
    "name": "Eastside Solidarity Network",
    "city_region": "Seattle",
    "languages": ["en", "es"],
    "default_language": "es",
    "approvals_to_join": 2,
    "second_factor_for_all": "on",
}


def test_organizers_change_the_settings(personas):
    client = sign_in(Client(), personas["organizer"].member)
    response = client.post(reverse("network:setup"), SETTINGS)
    assert response.status_code == 302
    network = Network.objects.current()
    assert network.default_language == "es" and network.approvals_to_join == 2
    assert AuditEvent.objects.filter(action="network.configured").count() == 1


def test_a_default_language_outside_the_networks_languages_is_refused(personas):
    client = sign_in(Client(), personas["organizer"].member)
    response = client.post(
        reverse("network:setup"), {**SETTINGS, "languages": ["en"], "default_language": "es"}
    )
    assert response.status_code == 422
    assert "The default language must be one the network works in." in response.content.decode()
    assert Network.objects.current().default_language == "en"


def test_members_cannot_change_the_settings(personas):
    client = sign_in(Client(), personas["member"].member)
    assert client.post(reverse("network:setup"), SETTINGS).status_code == 404
    assert Network.objects.current().approvals_to_join == 1


def test_a_visitor_gets_the_networks_default_language(network):
    network.default_language = "es"
    network.save()
    page = Client().get(reverse("account_login"))
    assert page["Content-Language"] == "es"
    assert "Iniciar sesión" in page.content.decode()


def test_the_browsers_language_counts_when_the_network_works_in_it(network):
    page = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").get(reverse("account_login"))
    assert page["Content-Language"] == "es"
    network.languages = ["en"]
    network.save()
    page = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").get(reverse("account_login"))
    assert page["Content-Language"] == "en"


def test_the_language_switcher_wins_and_works_without_javascript(network):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert client.get("/")["Content-Language"] == "es"


def test_a_members_own_language_comes_before_the_browsers(personas):
    member = personas["member"].member
    member.preferred_language = "es"
    member.save()
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), member)
    assert client.get("/")["Content-Language"] == "es"
