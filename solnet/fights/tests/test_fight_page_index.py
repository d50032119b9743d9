"""The fight page runs to several screens on a phone: an index at its top jumps to each of
its sections (plain links to their headings, so it works without JavaScript), and names every
section the reader sees — no more, no fewer."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["fight_team", "subject"])
def test_the_index_names_every_section_on_the_page(objects, personas, persona):
    client = sign_in(Client(), personas[persona].member)
    page = client.get(reverse("fights:detail", args=[objects["fight"].public_id]))
    html = page.content.decode()
    index = html.split('<nav class="on-this-page"', 1)[1].split("</nav>", 1)[0]
    linked = re.findall(r'<a href="#([\w-]+)">', index)
    sections = re.findall(r'<section[^>]*aria-labelledby="([\w-]+)"', html)
    assert linked == sections
    assert len(linked) >= 5
    # The index comes before the first section.
    assert html.index('class="on-this-page"') < html.index("<section")
