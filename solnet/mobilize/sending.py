"""Bulk sending: one message (a call-out, a reminder, an alert) to many people, each by the
first channel they can be reached on and in their own language, by a worker that can be
killed at any moment without anyone getting the message twice.

`create_send()` writes the send and one `Delivery` per person (the database allows only one
per person per send) and starts the worker at commit. The worker (`work()`, run by the task
`tasks.run_send`) takes batches of due deliveries with a conditional UPDATE (QUEUED →
SENDING with a lease, and a random claim token in `provider_ref` while it holds them), so two
workers never take the same row, and sends them. A lease that ran out means the worker died:
its SENDING rows go back to QUEUED (`recover_stale`), by the next worker or by the periodic
task `tasks.resume_sends`. Cancelling takes QUEUED and SENDING rows alike: a worker holding
one finds it gone at the HANDED_OVER commit and drops the unfinished message.

Email, exactly once. One SMTP connection per run; for each message MAIL FROM, RCPT TO, DATA
and the whole (dot-stuffed) message go out *except* its final line, ".\\r\\n". Then the
delivery is committed as HANDED_OVER (one statement, committed at once); then the last line
is written and the reply read: 250 → SENT; 4xx → QUEUED again with back-off (FAILED after
MAX_ATTEMPTS); 5xx → FAILED. An SMTP server accepts a message only on its final line and
throws away one whose connection drops before it, so:

- a worker killed before the HANDED_OVER commit leaves a SENDING row whose message the
  server discarded: it is sent again, once;
- a HANDED_OVER row is final and counts as sent; nothing ever sends it again.

What remains, honestly: a worker killed *between* the HANDED_OVER commit and the one write
of the final line (a few microseconds per message; at most one message per killed worker)
leaves a row counted as sent whose message was never accepted: that person misses the
message rather than getting it twice. Likewise a kill after the final line but before a 4xx
or 5xx reply is noted leaves that refusal counted as sent. A connection that fails after the
commit leaves the row HANDED_OVER too (it may have arrived). The commit is durable against
the process dying; on SQLite with `synchronous=NORMAL` a power cut can lose the last
commits, and with them, in principle, the memory that a message went.

Speed: the SMTP server's replies are most of what a message takes, so each message is
rendered and encoded a step at a time while the server answers the commands of the one
before it (one command at a time: no pipelining), and the bookkeeping that can wait (SENT)
is written once per batch. What stays between two messages is the HANDED_OVER commit.

Texts go through `solnet.mobilize.sms.send_text()`: HANDED_OVER is committed just before the
gateway is called (only if the number has not said STOP, checked in that same statement, so
a STOP arriving mid-send stops every text not yet handed over), SENT with the gateway's id
after. A failure that may or may not have reached the gateway is never retried on its own.

Never does a database transaction stay open while the network is used. Without an SMTP
server configured (EMAIL_BACKEND is not Django's SMTP backend: the console in development,
the outbox in tests) email goes to Django's backend instead, handed over just before, like a
text. Addresses are decrypted only by the worker, a batch at a time, and never written to
the queue, to logs or to `Delivery.error` (servers echo them in refusals: they are cut out).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import secrets
import smtplib
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email import quoprimime
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.members.models import Member
from solnet.mobilize import access
from solnet.mobilize.models import (
    OUT_STATUSES,
    Action,
    Alert,
    Ask,
    Channel,
    Delivery,
    DeliveryStatus,
    Send,
    SendKind,
    SendStatus,
    SmsOptOut,
    SmsSender,
)
from solnet.network import times
from solnet.network.models import Network
from solnet.people.models import ContactChannel, Person

# Deliveries a worker takes at a time: the per-batch queries weigh little beside the
# messages, and a batch takes a fraction of a lease (a text batch renews it as it goes).
BATCH = 100
CREATE_BATCH = 1000  # people read and deliveries written at a time by create_send
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 30  # times 2 to the power of the attempts so far
# Below this a worker waits in place: huey's scheduler looks only once a second.
SHORT_WAIT = 1.0
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
PLACEHOLDER = re.compile(r"\{(name|action|when|place|link)\}")
S = DeliveryStatus


def lease_seconds() -> int:
    return int(getattr(settings, "SOLNET_SEND_LEASE_SECONDS", 120))


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS * 2 ** min(attempts, 10))


def _index(value: str) -> str:
    """The blind index contact channels (and SMS opt-outs) carry for an address."""
    return ContactChannel._meta.get_field("value_index").lookup_value(value)  # type: ignore[union-attr]


# --- writing a send ---------------------------------------------------------------------------


def _clean_texts(texts: dict[str, Any]) -> dict[str, dict[str, str]]:
    cleaned = {}
    for language, text in (texts or {}).items():
        body = str((text or {}).get("body") or "").strip()
        if language and body:
            cleaned[str(language)] = {
                "subject": str(text.get("subject") or "").strip(),
                "body": body,
            }
    return cleaned


def choose_language(
    languages: Iterable[str], preferred: str | None, texts: dict, network: Network
) -> str:
    """The person's first language the send is written in, else their account's, else the
    network's, else the send's first."""
    own = list(languages) if isinstance(languages, list | tuple) else []
    for language in [*own, preferred, network.default_language]:
        if language and language in texts:
            return language
    return next(iter(texts))


@transaction.atomic
def create_send(
    *,
    kind: str,
    people: QuerySet[Person],
    texts: dict[str, dict[str, str]],
    channels: list[str],
    action: Action | None = None,
    alert: Alert | None = None,
    reminder_hours: int | None = None,
    by: Member | None = None,
    minimal: bool | None = None,
    plan: dict | None = None,
) -> Send:
    """Writes a send and one delivery per person, and starts the worker at commit.

    Each person gets the first of `channels` they can be reached on ("email": a usable email
    channel, else their account's address; "text": a usable text channel whose number has
    not said STOP), or is counted unreachable. The caller checks who may send."""
    if kind not in SendKind.values:
        raise ValueError(f"unknown kind of send: {kind}")
    texts = _clean_texts(texts)
    channels = [c for c in dict.fromkeys(channels) if c in Channel.values]
    if not texts:
        raise ValidationError(_("Write the message first."))
    if not channels:
        raise ValidationError(_("Choose how to send it: email, text message or both."))
    network = Network.objects.current()
    send = Send.objects.create(
        kind=kind,
        action=action,
        alert=alert,
        reminder_hours=reminder_hours,
        texts=texts,
        channels=channels,
        minimal=network.minimal_notices if minimal is None else minimal,
        status=SendStatus.QUEUED,
        plan=plan or {},
        created_by=by,
    )
    ids = (
        people.order_by().values_list("pk", flat=True).distinct().iterator(chunk_size=CREATE_BATCH)
    )
    total = unreachable = texted = 0
    while batch := list(itertools.islice(ids, CREATE_BATCH)):
        deliveries = _deliveries(send, batch, network)
        texted += _assign_senders(send, deliveries, first=texted)
        Delivery.objects.bulk_create(deliveries, batch_size=CREATE_BATCH)
        total += len(deliveries)
        unreachable += sum(d.status == S.UNREACHABLE for d in deliveries)
    # Counts only: never what it says, nor to whom.
    audit.record(
        "send.created", actor=by, target=send, kind=kind, count=total, unreachable=unreachable
    )
    transaction.on_commit(lambda: _start(send.pk))
    return send


def _start(send_id: int) -> None:
    from solnet.mobilize import tasks

    tasks.run_send(send_id)


def _deliveries(send: Send, person_ids: list[int], network: Network) -> list[Delivery]:
    """The deliveries of up to CREATE_BATCH people, with no address decrypted but the
    account addresses of those who have no email channel."""
    people = list(
        Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "languages", "member_id", "member__preferred_language"
        )
    )
    found: dict[tuple[int, str], str] = {}
    usable = ContactChannel.objects.filter(
        person_id__in=person_ids,
        kind__in=send.channels,
        consent_at__isnull=False,
        opted_out_at__isnull=True,
        value_index__isnull=False,
    ).order_by("-pk")  # the first one recorded wins: it is set last
    for person_id, kind, index in usable.values_list("person_id", "kind", "value_index"):
        found[(person_id, kind)] = index
    if Channel.TEXT in send.channels:
        numbers = [i for (_p, kind), i in found.items() if kind == Channel.TEXT]
        stopped = set(
            SmsOptOut.objects.filter(number_index__in=numbers).values_list(
                "number_index", flat=True
            )
        )
        found = {key: i for key, i in found.items() if key[1] != Channel.TEXT or i not in stopped}
    if Channel.EMAIL in send.channels:
        # Whoever has no email channel may still have an address on their account.
        accounts = [m for p, _l, m, _pl in people if m and (p, Channel.EMAIL) not in found]
        emails = dict(Member.objects.filter(pk__in=accounts).values_list("pk", "email"))
        for person_id, _languages, member_id, _preferred in people:
            if (person_id, Channel.EMAIL) not in found and emails.get(member_id):
                found[(person_id, Channel.EMAIL)] = _index(emails[member_id])
    now = timezone.now()
    deliveries = []
    for person_id, languages, _member, preferred in people:
        channel = next((c for c in send.channels if (person_id, c) in found), None)
        deliveries.append(
            Delivery(
                send=send,
                person_id=person_id,
                channel=channel or "",
                language=choose_language(languages, preferred, send.texts, network),
                address_index=found.get((person_id, channel)) if channel else None,  # type: ignore[misc]  # the field is nullable
                status=S.QUEUED if channel else S.UNREACHABLE,
                due_at=now,
            )
        )
    return deliveries


def _assign_senders(send: Send, deliveries: list[Delivery], *, first: int = 0) -> int:
    """Gives each text its sending number and its time from the send's pacing plan
    (`solnet.mobilize.pacing`, where it exists): `pacing.slot(plan, index)` → (number, due
    offset in seconds) for the index-th text of the send. Returns how many texts there were."""
    texts = [d for d in deliveries if d.channel == Channel.TEXT]
    try:
        from solnet.mobilize import pacing
    except ImportError:  # the pacing of texts is optional here
        return len(texts)
    slot = getattr(pacing, "slot", None)
    if slot is None or not send.plan:
        return len(texts)
    # The offsets count from when the plan was made.
    planned = parse_datetime(str(send.plan.get("planned_at") or "")) or send.created_at
    for index, delivery in enumerate(texts, start=first):
        sender, offset = slot(send.plan, index)
        delivery.sender = sender or ""
        delivery.due_at = planned + timedelta(seconds=float(offset))
    return len(texts)


# --- what a person reads ----------------------------------------------------------------------


class _Renderer:
    """Fills in one send's texts for its people, reading what every message shares once."""

    def __init__(self, send: Send, network: Network | None = None):
        self.send = send
        self.network = network or Network.objects.current()
        self.asks: dict[int, Ask | None] = {}
        self.whens: dict[str, str] = {}
        # A call-out's or reminder's {link} is a new row per person; an alert's is signed.
        self.writes_links = send.action_id is not None and send.kind in (
            SendKind.CALL_OUT,
            SendKind.REMINDER,
        )

    def load_asks(self, person_ids: Iterable[int]) -> None:
        """Reads the asks of a batch's people at once (a call-out's or reminder's links):
        each person's ask for the whole action if there is one, else their first."""
        wanted = [p for p in person_ids if p not in self.asks]
        if self.send.action_id is None or not wanted:
            return
        found: dict[int, Ask | None] = dict.fromkeys(wanted)
        asks = Ask.objects.filter(action_id=self.send.action_id, person_id__in=wanted)
        for ask in asks.order_by("pk"):
            current = found[ask.person_id]
            if current is None or (current.shift_id is not None and ask.shift_id is None):
                ask.action = self.send.action  # type: ignore[assignment]  # already read
                found[ask.person_id] = ask
        self.asks.update(found)

    def texts(self, delivery: Delivery) -> tuple[str, str]:
        send = self.send
        language = delivery.language
        if send.minimal:
            with translation.override(language):
                subject = _("News from %(network)s") % {"network": self.network.name or "SolNet"}
                body = _("You have a new call-out — open SolNet: {link}")
            return subject, body
        text = send.texts.get(language) or send.texts.get(self.network.default_language)
        text = text or next(iter(send.texts.values()), {"subject": "", "body": ""})
        return text.get("subject", ""), text.get("body", "")

    def render(self, delivery: Delivery) -> tuple[str, str]:
        subject, body = self.texts(delivery)
        values: dict[str, str] = {}

        def value(match: re.Match) -> str:
            name = match.group(1)
            if name not in values:
                values[name] = self._value(name, delivery)
            return values[name]

        return PLACEHOLDER.sub(value, subject), PLACEHOLDER.sub(value, body)

    def _value(self, name: str, delivery: Delivery) -> str:
        action = self.send.action
        if name == "name":
            return delivery.person.display_name
        if name == "link":
            return self._link(delivery)
        if action is None:
            return ""
        if name == "action":
            return action.title
        if name == "place":
            return action.place
        if delivery.language not in self.whens:
            self.whens[delivery.language] = times.moment(action.starts_at, delivery.language)
        return self.whens[delivery.language]

    def _link(self, delivery: Delivery) -> str:
        from solnet.mobilize import links

        send = self.send
        if send.alert_id is not None:
            alert_link = getattr(links, "alert_link", None)
            return alert_link(delivery) if alert_link else settings.BASE_URL + "/"
        if send.action is not None:
            if send.kind in (SendKind.CALL_OUT, SendKind.REMINDER):
                self.load_asks([delivery.person_id])
                ask = self.asks.get(delivery.person_id)
                if ask is not None:
                    return links.new_link(ask)
            return settings.BASE_URL + reverse("mobilize:action", args=[send.action.public_id])
        return settings.BASE_URL + "/"


