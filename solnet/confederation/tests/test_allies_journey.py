"""Allies on a phone, across three real SolNet servers, one of them in Spanish: A and B pair
and each general meeting decides to ally; C pairs with A; A asks its allies for turnout at a
picket; B accepts, calls its own members and sends the counts; A sees the total; B's meeting
ends the alliance, and B's next message is refused. Each page is checked with axe, for
sideways scroll and for its CSP.

Organizers act on the pages. What takes days — members voting and a quorate meeting closing
the vote, members answering their callers — happens inside each server (`instance_scripts`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import PHONE, accessibility_violations, totp_code
from solnet.confederation.tests.instance_scripts import PASSWORD
from solnet.confederation.tests.instances import three_servers

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with three_servers(tmp_path_factory.mktemp("journey")) as found:
        found["a"].totp = found["a"].script(
            "seed", "Eastside Solidarity Network", "Seattle", ["en"], "tenants"
        )["totp"]
        found["b"].totp = found["b"].script(
            "seed", "Red de Solidaridad del Sur", "Los Ángeles", ["es", "en"], "trabajadores"
        )["totp"]
        found["c"].totp = found["c"].script(
            "seed", "Northside Tenants", "Portland", ["en"], "tenants"
        )["totp"]
        yield found


def _phone(browser, server, language: str):
    """An organizer's phone, signed in to `server` (whose certificate a local authority
    made: the phone is told to accept it, as it would trust a real one)."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale={"en": "en-US", "es": "es-ES"}[language],
        extra_http_headers={"Accept-Language": language},
        ignore_https_errors=True,
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: (
            page.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    page.goto(f"{server.origin}/accounts/login/")
    page.fill("input[name=login]", "org1")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code(server.totp["org1"]))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{server.origin}/")
    return page


def _look(page, step: str) -> None:
    assert accessibility_violations(page) == [], step
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{step}: the page scrolls sideways"
    assert page.csp_violations == [], f"{step}: {page.csp_violations}"
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"allies-{step}.png", full_page=True)


def _click(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).first.click()


def _make_code(page, server) -> str:
    page.goto(f"{server.origin}/allies/pair/")
    _click(page, {"en": "Make a code", "es": "Crear un código"}[page.language])
    return page.locator("#pairing-code").inner_text()


def _enter_code(page, server, code: str) -> None:
    page.goto(f"{server.origin}/allies/pair/")
    page.fill("textarea[name=code]", code)
    _click(page, {"en": "Pair", "es": "Emparejar"}[page.language])


def _ask_meeting(page, server, peer_name: str) -> None:
    page.goto(f"{server.origin}/allies/")
    page.get_by_role("link", name=peer_name).click()
    _click(
        page,
        {
            "en": "Ask the general meeting to ally",
            "es": "Pedir a la asamblea general que decida la alianza",
        }[page.language],
    )
    assert "/decisions/" in page.url


def _peer_state(server, other) -> str:
    return (server.script("peers").get(other.origin) or {}).get("state", "")


def test_allies_pair_decide_call_out_and_part(servers, chromium):
    browser = chromium
    a, b, c = servers["a"], servers["b"], servers["c"]
    phone_a = _phone(browser, a, "en")
    phone_a.language = "en"
    phone_b = _phone(browser, b, "es")
    phone_b.language = "es"

    # A makes a code; B's organizer, in Spanish, enters it.
    code = _make_code(phone_a, a)
    _look(phone_a, "code-en")
    assert code.startswith(f"solnet-pair 1 {a.origin} ")
    _enter_code(phone_b, b, code)
    assert "Eastside" in phone_b.content() or _peer_state(b, a) == "pairing"
    b.wait_until(lambda: _peer_state(b, a) == "paired", what="A's answer at B")
    phone_b.reload()
    _look(phone_b, "paired-es")
    assert "Emparejada, a la espera de ambas decisiones" in phone_b.content()

    # Each organizer asks their meeting; each meeting decides (days pass inside each server).
    _ask_meeting(phone_a, a, "Red de Solidaridad del Sur")
    assert a.script("pass_open_proposal")["status"] == "passed"
    _ask_meeting(phone_b, b, "Eastside Solidarity Network")
    assert b.script("pass_open_proposal")["status"] == "passed"
    a.wait_until(lambda: _peer_state(a, b) == "allied", what="the alliance at A")
    b.wait_until(lambda: _peer_state(b, a) == "allied", what="the alliance at B")
    phone_b.goto(f"{b.origin}/allies/")
    _look(phone_b, "allies-es")
    assert "Aliada" in phone_b.content()

    # C pairs with A too.
    phone_c = _phone(browser, c, "en")
    phone_c.language = "en"
    _enter_code(phone_c, c, _make_code(phone_a, a))
    c.wait_until(lambda: _peer_state(c, a) == "paired", what="A's answer at C")

    # A asks its allies for turnout at a picket of one of its fights.
    action = a.script("fight_action")["action"]
    phone_a.goto(f"{a.origin}/allies/requests/new/?action={action}")
    _look(phone_a, "callout-new-en")
    phone_a.fill("input[name=target]", "Westlake Property Management")
    phone_a.fill("textarea[name=ask]", "Twenty people to picket the office for two hours.")
    _click(phone_a, "Send the request")
    request_url = phone_a.url
    assert "1 allied network" in phone_a.content()

    # B's organizer finds it on the start page, in the words A wrote, and accepts.
    b.wait_until(lambda: b.script("incoming"), what="A's request at B")
    phone_b.goto(f"{b.origin}/")
    _look(phone_b, "start-es")
    phone_b.get_by_role("link", name=re.compile("Westlake Property Management")).click()
    _look(phone_b, "incoming-es")
    _click(phone_b, "Aceptar")
    incoming = b.script("incoming")[0]
    b.script("members_answer", incoming["id"])
    phone_b.reload()
    assert "Cuenta 2 que vienen y 1 que llegaron." in phone_b.content()
    _click(phone_b, "Enviar las cifras")
    _look(phone_b, "turnout-es")

    # A sees the total across its allies.
    a.wait_until(
        lambda: a.script("callout_totals", request_url.rstrip("/").rsplit("/", 1)[-1])["came"] == 1,
        what="B's counts at A",
    )
    phone_a.goto(request_url)
    _look(phone_a, "total-en")
    assert "2 coming · 1 came" in phone_a.content()

    # B's meeting ends the alliance; B's next message is refused at A.
    phone_b.goto(f"{b.origin}/allies/")
    phone_b.get_by_role("link", name="Eastside Solidarity Network").click()
    _click(phone_b, "Pedir a la asamblea general que decida terminar la alianza")
    assert b.script("pass_open_proposal")["status"] == "passed"
    assert _peer_state(b, a) == "ended"
    a.wait_until(lambda: _peer_state(a, b) == "ended", what="the end at A")
    sent = b.script(
        "send_now", a.origin, "callout.turnout", {"request": "x", "committed": 1, "came": 1}
    )
    assert sent["status"] == 403
    phone_a.goto(f"{a.origin}/allies/")
    _look(phone_a, "allies-en")
    assert "Alliance ended" in phone_a.content()
