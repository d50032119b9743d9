"""The limits on signing in, as an attacker meets them: bursts of wrong passwords, a lock-out
from somewhere else, and second-factor codes guessed one after another."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from conftest import totp_code
from solnet.core.tests.test_throttle_races import BURST, fire_together
from solnet.members.adapters import AccountAdapter
from solnet.members.forms import LoginForm

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
SECOND_FACTOR = "/accounts/2fa/authenticate/"
THROTTLED = "Too many sign-in attempts"
TOO_MANY_CODES = "Too many wrong codes"
ATTACKER = "198.51.100.66"
MEMBER_AT_HOME = "203.0.113.20"


def _login(client: Client, login: str, password: str):
    return client.post(LOGIN, {"login": login, "password": password})


def _wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


# --- wrong passwords -----------------------------------------------------------------------


def test_a_burst_of_wrong_passwords_checks_no_more_than_the_limit(settings, rf, monkeypatch):
    """40 wrong passwords at the same instant: the password is checked at most 5 times."""
    settings.LOGIN_THROTTLE_ATTEMPTS = 5
    checked = []

    def slow_check(self, request, **credentials):
        checked.append(credentials.get("username"))
        time.sleep(0.05)  # a password hash takes time, which is what lets a burst overtake a count
        return None

    monkeypatch.setattr(AccountAdapter, "authenticate", slow_check)

    def attempt() -> int:
        request = rf.post(LOGIN, REMOTE_ADDR=ATTACKER)
        form = LoginForm(data={"login": "member", "password": "guess"}, request=request)
        return int(form.is_valid())

    results = fire_together(BURST, attempt)
    assert sum(results) == 0
    assert len(checked) <= settings.LOGIN_THROTTLE_ATTEMPTS


def test_an_attacker_elsewhere_cannot_lock_the_member_out(member):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(8):
        _login(attacker, "member", "wrong password here")
    assert THROTTLED in _login(attacker, "member", PASSWORD).content.decode()
    at_home = Client(REMOTE_ADDR=MEMBER_AT_HOME)
    response = _login(at_home, "member", PASSWORD)
    assert response.status_code == 302 and response["Location"] == SECOND_FACTOR


def test_many_places_together_still_meet_a_limit_on_the_name(settings, member):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    settings.LOGIN_THROTTLE_NAME_ATTEMPTS = 6
    for place in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{place + 1}")
        for _ in range(2):
            response = _login(client, "member", "wrong password here")
            assert THROTTLED not in response.content.decode()
    # A fourth place, and the right password: the name has had its tries for this window.
    response = _login(Client(REMOTE_ADDR="198.51.100.9"), "member", PASSWORD)
    assert THROTTLED in response.content.decode()


def test_one_place_trying_many_names_meets_the_limit_on_the_place(settings, member):
    settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS = 4
    client = Client(REMOTE_ADDR=ATTACKER)
    for number in range(4):
        assert THROTTLED not in _login(client, f"name{number}", "guess").content.decode()
    assert THROTTLED in _login(client, "member", PASSWORD).content.decode()


def test_addresses_in_one_ipv6_network_count_as_one_place(settings, member):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    for host in (1, 2):
        _login(Client(REMOTE_ADDR=f"2001:db8:5:6::{host}"), "member", "wrong password here")
    response = _login(Client(REMOTE_ADDR="2001:db8:5:6::3"), "member", PASSWORD)
    assert THROTTLED in response.content.decode()
    response = _login(Client(REMOTE_ADDR="2001:db8:5:7::1"), "member", PASSWORD)
    assert response.status_code == 302 and response["Location"] == SECOND_FACTOR


def test_an_empty_password_does_not_clear_the_count(settings, member):
    """A post with the password left out is not a right password: it must not wipe the count
    and buy a fresh set of guesses."""
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(3):
        _login(client, "member", "wrong password here")
        _login(client, "member", "")
    assert THROTTLED in _login(client, "member", PASSWORD).content.decode()


def test_right_passwords_do_not_use_up_the_places_tries(settings, member):
    settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS = 3
    for _ in range(5):
        response = _login(Client(REMOTE_ADDR=MEMBER_AT_HOME), "member", PASSWORD)
        assert response.status_code == 302


# --- second-factor codes -------------------------------------------------------------------


def test_wrong_codes_end_the_sign_in_after_the_limit(settings, personas):
    """Five wrong codes, and the right one comes too late: the sign-in starts over."""
    settings.SECOND_FACTOR_ATTEMPTS = 5
    secret = personas["member"].totp_secret
    client = Client()
    _login(client, "member", PASSWORD)
    for _ in range(5):
        response = client.post(SECOND_FACTOR, {"code": _wrong(totp_code(secret))})
        assert "_auth_user_id" not in client.session
    assert TOO_MANY_CODES in response.content.decode()
    response = client.post(SECOND_FACTOR, {"code": totp_code(secret)})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_sixty_wrong_codes_are_not_sixty_guesses(personas):
    secret = personas["member"].totp_secret
    client = Client()
    _login(client, "member", PASSWORD)
    for _ in range(60):
        client.post(SECOND_FACTOR, {"code": _wrong(totp_code(secret))})
    client.post(SECOND_FACTOR, {"code": totp_code(secret)})
    assert "_auth_user_id" not in client.session


def test_starting_over_does_not_give_fresh_codes_past_the_accounts_limit(settings, personas):
    settings.SECOND_FACTOR_ATTEMPTS = 5
    settings.SECOND_FACTOR_ACCOUNT_ATTEMPTS = 10
    secret = personas["member"].totp_secret
    for _ in range(2):
        client = Client()
        assert _login(client, "member", PASSWORD)["Location"] == SECOND_FACTOR
        for _ in range(5):
            client.post(SECOND_FACTOR, {"code": _wrong(totp_code(secret))})
    client = Client()
    assert _login(client, "member", PASSWORD)["Location"] == SECOND_FACTOR
    response = client.post(SECOND_FACTOR, {"code": totp_code(secret)})
    assert "_auth_user_id" not in client.session
    assert TOO_MANY_CODES in response.content.decode()


def test_a_right_code_within_the_limit_signs_in(settings, personas):
    settings.SECOND_FACTOR_ATTEMPTS = 5
    persona = personas["member"]
    client = Client()
    _login(client, "member", PASSWORD)
    for _ in range(4):
        client.post(SECOND_FACTOR, {"code": _wrong(totp_code(persona.totp_secret))})
    response = client.post(SECOND_FACTOR, {"code": totp_code(persona.totp_secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(persona.member.pk)


def test_the_refusal_speaks_the_members_language(settings, personas):
    settings.SECOND_FACTOR_ATTEMPTS = 1
    secret = personas["member"].totp_secret
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    _login(client, "member", PASSWORD)
    response = client.post(SECOND_FACTOR, {"code": _wrong(totp_code(secret))})
    assert "Demasiados códigos incorrectos" in response.content.decode()


def test_an_organizers_reset_lets_a_locked_out_member_back_in(settings, personas):
    from solnet.members import resets

    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    settings.LOGIN_THROTTLE_NAME_ATTEMPTS = 2
    member = personas["member"].member
    for _ in range(2):
        _login(Client(REMOTE_ADDR=ATTACKER), "member", "wrong password here")
    at_home = Client(REMOTE_ADDR=MEMBER_AT_HOME)
    assert THROTTLED in _login(at_home, "member", PASSWORD).content.decode()
    _, token = resets.issue_password_reset(member=member, by=personas["organizer"].member)
    new_password = "a brand new long passphrase"
    response = at_home.post(
        f"/accounts/reset/{token}/", {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    response = _login(at_home, "member", new_password)
    assert response.status_code == 302 and response["Location"] == SECOND_FACTOR