def render(delivery: Delivery) -> tuple[str, str]:
    """The subject and body one person gets, in the delivery's language, with `{name}`,
    `{action}`, `{when}`, `{place}` and `{link}` filled in. Any other brace is left as it is
    written (a regular expression, not `str.format_map`: a lone brace, `{0}` or
    `{name.__class__}` would make format_map fail or reach into Python objects). A link is
    made only where the text asks for one. A content-minimal send says only that there is
    news, with the link."""
    return _Renderer(delivery.send).render(delivery)


# --- the worker -------------------------------------------------------------------------------


@dataclass
class Claim:
    token: str
    ids: list[int]


def recover_stale(send_id: int | None = None) -> int:
    """SENDING rows whose lease ran out go back to QUEUED: their worker died before the
    HANDED_OVER commit, so no final line was ever written and the server dropped them."""
    rows = Delivery.objects.filter(status=S.SENDING, lease_until__lt=timezone.now())
    if send_id is not None:
        rows = rows.filter(send_id=send_id)
    return rows.update(status=S.QUEUED, lease_until=None, provider_ref="")


def claim(send_id: int, limit: int = BATCH) -> Claim | None:
    """Takes up to `limit` due deliveries of a send for this worker. The UPDATE takes only
    rows still QUEUED, so of two workers racing for a row one gets it; the random token
    (kept in provider_ref while SENDING) says which rows are this worker's."""
    now = timezone.now()
    due = Delivery.objects.filter(send_id=send_id, status=S.QUEUED, due_at__lte=now)
    # By due time alone: the (send, status, due_at) index gives that order without sorting
    # every queued row at each claim.
    ids = list(due.order_by("due_at").values_list("pk", flat=True)[:limit])
    if not ids:
        return None
    token = "claim:" + secrets.token_hex(12)
    Delivery.objects.filter(pk__in=ids, status=S.QUEUED).update(
        status=S.SENDING, lease_until=now + timedelta(seconds=lease_seconds()), provider_ref=token
    )
    taken = Delivery.objects.filter(pk__in=ids, status=S.SENDING, provider_ref=token)
    return Claim(token, list(taken.order_by("pk").values_list("pk", flat=True)))


