"""Bulk sending (solnet/mobilize/sending/) against a real SMTP server on loopback and the
stand-in SMS gateway: each person once, in their language, by the first channel that reaches
them; content-minimal sends; refusals retried or failed per recipient; cancelling; a STOP
mid-send; claims that never overlap; and the send's pages."""

from __future__ import annotations

import re
import socket
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.members.models import Tier
from solnet.mobilize import links, services
from solnet.mobilize.models import (
    Alert,
    AlertStatus,
    Delivery,
    DeliveryStatus,
    RsvpLink,
    Send,
    SendKind,
    SendStatus,
    SmsOptOut,
    SmsSender,
)
from solnet.mobilize.sending import protocol, sends, sms, worker
from solnet.mobilize.sending import render as rendering
from solnet.people.models import ContactChannel, Person

pytestmark = pytest.mark.django_db
S = DeliveryStatus
TEXTS = {
    "en": {
        "subject": "Come to {action}",
        "body": "Hi {name}, {action} is {when} at {place}: {link}",
    },
    "es": {
        "subject": "Ven a {action}",
        "body": "Hola {name}, {action} es {when} en {place}: {link}",
    },
}


def _person(name, *, email=None, phone=None, languages=(), consent=True, member=None):
    person = Person.objects.create(display_name=name, languages=list(languages), member=member)
    at = timezone.now() if consent else None
    if email:
        ContactChannel.objects.create(person=person, kind="email", value=email, consent_at=at)
    if phone:
        ContactChannel.objects.create(person=person, kind="text", value=phone, consent_at=at)
    return person


def _people(*people):
    return Person.objects.filter(pk__in=[p.pk for p in people])


@pytest.fixture
def planner(network):
    """An organizer, with the second factor the organizing team must have (the personas'
    nine password hashes are not needed here)."""
    return make_member("planner", tier=Tier.ORGANIZING_TEAM)[0]


@pytest.fixture
def action(planner):
    starts = datetime(2030, 3, 15, 17, 0, tzinfo=UTC)
    return services.plan_action(
        by=planner,
        title="Picket at Acme",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="1400 Pine St",
    )


def _send(people, *, channels=("email",), texts=TEXTS, action=None, run=True, **extra):
    """Creates the send; with `run`, the worker runs at commit as it would (huey is
    immediate in tests)."""
    send = sends.create_send(
        kind=extra.pop("kind", SendKind.CALL_OUT),
        people=people,
        texts=texts,
        channels=list(channels),
        action=action,
        **extra,
    )
    if run:
        worker.work(send.pk)
    send.refresh_from_db()
    return send


class _Server:
    """aiosmtpd handler that keeps every accepted message with its envelope and can refuse
    chosen recipients at RCPT or after the message's final line."""

    def __init__(self):
        self.accepted = []  # (recipients, parsed message)
        self.at_rcpt: dict[str, str] = {}
        self.at_end: dict[str, str] = {}
        self.ends = Counter()  # complete messages seen, accepted or not, per recipient

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.at_rcpt:
            return self.at_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.ends.update(envelope.rcpt_tos)
        for address in envelope.rcpt_tos:
            if address in self.at_end:
                return self.at_end[address]
        self.accepted.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=default))
        )
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for rcpts, m in self.accepted if address in rcpts]


@pytest.fixture
def mail_server(settings):
    from aiosmtpd.controller import Controller

    handler = _Server()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
    yield handler
    controller.stop()


def _body(message) -> str:
    return message.get_content()


# --- who gets what ----------------------------------------------------------------------------


