"""Amounts show in the network's currency, written as the reader's language writes money."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("currency", "language", "shown"),
    [
        ("USD", "en", "$6,710.00"),
        ("USD", "es", "USD6,710.00"),
        ("MXN", "en", "MX$6,710.00"),
        ("MXN", "es", "MXN6,710.00"),
    ],
)
def test_a_demand_shows_its_amount_in_the_networks_currency(
    objects, personas, network, currency, language, shown
):
    network.currency = currency
    network.save()
    client = sign_in(Client(), personas["fight_team"].member)
    page = client.get(
        reverse("fights:demands", args=[objects["fight"].public_id]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    # Latin American Spanish (CLDR's es_419) writes money as Mexico and the US do.
    assert shown in page
    assert "6710.00" not in page  # never the bare number