def _due_wait(send_id: int) -> float | None:
    """Seconds until this send has work again (a back-off ends, a paced text is due, another
    worker's lease runs out); None when nothing is queued or being sent."""
    found = Delivery.objects.filter(send_id=send_id).aggregate(
        due=Min("due_at", filter=Q(status=S.QUEUED)),
        lease=Min("lease_until", filter=Q(status=S.SENDING)),
    )
    moments = [m for m in (found["due"], found["lease"]) if m is not None]
    if not moments:
        return None
    return max((min(moments) - timezone.now()).total_seconds(), 0.0)


def _finish(send_id: int) -> None:
    """DONE once nothing is queued or being sent, in one statement (a retry racing with it
    re-queues first or finds it DONE and starts it again)."""
    busy = Delivery.objects.filter(send=OuterRef("pk"), status__in=[S.QUEUED, S.SENDING])
    Send.objects.filter(pk=send_id, status__in=[SendStatus.QUEUED, SendStatus.SENDING]).exclude(
        Exists(busy)
    ).update(status=SendStatus.DONE, finished_at=timezone.now())


def work(send_id: int) -> float | None:
    """Sends what is due of one send. Returns in how many seconds to run again (a back-off,
    pacing, a mail server that is down), or None when there is nothing left to do.

    Waits shorter than SHORT_WAIT are slept here; longer ones are handed back, to be
    scheduled in huey, so that a worker thread is not held for the length of a paced send or
    a back-off (the queue's storage keeps the scheduled run if this process dies, and the
    periodic task picks up whatever is left)."""
    # Each message's HANDED_OVER must be committed before its last line is written: never
    # inside a caller's transaction (this raises if there is one).
    with transaction.atomic(durable=True):
        pass
    send = Send.objects.select_related("action", "alert").filter(pk=send_id).first()
    if send is None or send.status in (SendStatus.CANCELLED, SendStatus.DRAFT):
        return None
    Send.objects.filter(pk=send_id, status__in=[SendStatus.QUEUED, SendStatus.DONE]).update(
        status=SendStatus.SENDING,
        finished_at=None,
        started_at=Coalesce(F("started_at"), Value(timezone.now())),
    )
    runner = _Runner(send)
    try:
        while True:
            recover_stale(send_id)
            if Send.objects.filter(pk=send_id, status=SendStatus.CANCELLED).exists():
                return None
            taken = claim(send_id)
            if taken is None:
                wait = _due_wait(send_id)
                if wait is None:
                    _finish(send_id)
                    return None
                if wait >= SHORT_WAIT:
                    return wait
                time.sleep(wait)
                continue
            pause = runner.deliver(taken)
            if pause is not None:
                return pause
    finally:
        runner.close()


