"""The menu on a phone: the few daily destinations in one row, the rest under "More" — a
`<details>`, so it opens without JavaScript — and every entry in a row on a wider screen."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.democracy.models import Body

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]


def test_a_phone_shows_the_daily_destinations_and_the_rest_under_more(personas):
    Body.objects.general()  # there from the founding on
    client = sign_in(Client(), personas["organizer"].member)
    nav = _nav(client.get(reverse("home")).content.decode())
    row, more = nav.split('<li class="narrow-only">', 1)
    always = re.findall(r'<li><a href="[^"]+"[^>]*>([^<]+)</a>', row)
    assert always == ["Decisions", "Actions", "Fights"]
    under_more = re.findall(r'<li><a href="[^"]+"[^>]*>([^<]+)</a>', more)
    assert {"Start", "People", "Members", "Leads", "You"} <= set(under_more)
    # On a wide screen the same entries stand in the row (CSS shows them from 48rem).
    wide = re.findall(r'<li class="wide-only"><a href="[^"]+"[^>]*>([^<]+)</a>', row)
    assert wide == under_more


def test_a_page_under_more_marks_more(personas):
    client = sign_in(Client(), personas["organizer"].member)
    nav = _nav(client.get(reverse("people:list")).content.decode())
    assert '<summary class="current">More' in nav
    nav = _nav(client.get(reverse("fights:list")).content.decode())
    assert '<summary class="current">' not in nav
    assert f'<li><a href="{reverse("fights:list")}" aria-current="page">Fights' in nav
