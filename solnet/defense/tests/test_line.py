"""The hotline's phone line through the gateway (the stand-in speaks Twilio's voice and
messaging wire formats): a call rings the dispatcher on shift, then the backup, then everyone
else, with neither side seeing the other's number; a text lands on the desk; a flood from one
number is slowed, warned of, and loses nothing; forged and replayed webhooks change nothing;
a dispatcher whose shift ended is refused the desk's live work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.core.retention import purge_expired
from solnet.defense import line, reports, verify
from solnet.defense.models import (
    CallOutcome,
    Conversation,
    HotlineCall,
    HotlineText,
    Report,
    ReportStatus,
    Source,
)
from solnet.defense.tests.conftest import CALLER, LINE
from solnet.defense.tests.making import make_report

pytestmark = pytest.mark.django_db

NUMBER_FORMS = ("+12065550142", "2065550142", "(206) 555-0142", "206-555-0142", "555-0142")


def _counts() -> tuple[int, ...]:
    return (
        Conversation.objects.count(),
        HotlineText.objects.count(),
        HotlineCall.objects.count(),
        Report.objects.count(),
        AuditEvent.objects.count(),
    )


def _numbers_in(text: str, *numbers: str) -> list[str]:
    """Which of the numbers appear in the text, in any usual writing."""
    found = []
    for number in numbers:
        digits = number.removeprefix("+1")
        forms = {number, digits, f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", digits[3:6] + "-"}
        forms |= {f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", f"{digits[3:6]}-{digits[6:]}"}
        if any(form in text for form in forms):
            found.append(number)
    return found


# --- calls ------------------------------------------------------------------------------------


def test_a_call_rings_the_primary_falls_to_the_backup_after_the_timeout_and_is_answered_there(
    phone_line, django_capture_on_commit_callbacks
):
    gateway = phone_line.gateway
    primary, backup = phone_line.primary.phone, phone_line.backup.phone
    gateway.phones = {primary: "no-answer", backup: "answer"}
    call = gateway.place_call(CALLER, LINE)
    assert call.rung == [primary, backup]
    assert call.answered_by == backup
    # The primary rang for the hotline's ring time (scaled here) before the backup rang.
    assert call.timeouts == [5, 5]
    waited = call.rings[1].at - call.rings[0].at
    assert 5 * gateway.time_scale * 0.9 <= waited < 5 * gateway.time_scale + 2
    # Each dispatcher's phone showed the hotline, never the caller.
    assert {ring.shown_caller_id for ring in call.rings} == {LINE}
    # Nothing the caller's side received names a dispatcher's number (nor any other).
    heard = " ".join(call.caller_side)
    assert "connected" in call.caller_side
    assert _numbers_in(heard, primary, backup, phone_line.other.phone) == []
    taken = HotlineCall.objects.get(call_sid=call.sid)
    assert (taken.outcome, taken.answered_by, taken.step) == (
        CallOutcome.ANSWERED,
        phone_line.backup,
        1,
    )
    # The caller's number is kept encrypted, for the gateway, and in no audit row.
    conversation = taken.conversation
    assert conversation.number == CALLER
    assert not any(_numbers_in(str(event.data), CALLER) for event in AuditEvent.objects.all())


def test_a_call_nobody_answers_rings_everyone_else_then_waits_on_the_desk(
    phone_line, django_capture_on_commit_callbacks
):
    gateway = phone_line.gateway
    with django_capture_on_commit_callbacks(execute=True):
        call = gateway.place_call(CALLER, LINE)
    assert call.rung == [
        phone_line.primary.phone,
        phone_line.backup.phone,
        phone_line.other.phone,
    ]
    assert call.answered_by == ""
    assert call.caller_side[-1] == "hung up"
    assert any("text" in said for said in call.caller_side if said.startswith("said:"))
    taken = HotlineCall.objects.get(call_sid=call.sid)
    assert taken.outcome == CallOutcome.MISSED
    assert line.waiting() == [taken.conversation]
    # The dispatchers on shift were told, with a link; not the number.
    told = {message.to[0] for message in mail.outbox}
    assert told == {phone_line.primary.email, phone_line.backup.email} - {None}
    for message in mail.outbox:
        assert _numbers_in(message.body, CALLER) == []
        assert reverse("defense:conversation", args=[taken.conversation.public_id]) in (
            message.body
        )


def test_busy_phones_fall_through_at_once(phone_line):
    gateway = phone_line.gateway
    gateway.phones = {phone_line.primary.phone: "busy", phone_line.other.phone: "answer"}
    call = gateway.place_call(CALLER, LINE)
    # The busy primary did not hold the call for the ring time; the backup did.
    assert call.rung[0] == phone_line.primary.phone
    assert call.rings[1].at - call.rings[0].at < 5 * gateway.time_scale * 0.5
    assert call.answered_by == phone_line.other.phone
    taken = HotlineCall.objects.get(call_sid=call.sid)
    assert (taken.outcome, taken.answered_by) == (CallOutcome.ANSWERED, phone_line.other)


def test_with_nobody_on_shift_every_dispatcher_is_rung_at_once(phone_line):
    phone_line.slot.delete()
    gateway = phone_line.gateway
    gateway.phones = {phone_line.other.phone: "answer"}
    call = gateway.place_call(CALLER, LINE)
    assert sorted(call.rung) == sorted(
        [phone_line.primary.phone, phone_line.backup.phone, phone_line.other.phone]
    )
    assert call.answered_by == phone_line.other.phone
    taken = HotlineCall.objects.get(call_sid=call.sid)
    # Several phones rang at once: who took it is not known.
    assert (taken.outcome, taken.answered_by) == (CallOutcome.ANSWERED, None)


def test_a_forged_or_replayed_call_webhook_changes_nothing(phone_line):
    gateway = phone_line.gateway
    client = Client()
    signed = gateway.signed_call(CALLER, LINE)
    before = _counts()
    # Unsigned, tampered after signing, another account, another number.
    assert client.post(signed.path, signed.params).status_code == 403
    assert signed.post(client, From="+12065550000").status_code == 403
    assert signed.post(client, AccountSid="AC" + "1" * 32).status_code == 403
    other = gateway.signed_call(CALLER, "+12065550100")
    assert other.post(client).status_code == 403
    assert _counts() == before
    # The real one, then the gateway posting it again: one call, the same answer.
    first = signed.post(client)
    again = signed.post(client)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert HotlineCall.objects.filter(call_sid=signed.params["CallSid"]).count() == 1
    # A replayed "nobody answered" for the first step, once the call moved on, moves nothing.
    after = reverse("defense:voice_after") + "?step=0"
    params = {**signed.params, "DialCallStatus": "no-answer"}
    moved = gateway._signed(gateway.voice_url.replace(reverse("defense:voice"), after), params)
    assert moved.post(client).status_code == 200
    call = HotlineCall.objects.get(call_sid=signed.params["CallSid"])
    assert call.step == 1
    state = _counts()
    replayed = moved.post(client)
    assert replayed.status_code == 200
    call.refresh_from_db()
    assert call.step == 1 and call.outcome == CallOutcome.RINGING
    assert _counts() == state


def test_a_signed_post_with_a_step_the_call_has_not_is_refused(phone_line):
    gateway = phone_line.gateway
    client = Client()
    signed = gateway.signed_call(CALLER, LINE)
    signed.post(client)
    state = _counts()
    for step in ("7", "-1", "x", ""):
        url = gateway.voice_url.replace(
            reverse("defense:voice"), reverse("defense:voice_after") + f"?step={step}"
        )
        params = {**signed.params, "DialCallStatus": "no-answer"}
        assert gateway._signed(url, params).post(client).status_code == 400
    assert _counts() == state
    assert HotlineCall.objects.get().step == 0


def test_the_caller_hears_the_networks_language(phone_line, network):
    network.default_language = "es"
    network.save()
    call = phone_line.gateway.place_call(CALLER, LINE)
    said = call.answers[0].decode()
    assert 'language="es-MX"' in said
    assert "Te comunicamos" in said


def test_a_call_is_refused_when_the_hotline_has_no_number(phone_line):
    phone_line.hotline.number = ""
    phone_line.hotline.save()
    before = _counts()
    call = phone_line.gateway.place_call(CALLER, LINE)
    assert call.statuses == [403]
    assert _counts() == before


# --- texts ------------------------------------------------------------------------------------


def test_a_text_lands_on_the_desk_and_the_dispatchers_on_shift_are_told(
    phone_line, django_capture_on_commit_callbacks
):
    gateway = phone_line.gateway
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        first = gateway.signed_inbound(CALLER, LINE, "ICE at 1420 Alder St, two vans")
        answer = first.post(client)
    assert answer.status_code == 200
    # The first text of a conversation is answered; the words are kept encrypted.
    assert "<Message>" in answer.content.decode()
    [conversation] = line.waiting()
    [kept] = conversation.texts.all()
    assert kept.body == "ICE at 1420 Alder St, two vans"
    assert {m.to[0] for m in mail.outbox} == {phone_line.primary.email, phone_line.backup.email}
    assert all("Alder" not in m.body and not _numbers_in(m.body, CALLER) for m in mail.outbox)
    # The next text joins the same conversation and is not answered again; a retried
    # webhook is one text.
    second = gateway.signed_inbound(CALLER, LINE, "they are knocking now")
    assert "<Message>" not in second.post(client).content.decode()
    assert second.post(client).status_code == 200
    assert conversation.texts.count() == 2
    assert Conversation.objects.count() == 1


def test_a_forged_text_changes_nothing(phone_line):
    gateway = phone_line.gateway
    client = Client()
    signed = gateway.signed_inbound(CALLER, LINE, "hello")
    before = _counts()
    assert signed.post(client, Body="something else").status_code == 403
    assert client.post(signed.path, signed.params).status_code == 403
    assert gateway.signed_inbound(CALLER, "+12065550100", "hi").post(client).status_code == 403
    assert _counts() == before


def test_a_flood_of_texts_is_kept_not_announced_and_warned_of_once(
    phone_line, django_capture_on_commit_callbacks
):
    gateway = phone_line.gateway
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(line.MOST_TEXTS + 4):
            assert gateway.signed_inbound(CALLER, LINE, f"text {n}").post(client).status_code == 200
    [conversation] = Conversation.objects.all()
    texts = list(conversation.texts.all())
    # Nothing lost: every text is kept, those over the limit marked.
    assert [t.body for t in texts] == [f"text {n}" for n in range(line.MOST_TEXTS + 4)]
    assert [t.flooded for t in texts] == [False] * line.MOST_TEXTS + [True] * 4
    on_shift = {phone_line.primary.email, phone_line.backup.email}
    announced = [m for m in mail.outbox if "flooding" not in m.body]
    warned = [m for m in mail.outbox if "flooding" in m.body]
    assert len(announced) == line.MOST_TEXTS * len(on_shift)
    assert {m.to[0] for m in warned} == on_shift and len(warned) == len(on_shift)
    assert AuditEvent.objects.filter(action="defense.line_flooded").count() == 1
    # Another number is not slowed by this one.
    other = gateway.signed_inbound("+12065550177", LINE, "help on 5th")
    assert other.post(client).status_code == 200
    assert not HotlineText.objects.get(provider_ref=other.params["MessageSid"]).flooded


def test_a_flood_of_calls_is_told_to_text_and_warned_of(
    phone_line, django_capture_on_commit_callbacks
):
    gateway = phone_line.gateway
    gateway.phones = {phone_line.primary.phone: "answer"}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(line.MOST_CALLS):
            assert gateway.place_call(CALLER, LINE).answered_by == phone_line.primary.phone
        refused = gateway.place_call(CALLER, LINE)
    assert refused.rung == []
    assert any("text" in said for said in refused.caller_side)
    outcomes = list(HotlineCall.objects.order_by("at", "pk").values_list("outcome", flat=True))
    assert outcomes == [CallOutcome.ANSWERED] * line.MOST_CALLS + [CallOutcome.REFUSED]
    assert [m for m in mail.outbox if "flooding" in m.body]
    # The window passes: the number is rung again.
    HotlineCall.objects.update(at=timezone.now() - line.FLOOD_WINDOW - timedelta(seconds=1))
    assert gateway.place_call(CALLER, LINE).answered_by == phone_line.primary.phone


# --- the desk ---------------------------------------------------------------------------------


def test_the_dispatcher_writes_a_report_from_a_text_and_answers_from_the_hotlines_number(
    phone_line,
):
    gateway = phone_line.gateway
    gateway.signed_inbound(CALLER, LINE, "ICE at 1420 Alder St").post(Client())
    [conversation] = line.waiting()
    client = sign_in(Client(), phone_line.primary)
    desk = client.get(reverse("defense:home")).content.decode()
    assert reverse("defense:conversation", args=[conversation.public_id]) in desk
    page = client.get(reverse("defense:conversation", args=[conversation.public_id]))
    assert "ICE at 1420 Alder St" in page.content.decode()
    write = reverse("defense:report_new") + f"?form=salute&conversation={conversation.public_id}"
    form = client.get(write)
    assert "ICE at 1420 Alder St" in form.content.decode()
    posted = client.post(
        write,
        {
            "size": "two vans",
            "activity": "agents at the door",
            "location": "1420 Alder St",
            "uniform": "",
            "seen_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "equipment": "",
            "help_asked": "",
            "zone": "",
            "reached_at": "",
            "source": "text",
        },
    )
    assert posted.status_code == 302
    report = Report.objects.get()
    conversation.refresh_from_db()
    assert (report.source, conversation.report) == (Source.TEXT, report)
    assert line.waiting() == []
    answered = client.post(
        reverse("defense:conversation_reply", args=[conversation.public_id]),
        {"body": "A verifier is on the way. Stay inside."},
    )
    assert answered.status_code == 302
    [sent] = gateway.messages
    assert (sent.from_, sent.to, sent.body) == (
        LINE,
        CALLER,
        "A verifier is on the way. Stay inside.",
    )
    # No page a dispatcher reads shows the caller's number.
    for url in (
        reverse("defense:home"),
        reverse("defense:conversation", args=[conversation.public_id]),
        reverse("defense:report", args=[report.public_id]),
    ):
        assert _numbers_in(client.get(url).content.decode(), CALLER) == [], url
    # Closing the report closes its conversation: the next text starts a new one.
    reports.close_report(
        report=report, status=ReportStatus.CLOSED, note="over", by=phone_line.primary
    )
    conversation.refresh_from_db()
    assert not conversation.is_open
    gateway.signed_inbound(CALLER, LINE, "again").post(Client())
    assert Conversation.objects.count() == 2


def test_a_dispatcher_whose_shift_ended_is_refused_the_desks_live_work(phone_line):
    gateway = phone_line.gateway
    gateway.signed_inbound(CALLER, LINE, "vans on 5th").post(Client())
    [conversation] = line.waiting()
    report = make_report()
    late = phone_line.other  # a dispatcher, but not on the shift running now
    before = (_counts(), len(gateway.messages))
    attempts = [
        lambda: line.reply(conversation=conversation, body="on our way", by=late),
        lambda: line.close_conversation(conversation=conversation, by=late),
        lambda: reports.close_report(
            report=report, status=ReportStatus.FALSE_ALARM, note="no", by=late
        ),
        lambda: verify.ask(report=report, verifiers=[phone_line.backup], by=late),
        lambda: reports.file_report(
            form="salute",
            source=Source.TEXT,
            seen_at=timezone.now(),
            words={"activity": "vans", "location": "5th"},
            by=late,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="shift is over"):
            attempt()
    assert (_counts(), len(gateway.messages)) == before
    # Through the pages, the same: a clear message, nothing changed.
    client = sign_in(Client(), late)
    answer = client.post(
        reverse("defense:conversation_reply", args=[conversation.public_id]), {"body": "hi"}
    )
    assert answer.status_code == 422
    assert "shift is over" in answer.content.decode()
    assert (_counts()[:4], len(gateway.messages)) == (before[0][:4], before[1])
    # They may still send what they see as a member would.
    reports.file_report(
        form="salute",
        source=Source.MEMBER,
        seen_at=timezone.now(),
        words={"activity": "vans", "location": "5th"},
        by=late,
    )
    # And while no shift runs, any dispatcher has the desk.
    phone_line.slot.delete()
    line.close_conversation(conversation=conversation, by=late)


def test_the_line_is_forgotten_with_the_reports_words(phone_line):
    gateway = phone_line.gateway
    gateway.signed_inbound(CALLER, LINE, "vans on 5th").post(Client())
    gateway.place_call(CALLER, LINE)
    conversation = Conversation.objects.get()
    assert conversation.forget_at > timezone.now() + timedelta(days=29)
    Conversation.objects.update(forget_at=timezone.now() - timedelta(seconds=1))
    purge_expired()
    assert (Conversation.objects.count(), HotlineText.objects.count()) == (0, 0)
    assert HotlineCall.objects.count() == 0


def test_the_settings_set_the_number_and_ring_time(phone_line):
    client = sign_in(Client(), phone_line.primary)
    url = reverse("defense:hotline")
    bad = client.post(url, {"number": "not a number", "ring_seconds": "2"})
    assert bad.status_code == 422
    phone_line.hotline.refresh_from_db()
    assert (phone_line.hotline.number, phone_line.hotline.ring_seconds) == (LINE, 5)
    good = client.post(url, {"number": "(206) 555-0188", "ring_seconds": "25"})
    assert good.status_code == 302
    phone_line.hotline.refresh_from_db()
    assert (phone_line.hotline.number, phone_line.hotline.ring_seconds) == ("+12065550188", 25)
    page = client.get(url).content.decode()
    assert reverse("defense:voice") in page and reverse("defense:text") in page
