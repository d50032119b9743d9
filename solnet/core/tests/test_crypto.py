"""Field encryption, blind indexes and key rotation."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import override_settings

from conftest import make_member, totp_code
from solnet.core import crypto, keys
from solnet.core.models import DataKey
from solnet.members.adapters import MFAAdapter
from solnet.members.models import Invitation, Member

pytestmark = pytest.mark.django_db

NEW_MASTER = "a-brand-new-master-key-for-rotation-tests-0123456789"


def _raw(model, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def test_contact_details_are_stored_encrypted_and_read_back():
    member, _ = make_member("maria", email="maria@example.org", phone="+1 206 555 0199")
    raw = _raw(Member, "email", member.pk)
    assert raw.startswith("enc1$")
    assert "maria" not in raw
    assert Member.objects.get(pk=member.pk).email == "maria@example.org"


def test_a_ciphertext_moved_to_another_column_does_not_decrypt():
    member, _ = make_member("maria", email="maria@example.org")
    raw = _raw(Member, "email", member.pk)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(raw, context="members.member.phone")


def test_a_tampered_ciphertext_is_refused():
    token = crypto.encrypt("secret", context="x.y")
    prefix, key_id, body = token.split("$")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}${key_id}${flipped}", context="x.y")


def test_exact_lookups_go_through_the_blind_index():
    make_member("maria", email="Maria@Example.org ")
    field = Member._meta.get_field("email_index")
    found = Member.objects.filter(email_index=field.lookup_value("maria@example.org"))
    assert [m.username for m in found] == ["maria"]


def test_filtering_on_an_encrypted_column_is_refused():
    with pytest.raises(TypeError, match="encrypted"):
        Member.objects.filter(email="maria@example.org").exists()


def test_wrong_master_key_cannot_read():
    make_member("maria", email="maria@example.org")
    crypto.forget_keys()
    with override_settings(MASTER_KEY=NEW_MASTER), pytest.raises(crypto.DecryptionError):
        list(Member.objects.values_list("email", flat=True))


def _everything_readable() -> dict:
    return {
        "emails": sorted(
            Member.objects.exclude(email__isnull=True).values_list("email", flat=True)
        ),
        "phones": sorted(
            Member.objects.exclude(phone__isnull=True).values_list("phone", flat=True)
        ),
        "invitations": sorted(
            Invitation.objects.exclude(email__isnull=True).values_list("email", flat=True)
        ),
        "totp": sorted(
            MFAAdapter().decrypt(a.data["secret"])
            for a in Authenticator.objects.filter(type=Authenticator.Type.TOTP)
        ),
    }


@pytest.fixture
def population():
    for n in range(25):
        make_member(f"person{n}", email=f"person{n}@example.org", phone=f"+1 206 555 {n:04d}")
    Invitation.objects.create(
        token_digest="d" * 64, email="guest@example.org", expires_at="2030-01-01T00:00Z"
    )
    return _everything_readable()


def test_data_key_rotation_keeps_every_value_readable(population):
    old_keys = set(DataKey.objects.filter(purpose="field").values_list("key_id", flat=True))
    report = keys.rotate_keys()
    assert report.reencrypted == 25 * 2 + 1 + 25 * 2  # emails, phones, invitation, TOTP, codes
    assert _everything_readable() == population
    for key_id in old_keys:
        assert keys.values_under(key_id) == 0
    destroyed, kept = keys.destroy_retired_keys()
    assert sorted(destroyed) == sorted(old_keys) and kept == []
    crypto.forget_keys()
    assert _everything_readable() == population


def test_master_key_rotation_keeps_every_value_readable(settings, population):
    old_master = settings.MASTER_KEY
    settings.MASTER_KEY = NEW_MASTER
    settings.OLD_MASTER_KEYS = [old_master]
    crypto.forget_keys()
    report = keys.rotate_keys()
    assert report.rewrapped == DataKey.objects.count() - 1  # all but the new field key
    # The old master key can now be thrown away.
    settings.OLD_MASTER_KEYS = []
    crypto.forget_keys()
    assert _everything_readable() == population
    current = crypto.master_id(crypto.current_master())
    assert set(DataKey.objects.values_list("master_id", flat=True)) == {current}


def test_rotation_without_the_old_master_key_refuses_and_changes_nothing(settings, population):
    settings.MASTER_KEY = NEW_MASTER
    crypto.forget_keys()
    before = list(DataKey.objects.values_list("key_id", "master_id", "retired_at"))
    with pytest.raises(RuntimeError, match="SOLNET_OLD_MASTER_KEYS"):
        keys.rotate_keys()
    assert list(DataKey.objects.values_list("key_id", "master_id", "retired_at")) == before


def test_a_value_written_with_a_retired_key_keeps_that_key_alive(population):
    member = Member.objects.get(username="person1")
    stale_key_id, _ = crypto.active_key("field")
    keys.rotate_keys()
    # A web process that still caches the old key writes one more value with it.
    stale = crypto._load_key(stale_key_id)  # the bytes that process holds
    crypto._cache.active["field"] = (stale_key_id, float("inf"))
    crypto._cache.keys[stale_key_id] = stale
    Member.objects.filter(pk=member.pk).update(email="late@example.org")
    crypto.forget_keys()
    destroyed, kept = keys.destroy_retired_keys()
    assert kept == [stale_key_id] and destroyed == []
    assert Member.objects.get(pk=member.pk).email == "late@example.org"


def test_totp_secrets_are_encrypted_and_still_work(settings):
    member, secret = make_member("maria")
    authenticator = Authenticator.objects.get(user=member, type=Authenticator.Type.TOTP)
    assert secret not in str(authenticator.data)
    from allauth.mfa.totp.internal.auth import TOTP

    assert TOTP(authenticator).validate_code(totp_code(secret))


def test_the_rotate_keys_command_shows_progress_and_loses_nothing(population, capsys):
    from django.core.management import call_command

    call_command("rotate_keys", "--destroy-retired")
    out = capsys.readouterr().out
    assert "members.member.email: 25/25 re-encrypted" in out
    assert "mfa.authenticator: 50/50 re-encrypted" in out
    assert "Destroyed 1 retired keys; 0 still in use." in out
    crypto.forget_keys()
    assert _everything_readable() == population
