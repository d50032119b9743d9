"""A member's day on a phone, in English and in Spanish: the menu leaves the screen to the
page; the start page lists the vote waiting for her, the ask waiting for her answer and her
call list; from there she works the list and marks "Maybe"; a form she gets wrong comes back
with its error summary in the first screen, focused, each problem a link to its field."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import accessibility_violations
from solnet.councils.tests.test_charting_journey import sign_in_on
from solnet.democracy.models import Body
from solnet.members.models import Tier
from solnet.mobilize import services as mobilize
from solnet.people.models import Answer, Person
from solnet.people.services import own_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"votes": "Votes waiting for you", "problem": "There is a problem", "more": "More"},
    "es": {"votes": "Votaciones que te esperan", "problem": "Hay un problema", "more": "Más"},
}


def _look(page, language: str, step: str) -> None:
    assert accessibility_violations(page) == [], f"{language} {step}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{language} {step}: the page scrolls sideways"
    # The menu leaves most of the screen to the page.
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= page.viewport_size["height"] / 4, f"{language} {step}: menu"
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"day-{language}-{step}.png")


def _in_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + 40 <= page.viewport_size["height"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_members_day_on_a_phone(phone, live_server, personas, objects, language):
    base = live_server.url
    member, organizer = personas["member"], personas["organizer"].member
    # Something to answer: a door-knock this weekend she was asked to.
    starts = timezone.now() + timedelta(days=4)
    knock = mobilize.plan_action(
        by=organizer,
        title="Door-knock at 1400 Pine",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        tier=Tier.MEMBER,
    )
    mobilize.ask_people(
        action=knock, people=Person.objects.filter(pk=own_record(member=member.member).pk),
        by=organizer,
    )  # fmt: skip
    text = TEXT[language]

    page = phone(language)
    sign_in_on(page, base, member)
    # The start page: what needs her now.
    assert page.locator("#needs-votes").inner_text() == text["votes"]
    votes = page.locator("section[aria-labelledby=needs-votes]")
    assert votes.locator(f"a[href$='/decisions/{objects['proposal'].public_id}/']").count() == 1
    asks = page.locator("section[aria-labelledby=needs-asks]")
    assert asks.locator(f"a[href$='/actions/{knock.public_id}/']").count() == 1
    calls = page.locator("section[aria-labelledby=needs-calls]")
    assert calls.locator("a").count() == 1
    # The menu: the daily destinations, and the rest under "More", which opens without script.
    more = page.locator("header details.more")
    assert more.locator("summary").inner_text().strip().startswith(text["more"])
    assert not page.locator("header .nav-more a").first.is_visible()
    more.locator("summary").click()
    assert page.locator("header .nav-more a").first.is_visible()
    more.locator("summary").click()
    _look(page, language, "1-start")

    # She works her call list from there: the neighbour is not sure.
    calls.locator("a").click()
    page.wait_for_url("**/calls/**")
    call = objects["call"]
    row = page.locator(f"#call-{call.pk}")
    row.locator("button[name=answer][value=maybe]").click()
    # htmx swaps in the row: the recorded answer is the marked one, and the call folds away.
    row.locator("details.again").wait_for()
    assert row.locator("button[name=answer][value=maybe]").get_attribute("aria-pressed") == "true"
    assert row.locator("button[name=answer][value=yes]").get_attribute("aria-pressed") == "false"
    assert not row.locator("button[name=answer][value=maybe]").is_visible()  # folded
    call.ask.commitment.refresh_from_db()
    assert call.ask.commitment.answer == Answer.MAYBE
    _look(page, language, "2-maybe")

    # A proposal sent without its title comes back with the summary first, focused.
    general = Body.objects.general()
    page.goto(f"{base}/decisions/bodies/{general.public_id}/propose/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    assert page.locator("#error-summary-title").inner_text() == text["problem"]
    assert _in_first_screen(page, "#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.locator("#error-summary a[href='#id_title']").click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    assert page.locator("#id_title").get_attribute("aria-invalid") == "true"
    _look(page, language, "3-refused")

    assert page.csp_violations == []
    assert page.outside_requests == []
    assert page.failed_assets == []
