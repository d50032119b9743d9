"""The hash-chained audit log and its verification (SECURITY.md L-1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from solnet.core import audit
from solnet.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            audit.record("test.event", actor=n, target=f"thing:{n}", count=n)
    assert audit.verify_chain().ok
    return list(AuditEvent.objects.order_by("seq"))


def _edit():
    AuditEvent.objects.filter(seq=4).update(action="member.innocent")


def _delete():
    AuditEvent.objects.filter(seq=5).delete()


def _reorder():
    # Swap the content of two events, each keeping its own seal.
    a, b = AuditEvent.objects.get(seq=3), AuditEvent.objects.get(seq=7)
    fields = ["occurred_at", "actor_id", "action", "target", "data", "prev_hash", "seal"]
    values_a = {f: getattr(a, f) for f in fields}
    values_b = {f: getattr(b, f) for f in fields}
    AuditEvent.objects.filter(pk=a.pk).update(**values_b)
    AuditEvent.objects.filter(pk=b.pk).update(**values_a)


def _insert():
    # Make room after event 6 and slip a forged event in, copying the neighbours' seals.
    for event in AuditEvent.objects.filter(seq__gt=6).order_by("-seq"):
        AuditEvent.objects.filter(pk=event.pk).update(seq=event.seq + 1)
    six = AuditEvent.objects.get(seq=6)
    AuditEvent.objects.create(
        seq=7, action="member.forged", prev_hash=six.seal, seal=six.seal, data={}
    )


def _delete_tail():
    AuditEvent.objects.filter(seq__gte=9).delete()


TAMPERINGS = {
    "edit": _edit,
    "delete": _delete,
    "reorder": _reorder,
    "insert": _insert,
    "delete the newest": _delete_tail,
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_verify_catches_tampering(chain, tampering):
    TAMPERINGS[tampering]()
    report = audit.verify_chain()
    assert not report.ok, tampering
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("verify_audit")


@pytest.mark.verify
def test_audit_mutations_detected_figure(figures, django_capture_on_commit_callbacks):
    detected = 0
    for tamper in TAMPERINGS.values():
        AuditEvent.objects.all().delete()
        audit.forget_head()
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(10):
                audit.record("test.event", actor=n, target=f"thing:{n}")
        assert audit.verify_chain().ok
        tamper()
        detected += not audit.verify_chain().ok
    rate = 100 * detected / len(TAMPERINGS)
    figures("L-1.audit_mutations_detected", rate, unit="%", target="100 %", ok=rate == 100)
    assert rate == 100


def test_an_intact_chain_verifies(chain, capsys):
    call_command("verify_audit")
    assert "10 events verified" in capsys.readouterr().out


def test_events_hold_ids_not_content(chain):
    event = chain[0]
    assert set(event.data) == {"count"}
    assert event.actor_id == 0 and event.target == "thing:0"


def test_purge_keeps_the_chain_verifiable_and_still_catches_deletions(chain):
    old = timezone.now() - timedelta(days=1000)
    AuditEvent.objects.filter(seq__lte=4).update(occurred_at=old)
    # Re-seal the back-dated events as if they had been written then.
    previous = audit.GENESIS
    for event in AuditEvent.objects.order_by("seq"):
        event.prev_hash = previous
        event.seal = audit.seal_of(event)
        event.save()
        previous = event.seal
    audit.forget_head()
    assert audit.verify_chain().ok
    purged = audit.purge_before(timezone.now() - timedelta(days=400))
    assert purged == 4
    assert audit.verify_chain().ok
    # Deleting one more old event after the purge is still caught.
    AuditEvent.objects.filter(seq=5).delete()
    assert not audit.verify_chain().ok
