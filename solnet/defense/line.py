"""The hotline's phone line, through the SMS and voice gateway (Twilio's wire format, as
`mobilize.sending.sms` speaks it).

A call to the hotline's number rings the dispatcher on shift, then the backup after the
hotline's ring time, then every other dispatcher at once: the gateway bridges the call, with
the hotline's number as the caller id, so the dispatcher never sees the caller's number and the
caller never hears the dispatcher's. A call nobody answers is kept for a dispatcher to answer
by text. A text to the number lands on the desk; a dispatcher writes a report from it and
answers through the gateway, from the hotline's number.

What one number says is a `Conversation`, until a dispatcher closes it or the report written
from it closes. Its number is encrypted and shown to nobody.

A number that floods the line (more than `MOST_TEXTS` texts or `MOST_CALLS` calls within
`FLOOD_WINDOW`) is slowed, not lost: every text is kept, but no longer announced, further calls
are told to text, and the dispatchers on duty are warned once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.core import audit, phones, tasks
from solnet.defense import rota
from solnet.defense.models import (
    CallOutcome,
    Conversation,
    Hotline,
    HotlineCall,
    HotlineText,
    Report,
)
from solnet.members.models import Member
from solnet.mobilize.sending import sms
from solnet.network.models import Network
from solnet.people.models import ChannelKind

FLOOD_WINDOW = timedelta(minutes=10)
MOST_TEXTS = 5
MOST_CALLS = 3
# The gateway dials at most ten numbers at once.
MOST_FALLBACK = 10
LONGEST_REPLY = 600
# What the caller hears, in the gateway's speech languages.
SPEECH = {"en": "en-US", "es": "es-MX"}
STEPS = 3  # the primary, the backup, the other dispatchers


def line_number(hotline: Hotline | None = None) -> str:
    """The hotline's number in E.164 (as its settings keep it), or "" when it has none."""
    return (hotline or Hotline.current()).number


def _language() -> str:
    network = Network.objects.current()
    if network.default_language in SPEECH:
        return network.default_language
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in SPEECH else "en"


def _member_number(member: Member) -> str:
    """Where a dispatcher takes calls: the phone on their account, else a phone-call or
    texting number on their record."""
    own = phones.read_phone(member.phone) if member.phone else None
    if own:
        return own
    person = getattr(member, "person", None)
    if person is None:
        return ""
    for kind in (ChannelKind.CALL, ChannelKind.TEXT):
        for channel in person.channels.filter(kind=kind).order_by("pk"):
            number = phones.read_phone(channel.value) if channel.usable else None
            if number:
                return number
    return ""


# --- conversations ----------------------------------------------------------------------------


def _conversation(number: str, now: datetime, hotline: Hotline) -> Conversation:
    """The open conversation with this number, or a new one; locked for the caller."""
    index = Conversation._meta.get_field("number_index").lookup_value(number)  # type: ignore[union-attr]
    found = (
        Conversation.objects.select_for_update()
        .filter(number_index=index, closed_at__isnull=True)
        .order_by("-last_at", "-pk")
        .first()
    )
    days = hotline.report_days
    if found is None:
        found = Conversation.objects.create(
            number=number, started_at=now, last_at=now, forget_at=now + timedelta(days=days)
        )
    else:
        found.last_at = now
        found.forget_at = max(found.forget_at, now + timedelta(days=days))
        found.save(update_fields=["last_at", "forget_at"])
    return found


def _recent(conversation: Conversation, now: datetime) -> tuple[int, int]:
    """How many texts and calls the number sent within the flood window, in any of its
    conversations."""
    since = now - FLOOD_WINDOW
    same = {"conversation__number_index": conversation.number_index}
    texts = HotlineText.objects.filter(incoming=True, at__gte=since, **same).count()
    calls = HotlineCall.objects.filter(at__gte=since, **same).count()
    return texts, calls


def _desk_link(conversation: Conversation) -> str:
    return settings.BASE_URL + reverse("defense:conversation", args=[conversation.public_id])


def _tell_on_duty(conversation: Conversation, message) -> int:
    """Emails the dispatchers on duty a line of news and the link; never what was said, nor
    the number."""
    told = 0
    for member in rota.on_duty_dispatchers():
        if not member.email:
            continue
        with translation.override(member.preferred_language or settings.LANGUAGE_CODE):
            subject = _("The hotline")
            body = _("%(news)s Open the desk: %(link)s") % {
                "news": str(message),
                "link": _desk_link(conversation),
            }
        tasks.queue_mail(to=member.email, subject=subject, body=body)
        told += 1
    return told


# Translated in each dispatcher's language when sent.
NEWS_TEXT = gettext_lazy("A text reached the hotline.")
NEWS_MISSED = gettext_lazy("A call to the hotline was not answered: answer it by text.")
NEWS_FLOOD = gettext_lazy(
    "One number is flooding the hotline. Everything it sends is kept, but no longer announced."
)


