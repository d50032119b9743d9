"""Text messages through a gateway speaking Twilio's wire format: sending (against a real
stand-in server on loopback), webhook signatures, STOP and START, answers by text, delivery
reports."""

from __future__ import annotations

import base64
import re
import socket
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from solnet.core.models import AuditEvent
from solnet.mobilize import services
from solnet.mobilize.models import (
    Delivery,
    DeliveryStatus,
    InboundKind,
    InboundSms,
    Send,
    SendKind,
    SmsOptOut,
)
from solnet.mobilize.sending import sms
from solnet.mobilize.testing.gateway import twilio_signature
from solnet.people.models import Answer, ContactChannel, Person

pytestmark = pytest.mark.django_db

ANA = "+1 206 555 0111"
ANA_E164 = "+12065550111"
OUR_NUMBER = "+12065550199"
SID = re.compile(r"^SM[0-9a-f]{32}$")

# Twilio's own published example (its helper libraries' tests): auth token 12345.
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
TWILIO_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
TWILIO_REPEATED = {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234", "1234"]}
TWILIO_REPEATED_SIGNATURE = "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def _index(number: str) -> str:
    return ContactChannel._meta.get_field("value_index").lookup_value(number)


def _text_channel(person: Person, number: str = ANA) -> ContactChannel:
    return ContactChannel.objects.create(
        person=person, kind="text", value=number, consent_at=timezone.now()
    )


def _delivery(person: Person, *, status=DeliveryStatus.QUEUED, send=None, **fields) -> Delivery:
    send = send or Send.objects.create(kind=SendKind.NEWS, channels=["text"])
    fields.setdefault("address_index", _index(ANA))
    fields.setdefault("channel", "text")
    return Delivery.objects.create(send=send, person=person, language="en", status=status, **fields)


def _audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --- sending ----------------------------------------------------------------------------------


def test_a_text_goes_out_in_twilios_wire_format(sms_gateway, settings):
    sid = sms.send_text(to=ANA, sender=OUR_NUMBER, body="Picket Friday 5pm. Reply YES or NO")
    assert SID.match(sid)
    request = sms_gateway.requests[-1]
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{sms_gateway.account_sid}/Messages.json"
    credentials = f"{sms_gateway.account_sid}:{sms_gateway.auth_token}".encode()
    assert request.headers["authorization"] == "Basic " + base64.b64encode(credentials).decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "To": [ANA_E164],
        "From": [OUR_NUMBER],
        "Body": ["Picket Friday 5pm. Reply YES or NO"],
        "StatusCallback": [settings.BASE_URL + reverse("mobilize:sms_status")],
    }
    [message] = sms_gateway.messages
    assert (message.sid, message.to, message.from_) == (sid, ANA_E164, OUR_NUMBER)


def test_a_text_can_go_without_asking_for_a_report(sms_gateway):
    sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi", status_callback="")
    assert "StatusCallback" not in sms_gateway.requests[-1].form
    assert sms_gateway.callbacks == []


def test_refused_credentials_are_a_permanent_error(sms_gateway, settings):
    settings.SOLNET_SMS_AUTH_TOKEN = "not-the-token"
    with pytest.raises(sms.PermanentError) as error:
        sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    assert (error.value.status, error.value.code) == (401, 20003)
    assert sms_gateway.messages == []


def test_an_invalid_number_is_a_permanent_error_with_the_gateways_code(sms_gateway):
    with pytest.raises(sms.PermanentError) as error:
        sms.send_text(to="+1 555", sender=OUR_NUMBER, body="hi")
    assert error.value.code == 21211
    assert "not a valid phone number" in error.value.message
    assert error.value.more_info == "https://www.twilio.com/docs/errors/21211"
    assert error.value.summary.startswith("21211: ")
    assert not isinstance(error.value, sms.TransientError)


