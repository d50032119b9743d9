"""A refused form comes back with an error summary at the top of the page (the GOV.UK
pattern): every problem listed, each a link to its field, whatever form it was."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.tests.test_authorization_matrix import PAGES

A = "allow"
FIELD_ERROR = re.compile(r'class="(?:error|form-errors)"|class="field has-error"')


class _Summary(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.first_id = ""
        self._in_summary = 0

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"])
            if not self.first_id and found["id"] not in ("main",):
                self.first_id = found["id"]
        if found.get("id") == "error-summary":
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a" and (found.get("href") or "").startswith("#"):
            self.links.append(found["href"][1:])

    def handle_endtag(self, tag) -> None:
        if self._in_summary and tag == "div":
            self._in_summary -= 1


def summary_problems(html: str) -> list[str]:
    """What is wrong with a refused page's summary: missing, or linking to nothing."""
    if "error-summary" not in html:
        return ["no error summary"]
    parser = _Summary()
    parser.feed(html)
    main = html.split('<main id="main"', 1)[1]
    if main.find('id="error-summary"') > main.find("<h1") > -1:
        return ["the summary comes after the heading"]
    return [f"the summary links to #{a}, which is not on the page" for a in parser.links
            if a not in parser.ids]  # fmt: skip


def test_the_summary_lists_each_problem_with_a_link_to_its_field():
    from django import forms

    class Form(forms.Form):
        name = forms.CharField(label="Name")
        answer = forms.ChoiceField(
            label="Answer", choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect
        )

        def clean(self):
            raise forms.ValidationError("Not today.")

    refused = Form(data={})
    assert not refused.is_valid()
    unchecked = Form(data={})  # bound but never validated: reading it would validate it
    html = Template("{% load error_summary %}{% error_summary %}").render(
        Context({"form": refused, "other": unchecked, "blank": Form()})
    )
    assert 'href="#id_name"' in html and "Name: This field is required." in html
    assert 'href="#id_answer_0"' in html
    assert "Not today." in html
    assert html.count("<li>") == 3
    assert unchecked._errors is None
    assert (
        Template("{% load error_summary %}{% error_summary %}")
        .render(Context({"blank": Form()}))
        .strip()
        == ""
    )


@pytest.mark.django_db
def test_every_refused_form_shows_its_summary_first(personas, objects):
    checked: list[str] = []
    failures: dict[str, list[str]] = {}
    for name, row in PAGES.items():
        if row.method != "post":
            continue
        who = next((p for p, seen in row.expect.items() if seen == A), None)
        if who is None:
            continue
        path = reverse(name, kwargs=row.kwargs(objects))
        with transaction.atomic():
            client = Client()
            if personas[who].member is not None:
                sign_in(client, personas[who].member)
            response = client.post(path, {})
            transaction.set_rollback(True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if not FIELD_ERROR.search(html):
            continue
        checked.append(name)
        found = summary_problems(html)
        if found:
            failures[f"{name} ({who})"] = found
    assert len(checked) >= 20, checked
    assert failures == {}, "\n".join(f"{page}: {'; '.join(f)}" for page, f in failures.items())