def sends_to_resume() -> list[int]:
    """For the periodic task: takes back the rows of dead workers, closes sends that are
    through, and names the sends with due work that no worker holds."""
    recover_stale()
    now = timezone.now()
    active = Send.objects.filter(status__in=[SendStatus.QUEUED, SendStatus.SENDING])
    resume = []
    for send_id in active.values_list("pk", flat=True):
        rows = Delivery.objects.filter(send_id=send_id)
        if not rows.filter(status__in=[S.QUEUED, S.SENDING]).exists():
            _finish(send_id)
        elif (
            rows.filter(status=S.QUEUED, due_at__lte=now).exists()
            and not rows.filter(status=S.SENDING).exists()
        ):
            resume.append(send_id)
    return resume


@dataclass
class _Ready:
    """A message written and ready to go: to whom, what, and for email its bytes."""

    to: str
    body: str
    subject: str = ""
    message_id: str = ""
    data: bytes | None = None


class _Steps:
    """Work done a step at a time while the server answers a command (`step()`), and all of
    what is left when it must be done (`finish()`)."""

    def __init__(self, steps: Iterator[None]):
        self.steps = steps

    def step(self) -> None:
        next(self.steps, None)

    def finish(self) -> None:
        for _step in self.steps:
            pass


# What the worker reads of each delivery it sends (a batch's rows are read at once).
ROW_FIELDS = (
    "send_id",
    "person_id",
    "channel",
    "language",
    "address_index",
    "attempts",
    "sender",
    "person__display_name",
    "person__member_id",
)
# Outcomes of one message.
SENT, RETRY, FAILED, LOST, DOWN, SKIPPED = "sent", "retry", "failed", "lost", "down", "skipped"