def test_a_recipient_unsubscribed_at_the_gateway_is_a_permanent_error(sms_gateway):
    sms_gateway.unsubscribed.add(ANA_E164)
    with pytest.raises(sms.PermanentError) as error:
        sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    assert error.value.code == sms.UNSUBSCRIBED == 21610


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20500), (429, 20429)])
def test_a_busy_or_failing_gateway_is_a_transient_error(sms_gateway, status, code):
    sms_gateway.fail_next(1, status=status, retry_after=3)
    with pytest.raises(sms.TransientError) as error:
        sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    assert (error.value.status, error.value.code, error.value.retry_after) == (status, code, 3)
    assert not isinstance(error.value, sms.PermanentError)
    # The next try goes through.
    assert SID.match(sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi"))
    assert len(sms_gateway.messages) == 1


def test_a_gateway_that_is_down_is_a_transient_error(sms_gateway):
    sms_gateway.stop()
    with pytest.raises(sms.TransientError):
        sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")


def test_a_gateway_that_does_not_answer_in_time_is_a_transient_error(settings, monkeypatch):
    # A socket that takes the connection and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        settings.SOLNET_SMS_API_BASE = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings.SOLNET_SMS_ACCOUNT_SID, settings.SOLNET_SMS_AUTH_TOKEN = "AC1", "token"
        monkeypatch.setattr(sms, "TIMEOUT", 0.3)
        with pytest.raises(sms.TransientError) as error:
            sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
        assert "within" in error.value.message
    finally:
        silent.close()


def test_without_an_account_nothing_is_sent(sms_gateway, settings):
    settings.SOLNET_SMS_AUTH_TOKEN = ""
    assert not sms.configured()
    with pytest.raises(sms.NotConfigured):
        sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    assert sms_gateway.requests == []


def test_the_gateway_counts_each_numbers_rate(sms_gateway, monkeypatch):
    """The stand-in's own accounting, which pacing tests rely on (SolNet's own gate, which
    would space these texts out, is switched off here)."""
    from solnet.mobilize import pacing

    monkeypatch.setattr(pacing.gate, "wait", lambda number, **kwargs: 0.0)
    for _ in range(3):
        sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    assert sms_gateway.max_in_window(OUR_NUMBER) == 3
    assert sms_gateway.rate_violations({OUR_NUMBER: 3.0}) == []
    assert sms_gateway.rate_violations({OUR_NUMBER: 1.0}) != []
    sms_gateway.caps[OUR_NUMBER] = 3.0
    sms_gateway.reject_over_cap = True
    with pytest.raises(sms.TransientError) as error:
        sms.send_text(to=ANA, sender=OUR_NUMBER, body="one too many")
    assert error.value.status == 429


def test_texts_never_go_over_their_numbers_cap_however_late_the_worker_is(sms_gateway):
    """Six texts asked for at once from a number allowed three a second: the gate holds the
    last three until the first three's second has passed."""
    from solnet.mobilize.models import SmsSender
    from solnet.mobilize.pacing import gate

    SmsSender.objects.create(number="+18005550123", kind="toll_free", per_second=3, per_day=100)
    gate.caps.pop("+18005550123", None)
    gate.sent.pop("+18005550123", None)
    for _ in range(6):
        sms.send_text(to=ANA, sender="+18005550123", body="hi")
    assert len(sms_gateway.sent_from("+18005550123")) == 6
    assert sms_gateway.max_in_window("+18005550123") == 3
    assert sms_gateway.rate_violations({"+18005550123": 3.0}) == []


# --- signatures -------------------------------------------------------------------------------


def test_twilios_published_signatures_are_valid(settings):
    settings.SOLNET_SMS_AUTH_TOKEN = "12345"
    assert sms.valid_signature(TWILIO_URL, TWILIO_PARAMS, TWILIO_SIGNATURE)
    assert sms.valid_signature(TWILIO_URL, TWILIO_REPEATED, TWILIO_REPEATED_SIGNATURE)
    # The stand-in signs the same way, computed on its own.
    assert twilio_signature("12345", TWILIO_URL, TWILIO_PARAMS) == TWILIO_SIGNATURE
    assert twilio_signature("12345", TWILIO_URL, TWILIO_REPEATED) == TWILIO_REPEATED_SIGNATURE


def test_a_url_with_or_without_its_default_port_is_the_same_url(settings):
    settings.SOLNET_SMS_AUTH_TOKEN = "12345"
    with_port = TWILIO_URL.replace("mycompany.com/", "mycompany.com:443/")
    signed_with_port = twilio_signature("12345", with_port, TWILIO_PARAMS)
    assert sms.valid_signature(TWILIO_URL, TWILIO_PARAMS, signed_with_port)
    assert sms.valid_signature(with_port, TWILIO_PARAMS, TWILIO_SIGNATURE)
    other_port = TWILIO_URL.replace("mycompany.com/", "mycompany.com:8443/")
    assert not sms.valid_signature(other_port, TWILIO_PARAMS, TWILIO_SIGNATURE)


@pytest.mark.parametrize(
    ("url", "params", "signature"),
    [
        (TWILIO_URL, {**TWILIO_PARAMS, "Digits": "9999"}, TWILIO_SIGNATURE),
        (TWILIO_URL, {**TWILIO_PARAMS, "Extra": "1"}, TWILIO_SIGNATURE),
        (TWILIO_URL + "&baz=3", TWILIO_PARAMS, TWILIO_SIGNATURE),
        (TWILIO_URL.replace("https", "http"), TWILIO_PARAMS, TWILIO_SIGNATURE),
        (TWILIO_URL, TWILIO_PARAMS, TWILIO_SIGNATURE.lower()),
        (TWILIO_URL, TWILIO_PARAMS, ""),
        (TWILIO_URL, TWILIO_PARAMS, "bm9wZQ=="),
    ],
)
def test_a_tampered_or_wrong_signature_is_invalid(settings, url, params, signature):
    settings.SOLNET_SMS_AUTH_TOKEN = "12345"
    assert not sms.valid_signature(url, params, signature)


def test_a_signature_made_with_another_token_is_invalid(settings):
    settings.SOLNET_SMS_AUTH_TOKEN = "54321"
    assert not sms.valid_signature(TWILIO_URL, TWILIO_PARAMS, TWILIO_SIGNATURE)
    settings.SOLNET_SMS_AUTH_TOKEN = ""
    assert not sms.valid_signature(TWILIO_URL, TWILIO_PARAMS, TWILIO_SIGNATURE)


# --- the webhooks refuse what the gateway did not sign ----------------------------------------


@pytest.fixture
def ana(network):
    person = Person.objects.create(display_name="Ana")
    _text_channel(person)
    return person


def _nothing_changed(ana: Person):
    assert not SmsOptOut.objects.exists()
    assert not InboundSms.objects.exists()
    assert ana.channels.get().usable
    assert _audit("sms.stopped") == []


def test_an_unsigned_or_forged_inbound_webhook_changes_nothing(client, sms_gateway, ana):
    url = reverse("mobilize:sms_inbound")
    signed = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "STOP")
    # No signature.
    assert client.post(url, signed.params).status_code == 403
    # A signature by someone without our token.
    forged = twilio_signature("guessed-token", signed.url, signed.params)
    assert client.post(url, signed.params, HTTP_X_TWILIO_SIGNATURE=forged).status_code == 403
    # A signed message with its body changed.
    hello = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "hello")
    assert hello.post(client, Body="STOP").status_code == 403
    # Signed for the other address.
    elsewhere = sms_gateway.signed_inbound(
        ANA, OUR_NUMBER, "STOP", url=signed.url.replace("inbound", "status")
    )
    response = client.post(url, elsewhere.params, HTTP_X_TWILIO_SIGNATURE=elsewhere.signature)
    assert response.status_code == 403
    # Signed with our token but for another account.
    other = dict(signed.params, AccountSid="AC" + "0" * 32)
    response = client.post(url, other, HTTP_X_TWILIO_SIGNATURE=sms_gateway.sign(signed.url, other))
    assert response.status_code == 403
    # Only posts.
    assert client.get(url).status_code == 405
    _nothing_changed(ana)
    # And the genuine one is taken.
    assert signed.post(client).status_code == 200
    assert SmsOptOut.objects.count() == 1


