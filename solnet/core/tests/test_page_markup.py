"""Every page's markup holds together for people who use a screen reader or tap a label: no id
is used twice (a label or a skip link would reach the wrong field), and every label names a
field that is on the page."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.tests.test_authorization_matrix import PAGES

# Who looks: enough personas that every page a member can reach is read at least once as
# someone who sees its forms.
PERSONAS = ("member", "organizer", "fight_team", "subject", "dispatcher")


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[found["id"]] += 1
        if tag == "label" and found.get("for"):
            self.label_targets.append(found["for"])


def problems_of(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    twice = [f"id “{i}” is used {n} times" for i, n in parser.ids.items() if n > 1]
    orphans = [f"a label names “{t}”, which is not on the page" for t in parser.label_targets
               if t not in parser.ids]  # fmt: skip
    return twice + orphans


def test_the_check_finds_what_it_looks_for():
    assert problems_of('<p id="a"></p><p id="a"></p>') == ["id “a” is used 2 times"]
    assert problems_of('<label for="b">B</label>') == [
        "a label names “b”, which is not on the page"
    ]
    assert problems_of('<label for="c">C</label><input id="c">') == []


@pytest.mark.django_db
def test_no_page_repeats_an_id_or_has_a_label_for_nothing(personas, objects):
    failures: dict[str, list[str]] = {}
    read = 0
    for name, row in PAGES.items():
        if row.method != "get":
            continue
        path = reverse(name, kwargs=row.kwargs(objects))
        for persona in PERSONAS:
            client = sign_in(Client(), personas[persona].member)
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            read += 1
            found = problems_of(response.content.decode())
            if found:
                failures[f"{name} ({persona})"] = found
    assert read > 150, read
    assert failures == {}, "\n".join(f"{page}: {'; '.join(f)}" for page, f in failures.items())
