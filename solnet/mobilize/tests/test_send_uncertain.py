"""Deliveries whose hand-over the server never confirmed (issue 15's "mail lost as sent after a
crash"): a dead worker's HANDED_OVER rows become UNCERTAIN — not sent again on their own, not
counted as sent —; a connection or a gateway that breaks before answering does the same; SENT
is written only after the server's answer, committed with the next message's hand-over; and
the organizer sees the uncertain on the send's page and sends them again or calls them.
test_send_crash.py is the attack with real kills."""

from __future__ import annotations

import re
import smtplib
import socket
import threading
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.mobilize.models import Delivery, DeliveryStatus, SendStatus, SmsSender
from solnet.mobilize.sending import protocol, sends, smtp, worker
from solnet.mobilize.tests import test_sending as sending

# The fixtures and helpers of the sending tests: a real SMTP server on loopback, an organizer,
# an action, people (pytest finds the fixtures by their names here).
action, mail_server, planner = sending.action, sending.mail_server, sending.planner
_people, _person, _send = sending._people, sending._person, sending._send

pytestmark = pytest.mark.django_db
S = DeliveryStatus


def _handed_over_then_dead(send):
    """A worker claims the send's rows, hands the first over, and dies (its lease runs out)."""
    taken = protocol.claim(send.pk)
    runner = worker._Runner(send)
    first = Delivery.objects.get(pk=taken.ids[0])
    assert runner._hand_over(first, taken, "<dead.1@example.org>")
    Delivery.objects.filter(pk__in=taken.ids).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    return taken, first


def test_a_dead_workers_hand_over_is_uncertain_not_sent_and_not_sent_again(
    network, planner, action, mail_server
):
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(3)]
    send = _send(_people(*people), action=action, run=False)
    _taken, first = _handed_over_then_dead(send)
    handed = Delivery.objects.get(pk=first.pk)
    assert handed.status == S.HANDED_OVER and handed.handed_over_at is not None
    assert handed.lease_until is not None  # handed over under a lease
    assert sends.progress(send)["sent"] == 0  # awaiting the answer is not sent

    assert protocol.recover_stale(send.pk) == 3  # two back to the queue, one uncertain
    assert Delivery.objects.get(pk=first.pk).status == S.UNCERTAIN
    worker.work(send.pk)  # a new worker sends the rest, and never the uncertain one
    send.refresh_from_db()
    assert send.status == SendStatus.DONE
    assert sorted(r[0] for r, _m in mail_server.accepted) == sorted(
        f"p{n}@example.org" for n in range(3) if people[n].pk != first.person_id
    )
    progress = sends.progress(send)
    assert (progress["sent"], progress["uncertain"]) == (2, 1)


def test_the_periodic_look_makes_a_dead_workers_hand_over_uncertain(
    network, planner, action, mail_server
):
    from solnet.mobilize import tasks

    person = _person("P", email="p@example.org")
    send = _send(_people(person), action=action, run=False)
    _handed_over_then_dead(send)
    assert tasks.resume_sends.call_local() == 0  # nothing to send: the send is through
    send.refresh_from_db()
    assert send.status == SendStatus.DONE
    assert send.deliveries.get().status == S.UNCERTAIN
    assert mail_server.accepted == []


def test_a_hand_over_whose_lease_still_runs_keeps_the_send_open(network, planner, action):
    person = _person("P", email="p@example.org")
    send = _send(_people(person), action=action, run=False)
    taken = protocol.claim(send.pk)
    worker._Runner(send)._hand_over(Delivery.objects.get(pk=taken.ids[0]), taken, "<a@b>")
    assert protocol.recover_stale(send.pk) == 0
    protocol.finish_send(send.pk)
    send.refresh_from_db()
    assert send.status != SendStatus.DONE
    assert 0 < protocol.due_wait(send.pk) <= protocol.lease_seconds()


def test_a_connection_lost_before_the_answer_leaves_it_uncertain(
    network, planner, action, mail_server, monkeypatch
):
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(2)]
    send = _send(_people(*people), action=action, run=False)

    def broken(self):
        self.conn.close()
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(smtp.Smtp, "finish", broken)
    assert worker.work(send.pk) == protocol.BACKOFF_SECONDS
    first, second = send.deliveries.order_by("pk")
    assert first.status == S.UNCERTAIN and first.error.startswith(worker.NO_CONFIRMATION)
    assert second.status == S.QUEUED  # untouched, for later
    assert sends.progress(send)["sent"] == 0