def test_without_sms_configured_every_webhook_is_refused(client, sms_gateway, ana, settings):
    signed = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "STOP")
    settings.SOLNET_SMS_AUTH_TOKEN = ""
    assert signed.post(client).status_code == 403
    _nothing_changed(ana)


def test_a_forged_delivery_report_changes_nothing(client, sms_gateway, ana):
    sid = sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    delivery = _delivery(ana, status=DeliveryStatus.SENT, provider_ref=sid, sent_at=timezone.now())
    report = sms_gateway.callbacks[-1]
    assert report.post(client, MessageStatus="failed", ErrorCode="30003").status_code == 403
    assert client.post(reverse("mobilize:sms_status"), report.params).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.delivered_at is None


@pytest.mark.parametrize(
    "changes",
    [{"From": ""}, {"From": "not a number"}, {"MessageSid": ""}, {"MessageSid": "SM/../x"}],
)
def test_a_signed_inbound_webhook_with_bad_fields_is_refused_and_changes_nothing(
    client, sms_gateway, ana, changes
):
    signed = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "STOP")
    params = {**signed.params, **changes}
    signature = sms_gateway.sign(signed.url, params)
    response = client.post(signed.path, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 400
    assert response.content.startswith(b"Bad request: ")
    _nothing_changed(ana)


# --- STOP and START ---------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "language"), [("STOP", "en"), ("parar", "es"), ("Stop.", "en")])
def test_stop_stops_every_text_to_the_number(client, sms_gateway, ana, word, language):
    # Someone else shares the phone; their call channel is about calls, not texts.
    bea = Person.objects.create(display_name="Bea")
    bea_text = _text_channel(bea, "+12065550111")
    bea_call = ContactChannel.objects.create(
        person=bea, kind="call", value=ANA, consent_at=timezone.now()
    )
    queued = _delivery(ana)
    queued_for_bea = _delivery(bea)
    already_out = _delivery(ana, status=DeliveryStatus.SENT, sent_at=timezone.now())
    by_email = _delivery(ana, channel="email", address_index=_index("ana@example.org"))

    response = sms_gateway.signed_inbound(ANA, OUR_NUMBER, word).post(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response["Content-Language"] == language
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert "Eastside Solidarity Network" in body
    assert SmsOptOut.objects.filter(number_index=_index(ANA)).count() == 1
    assert not ana.channels.get().usable
    bea_text.refresh_from_db()
    bea_call.refresh_from_db()
    assert bea_text.opted_out_at is not None and bea_call.usable
    for delivery in (queued, queued_for_bea):
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.CANCELLED
    for delivery, status in ((already_out, "sent"), (by_email, "queued")):
        delivery.refresh_from_db()
        assert delivery.status == status
    [event] = _audit("sms.stopped")
    assert event.data == {"channels": 2}
    assert event.target == "" and event.actor_id is None
    assert "206" not in str(event.data) + event.target
    inbound = InboundSms.objects.get()
    assert (inbound.kind, inbound.from_index) == (InboundKind.STOP, _index(ANA))

    # From now on nothing is texted to the number, whoever's record it is on.
    with pytest.raises(sms.OptedOut) as refused:
        sms.send_text(to=ANA, sender=OUR_NUMBER, body="Picket tomorrow")
    assert refused.value.code == sms.UNSUBSCRIBED
    assert sms_gateway.messages == []


def test_start_takes_texts_back(client, sms_gateway, ana):
    sms_gateway.signed_inbound(ANA, OUR_NUMBER, "STOP").post(client)
    assert not ana.channels.get().usable

    response = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "start").post(client)

    assert response.status_code == 200 and b"<Message>" in response.content
    assert not SmsOptOut.objects.exists()
    channel = ana.channels.get()
    assert channel.usable and channel.opted_out_at is None
    [event] = _audit("sms.started")
    assert event.data == {"channels": 1}
    assert SID.match(sms.send_text(to=ANA, sender=OUR_NUMBER, body="Welcome back"))


def test_comenzar_takes_texts_back_in_spanish(client, sms_gateway, ana):
    sms_gateway.signed_inbound(ANA, OUR_NUMBER, "BAJA").post(client)
    response = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "Comenzar").post(client)
    assert response["Content-Language"] == "es"
    assert ana.channels.get().usable


