"""Founding asks what a network must decide — country, currency, how its general meeting
decides, who decides a fight's moves — and the general meeting exists from the start."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_member, sign_in
from solnet.democracy.models import Body
from solnet.members.models import Tier
from solnet.network import places
from solnet.network.models import Network

pytestmark = pytest.mark.django_db

FOUNDING = {
    "name": "Riverside Tenants",
    "city_region": "Portland",
    "country": "US",
    "currency": "USD",
    "languages": ["en", "es"],
    "default_language": "en",
    "approvals_to_join": 1,
    "second_factor_for_all": "on",
    "gm_quorum_percent": 10,
    "gm_quorum_minimum": 3,
    "gm_notice_hours": 0,
    "team_decisions": ["demand"],
    "subject_decisions": ["accept_offer"],
    "waiting_days": 14,
    "founding_size": 8,
}


@pytest.fixture
def founder(db):
    founder = make_member("rosa", tier=Tier.ORGANIZING_TEAM)[0]
    founder.is_founder = True
    founder.save()
    return founder


def test_the_founder_answers_and_the_general_meeting_takes_the_rules(founder):
    client = sign_in(Client(), founder)
    page = client.get(reverse("network:setup")).content.decode()
    for name in ("country", "currency", "gm_quorum_percent", "gm_notice_hours", "team_decisions"):
        assert f'name="{name}"' in page
    response = client.post(reverse("network:setup"), FOUNDING)
    assert response.status_code == 302 and response.url == reverse("home")
    network = Network.objects.current()
    assert (network.country, network.currency, network.waiting_days) == ("US", "USD", 14)
    assert network.founding_size == 8 and network.team_decisions == ["demand"]
    general = Body.objects.general()
    assert (general.quorum_percent, general.quorum_minimum, general.notice_hours) == (10, 3, 0)
    # Afterwards the questions that guard decisions are no longer on the page.
    page = client.get(reverse("network:setup")).content.decode()
    assert 'name="gm_notice_hours"' not in page and 'name="waiting_days"' not in page
    assert 'name="country"' in page


def test_an_unknown_country_or_currency_is_refused_and_changes_nothing(founder):
    client = sign_in(Client(), founder)
    response = client.post(reverse("network:setup"), {**FOUNDING, "country": "XX"})
    assert response.status_code == 422
    response = client.post(reverse("network:setup"), {**FOUNDING, "currency": "DOGE"})
    assert response.status_code == 422
    assert Network.objects.current().founded_at is None


def test_the_general_meeting_exists_before_any_fight(founder):
    client = sign_in(Client(), founder)
    client.post(reverse("network:setup"), FOUNDING)
    assert client.get(reverse("democracy:index")).status_code == 200


def test_countries_and_currencies_are_named_in_the_readers_language():
    assert dict(places.country_choices("es"))["MX"] == "México"
    assert dict(places.country_choices("en"))["US"] == "United States"
    assert "peso mexicano (MXN)" in dict(places.currency_choices("es"))["MXN"]
    assert places.money(Decimal("6710"), "USD", "en") == "$6,710.00"
    assert "6,710.00" in places.money(Decimal("6710"), "USD", "es")