def _flooding(conversation: Conversation, now: datetime) -> None:
    """Warns the dispatchers once per flood window that a number floods the line."""
    warned = conversation.flood_warned_at
    if warned is not None and warned > now - FLOOD_WINDOW:
        return
    conversation.flood_warned_at = now
    conversation.save(update_fields=["flood_warned_at"])
    _tell_on_duty(conversation, NEWS_FLOOD)
    audit.record("defense.line_flooded", target=conversation)


# --- texts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    reply: str
    language: str
    duplicate: bool = False


@transaction.atomic
def receive_text(*, message_sid: str, from_number: str, body: str) -> Received:
    """A text to the hotline's number: kept in its number's conversation, and announced to
    the dispatchers on duty (unless the number floods the line). The first text of a
    conversation is answered that a dispatcher will write back here."""
    if HotlineText.objects.filter(provider_ref=message_sid).exists():
        return Received("", _language(), duplicate=True)
    now = timezone.now()
    number = phones.index_form(from_number)
    conversation = _conversation(number, now, Hotline.current())
    texts, _calls = _recent(conversation, now)
    flooded = texts >= MOST_TEXTS
    first = not conversation.texts.exists() and not conversation.calls.exists()
    try:
        with transaction.atomic():
            HotlineText.objects.create(
                conversation=conversation,
                provider_ref=message_sid,
                body=body,
                at=now,
                flooded=flooded,
            )
    except IntegrityError:
        # Posted twice at once: the other post keeps it.
        return Received("", _language(), duplicate=True)
    audit.record("defense.line_text", target=conversation, flooded=flooded)
    if flooded:
        _flooding(conversation, now)
        return Received("", _language())
    _tell_on_duty(conversation, NEWS_TEXT)
    language = _language()
    if not first:
        return Received("", language)
    with translation.override(language):
        reply = _("The hotline has your message. A dispatcher will write back to this number.")
    return Received(reply, language)


