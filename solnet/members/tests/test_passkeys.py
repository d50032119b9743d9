"""WebAuthn passkeys in a real browser, with Chromium's virtual authenticator standing in for
the phone's secure chip: add a passkey, then sign in with it as the second factor."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def _sign_in_with_password(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "member")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")


def test_a_member_adds_a_passkey_and_signs_in_with_it(phone, live_server, personas):
    page = phone("en")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    base = live_server.url
    _sign_in_with_password(page, base)
    page.fill("input[name=code]", totp_code(personas["member"].totp_secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/accounts/2fa/webauthn/add/")
    page.fill("input[name=name]", "My phone")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url("**/accounts/2fa/")
    member = personas["member"].member
    keys = Authenticator.objects.filter(user=member, type=Authenticator.Type.WEBAUTHN)
    assert [k.data["name"] for k in keys] == ["My phone"]

    page.locator("header form button[type=submit]").click()  # sign out
    page.wait_for_load_state()
    _sign_in_with_password(page, base)
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(f"{base}/")
    assert page.locator("main h1").inner_text() == "Hello, Member"
    assert page.csp_violations == [] and page.outside_requests == []
    assert page.failed_assets == []
