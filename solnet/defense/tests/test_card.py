"""The printed card: a page of cards with the hotline's number and the public form's QR code,
for dispatchers alone (whoever holds a card can send reports), audit-logged."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.defense import card
from solnet.defense.models import Hotline
from solnet.defense.tests.making import open_public_form

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_card_carries_the_form_and_its_qr_code_for_dispatchers_alone(personas):
    url = reverse("defense:hotline_card")
    client = sign_in(Client(), personas["dispatcher"].member)
    assert client.get(url).status_code == 404  # nothing to give yet: no form, no line
    address = open_public_form()
    hotline = Hotline.current()
    response = client.get(url + "?language=es")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    # (pdftotext joins a line broken after a hyphen by dropping it: compare without them)
    flat = text.replace("\n", "").replace("-", "")
    assert "No publiques esta tarjeta" in text and address.replace("-", "") in flat
    # The QR code is the form's address, drawn here.
    html = card.card_html(hotline, "en")
    assert card.qr_data_uri(card.form_address(hotline)) in html
    assert AuditEvent.objects.filter(action="defense.card_printed").count() == 1
    for persona in ("member", "organizer", "outsider"):
        other = Client()
        if personas[persona].member is not None:
            sign_in(other, personas[persona].member)
        assert other.get(url).status_code in (302, 403, 404)
