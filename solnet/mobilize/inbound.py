"""What comes back through the SMS gateway's webhooks (`sms_views.py`, which check the
signature with `sending.sms.valid_signature()` first): delivery reports
(`note_delivery_report()`) and inbound texts (`receive_text()`: STOP, START, HELP, and answers
to a call-out or an alert, applied by `replies`)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.mobilize import replies
from solnet.mobilize.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    InboundKind,
    InboundSms,
    SmsOptOut,
)
from solnet.mobilize.sending.sms import ANSWER_WINDOW, number_index
from solnet.network.models import Network
from solnet.people.models import Answer, ChannelKind, ContactChannel

# --- what comes back: delivery reports --------------------------------------------------------

DELIVERED_STATUSES = ("delivered",)
FAILED_STATUSES = ("failed", "undelivered")
KNOWN_STATUSES = (
    "accepted",
    "scheduled",
    "canceled",
    "queued",
    "sending",
    "sent",
    "receiving",
    "received",
    "read",
    "partially_delivered",
    *DELIVERED_STATUSES,
    *FAILED_STATUSES,
)


@transaction.atomic
def note_delivery_report(*, message_sid: str, status: str, error_code: str = "") -> int:
    """The gateway says what became of a text: delivered, or failed/undelivered with its
    error code. Returns how many deliveries changed (0 for a report about a text we do not
    know, or that says nothing final)."""
    texts = Delivery.objects.filter(provider_ref=message_sid, channel=Channel.TEXT)
    if status in DELIVERED_STATUSES:
        # A report can arrive after a failure was noted (carriers retry); delivered wins.
        return texts.exclude(
            status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED]
        ).update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), error="")
    if status in FAILED_STATUSES:
        error = f"{status} ({error_code})" if error_code else status
        return texts.exclude(
            status__in=[
                DeliveryStatus.DELIVERED,
                DeliveryStatus.CANCELLED,
                DeliveryStatus.FAILED,
            ]
        ).update(status=DeliveryStatus.FAILED, error=error[:200])
    return 0


# --- what comes back: inbound texts -----------------------------------------------------------

# The words Twilio itself honours, and their Spanish counterparts, with the language each
# speaks (None: the same in both, or a number: the language of what it answers).
STOP_WORDS = {
    "stop": "en",
    "stopall": "en",
    "unsubscribe": "en",
    "cancel": "en",
    "end": "en",
    "quit": "en",
    "parar": "es",
    "detener": "es",
    "cancelar": "es",
    "baja": "es",
    "alto": "es",
}
# YES is an answer, not START: someone answering a call-out must not resubscribe by it.
START_WORDS = {
    "start": "en",
    "unstop": "en",
    "comenzar": "es",
    "iniciar": "es",
    "alta": "es",
    "reanudar": "es",
}
HELP_WORDS = {"help": "en", "ayuda": "es"}
ANSWER_WORDS: dict[str, tuple[str, str | None]] = {
    "yes": (Answer.YES, "en"),
    "y": (Answer.YES, "en"),
    "si": (Answer.YES, "es"),
    "1": (Answer.YES, None),
    "maybe": (Answer.MAYBE, "en"),
    "quizas": (Answer.MAYBE, "es"),
    "tal vez": (Answer.MAYBE, "es"),
    "2": (Answer.MAYBE, None),
    "no": (Answer.NO, None),
    "n": (Answer.NO, "en"),
    "3": (Answer.NO, None),
}
REPLY_LANGUAGES = ("en", "es")


def _is_surrounding(char: str) -> bool:
    # Punctuation (¡ ¿ « » quotes dashes), symbols (emoji), spaces and control characters.
    return unicodedata.category(char)[0] in "PSZC"


def normalize_word(text: str) -> str:
    """Case, accents and surrounding punctuation do not count: " ¡Sí! " is "si"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    start, end = 0, len(text)
    while start < end and _is_surrounding(text[start]):
        start += 1
    while end > start and _is_surrounding(text[end - 1]):
        end -= 1
    return " ".join(text[start:end].split())


@dataclass(frozen=True)
class Reading:
    kind: str
    answer: str | None = None
    language: str | None = None


def classify(body: str) -> Reading:
    """What an inbound text says: the whole message is one keyword, or it is something else."""
    word = normalize_word(body)
    if word in STOP_WORDS:
        return Reading(InboundKind.STOP, language=STOP_WORDS[word])
    if word in START_WORDS:
        return Reading(InboundKind.START, language=START_WORDS[word])
    if word in HELP_WORDS:
        return Reading(InboundKind.HELP, language=HELP_WORDS[word])
    if word in ANSWER_WORDS:
        answer, language = ANSWER_WORDS[word]
        return Reading(InboundKind.ANSWER, answer=answer, language=language)
    return Reading(InboundKind.OTHER)