def test_a_send_reaches_each_person_once_in_their_language(
    network, planner, action, smtp_server, django_capture_on_commit_callbacks
):
    ana = _person("Ana", email="ana@example.org", languages=["es"])
    bob = _person("Bob", email="bob@example.org", languages=["fr", "en"])
    carmen = _person("Carmen", email="carmen@example.org", languages=["es", "en"])
    # No email channel, but an address on her account, which prefers Spanish.
    account, _ = make_member("dora", email="dora@example.org", with_totp=False)
    account.preferred_language = "es"
    account.save()
    dora = _person("Dora", member=account)
    people = _people(ana, bob, carmen, dora)
    with django_capture_on_commit_callbacks(execute=True):
        send = sends.create_send(
            kind=SendKind.CALL_OUT, people=people, texts=TEXTS, channels=["email"], action=action
        )
    send.refresh_from_db()

    assert send.status == SendStatus.DONE and send.finished_at is not None
    received = Counter(str(m["To"]) for m in smtp_server.messages)
    assert received == {
        "ana@example.org": 1,
        "bob@example.org": 1,
        "carmen@example.org": 1,
        "dora@example.org": 1,
    }
    by_to = {str(m["To"]): m for m in smtp_server.messages}
    assert by_to["ana@example.org"]["Subject"] == "Ven a Picket at Acme"
    assert _body(by_to["ana@example.org"]).startswith("Hola Ana, Picket at Acme es ")
    # The time as each language writes it, the same as on the pages.
    assert "es vie, 15 mar 2030, 5:00 p.m. en" in _body(by_to["ana@example.org"])
    assert by_to["bob@example.org"]["Subject"] == "Come to Picket at Acme"
    assert "is Fri, Mar 15, 2030, 5:00 PM at" in _body(by_to["bob@example.org"])
    assert "at 1400 Pine St" in _body(by_to["bob@example.org"])
    assert by_to["carmen@example.org"]["Subject"].startswith("Ven a")
    assert by_to["dora@example.org"]["Subject"].startswith("Ven a")
    deliveries = {d.person_id: d for d in send.deliveries.all()}
    assert {d.status for d in deliveries.values()} == {S.SENT}
    assert all(d.sent_at is not None for d in deliveries.values())
    # The Message-ID each message carries is the one kept.
    assert str(by_to["ana@example.org"]["Message-ID"]) == deliveries[ana.pk].provider_ref
    assert sends.progress(send)["sent"] == 4
    event = AuditEvent.objects.get(action="send.created")
    assert event.data["count"] == 4
    assert "Picket" not in str(event.data) and "ana@" not in str(event.data)


def test_the_first_channel_that_reaches_someone_is_used(network, planner, action, settings):
    texter = _person("Texter", email="t@example.org", phone="+12065550101")
    mailer = _person("Mailer", email="m@example.org")
    stopped = _person("Stopped", email="s@example.org", phone="+12065550102")
    SmsOptOut.objects.create(number_index=sms.number_index("+1 206 555 0102"))
    send = _send(
        _people(texter, mailer, stopped), channels=["text", "email"], action=action, run=False
    )
    channels = {d.person_id: d.channel for d in send.deliveries.all()}
    assert channels == {texter.pk: "text", mailer.pk: "email", stopped.pk: "email"}
    text = send.deliveries.get(person=texter)
    assert text.address_index == sms.number_index("+12065550101")


def test_minimal_mode_hides_the_content(network, planner, action, smtp_server, settings):
    network.minimal_notices = True
    network.save()
    ana = _person("Ana", email="ana@example.org", languages=["es"])
    bob = _person("Bob", email="bob@example.org", languages=["en"])
    secret = {
        "en": {"subject": "Eviction at 12 Oak St", "body": "Meet at 12 Oak St, {name}: {link}"},
        "es": {"subject": "Desalojo en 12 Oak St", "body": "Nos vemos en 12 Oak St: {link}"},
    }
    send = _send(_people(ana, bob), texts=secret, action=action)

    assert send.minimal
    assert len(smtp_server.messages) == 2
    action_page = settings.BASE_URL + reverse("mobilize:action", args=[action.public_id])
    for message in smtp_server.messages:
        raw = message.as_string()
        assert "Oak" not in raw and "Eviction" not in raw and "Desalojo" not in raw
        assert action_page in _body(message)
    by_to = {str(m["To"]): m for m in smtp_server.messages}
    english, spanish = by_to["bob@example.org"], by_to["ana@example.org"]
    assert english["Subject"] == "News from Eastside Solidarity Network"
    assert _body(english).startswith("You have a new call-out — open SolNet: ")
    # Each in their own language (as far as the Spanish catalogue says it).
    with translation.override("es"):
        assert spanish["Subject"] == _("News from %(network)s") % {"network": network.name}
        assert _body(spanish).startswith(
            _("You have a new call-out — open SolNet: {link}").split("{link}")[0]
        )