def test_sent_is_committed_only_after_the_answer_with_the_next_hand_over(
    network, planner, action, mail_server, monkeypatch
):
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(3)]
    send = _send(_people(*people), action=action, run=False)
    seen = []
    hand_over = worker._Runner._hand_over

    def watched(self, d, taken, ref, **kwargs):
        seen.append(dict(send.deliveries.values_list("pk", "status")))  # before it
        handed = hand_over(self, d, taken, ref, **kwargs)
        seen.append(dict(send.deliveries.values_list("pk", "status")))  # after it
        return handed

    monkeypatch.setattr(worker._Runner, "_hand_over", watched)
    worker.work(send.pk)
    ids = sorted(d.pk for d in send.deliveries.all())
    statuses = [[row[pk] for pk in ids] for row in seen]
    assert statuses == [
        [S.SENDING, S.SENDING, S.SENDING],
        [S.HANDED_OVER, S.SENDING, S.SENDING],
        # The first was accepted: its SENT waits for the next commit, never before the 250.
        [S.HANDED_OVER, S.SENDING, S.SENDING],
        [S.SENT, S.HANDED_OVER, S.SENDING],
        [S.SENT, S.HANDED_OVER, S.SENDING],
        [S.SENT, S.SENT, S.HANDED_OVER],
    ]
    assert set(send.deliveries.values_list("status", flat=True)) == {S.SENT}
    assert len(mail_server.accepted) == 3


def test_a_late_answer_settles_an_uncertain_row_unless_it_was_queued_again(
    network, planner, action
):
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(2)]
    send = _send(_people(*people), action=action, run=False)
    taken = protocol.claim(send.pk)
    runner = worker._Runner(send)
    rows = [Delivery.objects.get(pk=pk) for pk in taken.ids]
    for n, row in enumerate(rows):
        assert runner._hand_over(row, taken, f"<late.{n}@example.org>")
    Delivery.objects.filter(pk__in=taken.ids).update(lease_until=timezone.now())
    protocol.recover_stale(send.pk)
    assert set(send.deliveries.values_list("status", flat=True)) == {S.UNCERTAIN}
    # The organizer queues the second again before the worker's answers come.
    sends.settle_uncertain(send=send, by=planner, choice="resend", delivery_ids=[rows[1].pk])
    runner.confirmed = [(row.pk, f"<late.{n}@example.org>") for n, row in enumerate(rows)]
    runner._commit_confirmed()
    assert Delivery.objects.get(pk=rows[0].pk).status == S.SENT
    assert Delivery.objects.get(pk=rows[1].pk).status == S.QUEUED


# --- texts ------------------------------------------------------------------------------------


