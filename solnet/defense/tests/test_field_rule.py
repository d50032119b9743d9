"""The field rule (DOMAIN.md §8): nothing of a report, of an incident's field notes or of a
jail-support case reaches a public page, a feed, an API answer or an outbound request. A
report whose every word carries a mark is planted, and field notes and a case carrying
others; every page of the authorization matrix is read by every persona it admits, and every
API read by every persona with every scope; each mark may show on its own readers' pages
alone, and no request leaves the server."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PERSONA_NAMES, sign_in
from solnet.core import http
from solnet.core.tests.test_authorization_matrix import API_OPERATIONS, PAGES, A
from solnet.defense.models import Arrestee, FieldEntry, Report
from solnet.defense.tests.making import make_report
from solnet.members import services as member_services
from solnet.members.models import ApiScope

MARK = "Rq7fieldrule"
NOTE_MARK = "Fn3fieldnote"
JAIL_MARK = "Jb5jailcase"


def _body(response) -> str:
    """What a response carries, streamed (an export's file) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


# Where a report may be read: the dispatchers' desk and the report's own page, and the page
# of the verifier asked to go and look (the matrix's member persona).
ALLOWED_READERS = {
    ("defense:home", "dispatcher"),
    ("defense:report", "dispatcher"),
    ("defense:verify", "member"),
}
# Where field notes may be read: the incident's page, by the observer checked in (the matrix's
# member persona) and by dispatchers, and the author's correction form.
NOTE_READERS = {
    ("defense:incident", "member"),
    ("defense:incident", "dispatcher"),
    ("defense:entry_correct", "member"),
}
# Where a jail-support case may be read: by the dispatchers (the matrix's dispatcher persona
# also supports it).
JAIL_READERS = {
    ("defense:cases", "dispatcher"),
    ("defense:arrestee", "dispatcher"),
    ("defense:arrestee_edit", "dispatcher"),
}
MARKS = {NOTE_MARK: NOTE_READERS, JAIL_MARK: JAIL_READERS}


@pytest.fixture
def marked_report():
    return make_report(
        **{name: f"{MARK} {name}" for name in Report.WORDS},
    )


@pytest.mark.verify
@pytest.mark.django_db
def test_no_report_reaches_a_page_feed_api_or_request_but_the_dispatchers(
    personas, objects, marked_report, monkeypatch, figures
):
    outbound = []

    def refuse_outbound(*args, **kwargs):
        outbound.append(args[:1])
        raise http.OutboundError("no outbound requests in this test")

    for name in ("get", "post_form", "post_json", "request"):
        if hasattr(http, name):
            monkeypatch.setattr(http, name, refuse_outbound)
    paths = {
        name: reverse(name, kwargs=row.kwargs(objects))
        for name, row in PAGES.items()
        if row.method == "get"
    }
    # The matrix's own report carries the mark too, so that its pages are tested with it.
    Report.objects.update(activity=f"{MARK} activity", location=f"{MARK} location")
    # And the matrix's incident's field notes carry theirs.
    FieldEntry.objects.update(what=f"{NOTE_MARK} what", names=f"{NOTE_MARK} names")
    # And the matrix's jail-support case theirs.
    Arrestee.objects.update(**{name: f"{JAIL_MARK} {name}" for name in Arrestee.DETAILS})
    clients = {}
    for persona in PERSONA_NAMES:
        clients[persona] = Client(raise_request_exception=False)
        if personas[persona].member is not None:
            sign_in(clients[persona], personas[persona].member)
    leaks, read, dispatcher_saw = [], 0, set()
    seen: dict[str, set] = {mark: set() for mark in MARKS}
    for name, path in paths.items():
        for persona in PERSONA_NAMES:
            if PAGES[name].expect[persona] != A:
                continue
            body = _body(clients[persona].get(path))
            read += 1
            for mark, readers in MARKS.items():
                if mark not in body:
                    continue
                if (name, persona) in readers:
                    seen[mark].add((name, persona))
                else:
                    leaks.append(f"{mark} on {name} as {persona}")
            if MARK not in body:
                continue
            if (name, persona) in ALLOWED_READERS:
                dispatcher_saw.add(name)
            else:
                leaks.append(f"{name} as {persona}")
    for (method, template), row in API_OPERATIONS.items():
        if method != "get":
            continue
        path = template.format(**row.kwargs(objects))
        for persona in PERSONA_NAMES:
            member = personas[persona].member
            headers = {}
            if member is not None:
                _token, secret = member_services.create_api_token(
                    member=member, name="rule", scopes=list(ApiScope.values), days=1
                )
                headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
            response = Client(raise_request_exception=False).get(path, **headers)
            read += 1
            body = _body(response)
            if any(mark in body for mark in (MARK, *MARKS)):
                leaks.append(f"GET {template} as {persona}")
    figures(
        "defense.report_leaks",
        len(leaks) + len(outbound),
        unit="pages, answers and requests",
        target=f"0 (of {read} reads)",
        ok=not leaks and not outbound,
    )
    # The control: the dispatcher does read it, on the report's own page.
    assert "defense:report" in dispatcher_saw
    assert seen == MARKS
    assert leaks == [] and outbound == []
