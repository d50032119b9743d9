"""Know-your-rights cards: written per language by dispatchers and the LO coordinator, read
and printed by anyone, and shown with an alert on the page a responder opens from it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.defense import rights
from solnet.defense.models import RightsCard
from solnet.mobilize import links
from solnet.mobilize.models import Alert, AlertStatus, Delivery, Send, SendKind
from solnet.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(personas):
    dispatcher = personas["dispatcher"].member
    english = rights.save_card(
        by=dispatcher,
        card=None,
        language="en",
        title="If agents come to your door",
        body="Do not open the door. Ask them to slide the warrant under it.",
        position=1,
    )
    spanish = rights.save_card(
        by=dispatcher,
        card=None,
        language="es",
        title="Si llegan agentes a tu puerta",
        body="No abras la puerta. Pide que pasen la orden por debajo.",
        position=1,
    )
    return english, spanish


def test_only_dispatchers_and_the_coordinator_write_cards(cards, personas):
    for persona in ("member", "organizer"):
        with pytest.raises(PermissionDenied):
            rights.save_card(
                by=personas[persona].member,
                card=None,
                language="en",
                title="x",
                body="y",
                position=1,
            )
        client = sign_in(Client(), personas[persona].member)
        response = client.post(
            reverse("defense:rights_edit"),
            {"language": "en", "title": "Fake", "body": "Open the door", "position": 1},
        )
        assert response.status_code in (403, 404)
    assert RightsCard.objects.count() == 2


def test_a_card_without_a_title_or_in_an_unknown_language_is_refused(cards, personas):
    client = sign_in(Client(), personas["dispatcher"].member)
    for data in (
        {"language": "en", "title": "", "body": "Stay calm", "position": 1},
        {"language": "xx", "title": "T", "body": "Stay calm", "position": 1},
        {"language": "en", "title": "T", "body": "b" * 1300, "position": 1},
    ):
        assert client.post(reverse("defense:rights_edit"), data).status_code == 422
    assert RightsCard.objects.count() == 2


def test_anyone_reads_the_cards_in_their_language_and_prints_them(cards):
    page = Client().get(reverse("defense:rights"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Si llegan agentes" in page and "If agents come" not in page
    page = Client().get(reverse("defense:rights") + "?language=en").content.decode()
    assert "If agents come" in page
    page = Client().get(reverse("defense:rights") + "?language=zz").content.decode()
    assert "If agents come" in page  # an unknown language: the default
    pdf = Client().get(reverse("defense:rights_pdf") + "?language=es")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_responder_sees_the_cards_with_the_alert(cards, network):
    person = Person.objects.create(display_name="Responder", languages=["es"])
    alert = Alert.objects.create(message="Alder St and 14th", status=AlertStatus.SENT)
    send = Send.objects.create(kind=SendKind.ALERT, alert=alert, texts={})
    delivery = Delivery.objects.create(send=send, person=person, channel="email")
    path = links.alert_link(delivery).removeprefix(settings.BASE_URL)
    page = Client().get(path, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Si llegan agentes a tu puerta" in page and "No abras la puerta" in page
    # No card written: no panel.
    RightsCard.objects.all().delete()
    page = Client().get(path).content.decode()
    assert "rights-title" not in page
