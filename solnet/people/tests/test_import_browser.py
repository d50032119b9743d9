"""The import journey in a real browser on a phone, in English and in Spanish: an organizer
uploads an Action Network export, fixes a bad row in the preview, records a duplicate anyway,
and merges it into the person already recorded. Every page is checked with axe-core, for
sideways scrolling, for CSP violations and for requests leaving the server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import accessibility_violations, totp_code
from solnet.people.models import ContactChannel, ImportStatus, Person, PersonImport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
EXPORT = Path(__file__).parent / "data" / "action_network.csv"


def _check(page, problems: dict, step: str) -> None:
    """Accessibility and sideways scrolling; with SOLNET_SCREENSHOTS=<folder>, also keeps a
    picture of each step to look at."""
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = f"import-{page.context.language}-{step.replace(' ', '-')}.png"
        page.screenshot(path=Path(folder) / name, full_page=True)
    found = accessibility_violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"scrolls sideways by {overflow}px")
    if found:
        problems[step] = found


def _sign_in(page, base: str, secret: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "organizer")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_organizer_imports_fixes_a_row_and_merges_a_duplicate(
    phone, live_server, personas, language
):
    known = Person.objects.create(display_name="Sam O.")
    ContactChannel.objects.create(person=known, kind="email", value="sam.okafor@example.org")
    page = phone(language)
    base = live_server.url
    problems: dict[str, list[str]] = {}
    _sign_in(page, base, personas["organizer"].totp_secret)

    page.goto(f"{base}/people/")
    page.locator("#people-import").click()
    page.wait_for_url("**/people/import/")
    assert page.locator("html").get_attribute("lang") == language
    _check(page, problems, "upload")
    page.set_input_files("#import-upload input[type=file]", str(EXPORT))
    page.locator("#import-upload button[type=submit]").click()

    # The Action Network preset placed the columns; nothing to change.
    page.wait_for_url("**/columns/")
    _check(page, problems, "columns")
    assert page.locator("#id_column_1").input_value() == "first_name"
    assert page.locator("#id_column_9").input_value() == "phone"
    page.locator("#import-columns button[type=submit]").click()

    # The check ran; the preview names row 4 and its bad address.
    page.wait_for_url("**/preview/")
    _check(page, problems, "preview")
    assert page.locator("#row-4").count() == 1
    assert "mei@example" in page.locator("#row-4 ul.error").inner_text()
    page.locator("#row-4 summary").click()
    _check(page, problems, "preview with a fix form open")
    page.fill("#id_row4-display_name", "Mei")
    page.fill("#id_row4-email", "mei@example.org")
    page.locator("#fix-4 button[type=submit]").click()
    page.wait_for_url("**/preview/")
    assert page.locator("#row-4").count() == 0
    assert page.locator("#import-errors").count() == 0
    _check(page, problems, "preview after the fix")

    # Row 6 repeats row 2 of the file; row 7 is Sam, already recorded: keep both for now.
    assert page.locator("#duplicate-6").count() == 1
    assert page.locator("#duplicate-7 a").get_attribute("href").endswith(f"/{known.public_id}/")
    page.locator("#duplicate-7 input[value=create]").check()
    page.locator("#import-go").click()
    page.wait_for_url("**/people/import/*/")
    assert page.locator("#import-done").count() == 1
    _check(page, problems, "done")
    person_import = PersonImport.objects.get()
    assert person_import.status == ImportStatus.DONE
    assert Person.objects.count() == 6  # Sam O. and five new people, Rosie within Rosa

    # The summary offers to merge the new Sam into the one already recorded.
    page.locator("#import-suggestions a.button").click()
    page.wait_for_url(f"**/people/{known.public_id}/merge/*/")
    _check(page, problems, "merge")
    # Stored in E.164, shown as the network's country writes it.
    assert "(206) 555-0106" in page.locator("#merge-other-record").inner_text()
    page.locator("#merge-go").click()
    page.wait_for_url(f"{base}/people/{known.public_id}/")
    _check(page, problems, "merged")
    assert Person.objects.count() == 5
    assert {c.value for c in known.channels.all()} == {"sam.okafor@example.org", "+12065550106"}
    assert Person.objects.get(display_name="Mei").channels.get().value == "mei@example.org"

    assert problems == {}
    assert page.csp_violations == [] and page.outside_requests == []
    assert page.failed_assets == []