def test_yes_is_not_start(client, sms_gateway, ana):
    sms_gateway.signed_inbound(ANA, OUR_NUMBER, "STOP").post(client)
    sms_gateway.signed_inbound(ANA, OUR_NUMBER, "YES").post(client)
    assert SmsOptOut.objects.exists() and not ana.channels.get().usable


def test_a_retried_inbound_webhook_counts_once(client, sms_gateway, ana):
    signed = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "STOP")
    first = signed.post(client)
    again = signed.post(client)
    assert first.status_code == again.status_code == 200
    assert InboundSms.objects.count() == 1
    assert len(_audit("sms.stopped")) == 1
    # The retry is acknowledged without a second text back.
    assert b"<Message>" in first.content and b"<Message>" not in again.content


def test_help_says_what_the_texts_are(client, sms_gateway, ana):
    response = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "Ayuda").post(client)
    assert response["Content-Language"] == "es"
    assert b"Eastside Solidarity Network" in response.content
    assert InboundSms.objects.get().kind == InboundKind.HELP
    assert ana.channels.get().usable


def test_anything_else_is_kept_encrypted_and_not_answered(client, sms_gateway, ana):
    response = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "my landlord cut the heat").post(client)
    assert response.status_code == 200 and b"<Message>" not in response.content
    inbound = InboundSms.objects.get()
    assert inbound.kind == InboundKind.OTHER and inbound.body == "my landlord cut the heat"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {InboundSms._meta.db_table}")
        raw = cursor.fetchone()[0]
    assert "landlord" not in raw


