"""Benchmark of bulk sending (`make bench`): a rapid-response alert to 10,000 people by email,
through the real path — `create_send` writes the deliveries, the worker (run at commit: huey
is immediate in tests) claims them a batch at a time, renders each message with its one-tap
link and sends it by the exactly-once protocol (a commit per message between its body and
its final line) — against the floor of a bare smtplib loop pushing the same 10,000 messages,
built beforehand, over one persistent connection.

The SMTP server (aiosmtpd) runs in a process of its own, so that it does not share the
interpreter lock with what is timed. The figure is a ratio of throughputs (ours / bare); the
peak of memory is a property, not a timing: it must not grow with the number of recipients,
and that is asserted."""

from __future__ import annotations

import gc
import smtplib
import subprocess
import sys
import time
import tracemalloc

import pytest
from django.conf import settings
from django.utils import timezone

from solnet.core.testing.figures import best_of_interleaved, record, scaled
from solnet.mobilize.models import Alert, AlertStatus, Send, SendKind
from solnet.mobilize.sending import sends, worker
from solnet.people.models import ContactChannel, Person

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]
# The small send is not scaled: the peak of memory levels off only from about 2,000
# recipients (measured: 1.55 MB for 1,000, 2.37 MB for 2,000, 2.53 to 2.56 MB for 3,000 to
# 10,000), so a smaller one would make any bigger send look like growth. A smoke run
# (SOLNET_BENCH_SCALE) keeps the big send at twice the small one.
SMALL = 2_000
RECIPIENTS = scaled(10_000, least=2 * SMALL)
TEXTS = {
    "en": {
        "subject": "Urgent: rapid response needed",
        "body": "URGENT from Eastside Solidarity Network: 5th and Pine, bring phones. "
        "Are you coming? {link}",
    }
}

# The server: counts what it accepts; answers a line on stdin with the number so far, or
# ("first") with the wall-clock time it accepted its first message since the last "first".
SERVER = """
import sys, socket, time
from aiosmtpd.controller import Controller

class Counting:
    accepted = 0
    first = None
    async def handle_DATA(self, server, session, envelope):
        Counting.accepted += len(envelope.rcpt_tos)
        if Counting.first is None:
            Counting.first = time.time()
        return "250 Message accepted for delivery"

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
controller = Controller(Counting(), hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
for line in sys.stdin:
    if line.strip() == "first":
        print(Counting.first or 0, flush=True)
        Counting.first = None
    else:
        print(Counting.accepted, flush=True)
controller.stop()
"""


class _Server:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline())

    def accepted(self) -> int:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def first_accepted_at(self) -> float:
        """The wall-clock time of the first message accepted since the last call (0: none)."""
        self.process.stdin.write("first\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def mail_server(settings):
    server = _Server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
    yield server
    server.stop()


def _people(count: int) -> None:
    now = timezone.now()
    for start in range(0, count, 5000):
        people = Person.objects.bulk_create(
            Person(display_name=f"Responder {n}", languages=["en"])
            for n in range(start, min(count, start + 5000))
        )
        ContactChannel.objects.bulk_create(
            ContactChannel(
                person=person, kind="email", value=f"r{person.pk}@example.org", consent_at=now
            )
            for person in people
        )


def _alert_send(alert: Alert, people) -> Send:
    return sends.create_send(
        kind=SendKind.ALERT, alert=alert, people=people, texts=TEXTS, channels=["email"]
    )


def _bare_messages(send: Send) -> list[tuple[str, bytes]]:
    """The messages the worker sent, built again the same way (and the same size), in
    advance: the floor only pushes them."""
    runner = worker._Runner(send)
    built = []
    for delivery in send.deliveries.select_related("person").order_by("pk"):
        to = f"r{delivery.person_id}@example.org"
        subject, body = runner.renderer.render(delivery)
        built.append((to, runner._message(to, subject, body, f"<bare.{delivery.pk}@localhost>")))
    return built


def _bare(server: _Server, messages: list[tuple[str, bytes]]) -> float:
    before = server.accepted()
    start = time.perf_counter()
    connection = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT)
    for to, data in messages:
        connection.sendmail(settings.DEFAULT_FROM_EMAIL, [to], data)
    connection.quit()
    elapsed = time.perf_counter() - start
    assert server.accepted() - before == len(messages)
    return elapsed


def _ours(server: _Server, alert: Alert, people) -> tuple[float, Send]:
    before = server.accepted()
    count = people.count()
    start = time.perf_counter()
    send = _alert_send(alert, people)  # the worker runs at commit, before this returns
    elapsed = time.perf_counter() - start
    assert server.accepted() - before == count  # the last message is accepted
    assert sends.progress(send)["sent"] == count
    return elapsed, send


def test_an_alert_by_email_to_10k_people(network, mail_server):
    _people(RECIPIENTS)
    alert = Alert.objects.create(message="5th and Pine, bring phones", status=AlertStatus.SENT)
    everyone = Person.objects.all()
    _elapsed, first = _ours(mail_server, alert, everyone)  # also warms up both sides
    messages = _bare_messages(first)
    assert len(messages) == RECIPIENTS

    def floor() -> float:
        return _bare(mail_server, messages)

    def measured() -> float:
        elapsed, send = _ours(mail_server, alert, everyone)
        send.delete()
        return elapsed

    bare_time, our_time = best_of_interleaved(floor, measured, repeat=3)
    ours, bare = RECIPIENTS / our_time, RECIPIENTS / bare_time
    ratio = ours / bare
    print(
        record(
            "mobilize.alert_email_10k",
            round(ours, 1),
            unit="messages/s",
            floor=round(bare, 1),
            ratio=round(ratio, 3),
            target="ratio >= 0.5 (ours / bare smtplib)",
            ok=ratio >= 0.5,
        )
    )

    small = Person.objects.filter(pk__in=everyone.order_by("pk").values("pk")[:SMALL])
    peak_small = _peak(mail_server, alert, small)
    peak_big = _peak(mail_server, alert, everyone)
    flat = peak_big <= 1.5 * peak_small
    print(
        record(
            "mobilize.alert_email_10k.peak_memory",
            peak_big,
            unit="bytes",
            target=f"<= 1.5 x the peak for {SMALL:,} recipients ({peak_small} bytes)",
            ok=flat,
        )
    )
    assert flat, (peak_small, peak_big)


def _peak(server: _Server, alert: Alert, people) -> int:
    gc.collect()  # what came before is not the send's
    tracemalloc.start()
    try:
        _elapsed, send = _ours(server, alert, people)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    send.delete()
    return peak