class _Runner:
    """One run of the worker over a send: its SMTP connection, the texts' default number."""

    def __init__(self, send: Send):
        self.send = send
        self.renderer = _Renderer(send)
        self.smtp: _Smtp | None = None
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        self.from_address = address or "solnet@localhost"
        self.domain = self.from_address.rpartition("@")[2] or "localhost"
        self.from_header = formataddr((name, self.from_address), charset="utf-8")
        self.sms_sender: str | None = None
        try:
            from solnet.mobilize import pacing
        except ImportError:  # the pacing of texts is optional here
            pacing = None  # type: ignore[assignment]
        self.gate = getattr(pacing, "gate", None)

    def _sms_sender(self) -> str:
        """The number a text without one from the plan goes out from: the first in use."""
        if self.sms_sender is None:
            first = SmsSender.objects.filter(active=True).order_by("pk").first()
            self.sms_sender = first.number if first else ""
        return self.sms_sender

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.quit()
            self.smtp = None

    def deliver(self, taken: Claim) -> float | None:
        """Sends one claimed batch; returns a pause when the mail server is gone.

        Each message is written (rendered, its link made, encoded) while the server works on
        the command before it: the worker would otherwise wait for each reply and then work,
        and the server's replies are most of the time a message takes."""
        rows = list(
            Delivery.objects.filter(pk__in=taken.ids, status=S.SENDING, provider_ref=taken.token)
            .select_related("person")
            .only(*ROW_FIELDS)
            .order_by("pk")
        )
        addresses = self._addresses(rows)
        self.renderer.load_asks(d.person_id for d in rows)
        ready: dict[int, _Ready | None] = {}

        def prepare(index: int) -> _Steps:
            if index >= len(rows):
                return _Steps(iter(()))
            d = rows[index]
            return _Steps(self._prepare(d, taken, addresses.get(d.pk), ready, index))

        prepare(0).finish()
        sent: list[int] = []
        pause = None
        renew_at = time.monotonic() + lease_seconds() / 2
        for index, delivery in enumerate(rows):
            meanwhile = prepare(index + 1)
            message = ready.pop(index)
            if time.monotonic() >= renew_at:
                self._renew(taken)
                renew_at = time.monotonic() + lease_seconds() / 2
            if message is None:  # it could not be written: noted, nothing to send
                outcome = SKIPPED
            elif delivery.channel == Channel.EMAIL:
                outcome = self._email(delivery, taken, message, meanwhile)
            else:
                outcome = self._text(delivery, taken, message, meanwhile)
            meanwhile.finish()
            if outcome == SENT and delivery.channel == Channel.EMAIL:
                sent.append(delivery.pk)
            elif outcome == LOST:
                break  # taken from this worker (cancelled, or its lease ran out): look again
            elif outcome == DOWN:
                pause = backoff(0).total_seconds()
                break
        if sent:
            # HANDED_OVER already counts as sent: noting the 250s once per batch costs one
            # commit per batch instead of one per message.
            Delivery.objects.filter(pk__in=sent, status=S.HANDED_OVER).update(
                status=S.SENT, sent_at=timezone.now()
            )
        # Rows not tried (the batch was left early) are free again, untouched.
        Delivery.objects.filter(
            pk__in=taken.ids, status=S.SENDING, provider_ref=taken.token
        ).update(status=S.QUEUED, lease_until=None, provider_ref="")
        return pause

    def _prepare(
        self,
        d: Delivery,
        taken: Claim,
        address: str | None,
        ready: dict[int, _Ready | None],
        index: int,
    ) -> Iterator[None]:
        """Writes one message, in two steps (rendering it, then encoding it), into
        `ready[index]`; None there (and the delivery ended) when it cannot be written."""
        ready[index] = None
        if not address:
            self._end(d, taken, S.SENDING, S.UNREACHABLE, "no longer reachable")
            return
        try:
            # A call-out's link is a row: each in its own transaction (a savepoint in tests).
            with transaction.atomic() if self.renderer.writes_links else contextlib.nullcontext():
                subject, body = self.renderer.render(d)
        except Exception as error:  # a message that cannot be written fails alone
            self._end(d, taken, S.SENDING, S.FAILED, _error(error))
            return
        if d.channel != Channel.EMAIL:
            ready[index] = _Ready(address, body)
            return
        local = f"{secrets.token_hex(6)}.{d.pk}"
        message_id = f"<{local}@{self.domain[: 61 - len(local)]}>"  # provider_ref holds 64
        if settings.EMAIL_BACKEND != SMTP_BACKEND:
            ready[index] = _Ready(address, body, subject, message_id)
            return
        yield
        try:
            data = self._message(address, subject, body, message_id)
        except Exception as error:  # an address or a text the email library refuses
            self._end(d, taken, S.SENDING, S.FAILED, _error(error))
            return
        ready[index] = _Ready(address, body, subject, message_id, data)

    def _renew(self, taken: Claim) -> None:
        Delivery.objects.filter(
            pk__in=taken.ids, status=S.SENDING, provider_ref=taken.token
        ).update(lease_until=timezone.now() + timedelta(seconds=lease_seconds()))

    def _addresses(self, rows: list[Delivery]) -> dict[int, str]:
        """Each delivery's address, decrypted: the usable channel carrying its index, else
        (email) the account's address if it is the one indexed."""
        indexes = {d.address_index for d in rows if d.address_index}
        channels = ContactChannel.objects.filter(
            person_id__in={d.person_id for d in rows},
            kind__in=[Channel.EMAIL, Channel.TEXT],
            value_index__in=indexes,
            consent_at__isnull=False,
            opted_out_at__isnull=True,
        ).values_list("person_id", "kind", "value_index", "value")
        found = {(person, kind, index): value for person, kind, index, value in channels}
        addresses = {}
        missing = {}
        for d in rows:
            address = found.get((d.person_id, d.channel, d.address_index))
            if address:
                addresses[d.pk] = address
            elif d.channel == Channel.EMAIL and d.person.member_id:
                missing[d.pk] = d
        if missing:
            emails = dict(
                Member.objects.filter(
                    pk__in={d.person.member_id for d in missing.values()}
                ).values_list("pk", "email")
            )
            for pk, d in missing.items():
                address = emails.get(d.person.member_id)
                if address and _index(address) == d.address_index:
                    addresses[pk] = address
        return addresses

    def _end(self, d: Delivery, taken: Claim, was: str, status: str, error: str = "") -> bool:
        rows = Delivery.objects.filter(pk=d.pk, status=was)
        if was == S.SENDING:
            rows = rows.filter(provider_ref=taken.token)
        return bool(rows.update(status=status, error=_scrub(error), lease_until=None))

    def _retry(self, d: Delivery, taken: Claim, was: str, error: str, wait: int = 0) -> None:
        """Back to QUEUED after a back-off, or FAILED once it has been tried enough."""
        attempts = d.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            self._end(d, taken, was, S.FAILED, error)
            return
        rows = Delivery.objects.filter(pk=d.pk, status=was)
        if was == S.SENDING:
            rows = rows.filter(provider_ref=taken.token)
        delay = max(backoff(d.attempts), timedelta(seconds=wait))
        rows.update(
            status=S.QUEUED,
            attempts=attempts,
            due_at=timezone.now() + delay,
            error=_scrub(error),
            lease_until=None,
            provider_ref="",
        )

    def _hand_over(self, d: Delivery, taken: Claim, ref: str, *, text: bool = False) -> bool:
        """The one commit that makes a message final, only if the row is still this
        worker's (and, for a text, only if its number has not said STOP)."""
        # Written out: it runs once per message, and the ORM's query building was a third
        # of the worker's time per message.
        params: list[str | int] = [S.HANDED_OVER, ref, d.pk, S.SENDING, taken.token]
        # In autocommit (work() made sure of it), the statement is its own transaction:
        # when execute() returns, it is committed.
        with connection.cursor() as cursor:
            cursor.execute(_hand_over_sql(text), params)
            return cursor.rowcount == 1

    # --- email ---

    def _email(self, d: Delivery, taken: Claim, message: _Ready, meanwhile: _Steps) -> str:
        if message.data is None:
            meanwhile.finish()
            return self._email_by_backend(d, taken, message)
        code, reply = 0, ""
        while True:
            reused = self.smtp is not None
            try:
                if self.smtp is None:
                    self.smtp = _Smtp()
                code, reply = self.smtp.begin(self.from_address, message.to, meanwhile)
                if code == 354:
                    self.smtp.write(message.data)
                break
            except (OSError, smtplib.SMTPException) as error:
                self._drop()
                if reused:  # the server closed it since the last message: a new one, once
                    continue
                self._retry(d, taken, S.SENDING, f"mail server: {_error(error)}")
                return DOWN
        if code != 354:
            if not self.smtp.reset():
                self.smtp = None
            if code >= 500:
                self._end(d, taken, S.SENDING, S.FAILED, f"{code} {reply}")
                return FAILED
            self._retry(d, taken, S.SENDING, f"{code} {reply}")
            return RETRY
        if not self._hand_over(d, taken, message.message_id):
            self._drop()  # the unfinished message dies with the connection
            return LOST
        try:
            code, reply = self.smtp.finish()
        except (OSError, smtplib.SMTPException):
            self._drop()  # it may have arrived: HANDED_OVER stays, and counts as sent
            return DOWN
        if code == 250:
            return SENT
        if 400 <= code < 500:
            self._retry(d, taken, S.HANDED_OVER, f"{code} {reply}")
            return RETRY
        self._end(d, taken, S.HANDED_OVER, S.FAILED, f"{code} {reply}")
        return FAILED

    def _email_by_backend(self, d: Delivery, taken: Claim, message: _Ready) -> str:
        """Without an SMTP server (development: the console; tests: Django's outbox) the
        message goes to Django's mail backend, handed over just before, as a text is."""
        if not self._hand_over(d, taken, message.message_id):
            return LOST
        email = mail.EmailMessage(
            subject=" ".join(message.subject.split()),
            body=message.body,
            to=[message.to],
            headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
        )
        try:
            email.send()
        except Exception as error:  # it may have gone: never sent twice
            self._end(d, taken, S.HANDED_OVER, S.FAILED, _error(error))
            return FAILED
        return SENT

    def _message(self, to: str, subject: str, body: str, message_id: str) -> bytes:
        return email_bytes(
            from_header=self.from_header,
            to=to,
            subject=subject,
            body=body,
            message_id=message_id,
        )

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.abort()
            self.smtp = None

    # --- texts ---

    def _text(self, d: Delivery, taken: Claim, message: _Ready, meanwhile: _Steps) -> str:
        from solnet.mobilize import sms

        meanwhile.finish()
        number, body = message.to, message.body
        sender = d.sender or self._sms_sender()
        if self.gate is not None and sender:
            # The plan gave each text its time; a worker that fell behind would send the late
            # ones back to back: the gate keeps each number within its cap all the same
            # (before the hand-over, so that the wait does not widen the window after it).
            self.gate.wait(sender)
        if not self._hand_over(d, taken, "", text=True):
            if SmsOptOut.objects.filter(number_index=d.address_index).exists():
                self._end(d, taken, S.SENDING, S.CANCELLED, "the number said STOP")
                return SKIPPED
            return LOST
        try:
            sid = sms.send_text(to=number, sender=sender, body=body)
        except sms.OptedOut as error:
            self._end(d, taken, S.HANDED_OVER, S.CANCELLED, error.summary)
            return SKIPPED
        except sms.TransientError as error:
            self._retry(d, taken, S.HANDED_OVER, error.summary, wait=error.retry_after or 0)
            return RETRY
        except sms.PermanentError as error:
            self._end(d, taken, S.HANDED_OVER, S.FAILED, error.summary)
            return FAILED
        except Exception as error:  # it may have reached the gateway: never sent twice
            self._end(d, taken, S.HANDED_OVER, S.FAILED, _error(error))
            return FAILED
        Delivery.objects.filter(pk=d.pk, status=S.HANDED_OVER).update(
            status=S.SENT, sent_at=timezone.now(), provider_ref=sid[:64]
        )
        return SENT


