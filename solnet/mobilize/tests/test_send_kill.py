"""A killed sender sends nobody the message twice: a 5,000-recipient email send is taken by a
real worker (`run_huey`, another OS process, on the test database and the test queue), which
is killed with SIGKILL half-way; the periodic look takes back what it held, a second worker
finishes, and the SMTP server on loopback has received exactly one message per recipient.

What a kill leaves unsure (the sending package's docstring): the message being handed over
(the kill fell between the HANDED_OVER commit and the server's answer) and the one before it
(accepted, its SENT not yet committed) end UNCERTAIN, at most two per kill, for the organizer
to send again or call. Nobody gets it twice, and nobody who missed it is counted as sent
(test_send_crash.py kills at random points, many times)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from solnet.core import audit
from solnet.mobilize import tasks
from solnet.mobilize.models import Delivery, DeliveryStatus, SendKind, SendStatus
from solnet.mobilize.sending import protocol, sends
from solnet.mobilize.tests.conftest import serving_smtp
from solnet.people.models import ContactChannel, Person

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
RECIPIENTS = 5_000
LEASE_SECONDS = 3
# Killed in the middle of a batch, so that it dies holding rows, one of them (most likely)
# half-way through its SMTP exchange.
KILL_AFTER = 3 * protocol.BATCH + protocol.BATCH // 2
S = DeliveryStatus

# A worker as another process: the same settings and keys (inherited environment), the test
# database instead of the installation's; the queue is the test run's (its SQLite file in the
# test data directory, or Redis). No periodic tasks: the test plays the periodic look itself.
WORKER = (
    "import sys, django; django.setup(); "
    "from django.conf import settings; settings.DATABASES['default']['NAME'] = sys.argv[1]; "
    "from django.core.management import call_command; "
    "call_command('run_huey', '--workers', '1', '--no-periodic')"
)


class _Recipients:
    """aiosmtpd handler counting the messages accepted for each RCPT address."""

    def __init__(self):
        self.received = Counter()

    async def handle_DATA(self, server, session, envelope):
        self.received.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    @property
    def total(self) -> int:
        return sum(self.received.values())


@pytest.fixture
def recipients_server():
    with serving_smtp(_Recipients()) as handler:
        yield handler


def _people(count: int) -> list[str]:
    now = timezone.now()
    people = Person.objects.bulk_create(
        Person(display_name=f"Person {n}", languages=["en"]) for n in range(count)
    )
    addresses = [f"person{n}@example.org" for n in range(count)]
    ContactChannel.objects.bulk_create(
        ContactChannel(person=person, kind="email", value=address, consent_at=now)
        for person, address in zip(people, addresses, strict=True)
    )
    return addresses


def _worker(port: int, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "solnet.settings",
        "SOLNET_HUEY_IMMEDIATE": "false",
        "SOLNET_SMTP_HOST": "127.0.0.1",
        "SOLNET_SMTP_PORT": str(port),
        "SOLNET_SMTP_STARTTLS": "false",
        "SOLNET_SMTP_USER": "",
        "SOLNET_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(connection.settings_dict["NAME"])],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _stop(worker: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if worker.poll() is None:
        os.kill(worker.pid, sig)
    worker.wait(timeout=30)


def _send_killed_half_way_and_finished(port: int, log):
    HUEY.immediate = False  # the send is queued for a worker process, not run here
    first = second = None
    try:
        HUEY.flush()
        send = sends.create_send(
            kind=SendKind.NEWS,
            people=Person.objects.all(),
            texts={"en": {"subject": "News", "body": "Hello {name}, the meeting is Friday."}},
            channels=["email"],
        )
        assert send.deliveries.filter(status=S.QUEUED).count() == RECIPIENTS

        first = _worker(port, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and first.poll() is None:
            out = Delivery.objects.filter(send=send, status__in=[S.HANDED_OVER, S.SENT]).count()
            if out >= KILL_AFTER:
                break
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL, _output(log)
        at_kill = sends.progress(send)
        out = Delivery.objects.filter(send=send, status__in=[S.HANDED_OVER, S.SENT]).count()
        assert KILL_AFTER <= out < RECIPIENTS, (at_kill, _output(log))
        assert at_kill["sending"] > 0, at_kill  # it died holding some

        # The periodic look, once the dead worker's lease has run out, starts the send again
        # for the second worker to take.
        second = _worker(port, log)
        resumed = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and second.poll() is None:
            send.refresh_from_db()
            if send.status == SendStatus.DONE:
                break
            if not resumed:
                resumed = tasks.resume_sends.call_local()
            time.sleep(0.25)
        assert send.status == SendStatus.DONE, (sends.progress(send), _output(log))
        assert resumed == 1
        return send, at_kill
    finally:
        for worker in (first, second):
            if worker is not None:
                _stop(worker)
        HUEY.immediate = True
        HUEY.flush()


def test_a_killed_sender_sends_nobody_twice(network, recipients_server):
    addresses = _people(RECIPIENTS)
    with tempfile.TemporaryFile() as log:
        send, at_kill = _send_killed_half_way_and_finished(recipients_server.port, log)
    print(f"at the kill: {at_kill}")  # how far the first worker got, and what it held

    statuses = Counter(send.deliveries.values_list("status", flat=True))
    assert set(statuses) <= {S.SENT, S.UNCERTAIN}, statuses
    assert statuses[S.UNCERTAIN] <= 2, statuses
    assert sum(statuses.values()) == RECIPIENTS
    received = recipients_server.received
    twice = {address: n for address, n in received.items() if n > 1}
    assert twice == {}
    assert set(received) <= set(addresses)
    missed = [address for address in addresses if received[address] == 0]
    assert len(missed) <= 1, missed
    index = ContactChannel._meta.get_field("value_index")
    for address in missed:  # never shown as sent
        delivery = Delivery.objects.get(send=send, address_index=index.lookup_value(address))
        assert delivery.status == S.UNCERTAIN
    assert recipients_server.total == RECIPIENTS - len(missed)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"
    assert audit.verify_chain().ok


def _output(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-4000:]