@pytest.fixture
def silent_gateway(sms_gateway, settings, monkeypatch):
    """A gateway that takes the request and never answers (as one that crashed mid-request):
    SolNet's settings point at it, with a short timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    taken = []

    def swallow():
        while True:
            try:
                conn, _address = listener.accept()
            except OSError:
                return
            taken.append(conn.recv(65536))

    threading.Thread(target=swallow, daemon=True).start()
    settings.SOLNET_SMS_API_BASE = f"http://127.0.0.1:{listener.getsockname()[1]}"
    monkeypatch.setattr(worker.sms, "TIMEOUT", 0.5)
    SmsSender.objects.create(number="+12065550000", per_second=10, per_day=1000)
    yield taken
    listener.close()


def test_a_text_the_gateway_never_answered_is_uncertain_not_retried(
    network, planner, action, silent_gateway
):
    ana = _person("Ana", phone="+12065550121")
    send = _send(_people(ana), channels=["text"], action=action)
    delivery = send.deliveries.get()
    assert delivery.status == S.UNCERTAIN and delivery.attempts == 0
    assert len(silent_gateway) == 1  # it was posted: it may have gone
    send.refresh_from_db()
    assert send.status == SendStatus.DONE  # nothing left for the worker


# --- what the organizer does ------------------------------------------------------------------


def _uncertain_send(action, names):
    people = [
        _person(name, email=f"{name.lower().replace(' ', '.')}@example.org") for name in names
    ]
    send = _send(_people(*people), action=action, run=False)
    send.deliveries.update(
        status=S.UNCERTAIN, handed_over_at=timezone.now(), provider_ref="<x@example.org>"
    )
    return send


def test_the_organizer_sends_the_uncertain_again_or_calls_them(
    network, planner, action, mail_server, django_capture_on_commit_callbacks
):
    send = _uncertain_send(action, ["Ana Uno", "Bo Dos", "Cy Tres"])
    ana, bo, cy = send.deliveries.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):  # the worker starts at commit
        assert (
            sends.settle_uncertain(send=send, by=planner, choice="resend", delivery_ids=[ana.pk])
            == 1
        )
    assert Delivery.objects.get(pk=ana.pk).status == S.SENT
    assert [r[0] for r, _m in mail_server.accepted] == ["ana.uno@example.org"]
    assert sends.settle_uncertain(send=send, by=planner, choice="call") == 2
    assert set(Delivery.objects.filter(pk__in=[bo.pk, cy.pk]).values_list("status", flat=True)) == {
        S.TO_CALL
    }
    assert sends.progress(send)["to_call"] == 2
    events = AuditEvent.objects.filter(action__startswith="send.uncertain")
    assert sorted((e.action, e.data["count"]) for e in events) == [
        ("send.uncertain_resent", 1),
        ("send.uncertain_to_call", 2),
    ]
    # Another send's delivery is not this send's to settle.
    other = _uncertain_send(action, ["Di Cuatro"])
    assert (
        sends.settle_uncertain(
            send=send, by=planner, choice="call", delivery_ids=[other.deliveries.get().pk]
        )
        == 0
    )
    assert other.deliveries.get().status == S.UNCERTAIN


def test_a_stopped_send_is_not_sent_again_but_may_be_called(network, planner, action):
    send = _uncertain_send(action, ["Ana Uno"])
    Send = type(send)
    Send.objects.filter(pk=send.pk).update(status=SendStatus.CANCELLED)
    with pytest.raises(Exception, match="stopped"):
        sends.settle_uncertain(send=send, by=planner, choice="resend")
    assert sends.settle_uncertain(send=send, by=planner, choice="call") == 1


def test_the_send_page_counts_and_lists_the_uncertain(network, planner, action, monkeypatch):
    monkeypatch.setattr(sends, "_start", lambda send_id: None)
    send = _uncertain_send(action, ["Ana Uno", "Bo Dos"])
    client = sign_in(Client(), planner)
    url = reverse("mobilize:send", args=[send.public_id])

    html = client.get(url).content.decode()
    assert re.search(r'<dd id="uncertain-count"><a href="[^"]+#uncertain-title">2</a></dd>', html)
    assert re.search(r'<strong id="sent-count">0</strong>', html)
    assert "Ana Uno" in html and "Bo Dos" in html and "@example.org" not in html
    assert 'id="uncertain-resend-all"' in html and 'id="uncertain-call-all"' in html
    fragment = client.get(
        reverse("mobilize:send_progress", args=[send.public_id]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="uncertain-count"' in fragment

    post = reverse("mobilize:send_uncertain", args=[send.public_id])
    ana = send.deliveries.order_by("pk").first()
    response = client.post(post, {"choice": "call", "delivery": ana.pk})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert Delivery.objects.get(pk=ana.pk).status == S.TO_CALL
    page = client.get(url).content.decode()
    assert 'id="to-call-list"' in page and "?unreached=" in page

    assert client.post(post, {"choice": "resend"}).status_code == 302
    assert set(send.deliveries.values_list("status", flat=True)) == {S.TO_CALL, S.QUEUED}
    refused = client.post(post, {"choice": "everything"})
    assert refused.status_code == 422
    assert client.get(post).status_code == 405

    other = sign_in(Client(), make_member("someone")[0])
    assert other.post(post, {"choice": "call"}).status_code == 404


def test_the_uncertain_list_is_paginated(network, planner, action, settings):
    from solnet.mobilize import send_views

    send = _uncertain_send(
        action, [f"Person {n}" for n in range(send_views.UNCERTAIN_PAGE_SIZE + 2)]
    )
    client = sign_in(Client(), planner)
    url = reverse("mobilize:send", args=[send.public_id])
    first = client.get(url).content.decode()
    assert first.count('name="delivery"') == send_views.UNCERTAIN_PAGE_SIZE
    assert "?uncertain=2#uncertain-title" in first
    second = client.get(url + "?uncertain=2").content.decode()
    assert second.count('name="delivery"') == 2


def test_legacy_handed_over_rows_are_uncertain_after_the_migration(network, planner, action):
    """The data step of migration 0002: a HANDED_OVER row without a lease (from before, when
    it counted as sent whatever happened) may not have gone out."""
    import importlib

    from django.apps import apps

    step = importlib.import_module("solnet.mobilize.migrations.0002_uncertain_deliveries")
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(2)]
    send = _send(_people(*people), action=action, run=False)
    old, live = send.deliveries.order_by("pk")
    Delivery.objects.filter(pk=old.pk).update(status=S.HANDED_OVER, lease_until=None)
    Delivery.objects.filter(pk=live.pk).update(
        status=S.HANDED_OVER, lease_until=timezone.now() + timedelta(minutes=1)
    )
    step.handed_over_to_uncertain(apps, None)
    assert Delivery.objects.get(pk=old.pk).status == S.UNCERTAIN
    assert Delivery.objects.get(pk=live.pk).status == S.HANDED_OVER