# --- delivery reports -------------------------------------------------------------------------


def test_a_delivery_report_marks_the_text_delivered(client, sms_gateway, ana):
    sid = sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    delivery = _delivery(ana, status=DeliveryStatus.SENT, provider_ref=sid, sent_at=timezone.now())
    [report] = sms_gateway.callbacks
    assert report.params["MessageSid"] == sid and report.params["MessageStatus"] == "delivered"
    assert report.post(client).status_code == 204
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at is not None


def test_an_undelivered_report_marks_the_text_failed_with_the_gateways_code(
    client, sms_gateway, ana
):
    sms_gateway.undeliverable[ANA_E164] = "30003"
    sid = sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    delivery = _delivery(ana, status=DeliveryStatus.SENT, provider_ref=sid, sent_at=timezone.now())
    assert sms_gateway.callbacks[-1].post(client).status_code == 204
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "30003" in delivery.error and delivery.delivered_at is None


def test_a_report_about_a_text_we_do_not_know_changes_nothing(client, sms_gateway, ana):
    sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    delivery = _delivery(ana, status=DeliveryStatus.SENT, provider_ref="SM" + "f" * 32)
    assert sms_gateway.callbacks[-1].post(client).status_code == 204
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_the_gateway_posts_its_webhooks_to_a_live_server(live_sms_gateway, network):
    ana = Person.objects.create(display_name="Ana")
    _text_channel(ana)
    live_sms_gateway.hold_callbacks = True
    sid = sms.send_text(to=ANA, sender=OUR_NUMBER, body="hi")
    delivery = _delivery(ana, status=DeliveryStatus.SENT, provider_ref=sid, sent_at=timezone.now())
    live_sms_gateway.release_callbacks()
    assert live_sms_gateway.wait_for_callbacks(1)
    assert live_sms_gateway.callbacks[0].status == 204
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED

    posted = live_sms_gateway.send_inbound(ANA, OUR_NUMBER, "STOP")
    assert posted.status == 200 and b"<Message>" in posted.answer
    assert SmsOptOut.objects.filter(number_index=_index(ANA)).exists()
    retried = live_sms_gateway.deliver(posted)
    assert retried.status == 200
    assert InboundSms.objects.count() == 1