def test_unreachable_people_are_counted(network, planner, action, smtp_server):
    reachable = _person("Reachable", email="ok@example.org")
    nothing = _person("Nothing")
    no_consent = _person("No consent", email="no@example.org", consent=False)
    opted_out = _person("Opted out", email="out@example.org")
    opted_out.channels.update(opted_out_at=timezone.now())
    only_phone = _person("Only a phone", phone="+12065550111")
    send = _send(_people(reachable, nothing, no_consent, opted_out, only_phone), action=action)

    assert [str(m["To"]) for m in smtp_server.messages] == ["ok@example.org"]
    counts = sends.progress(send)
    assert counts["unreachable"] == 4 and counts["sent"] == 1 and counts["total"] == 5
    assert set(
        send.deliveries.filter(status=S.UNREACHABLE).values_list("person_id", flat=True)
    ) == {nothing.pk, no_consent.pk, opted_out.pk, only_phone.pk}
    assert AuditEvent.objects.get(action="send.created").data["unreachable"] == 4


def test_one_delivery_per_person_however_the_people_are_found(network, action):
    ana = _person("Ana", email="ana@example.org")
    ana.channels.create(kind="email", value="ana2@example.org", consent_at=timezone.now())
    # Found twice by the join: still one delivery.
    people = Person.objects.filter(channels__kind="email", pk=ana.pk)
    assert people.count() == 2
    send = _send(people, action=action, run=False)
    assert send.deliveries.count() == 1


# --- what it says -----------------------------------------------------------------------------


def test_placeholders_are_filled_and_other_braces_left_alone(network, planner, action):
    ana = _person("Ana", email="ana@example.org", languages=["en"])
    texts = {"en": {"subject": "{action}", "body": "{name} {unknown} { {0} {name.__class__} }{"}}
    send = _send(_people(ana), texts=texts, action=action, run=False)
    subject, body = rendering.render(send.deliveries.get())
    assert subject == "Picket at Acme"
    assert body == "Ana {unknown} { {0} {name.__class__} }{"


def test_a_call_out_link_answers_the_persons_own_ask(network, planner, action, settings):
    asked = _person("Asked", email="asked@example.org")
    not_asked = _person("Not asked", email="not@example.org")
    services.ask_people(action=action, people=_people(asked), by=planner)
    texts = {"en": {"subject": "", "body": "{link}"}}
    send = _send(_people(asked, not_asked), texts=texts, action=action, run=False)
    before = RsvpLink.objects.count()

    _, link = rendering.render(send.deliveries.get(person=asked))
    assert RsvpLink.objects.count() == before + 1
    assert RsvpLink.objects.latest("pk").ask.person == asked
    assert re.fullmatch(re.escape(settings.BASE_URL) + r"/actions/answer/[\w-]+/", link), link
    _, page = rendering.render(send.deliveries.get(person=not_asked))
    assert page == settings.BASE_URL + reverse("mobilize:action", args=[action.public_id])
    assert RsvpLink.objects.count() == before + 1  # no ask is made up for them

    # No {link} in the text: no link is made at all.
    plain = _send(_people(asked), texts={"en": {"body": "Hi {name}"}}, action=action, run=False)
    assert rendering.render(plain.deliveries.get()) == ("", "Hi Asked")
    assert RsvpLink.objects.count() == before + 1


def test_an_alert_link_is_the_one_tap_answer(network):
    responder = _person("Responder", email="r@example.org")
    alert = Alert.objects.create(message="5th and Pine", status=AlertStatus.SENT)
    send = _send(
        _people(responder),
        kind=SendKind.ALERT,
        alert=alert,
        texts={"en": {"subject": "Urgent", "body": "Are you coming? {link}"}},
        run=False,
    )
    delivery = send.deliveries.get()
    _, body = rendering.render(delivery)
    token = body.rsplit("/", 2)[-2]
    assert links.delivery_of_link(token) == delivery