@dataclass(frozen=True)
class Received:
    """What a webhook answers: the reply to text back ("" for none), in `language`."""

    kind: str
    reply: str
    language: str
    duplicate: bool = False


def _network() -> Network:
    return Network.objects.current()


def _fallback_language(network: Network, delivery: Delivery | None = None) -> str:
    for language in (getattr(delivery, "language", ""), network.default_language):
        if language in REPLY_LANGUAGES:
            return language
    return settings.LANGUAGE_CODE


def _stop(index: str) -> int:
    now = timezone.now()
    SmsOptOut.objects.get_or_create(number_index=index, defaults={"at": now})
    channels = ContactChannel.objects.filter(kind=ChannelKind.TEXT, value_index=index)
    changed = channels.filter(opted_out_at__isnull=True).update(opted_out_at=now)
    Delivery.objects.filter(
        channel=Channel.TEXT, address_index=index, status=DeliveryStatus.QUEUED
    ).update(status=DeliveryStatus.CANCELLED, error="the number said STOP")
    # Only that it happened, and to how many channels: never the number.
    audit.record("sms.stopped", channels=changed)
    return changed


def _start(index: str) -> int:
    SmsOptOut.objects.filter(number_index=index).delete()
    changed = ContactChannel.objects.filter(kind=ChannelKind.TEXT, value_index=index).update(
        consent_at=timezone.now(), opted_out_at=None
    )
    audit.record("sms.started", channels=changed)
    return changed


def answered_delivery(index: str) -> Delivery | None:
    """The latest text we sent to this number in the last week, which a YES or NO answers."""
    return (
        Delivery.objects.filter(
            channel=Channel.TEXT,
            address_index=index,
            status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
            sent_at__gte=timezone.now() - ANSWER_WINDOW,
        )
        .select_related("send", "person")
        .order_by("-sent_at", "-pk")
        .first()
    )


@transaction.atomic
def receive_text(*, message_sid: str, from_number: str, body: str) -> Received:
    """A text someone sent to one of the network's numbers, once however often the gateway
    posts it: STOP (and its Spanish words) stops every text to the number, START takes them
    back, HELP says what these texts are, YES/MAYBE/NO answer the latest text we sent it.
    The body is kept encrypted, for a month."""
    index = number_index(from_number)
    reading = classify(body)
    try:
        with transaction.atomic():
            inbound = InboundSms.objects.create(
                provider_ref=message_sid, from_index=index, body=body, kind=reading.kind
            )
    except IntegrityError:
        # The gateway posted it again (it retries when an answer is slow): it was acted on.
        existing = InboundSms.objects.get(provider_ref=message_sid)
        return Received(existing.kind, "", reading.language or settings.LANGUAGE_CODE, True)

    network = _network()
    name = network.name or "SolNet"
    if reading.kind == InboundKind.STOP:
        _stop(index)
        language = reading.language or _fallback_language(network)
        with translation.override(language):
            reply = _(
                "You will get no more texts from %(network)s. Reply START to get them again."
            ) % {"network": name}
        return Received(reading.kind, reply, language)
    if reading.kind == InboundKind.START:
        _start(index)
        language = reading.language or _fallback_language(network)
        with translation.override(language):
            reply = _("You will get texts from %(network)s again. Reply STOP to stop them.") % {
                "network": name
            }
        return Received(reading.kind, reply, language)
    if reading.kind == InboundKind.HELP:
        language = reading.language or _fallback_language(network)
        with translation.override(language):
            reply = _(
                "%(network)s: texts about actions and alerts. Reply STOP to stop them, "
                "START to get them again."
            ) % {"network": name}
        return Received(reading.kind, reply, language)
    if reading.kind == InboundKind.ANSWER:
        assert reading.answer is not None
        delivery = answered_delivery(index)
        language = reading.language or _fallback_language(network, delivery)
        if delivery is None:
            with translation.override(language):
                reply = _("We sent you nothing recently that this could answer.")
            return Received(reading.kind, reply, language)
        inbound.delivery = delivery
        inbound.save(update_fields=["delivery"])
        try:
            taken = replies.apply_answer(delivery, reading.answer)
        except ValidationError as error:
            taken, problem = False, error.messages[0]
        else:
            problem = ""
        with translation.override(language):
            if taken:
                reply = _("Thanks! We noted your answer: %(answer)s.") % {
                    "answer": Answer(reading.answer).label
                }
            else:
                reply = problem or _("Thanks. There is nothing open for this to answer any more.")
        return Received(reading.kind, reply, language)
    return Received(reading.kind, "", _fallback_language(network))
