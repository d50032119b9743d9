"""Every page an organizer reaches, on a phone, in English and Spanish: accessible (axe-core,
WCAG 2.1 AA), no sideways scrolling, nothing blocked by the CSP, nothing fetched elsewhere."""

from __future__ import annotations

import pytest

from conftest import accessibility_violations, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def _pages(objects) -> list[str]:
    supporter = objects["personas"]["supporter"].member
    return [
        "/",
        "/members/",
        f"/members/{supporter.public_id}/",
        "/members/pending/",
        "/members/invitations/",
        "/members/me/",
        "/members/me/security/",
        "/members/me/tokens/",
        "/approvals/",
        "/network/settings/",
        "/people/",
        "/people/?tier=10&language=es",
        "/people/new/",
        "/people/requests/",
        "/councils/",
        "/councils/new/",
        f"/councils/{objects['council'].public_id}/",
        f"/councils/{objects['council'].public_id}/sites/{objects['site'].public_id}/",
        f"/councils/{objects['council'].public_id}/committees/{objects['committee'].public_id}/",
        f"/councils/{objects['council'].public_id}/members/"
        f"{objects['council_membership'].person.public_id}/",
        f"/people/{objects['person'].public_id}/",
        f"/people/{objects['person'].public_id}/edit/",
        "/people/me/",
        "/people/me/delete/",
        "/fights/",
        "/fights/?show=closed",
        "/fights/leads/",
        "/fights/leads/?show=all",
        "/fights/leads/new/",
        f"/fights/leads/{objects['lead'].public_id}/",
        "/accounts/2fa/",
        "/accounts/password/change/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_organizer_pages_on_a_phone(phone, live_server, personas, objects, language):
    page = phone(language)
    base = live_server.url
    problems = {}
    for path in [
        "/",
        "/accounts/login/",
        f"/join/{objects['invitation_token']}/",
        "/join-us/",
        "/join-us/thanks/",
        "/fight-back/",
        "/fight-back/thanks/",
    ]:
        page.goto(base + path)
        problems[path] = _check(page)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "organizer")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    problems["/accounts/2fa/authenticate/"] = _check(page)
    page.fill("input[name=code]", totp_code(personas["organizer"].totp_secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")
    for path in _pages(objects):
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        problems[path] = _check(page)
    assert {path: found for path, found in problems.items() if found} == {}
    assert page.csp_violations == [] and page.outside_requests == []
    assert page.failed_assets == []
    # htmx is served and running (it enhances forms; nothing depends on it).
    assert page.evaluate("typeof window.htmx") == "object"


def _check(page) -> list[str]:
    found = accessibility_violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"scrolls sideways by {overflow}px")
    return found