# --- refusals ---------------------------------------------------------------------------------


def _run_again_when_due(send):
    Delivery.objects.filter(send=send, status=S.QUEUED).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    return worker.work(send.pk)


def test_a_4xx_is_retried_with_back_off_then_reported_failed(network, planner, action, mail_server):
    fine = _person("Fine", email="fine@example.org")
    busy = _person("Busy", email="busy@example.org")
    mail_server.at_end["busy@example.org"] = "451 4.3.0 busy@example.org: try again later"
    send = _send(_people(fine, busy), action=action)

    assert len(mail_server.to("fine@example.org")) == 1
    waits = []
    for attempt in range(1, protocol.MAX_ATTEMPTS):
        delivery = send.deliveries.get(person=busy)
        assert delivery.status == S.QUEUED and delivery.attempts == attempt
        waits.append((delivery.due_at - timezone.now()).total_seconds())
        assert "451" in delivery.error and "busy@" not in delivery.error
        _run_again_when_due(send)
    # 30 s, 60 s, 120 s, 240 s: doubling each time.
    assert [round(w / 30) for w in waits] == [1, 2, 4, 8]
    delivery = send.deliveries.get(person=busy)
    assert delivery.status == S.FAILED and delivery.error.startswith("451")
    assert mail_server.ends["busy@example.org"] == protocol.MAX_ATTEMPTS
    assert mail_server.to("busy@example.org") == []
    assert len(mail_server.to("fine@example.org")) == 1  # never sent again
    send.refresh_from_db()
    assert send.status == SendStatus.DONE
    counts = sends.progress(send)
    assert (counts["failed"], counts["sent"], counts["queued"]) == (1, 1, 0)


def test_a_5xx_fails_at_once(network, planner, action, mail_server):
    fine = _person("Fine", email="fine@example.org")
    gone = _person("Gone", email="gone@example.org")
    refused = _person("Refused", email="refused@example.org")
    mail_server.at_rcpt["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    mail_server.at_end["refused@example.org"] = "554 5.7.1 message refused"
    send = _send(_people(fine, gone, refused), action=action)

    assert send.status == SendStatus.DONE
    gone_delivery = send.deliveries.get(person=gone)
    assert gone_delivery.status == S.FAILED and gone_delivery.attempts == 0
    assert gone_delivery.error.startswith("550") and "gone@" not in gone_delivery.error
    refused_delivery = send.deliveries.get(person=refused)
    assert refused_delivery.status == S.FAILED and refused_delivery.error.startswith("554")
    assert mail_server.ends["refused@example.org"] == 1  # tried once only
    assert len(mail_server.to("fine@example.org")) == 1
    assert sends.progress(send)["failed"] == 2


def test_a_mail_server_that_is_gone_pauses_the_send(network, planner, action, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(3)]
    send = _send(_people(*people), action=action, run=False)

    wait = worker.work(send.pk)
    assert wait == protocol.BACKOFF_SECONDS  # the run stops and comes back later
    statuses = Counter(send.deliveries.values_list("status", "attempts"))
    # The one being tried is backed off; the others wait untouched.
    assert statuses == {(S.QUEUED, 1): 1, (S.QUEUED, 0): 2}
    assert not send.deliveries.filter(status=S.SENDING).exists()


def test_a_connection_the_server_dropped_is_opened_again(
    network, planner, action, mail_server, monkeypatch
):
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(4)]
    send = _send(_people(*people), action=action, run=False)
    runner = worker._Runner(send)
    assert runner.deliver(protocol.claim(send.pk, 2)) is None
    runner.smtp.conn.sock.shutdown(socket.SHUT_RDWR)  # as a server closing an idle connection
    assert runner.deliver(protocol.claim(send.pk, 2)) is None  # no pause: it reconnected
    runner.close()
    assert sorted(r[0] for r, _m in mail_server.accepted) == [f"p{n}@example.org" for n in range(4)]
    assert set(send.deliveries.values_list("status", "attempts")) == {(S.SENT, 0)}