@transaction.atomic
def reply(*, conversation: Conversation, body: str, by: Member) -> HotlineText:
    """A dispatcher on duty answers by text, from the hotline's number."""
    rota.check_on_duty(by)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if not conversation.is_open:
        raise ValidationError(_("This conversation is closed."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write what to send.")})
    if len(body) > LONGEST_REPLY:
        raise ValidationError({"body": _("Keep it under 600 characters.")})
    sender = line_number()
    if not sender or not sms.configured():
        raise ValidationError(_("The hotline has no phone line: set its number first."))
    try:
        sid = sms.send_text(to=conversation.number, sender=sender, body=body, status_callback="")
    except sms.SmsError as error:
        raise ValidationError(
            _("The gateway did not take the text (%(why)s). Nothing was sent.")
            % {"why": error.summary}
        ) from error
    now = timezone.now()
    sent = HotlineText.objects.create(
        conversation=conversation, provider_ref=sid, incoming=False, body=body, sent_by=by, at=now
    )
    conversation.last_at = now
    conversation.save(update_fields=["last_at"])
    audit.record("defense.line_reply", actor=by, target=conversation)
    return sent


@transaction.atomic
def close_conversation(*, conversation: Conversation, by: Member) -> Conversation:
    """Nothing to report (a wrong number, a question answered): off the desk."""
    rota.check_on_duty(by)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if not conversation.is_open:
        raise ValidationError(_("This conversation is closed."))
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["closed_at"])
    audit.record("defense.line_closed", actor=by, target=conversation)
    return conversation


def attach(conversation: Conversation, report: Report) -> None:
    """The report a dispatcher wrote from a conversation: the conversation goes with it, and
    is forgotten with its words."""
    conversation.report = report
    conversation.forget_at = max(conversation.forget_at, report.forget_at)
    conversation.save(update_fields=["report", "forget_at"])


def close_with_report(report: Report) -> None:
    Conversation.objects.filter(report=report, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


def waiting() -> list[Conversation]:
    """Conversations no report was written from yet, still open: the desk's to answer."""
    return list(
        Conversation.objects.filter(closed_at__isnull=True, report__isnull=True)
        .annotate(
            text_count=Count("texts", filter=Q(texts__incoming=True), distinct=True),
            call_count=Count("calls", distinct=True),
        )
        .order_by("-last_at", "-pk")
    )


# --- calls ------------------------------------------------------------------------------------


def ring_step(step: int, shift: rota.Shift | None) -> list[tuple[Member, str]]:
    """Who a step of a call rings: the primary on shift (0), the backup (1), then every other
    dispatcher with a number at once (2). Empty when the step has nobody to ring."""
    primary, backup = getattr(shift, "primary", None), getattr(shift, "backup", None)
    if step in (0, 1):
        member = primary if step == 0 else backup
        if member is None or not rota.access.is_dispatcher(member):
            return []
        number = _member_number(member)
        return [(member, number)] if number else []
    if step == 2:
        on_shift = {member.pk for member in (primary, backup) if member is not None}
        return [
            (member, number)
            for member in rota.dispatchers()
            if member.pk not in on_shift and (number := _member_number(member))
        ][:MOST_FALLBACK]
    return []


def _twiml(*verbs: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>"


def _say(text: str, language: str) -> str:
    return f"<Say language={quoteattr(SPEECH[language])}>{escape(text)}</Say>"


def _dial(step: int, numbers: list[str], hotline: Hotline) -> str:
    """Rings the numbers at once, showing them the hotline's number, for the ring time; the
    gateway then posts how it ended to the step's address."""
    action = settings.BASE_URL + reverse("defense:voice_after") + f"?step={step}"
    attributes = " ".join(
        f"{name}={quoteattr(value)}"
        for name, value in (
            ("action", action),
            ("method", "POST"),
            ("timeout", str(hotline.ring_seconds)),
            # The dispatcher's phone shows the hotline, never the caller.
            ("callerId", hotline.number),
            ("answerOnBridge", "true"),
        )
    )
    rung = "".join(f"<Number>{escape(number)}</Number>" for number in numbers)
    return f"<Dial {attributes}>{rung}</Dial>"


def _ring_from(call: HotlineCall, step: int, language: str, hotline: Hotline) -> list[str]:
    """The verbs that ring the first step from `step` on with somebody to ring; when nobody is
    left, the call is missed: kept for a dispatcher to answer by text."""
    shift = rota.on_shift(call.at)
    for next_step in range(step, STEPS):
        rung = ring_step(next_step, shift)
        if rung:
            if call.step != next_step:
                call.step = next_step
                call.save(update_fields=["step"])
            return [_dial(next_step, [number for _member, number in rung], hotline)]
    call.outcome = CallOutcome.MISSED
    call.ended_at = timezone.now()
    call.save(update_fields=["outcome", "ended_at"])
    _tell_on_duty(call.conversation, NEWS_MISSED)
    audit.record("defense.line_missed", target=call.conversation)
    with translation.override(language):
        said = _(
            "Nobody could take your call right now. Send a text to this number and a "
            "dispatcher will write back."
        )
    return [_say(said, language), "<Hangup/>"]


def _greeting(language: str) -> str:
    with translation.override(language):
        return _say(_("The hotline. Connecting you to a dispatcher."), language)


def _current(call: HotlineCall) -> str:
    """What a retried webhook gets: where the call is now, changing nothing."""
    if call.outcome == CallOutcome.RINGING:
        rung = ring_step(call.step, rota.on_shift(call.at))
        if rung:
            dial = _dial(call.step, [number for _member, number in rung], Hotline.current())
            return _twiml(_greeting(_language()), dial) if call.step == 0 else _twiml(dial)
    return _twiml("<Hangup/>")


@transaction.atomic
def receive_call(*, call_sid: str, from_number: str, hotline: Hotline | None = None) -> str:
    """A call to the hotline's number: the TwiML that rings the first dispatcher."""
    existing = HotlineCall.objects.select_for_update().filter(call_sid=call_sid).first()
    if existing is not None:
        return _current(existing)
    language = _language()
    hotline = hotline or Hotline.current()
    now = timezone.now()
    conversation = _conversation(phones.index_form(from_number), now, hotline)
    _texts, calls = _recent(conversation, now)
    try:
        with transaction.atomic():
            call = HotlineCall.objects.create(conversation=conversation, call_sid=call_sid, at=now)
    except IntegrityError:
        return _current(HotlineCall.objects.get(call_sid=call_sid))
    audit.record("defense.line_call", target=conversation)
    if calls >= MOST_CALLS:
        call.outcome = CallOutcome.REFUSED
        call.ended_at = now
        call.save(update_fields=["outcome", "ended_at"])
        _flooding(conversation, now)
        with translation.override(language):
            said = _(
                "This number has called many times in the last minutes. Send a text to this "
                "number instead, and a dispatcher will write back."
            )
        return _twiml(_say(said, language), "<Hangup/>")
    return _twiml(_greeting(language), *_ring_from(call, 0, language, hotline))


# How the gateway says a step's ringing ended (Twilio's DialCallStatus).
ANSWERED = ("completed", "answered")
HUNG_UP = "canceled"
DIAL_STATUSES = (*ANSWERED, HUNG_UP, "busy", "no-answer", "failed")


@transaction.atomic
def after_dial(*, call_sid: str, step: int, dial_status: str) -> str:
    """The gateway says how a step's ringing ended: answered, or on to the next step."""
    call = HotlineCall.objects.select_for_update().filter(call_sid=call_sid).first()
    if call is None or call.step > step:
        # Not our call, or a retried post about a step already passed.
        return _current(call) if call is not None else _twiml("<Hangup/>")
    if call.outcome != CallOutcome.RINGING or call.step != step:
        return _twiml("<Hangup/>")
    if dial_status in ANSWERED:
        rung = ring_step(step, rota.on_shift(call.at))
        call.outcome = CallOutcome.ANSWERED
        call.answered_by = rung[0][0] if len(rung) == 1 else None
        call.ended_at = timezone.now()
        call.save(update_fields=["outcome", "answered_by", "ended_at"])
        audit.record("defense.line_answered", target=call.conversation, step=step)
        return _twiml("<Hangup/>")
    if dial_status == HUNG_UP:
        # The caller hung up while it rang: nobody is left to ring for.
        return _twiml(*_ring_from(call, STEPS, _language(), Hotline.current()))
    return _twiml(*_ring_from(call, step + 1, _language(), Hotline.current()))
