"""The hotline's phone line on a dispatcher's phone, in English and in Spanish: a text reaches
the hotline through the gateway and waits on the desk; the dispatcher on shift reads it,
writes a SALUTE report from it and answers the person by text, from the hotline's number; a
call nobody answers waits on the desk in turn. Each page is checked with axe, for sideways
scroll and for its CSP, and none shows the caller's number."""

from __future__ import annotations

import pytest
from django.test import Client

from solnet.defense.models import Report, Source
from solnet.defense.tests.conftest import CALLER, LINE
from solnet.defense.tests.test_desk_journey import _look, _send, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CALLER_WRITTEN = ("+12065550142", "2065550142", "555-0142")


def _no_number(page) -> None:
    content = page.content()
    assert not [form for form in CALLER_WRITTEN if form in content], page.url


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_text_to_the_hotline_becomes_a_report_and_is_answered(
    phone, live_server, phone_line, personas, language
):
    base = live_server.url
    gateway = phone_line.gateway
    gateway.signed_inbound(CALLER, LINE, "ICE at 1420 Alder St, two vans").post(Client())

    desk = phone(language)
    _sign_in(desk, base, phone_line.primary, personas["dispatcher"].totp_secret)
    desk.goto(f"{base}/defense/")
    waiting = desk.locator("main section[aria-labelledby=line-title] a").first
    _look(desk, language, "line-desk")
    _no_number(desk)
    with desk.expect_navigation():
        waiting.click()
    assert "ICE at 1420 Alder St" in desk.content()
    _look(desk, language, "line-conversation")
    _no_number(desk)

    # The dispatcher writes a SALUTE report from it: the texts are above the form.
    with desk.expect_navigation():
        desk.locator("main a.button").first.click()
    assert "ICE at 1420 Alder St" in desk.content()
    form = desk.locator("main form")
    form.locator("textarea[name=size]").fill("two vans")
    form.locator("textarea[name=activity]").fill("agents at the door")
    form.locator("textarea[name=location]").fill("1420 Alder Street")
    assert form.locator("select[name=source]").input_value() == Source.TEXT
    _look(desk, language, "line-salute")
    _send(desk, form)
    report = Report.objects.get()
    assert report.conversations.get().texts.count() == 1
    _look(desk, language, "line-report")
    _no_number(desk)

    # And answers the person by text, from the report's page.
    form = desk.locator("main form[action$='/reply/']")
    form.locator("textarea[name=body]").fill("A verifier is on the way. Stay inside.")
    _send(desk, form)
    _look(desk, language, "line-answered")
    [sent] = gateway.messages
    assert (sent.from_, sent.to) == (LINE, CALLER)

    # A call nobody answers waits on the desk.
    gateway.place_call("+12065550177", LINE)
    desk.goto(f"{base}/defense/")
    _look(desk, language, "line-missed")
    assert desk.locator("main section[aria-labelledby=line-title] li").count() == 1