# --- cancelling -------------------------------------------------------------------------------


def test_cancel_stops_the_rest(network, planner, action, smtp_server, monkeypatch):
    monkeypatch.setattr(protocol, "BATCH", 10)
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(25)]
    send = _send(_people(*people), action=action, run=False)
    runner = worker._Runner(send)
    runner.deliver(protocol.claim(send.pk, protocol.BATCH))
    runner.close()
    assert len(smtp_server.messages) == 10

    assert sends.cancel_send(send, planner) == 15
    assert worker.work(send.pk) is None
    send.refresh_from_db()
    assert send.status == SendStatus.CANCELLED and send.cancelled_at is not None
    assert len(smtp_server.messages) == 10
    assert sends.progress(send)["cancelled"] == 15
    assert sends.progress(send)["sent"] == 10
    assert AuditEvent.objects.get(action="send.cancelled").data["count"] == 15


def test_a_batch_a_worker_holds_stops_when_cancelled(network, planner, action, smtp_server):
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(5)]
    send = _send(_people(*people), action=action, run=False)
    taken = protocol.claim(send.pk)
    assert len(taken.ids) == 5
    sends.cancel_send(send, planner)  # while the worker holds them
    runner = worker._Runner(send)
    runner.deliver(taken)
    runner.close()
    assert smtp_server.messages == []  # each message would have been cut before its end
    assert set(send.deliveries.values_list("status", flat=True)) == {S.CANCELLED}


def test_retry_failed_sends_them_again(network, planner, action, mail_server):
    flaky = _person("Flaky", email="flaky@example.org")
    mail_server.at_rcpt["flaky@example.org"] = "550 5.2.2 mailbox full"
    send = _send(_people(flaky), action=action)
    assert send.deliveries.get().status == S.FAILED

    del mail_server.at_rcpt["flaky@example.org"]
    with pytest.MonkeyPatch.context() as patch:
        # The worker starts at commit; here it is run by hand after the retry.
        patch.setattr(sends, "_start", lambda send_id: None)
        assert sends.retry_failed(send, planner) == 1
    delivery = send.deliveries.get()
    assert delivery.status == S.QUEUED and delivery.attempts == 0 and delivery.error == ""
    worker.work(send.pk)
    assert send.deliveries.get().status == S.SENT
    assert len(mail_server.to("flaky@example.org")) == 1


# --- texts ------------------------------------------------------------------------------------


@pytest.fixture
def texting(sms_gateway):
    SmsSender.objects.create(number="+12065550000", per_second=1, per_day=1000)
    return sms_gateway


def test_texts_go_out_through_the_gateway(network, planner, action, texting):
    ana = _person("Ana", phone="+1 206 555 0121", languages=["es"])
    send = _send(_people(ana), channels=["text"], action=action)
    assert [(m.to, m.from_) for m in texting.messages] == [("+12065550121", "+12065550000")]
    assert texting.messages[0].body.startswith("Hola Ana, Picket at Acme")
    delivery = send.deliveries.get()
    assert delivery.status == S.SENT and delivery.provider_ref == texting.messages[0].sid


def test_a_stop_before_the_text_is_sent_stops_it(network, planner, action, texting):
    ana = _person("Ana", phone="+12065550131")
    bob = _person("Bob", phone="+12065550132")
    send = _send(_people(ana, bob), channels=["text"], action=action, run=False)
    taken = protocol.claim(send.pk)
    assert len(taken.ids) == 2
    # Bob says STOP while the worker already holds his text.
    SmsOptOut.objects.create(number_index=sms.number_index("+12065550132"))
    runner = worker._Runner(send)
    runner.deliver(taken)

    assert [m.to for m in texting.messages] == ["+12065550131"]
    stopped = send.deliveries.get(person=bob)
    # Stopped by the worker before the gateway was even asked.
    assert stopped.status == S.CANCELLED and stopped.error == "the number said STOP"
    assert send.deliveries.get(person=ana).status == S.SENT


