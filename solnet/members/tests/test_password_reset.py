"""A member who lost their password gets a one-time link from an organizer. The link sets a
password and nothing more: whoever holds it — the organizer included — still needs the
member's second factor to sign in. Every link is in the audit log and the member hears of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in, totp_code
from solnet.core.models import AuditEvent
from solnet.members import resets
from solnet.members.models import PasswordReset, Tier

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new long passphrase"


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _issue(client: Client, organizer, member) -> str:
    """The organizer makes the link on the member's page; the token shown once."""
    sign_in(client, organizer)
    response = client.post(reverse("members:password_reset", args=[member.public_id]))
    assert response.status_code == 200
    url = response.context["url"]
    assert url in response.content.decode()
    return _token(url)


def _set(client: Client, token: str, password: str = NEW_PASSWORD):
    return client.post(
        reverse("account_reset_password", args=[token]),
        {"password1": password, "password2": password},
    )


# --- the attacks -------------------------------------------------------------------------------


def test_an_organizer_holding_the_link_still_cannot_sign_in_as_the_member(personas):
    """The organizer sets a password of their choosing through the link, then tries it: the
    sign-in stops at the second factor, which only the member has."""
    organizer, member = personas["organizer"].member, personas["member"].member
    token = _issue(Client(), organizer, member)
    attacker = Client()
    assert _set(attacker, token).status_code == 302
    response = attacker.post(
        reverse("account_login"), {"login": member.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in attacker.session
    assert attacker.get(reverse("members:me")).status_code == 302  # still signed out
    # The member, with the new password and their own code, gets in.
    owner = Client()
    owner.post(reverse("account_login"), {"login": member.username, "password": NEW_PASSWORD})
    owner.post("/accounts/2fa/authenticate/", {"code": totp_code(personas["member"].totp_secret)})
    assert owner.session["_auth_user_id"] == str(member.pk)


def test_no_link_for_a_member_without_a_second_factor(personas):
    """There the link would be the whole account: refused, and nothing made."""
    bare, _ = make_member("bare", with_totp=False)
    with pytest.raises(ValidationError, match="no second factor"):
        resets.issue_password_reset(member=bare, by=personas["organizer"].member)
    client = sign_in(Client(), personas["organizer"].member)
    response = client.post(reverse("members:password_reset", args=[bare.public_id]))
    assert response.status_code == 302
    assert not PasswordReset.objects.exists()


@pytest.mark.parametrize("persona", ["member", "dispatcher", "fight_team"])
def test_only_organizers_make_links(personas, persona):
    target = personas["subject"].member
    with pytest.raises(PermissionDenied):
        resets.issue_password_reset(member=target, by=personas[persona].member)
    client = sign_in(Client(), personas[persona].member)
    response = client.post(reverse("members:password_reset", args=[target.public_id]))
    assert response.status_code in (403, 404)
    assert not PasswordReset.objects.exists()


def test_an_organizer_makes_no_link_for_themself(personas):
    organizer = personas["organizer"].member
    with pytest.raises(PermissionDenied):
        resets.issue_password_reset(member=organizer, by=organizer)


def test_a_link_works_once_and_a_newer_one_replaces_it(personas):
    organizer, member = personas["organizer"].member, personas["member"].member
    first = _issue(Client(), organizer, member)
    second = _issue(Client(), organizer, member)
    assert _set(Client(), first).status_code == 404  # replaced
    assert _set(Client(), second).status_code == 302
    assert _set(Client(), second, "yet another long passphrase").status_code == 404  # used
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_an_expired_link_does_nothing(personas):
    organizer, member = personas["organizer"].member, personas["member"].member
    token = _issue(Client(), organizer, member)
    PasswordReset.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert _set(Client(), token).status_code == 404
    member.refresh_from_db()
    assert not member.check_password(NEW_PASSWORD)


def test_a_made_up_link_looks_like_a_spent_one(personas):
    made_up = Client().get(reverse("account_reset_password", args=["x" * 43]))
    assert made_up.status_code == 404
    assert "This link does not work" in made_up.content.decode()


# --- what it does --------------------------------------------------------------------------------


def test_the_reset_ends_every_session_and_is_in_the_audit_log(personas):
    organizer, member = personas["organizer"].member, personas["member"].member
    logged_in = sign_in(Client(), member)
    assert logged_in.get(reverse("members:me")).status_code == 200
    token = _issue(Client(), organizer, member)
    _set(Client(), token)
    assert logged_in.get(reverse("members:me")).status_code == 302  # signed out
    actions = list(
        AuditEvent.objects.filter(action__startswith="member.password_reset").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["member.password_reset_issued", "member.password_reset_used"]


def test_the_member_hears_of_the_link_by_email_in_their_language(
    personas, django_capture_on_commit_callbacks
):
    organizer = personas["organizer"].member
    member, _ = make_member("ana", email="ana@example.org", tier=Tier.MEMBER)
    member.preferred_language = "es"
    member.save()
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        resets.issue_password_reset(member=member, by=organizer)
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "Organizer" in mail.outbox[0].body
    assert "contraseña" in mail.outbox[0].subject.lower()
