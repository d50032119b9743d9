"""Signing in: throttling, identical answers, second factors, sessions that die at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_member, totp_code
from solnet.core.models import AuditEvent
from solnet.members import services
from solnet.members.models import ApiToken, Member, Role, Tier

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


def _login(client: Client, login: str, password: str):
    return client.post(LOGIN, {"login": login, "password": password})


def _normalized(response, login: str) -> str:
    """The page minus what must differ: the CSRF token and the name typed in, echoed back."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return text.replace(f'value="{login}"', 'value="?"')


def test_unknown_and_known_names_get_identical_answers(client, member):
    known = _login(client, "member", "wrong password here")
    unknown = _login(Client(), "nobody_by_this_name", "wrong password here")
    assert known.status_code == unknown.status_code == 200
    assert _normalized(known, "member") == _normalized(unknown, "nobody_by_this_name")
    assert "The sign-in name or the password is not right." in known.content.decode()
    targets = list(
        AuditEvent.objects.filter(action="member.sign_in_failed").values_list("target", flat=True)
    )
    assert targets == [f"members.member:{member.pk}", "members.member:-"]


@pytest.mark.parametrize("who", ["member", "nobody_by_this_name"])
def test_throttling_triggers_at_the_configured_count(settings, member, who):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    client = Client()
    for _ in range(3):
        response = _login(client, who, "wrong password here")
        assert "Too many sign-in attempts" not in response.content.decode()
    # The fourth attempt is refused — with the right password too, for a known name.
    response = _login(client, who, PASSWORD)
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttled_answers_are_identical_for_known_and_unknown(settings, member):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    answers = []
    for who in ("member", "nobody_by_this_name"):
        client = Client()
        for _ in range(2):
            _login(client, who, "wrong password here")
        answers.append(_normalized(_login(client, who, "wrong password here"), who))
    assert answers[0] == answers[1]


def test_throttling_keeps_no_name_or_address_in_the_cache(settings, member):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    _login(Client(REMOTE_ADDR="203.0.113.7"), "member", "wrong password here")
    from pathlib import Path

    cache_dir = Path(settings.CACHES["default"]["LOCATION"])
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        blob = b"".join(p.read_bytes() for p in cache_dir.glob("*.djcache"))
        assert blob, "the throttle wrote nothing"
    else:
        import redis

        r = redis.Redis.from_url(settings.REDIS_URL)
        blob = b"".join(r.dump(key) or b"" for key in r.keys("*")) + b"".join(r.keys("*"))
    assert b"203.0.113.7" not in blob and b"member" not in blob


def test_sign_in_asks_for_the_second_factor(client, personas):
    persona = personas["member"]
    response = _login(client, "member", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(persona.totp_secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(persona.member.pk)
    assert AuditEvent.objects.filter(action="member.signed_in", actor_id=persona.member.pk).exists()
    assert client.get("/").status_code == 200


def test_a_wrong_second_factor_code_does_not_sign_in(client, personas):
    _login(client, "member", PASSWORD)
    code = totp_code(personas["member"].totp_secret)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_whoever_reads_contacts_must_enrol_a_second_factor(network, signed_in):
    network.second_factor_for_all = False
    network.save()
    plain, _ = make_member("plain_member", with_totp=False)
    dispatcher, _ = make_member("new_dispatcher", roles=(Role.DISPATCHER,), with_totp=False)
    assert signed_in(plain).get("/").status_code == 200
    client = signed_in(dispatcher)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get(reverse("members:list")).status_code == 302


def _session_count_alive(clients) -> int:
    return sum(1 for c in clients if c.get(reverse("members:me")).status_code == 200)


def test_panic_ends_every_session_on_the_next_request(signed_in, member):
    phones = [Client() for _ in range(3)]
    for phone in phones:
        phone.force_login(member, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert _session_count_alive(phones) == 3
    services.create_api_token(member=member, name="sync", scopes=["me:read"], days=None)
    response = phones[0].post(reverse("members:panic"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert _session_count_alive(phones) == 0
    member.refresh_from_db()
    assert member.contacts_hidden
    assert not ApiToken.objects.usable().filter(member=member).exists()
    assert AuditEvent.objects.filter(action="member.panic", actor_id=member.pk).exists()


def test_panic_hides_contact_details_until_restored(signed_in, personas):
    member = personas["member"].member
    organizer = personas["organizer"].member
    services.panic(member=member)
    client = signed_in(organizer)
    page = client.get(reverse("members:detail", args=[member.public_id])).content.decode()
    assert "member@example.org" not in page
    services.restore_contacts(member=member)
    page = client.get(reverse("members:detail", args=[member.public_id])).content.decode()
    assert "member@example.org" in page


def test_deactivation_ends_sessions_at_once(signed_in, personas):
    member = personas["member"].member
    victim_phone = Client()
    victim_phone.force_login(member, backend="allauth.account.auth_backends.AuthenticationBackend")
    services.deactivate_member(member=member, by=personas["organizer"].member)
    response = victim_phone.get(reverse("members:me"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    # And the password no longer opens the door: the same answer as a wrong password.
    response = _login(Client(), "member", PASSWORD)
    assert "is not right" in response.content.decode()


def test_a_role_change_ends_sessions_at_once(personas):
    member = personas["member"].member
    phone = Client()
    phone.force_login(member, backend="allauth.account.auth_backends.AuthenticationBackend")
    services.grant_role(member=member, role=Role.FACILITATOR, by=personas["organizer"].member)
    assert phone.get(reverse("members:me")).status_code == 302
    phone.force_login(
        Member.objects.get(pk=member.pk),
        backend="allauth.account.auth_backends.AuthenticationBackend",
    )
    services.change_tier(member=member, tier=Tier.PHONE_TREE, by=personas["organizer"].member)
    assert phone.get(reverse("members:me")).status_code == 302


def test_open_sign_up_is_closed(client, network):
    assert client.get("/accounts/signup/").status_code == 404


def test_a_successful_sign_in_clears_the_names_failures(settings, member):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    client = Client()
    for _ in range(2):
        _login(client, "member", "wrong password here")
    assert _login(client, "member", PASSWORD).status_code == 302  # on to the second factor
    for _ in range(2):
        response = _login(Client(), "member", "wrong password here")
        assert "Too many sign-in attempts" not in response.content.decode()


def test_the_sign_in_page_says_sign_in_name_and_where_a_lost_password_goes(client, network):
    page = client.get(LOGIN).content.decode()
    assert '<label for="id_login">Sign-in name' in page
    assert "Username" not in page and "username" not in page.replace('"username"', "")
    assert "Lost your password?" in page and "recovery codes" in page


def test_confirming_the_password_again_is_limited_like_signing_in(personas, settings):
    # Someone at a member's unlocked screen guesses the password the reauthentication asks for.
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    member = personas["member"].member
    client = Client()
    client.force_login(member, backend="allauth.account.auth_backends.AuthenticationBackend")
    page = reverse("account_reauthenticate")
    for _ in range(3):
        response = client.post(page, {"password": "not-the-password"})
        assert response.status_code == 200 and "Incorrect password" in response.content.decode()
    response = client.post(page, {"password": "correct horse battery staple"})
    assert response.status_code == 200
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_reauthenticated_at" not in str(dict(client.session))