def test_paced_texts_go_from_their_numbers_at_their_times(network, planner, action, sms_gateway):
    numbers = ["+12065550201", "+12065550202"]
    for number in numbers:
        SmsSender.objects.create(number=number, per_second=1, per_day=1000)
    people = [_person(f"P{n}", phone=f"+1206555030{n}") for n in range(4)]
    plan = {  # as pacing.plan_for_send() writes it: two numbers, one text a second each
        "senders": [[number, 1.0, 1000] for number in numbers],
        "planned_at": timezone.now().isoformat(),
        "deadline_seconds": None,
    }
    send = _send(_people(*people), channels=["text"], action=action, plan=plan, run=False)
    deliveries = list(send.deliveries.order_by("pk"))
    assert [d.sender for d in deliveries] == [numbers[0], numbers[1], numbers[0], numbers[1]]
    offsets = [(d.due_at - deliveries[0].due_at).total_seconds() for d in deliveries]
    assert [round(o) for o in offsets] == [0, 0, 1, 1]

    worker.work(send.pk)  # the second second's texts are waited for in place
    assert set(send.deliveries.values_list("status", flat=True)) == {S.SENT}
    assert sorted(m.from_ for m in sms_gateway.messages) == sorted(numbers * 2)
    assert all(sms_gateway.max_in_window(number) == 1 for number in numbers)


def test_a_busy_gateway_is_tried_again_later(network, planner, action, texting):
    ana = _person("Ana", phone="+12065550141")
    texting.fail_next(1, status=503)
    send = _send(_people(ana), channels=["text"], action=action)
    delivery = send.deliveries.get()
    assert delivery.status == S.QUEUED and delivery.attempts == 1
    assert delivery.due_at > timezone.now() + timedelta(seconds=20)
    _run_again_when_due(send)
    assert send.deliveries.get().status == S.SENT
    assert len(texting.messages) == 1


# --- the worker's bookkeeping -----------------------------------------------------------------


def test_progress_counts(network, action, django_assert_num_queries):
    people = [_person(f"P{n}") for n in range(11)]
    send = Send.objects.create(kind=SendKind.CALL_OUT, action=action, status=SendStatus.SENDING)
    statuses = [S.QUEUED, S.SENDING, S.HANDED_OVER, S.SENT, S.SENT]
    statuses += [S.DELIVERED, S.FAILED, S.CANCELLED, S.UNREACHABLE, S.UNCERTAIN, S.TO_CALL]
    for person, status in zip(people, statuses, strict=True):
        Delivery.objects.create(
            send=send,
            person=person,
            channel="email",
            language="en",
            status=status,
            answered_at=timezone.now() if status == S.DELIVERED else None,
        )
    with django_assert_num_queries(1):
        counts = sends.progress(send)
    # Handed over is still being sent: only a confirmed hand-over counts as sent.
    assert counts == {
        "total": 11,
        "queued": 1,
        "sending": 2,
        "sent": 3,
        "delivered": 1,
        "failed": 1,
        "cancelled": 1,
        "unreachable": 1,
        "uncertain": 1,
        "to_call": 1,
        "answered": 1,
    }


def test_two_claims_never_take_the_same_row(network, action):
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(120)]
    send = _send(_people(*people), action=action, run=False)
    first = protocol.claim(send.pk, 50)
    second = protocol.claim(send.pk, 50)
    third = protocol.claim(send.pk, 50)
    assert len(first.ids) == 50 and len(second.ids) == 50 and len(third.ids) == 20
    assert not set(first.ids) & set(second.ids) and not set(second.ids) & set(third.ids)
    assert protocol.claim(send.pk, 50) is None