@functools.cache
def _hand_over_sql(text: bool) -> str:
    """SENDING → HANDED_OVER for one row still held under one claim token; for a text, only
    while its number has not said STOP. Made once, when the models are ready."""
    q = connection.ops.quote_name
    table, stops = q(Delivery._meta.db_table), q(SmsOptOut._meta.db_table)
    # Only the model's own table and column names are put in (hence the noqa S608).
    sql = (
        f"UPDATE {table} SET {q('status')} = %s, {q('provider_ref')} = %s, "  # noqa: S608
        f"{q('lease_until')} = NULL "
        f"WHERE {q('id')} = %s AND {q('status')} = %s AND {q('provider_ref')} = %s"
    )
    if text:
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {stops} "  # noqa: S608
            f"WHERE {stops}.{q('number_index')} = {table}.{q('address_index')})"
        )
    return sql


def email_bytes(*, from_header: str, to: str, subject: str, body: str, message_id: str) -> bytes:
    """One plain-text message as it goes on the wire (CRLF line ends, not dot-stuffed).

    Written with the email package's encoders rather than by `EmailMessage`, whose header
    parser takes about 1.6 ms for a two-line message, three times what the whole SMTP
    exchange for it costs: the subject is RFC 2047 encoded when it is not ASCII (`Header`),
    the body quoted-printable when it is not 7-bit clean or has a line too long for SMTP,
    and the recipient must be a plain ASCII address (no header can be smuggled in). The
    tests read every message back with the email parser."""
    if not to.isascii() or any(c in to for c in "\r\n<>,; \t") or "@" not in to:
        raise ValueError("not an address SolNet sends to")
    subject = " ".join(subject.split())[:900]  # a header is one line (998 at most)
    if not subject.isascii():
        subject = Header(subject, "utf-8", maxlinelen=76).encode(linesep="\r\n")
    lines = body.splitlines()
    if body.isascii() and all(len(line) <= 998 for line in lines):
        encoding, payload = "7bit", "\r\n".join(lines)
    else:
        encoding = "quoted-printable"
        utf8 = "\n".join(lines).encode("utf-8").decode("latin-1")  # what quoprimime expects
        payload = quoprimime.body_encode(utf8, 76, eol="\r\n")
    return (
        f"From: {from_header}\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {formatdate(usegmt=True)}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n"
        "\r\n"
        f"{payload}\r\n"
    ).encode("ascii")


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# Servers and gateways echo the address in their refusals; the error is shown to organizers
# beside a display name, so addresses and numbers are taken out of it.
ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?|\+?\d(?:[\s().-]?\d){6,}")


