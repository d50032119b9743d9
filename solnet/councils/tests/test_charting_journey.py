"""An organizer on a phone builds a council with two workplaces, charts a department and logs a
one-on-one — in English and in Spanish, without relying on the words on the buttons."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone, translation

from conftest import accessibility_violations, totp_code
from solnet.councils.models import Assessment, Council, CouncilMembership, OneOnOne
from solnet.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def _look(page, language: str, step: str) -> None:
    assert accessibility_violations(page) == [], f"{language} {step}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{language} {step}: the page scrolls sideways"
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"chart-{language}-{step}.png", full_page=True)


def _submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def sign_in_on(page, base: str, persona) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", persona.member.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code(persona.totp_secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_organizer_charts_a_department_on_a_phone(phone, live_server, personas, language):
    page = phone(language)
    base = live_server.url
    lupe = Person.objects.create(display_name="Lupe")
    sign_in_on(page, base, personas["organizer"])

    # A council with two workplaces.
    page.goto(f"{base}/councils/new/")
    page.fill("input[name=name]", "Bakery Workers")
    page.select_option("select[name=kind]", "industrial")
    page.locator("main form button[type=submit]").click()
    council = Council.objects.get(name="Bakery Workers")
    page.wait_for_url(f"**/councils/{council.public_id}/")
    for workplace in ("Central Bakery", "Eastside Bakery"):
        page.locator("main details summary").first.click()
        form = page.locator("main form[action$='/sites/']")
        form.locator("input[name=name]").fill(workplace)
        form.locator("select[name=kind]").select_option("workplace")
        _submit(page, form)
    assert sorted(council.sites.values_list("name", flat=True)) == [
        "Central Bakery",
        "Eastside Bakery",
    ]
    _look(page, language, "council")

    # Its chart: a department and a shift at Central Bakery.
    central = council.sites.get(name="Central Bakery")
    page.locator(f"main a[href$='/sites/{central.public_id}/']").click()
    page.wait_for_url(f"**/sites/{central.public_id}/")
    for kind, name in (("department", "Packing"), ("shift", "Nights")):
        page.locator("main details summary").last.click()
        form = page.locator("main form[action$='/sections/']")
        form.locator("select[name=kind]").select_option(kind)
        form.locator("input[name=name]").fill(name)
        _submit(page, form)
    assert sorted(central.sections.values_list("name", flat=True)) == ["Nights", "Packing"]

    # Lupe joins the council at Central Bakery, from her page.
    page.goto(f"{base}/people/{lupe.public_id}/")
    form = page.locator("main form[action$='/join/']")
    form.locator("select[name=council]").select_option(council.public_id)
    form.locator("select[name=site]").select_option(central.public_id)
    _submit(page, form)
    assert CouncilMembership.objects.filter(council=council, person=lupe, site=central).exists()

    # From the roster to her place in the council: put her in Packing on Nights.
    page.goto(f"{base}/councils/{council.public_id}/")
    page.locator(f"main a[href$='/members/{lupe.public_id}/']").click()
    page.wait_for_url(f"**/members/{lupe.public_id}/")
    packing = central.sections.get(name="Packing")
    nights = central.sections.get(name="Nights")
    form = page.locator("main form[action$='/place/']")
    form.locator("select[name=section]").select_option(packing.public_id)
    form.locator("select[name=shift]").select_option(nights.public_id)
    _submit(page, form)
    assert page.url.endswith(f"/members/{lupe.public_id}/")

    # A one-on-one, with a new assessment and a follow-up; first with a mistake.
    page.locator("main details summary").last.click()
    form = page.locator("main form#one-on-one")
    form.locator("textarea[name=notes]").fill("Short-staffed on nights; wants the ovens fixed.")
    form.locator("input[name=follow_up_on]").fill(timezone.localdate().isoformat())
    form.locator("select[name=level]").select_option("2")
    _submit(page, form)
    with translation.override(language):
        problem = translation.gettext("Say what the follow-up is.")
    assert problem in page.locator("main").inner_text()
    assert not OneOnOne.objects.exists()
    _look(page, language, "one-on-one-error")
    form = page.locator("main form#one-on-one")
    form.locator("input[name=follow_up]").fill("Bring her to Thursday's meeting")
    form.locator("input[name=good]").check()
    _submit(page, form)
    assert page.url.endswith(f"/members/{lupe.public_id}/")
    talk = OneOnOne.objects.get()
    assert talk.good and talk.follow_up == "Bring her to Thursday's meeting"
    assert Assessment.objects.get(person=lupe).score == 2
    _look(page, language, "membership")

    # The chart shows her under Packing, her assessment and the follow-up due.
    page.goto(f"{base}/councils/{council.public_id}/sites/{central.public_id}/")
    chart = page.locator("main").inner_text()
    with translation.override(language):
        supporter = translation.gettext("Supporter")
    assert "Packing" in chart and "Lupe" in chart
    assert f"2 — {supporter}" in chart
    assert "Bring her to Thursday's meeting" in chart
    _look(page, language, "chart")
    page.goto(f"{base}/councils/{council.public_id}/sites/{central.public_id}/?by=shift")
    assert "Nights" in page.locator("main").inner_text()
    _submit(page, page.locator("main form[action$='/done/']"))
    assert page.url.endswith(f"/sites/{central.public_id}/?by=shift")
    talk.refresh_from_db()
    assert talk.follow_up_done_at is not None
    assert page.csp_violations == [] and page.outside_requests == []
    assert page.failed_assets == []