# --- answers by text --------------------------------------------------------------------------


@pytest.fixture
def asked(organizer, ana):
    """Ana asked to a picket, with the call-out texted to her an hour ago."""
    starts = timezone.now() + timedelta(days=2)
    action = services.plan_action(
        by=organizer,
        title="Picket at Acme Property Management",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    services.ask_people(action=action, people=Person.objects.filter(pk=ana.pk), by=organizer)
    send = Send.objects.create(kind=SendKind.CALL_OUT, action=action, channels=["text"])
    delivery = _delivery(
        ana,
        send=send,
        status=DeliveryStatus.DELIVERED,
        sent_at=timezone.now() - timedelta(hours=1),
        provider_ref="SM" + "a" * 32,
    )
    return services.ask_of(action, ana), delivery


@pytest.mark.parametrize(
    ("word", "answer", "language"),
    [
        ("YES", Answer.YES, "en"),
        ("sí", Answer.YES, "es"),
        ("¡SI!", Answer.YES, "es"),
        ("1", Answer.YES, "en"),
        ("Tal vez", Answer.MAYBE, "es"),
        ("quizás", Answer.MAYBE, "es"),
        ("maybe", Answer.MAYBE, "en"),
        ("no", Answer.NO, "en"),
        ("N", Answer.NO, "en"),
        ("3", Answer.NO, "en"),
    ],
)
def test_an_answer_by_text_answers_the_ask(client, sms_gateway, asked, word, answer, language):
    ask, delivery = asked
    response = sms_gateway.signed_inbound(ANA, OUR_NUMBER, word).post(client)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert b"<Message>" in response.content
    ask.refresh_from_db()
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == answer
    assert ask.answered_via == "sms"
    delivery.refresh_from_db()
    assert delivery.answered_at is not None
    inbound = InboundSms.objects.get()
    assert (inbound.kind, inbound.delivery) == (InboundKind.ANSWER, delivery)


def test_an_answer_goes_to_the_latest_text_of_the_week(client, sms_gateway, asked, organizer):
    ask, _ = asked
    old_action = services.plan_action(
        by=organizer,
        title="Older call-out",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=1),
    )
    services.ask_people(
        action=old_action, people=Person.objects.filter(pk=ask.person_id), by=organizer
    )
    _delivery(
        ask.person,
        send=Send.objects.create(kind=SendKind.CALL_OUT, action=old_action),
        status=DeliveryStatus.SENT,
        sent_at=timezone.now() - timedelta(hours=5),
    )
    sms_gateway.signed_inbound(ANA, OUR_NUMBER, "yes").post(client)
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == Answer.YES
    older = services.ask_of(old_action, ask.person)
    assert older.commitment.answer == Answer.WAITING


def test_an_answer_to_nothing_recent_changes_nothing(client, sms_gateway, asked):
    ask, delivery = asked
    Delivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now() - timedelta(days=8))
    response = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "YES").post(client)
    assert response.status_code == 200 and b"<Message>" in response.content
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == Answer.WAITING
    assert InboundSms.objects.get().delivery is None


def test_an_answer_from_another_number_answers_nothing(client, sms_gateway, asked):
    ask, _ = asked
    sms_gateway.signed_inbound("+12065550123", OUR_NUMBER, "YES").post(client)
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == Answer.WAITING


def test_a_retried_answer_counts_once(client, sms_gateway, asked):
    ask, _ = asked
    signed = sms_gateway.signed_inbound(ANA, OUR_NUMBER, "YES")
    signed.post(client)
    ask.commitment.refresh_from_db()
    # An organizer notes a change of mind on a call; the retried webhook must not undo it.
    services.answer_ask(ask=ask, answer=Answer.NO, via="call")
    signed.post(client)
    ask.commitment.refresh_from_db()
    assert ask.commitment.answer == Answer.NO
    assert InboundSms.objects.count() == 1