def _scrub(error: str) -> str:
    return ADDRESS.sub("…", error)[:200]


class _Smtp:
    """One SMTP connection, spoken one step at a time so that a message's final line is
    written apart from the rest of it."""

    def __init__(self):
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 20
        host, port = settings.EMAIL_HOST, int(settings.EMAIL_PORT)
        if getattr(settings, "EMAIL_USE_SSL", False):
            self.conn: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            self.conn = smtplib.SMTP(host, port, timeout=timeout)
        if self.conn.sock is None:
            raise smtplib.SMTPConnectError(-1, f"no mail server at {host!r}")
        # The final line is a write of its own: without this, Nagle's algorithm holds it back
        # until the server acknowledges the rest, which delayed acknowledgements make slow.
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn.ehlo()
        if settings.EMAIL_USE_TLS:
            self.conn.starttls(context=ssl.create_default_context())
            self.conn.ehlo()
        if settings.EMAIL_HOST_USER:
            self.conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)

    def begin(self, sender: str, to: str, meanwhile: _Steps) -> tuple[int, str]:
        """MAIL FROM, RCPT TO, DATA; (354, …) when the server waits for the message. A step
        of `meanwhile` runs while the server answers each command (one command at a time:
        no pipelining, which not every server offers)."""
        # The commands as smtplib's mail() and rcpt() write them, without their parsing the
        # addresses again each time (email_bytes() has checked the recipient; the sender is
        # the operator's setting).
        for command, argument, wanted in (
            ("MAIL", f"FROM:<{sender}>", (250,)),
            ("RCPT", f"TO:<{to}>", (250, 251)),
            ("DATA", "", (354,)),
        ):
            self.conn.putcmd(command, argument)
            meanwhile.step()
            code, reply = self.conn.getreply()
            if code not in wanted:
                break
        return code, reply.decode(errors="replace")

    def write(self, data: bytes) -> None:
        """The message, dot-stuffed, with its line ends but without the final ".\\r\\n"."""
        data = re.sub(rb"(?m)^\.", b"..", data)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        self.conn.send(data)

    def finish(self) -> tuple[int, str]:
        self.conn.send(b".\r\n")
        code, reply = self.conn.getreply()
        return code, reply.decode(errors="replace")

    def reset(self) -> bool:
        """Ends a refused transaction; False when the connection is gone with it."""
        try:
            return self.conn.rset()[0] == 250
        except (OSError, smtplib.SMTPException):
            self.abort()
            return False

    def quit(self) -> None:
        try:
            self.conn.quit()
        except (OSError, smtplib.SMTPException):
            self.abort()

    def abort(self) -> None:
        """Drops the connection; a message without its final line is thrown away."""
        self.conn.close()