def test_a_lease_that_ran_out_is_taken_back_and_the_old_worker_cannot_finish(
    network, action, settings
):
    person = _person("P", email="p@example.org")
    send = _send(_people(person), action=action, run=False)
    old = protocol.claim(send.pk)
    Delivery.objects.filter(pk__in=old.ids).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert protocol.recover_stale(send.pk) == 1
    new = protocol.claim(send.pk)
    assert new.ids == old.ids and new.token != old.token
    delivery = Delivery.objects.get(pk=old.ids[0])
    runner = worker._Runner(send)
    assert not runner._hand_over(delivery, old, "<old@x>")  # the row is no longer its own
    assert runner._hand_over(delivery, new, "<new@x>")
    assert Delivery.objects.get(pk=delivery.pk).status == S.HANDED_OVER


@pytest.mark.django_db(transaction=True)
def test_racing_workers_never_take_the_same_row(network, action, monkeypatch):
    monkeypatch.setattr(sends, "_start", lambda send_id: None)  # only the racers work
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(400)]
    send = _send(_people(*people), action=action, run=False)
    taken: list[list[int]] = []
    errors = []

    def worker():
        try:
            mine = []
            while (found := protocol.claim(send.pk, 7)) is not None:
                mine.extend(found.ids)
            taken.append(mine)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    every = [pk for mine in taken for pk in mine]
    assert len(every) == len(set(every)) == 400


def test_the_periodic_task_takes_over_from_a_dead_worker(network, action, smtp_server):
    from solnet.mobilize import tasks

    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(3)]
    send = _send(_people(*people), action=action, run=False)
    dead = protocol.claim(send.pk)  # a worker took them and died
    assert tasks.resume_sends.call_local() == 0  # its lease still runs
    Delivery.objects.filter(pk__in=dead.ids).update(lease_until=timezone.now())
    assert tasks.resume_sends.call_local() == 1  # started again (at once: huey is immediate)
    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]
    send.refresh_from_db()
    assert send.status == SendStatus.DONE


# --- the pages --------------------------------------------------------------------------------


def test_the_send_page_shows_progress_and_who_failed(network, planner, action, mail_server):
    fine = _person("Fine Person", email="fine@example.org")
    gone = _person("Gone Person", email="gone@example.org")
    mail_server.at_rcpt["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    send = _send(_people(fine, gone), action=action)
    client = sign_in(Client(), planner)

    page = client.get(reverse("mobilize:send", args=[send.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gone Person" in html and "550" in html
    assert "gone@example.org" not in html and "fine@example.org" not in html
    assert 'id="send-retry"' in html
    assert re.search(r'<strong id="sent-count">1</strong>', html)

    # Somebody who does not run the action gets the same 404 as for nothing at all.
    other = sign_in(Client(), make_member("someone")[0])
    assert other.get(reverse("mobilize:send", args=[send.public_id])).status_code == 404
    assert Client().get(reverse("mobilize:send", args=[send.public_id])).status_code == 302


def test_the_progress_fragment_is_polled_while_sending(network, planner, action):
    person = _person("P", email="p@example.org")
    send = _send(_people(person), action=action, run=False)
    client = sign_in(Client(), planner)
    url = reverse("mobilize:send_progress", args=[send.public_id])

    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="send-progress"')
    assert "<html" not in fragment
    assert f'hx-get="{url}"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert 'id="send-cancel"' in fragment
    page = client.get(url).content.decode()
    assert "<html" in page and 'id="send-progress"' in page


def test_cancel_and_retry_by_post(network, planner, action):
    people = [_person(f"P{n}", email=f"p{n}@example.org") for n in range(3)]
    send = _send(_people(*people), action=action, run=False)
    client = sign_in(Client(), planner)

    response = client.post(reverse("mobilize:send_cancel", args=[send.public_id]))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("mobilize:send", args=[send.public_id])
    send.refresh_from_db()
    assert send.status == SendStatus.CANCELLED
    assert sends.progress(send)["cancelled"] == 3
    assert AuditEvent.objects.filter(action="send.cancelled", actor_id=planner.pk).exists()
    # A stopped send is not started again.
    send.deliveries.update(status=S.FAILED)
    response = client.post(reverse("mobilize:send_retry", args=[send.public_id]))
    assert response.status_code == 302
    assert sends.progress(send)["failed"] == 3
    assert client.get(reverse("mobilize:send_cancel", args=[send.public_id])).status_code == 405
