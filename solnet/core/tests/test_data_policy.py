"""Every field has a sensitivity class; every record class a retention; the purge applies it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from solnet.core.checks import check_data_policies
from solnet.core.data import CONTACT, INTERNAL, KEEP, DataPolicy, Retention
from solnet.core.models import AuditEvent
from solnet.core.retention import purge_expired
from solnet.members.models import Invitation


def test_the_installed_models_pass_the_check():
    assert check_data_policies() == []


@isolate_apps("solnet.core")
def test_the_check_fails_on_an_unclassified_field_and_on_contact_in_clear(monkeypatch):
    class Careless(models.Model):
        nickname = models.CharField(max_length=20)
        phone = models.CharField(max_length=20)

        data_policy = DataPolicy(
            sensitivity={"id": INTERNAL, "phone": CONTACT},
            retention=Retention(action=KEEP, reason="test"),
        )

        class Meta:
            app_label = "core"

    from django.apps import apps

    monkeypatch.setattr(apps, "get_models", lambda **kw: [Careless])
    ids = sorted(error.id for error in check_data_policies())
    assert ids == ["solnet.E002", "solnet.E005"]


@isolate_apps("solnet.core")
def test_the_check_fails_on_a_model_without_a_policy(monkeypatch):
    class Forgotten(models.Model):
        class Meta:
            app_label = "core"

    from django.apps import apps

    monkeypatch.setattr(apps, "get_models", lambda **kw: [Forgotten])
    assert [error.id for error in check_data_policies()] == ["solnet.E001"]


@pytest.mark.django_db
@pytest.mark.verify
def test_the_purge_leaves_nothing_past_its_retention(personas, figures):
    now = timezone.now()
    long_ago = now - timedelta(days=400)
    fresh = Invitation.objects.create(token_digest="a" * 64, expires_at=now + timedelta(days=3))
    Invitation.objects.create(token_digest="b" * 64, expires_at=long_ago)
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=long_ago)
    Session.objects.create(session_key="y" * 32, session_data="", expire_date=now + timedelta(1))
    results = purge_expired()
    assert results["members.Invitation"] == 1 and results["sessions.Session"] == 1
    assert list(Invitation.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["y" * 32]
    assert AuditEvent.objects.filter(action="retention.purged").exists()
    overdue = Invitation.objects.filter(expires_at__lt=now - timedelta(days=30)).count()
    overdue += Session.objects.filter(expire_date__lt=now).count()
    figures("P-3.rows_past_retention", overdue, unit="rows", target="0", ok=overdue == 0)
    assert overdue == 0


@pytest.mark.django_db
def test_a_stripping_rule_blanks_personal_fields_and_keeps_the_row(monkeypatch, member):
    from solnet.core.data import STRIP, purge_model

    old = Invitation.objects.create(
        token_digest="c" * 64,
        label="Ana from the Tuesday meeting",
        email="ana@example.org",
        created_by=member,
        expires_at=timezone.now() - timedelta(days=60),
    )
    policy = DataPolicy(
        sensitivity=Invitation.data_policy.sensitivity,
        retention=Retention(
            action=STRIP,
            reason="test",
            period=timedelta(days=30),
            basis="expires_at",
            strip={"label": "", "email": None, "created_by": None},
        ),
    )
    assert purge_model(Invitation, policy) == 1
    old.refresh_from_db()
    assert (old.label, old.email, old.created_by) == ("", None, None)
    assert purge_model(Invitation, policy) == 0  # nothing left to strip