# --- what organizers do -----------------------------------------------------------------------


def _check(send: Send, by: Member | None) -> None:
    if by is None:
        return
    try:
        access.get_send_or_404(by, send.public_id)
    except Http404:
        raise PermissionDenied from None


@transaction.atomic
def cancel_send(send: Send, by: Member | None) -> int:
    """Stops a send: nothing not yet handed over goes out (a worker holding a row finds it
    taken from it before the final line). Returns how many deliveries were cancelled."""
    _check(send, by)
    send = Send.objects.select_for_update().get(pk=send.pk)
    if send.status == SendStatus.CANCELLED:
        return 0
    if send.status == SendStatus.DONE:
        raise ValidationError(_("Everything has gone out already: there is nothing to stop."))
    now = timezone.now()
    count = send.deliveries.filter(status__in=[S.QUEUED, S.SENDING]).update(
        status=S.CANCELLED, lease_until=None
    )
    send.status, send.cancelled_at = SendStatus.CANCELLED, now
    send.save(update_fields=["status", "cancelled_at"])
    audit.record("send.cancelled", actor=by, target=send, count=count)
    return count


@transaction.atomic
def retry_failed(send: Send, by: Member | None) -> int:
    """Queues the failed deliveries again (from scratch) and starts the worker."""
    _check(send, by)
    send = Send.objects.select_for_update().get(pk=send.pk)
    if send.status == SendStatus.CANCELLED:
        raise ValidationError(_("This message was stopped: it cannot be sent again."))
    count = send.deliveries.filter(status=S.FAILED).update(
        status=S.QUEUED, attempts=0, due_at=timezone.now(), error="", lease_until=None
    )
    if count:
        Send.objects.filter(pk=send.pk).update(status=SendStatus.SENDING, finished_at=None)
        audit.record("send.retried", actor=by, target=send, count=count)
        transaction.on_commit(lambda: _start(send.pk))
    return count


def progress(send: Send) -> dict[str, int]:
    """How far a send got, in one query."""

    def count(*statuses: str) -> Count:
        return Count("pk", filter=Q(status__in=statuses))

    return Delivery.objects.filter(send=send).aggregate(
        total=Count("pk"),
        queued=count(S.QUEUED),
        sending=count(S.SENDING),
        sent=count(*OUT_STATUSES),
        delivered=count(S.DELIVERED),
        failed=count(S.FAILED),
        cancelled=count(S.CANCELLED),
        unreachable=count(S.UNREACHABLE),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )


def failed_deliveries(send: Send) -> QuerySet[Delivery]:
    """The failed ones, for the page: who (by display name) and why."""
    return send.deliveries.filter(status=S.FAILED).select_related("person").order_by("pk")
