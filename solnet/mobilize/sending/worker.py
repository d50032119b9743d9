"""The worker's run over one send: batches of claimed deliveries, each message rendered and
encoded while the server answers the one before, email through `smtp` and texts through `sms`."""

from __future__ import annotations

import contextlib
import secrets
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from solnet.core import http
from solnet.members.models import Member
from solnet.mobilize import pacing
from solnet.mobilize.models import (
    Channel,
    Delivery,
    Send,
    SendStatus,
    SmsOptOut,
    SmsSender,
)
from solnet.mobilize.sending import sms
from solnet.mobilize.sending.protocol import (
    MAX_ATTEMPTS,
    SHORT_WAIT,
    SMTP_BACKEND,
    Claim,
    S,
    backoff,
    claim,
    confirmed_sql,
    due_wait,
    finish_send,
    hand_over_sql,
    index_of,
    lease_seconds,
    recover_stale,
)
from solnet.mobilize.sending.render import Renderer
from solnet.mobilize.sending.smtp import Smtp, Steps, email_bytes, error_text, scrub
from solnet.people.models import ContactChannel


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
                wait = due_wait(send_id)
                if wait is None:
                    finish_send(send_id)
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


@dataclass
class _Ready:
    """A message written and ready to go: to whom, what, and for email its bytes."""

    to: str
    body: str
    subject: str = ""
    message_id: str = ""
    data: bytes | None = None


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
# Kept in Delivery.error of a row that became UNCERTAIN in the worker's hands.
NO_CONFIRMATION = "handed over; no answer came: it may or may not have gone out"


class _Runner:
    """One run of the worker over a send: its SMTP connection, the texts' default number."""

    def __init__(self, send: Send):
        self.send = send
        self.renderer = Renderer(send)
        self.smtp: Smtp | None = None
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        self.from_address = address or "solnet@localhost"
        self.domain = self.from_address.rpartition("@")[2] or "localhost"
        self.from_header = formataddr((name, self.from_address), charset="utf-8")
        self.sms_sender: str | None = None
        self.gate = pacing.gate
        # Emails the server accepted (250) whose SENT is not committed yet: (id, Message-ID).
        # They are committed with the next hand-over, in the same transaction, or at the
        # batch's end; a kill before that leaves them HANDED_OVER, then UNCERTAIN.
        self.confirmed: list[tuple[int, str]] = []

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

        def prepare(index: int) -> Steps:
            if index >= len(rows):
                return Steps(iter(()))
            d = rows[index]
            return Steps(self._prepare(d, taken, addresses.get(d.pk), ready, index))

        prepare(0).finish()
        pause = None
        renew_at = time.monotonic() + lease_seconds() / 2
        try:
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
                if outcome == SENT and delivery.channel == Channel.EMAIL and message:
                    self.confirmed.append((delivery.pk, message.message_id))
                elif outcome == LOST:
                    break  # taken from this worker (cancelled, or its lease ran out): look again
                elif outcome == DOWN:
                    pause = backoff(0).total_seconds()
                    break
        finally:
            self._commit_confirmed()
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
            self._end(d, taken, S.SENDING, S.FAILED, error_text(error))
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
            self._end(d, taken, S.SENDING, S.FAILED, error_text(error))
            return
        ready[index] = _Ready(address, body, subject, message_id, data)

    def _renew(self, taken: Claim) -> None:
        """The batch's lease again from now; answers waiting to be noted are noted first, so
        that no HANDED_OVER row outlives its own lease in this worker's hands."""
        self._commit_confirmed()
        Delivery.objects.filter(
            pk__in=taken.ids, status=S.SENDING, provider_ref=taken.token
        ).update(lease_until=timezone.now() + timedelta(seconds=lease_seconds()))

    def _note_confirmed(self, cursor) -> None:
        """SENT for the emails the server accepted, on `cursor` (inside the caller's
        transaction, or a statement of its own)."""
        ids = [pk for pk, _ref in self.confirmed]
        refs = [ref for _pk, ref in self.confirmed]
        params: list[str | int | datetime] = [S.SENT, timezone.now(), *ids]
        params += [S.HANDED_OVER, S.UNCERTAIN, *refs]
        cursor.execute(confirmed_sql(len(ids)), params)
        self.confirmed = []

    def _commit_confirmed(self) -> None:
        if self.confirmed:
            with connection.cursor() as cursor:
                self._note_confirmed(cursor)

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
                if address and index_of(address) == d.address_index:
                    addresses[pk] = address
        return addresses

    @staticmethod
    def _held(d: Delivery, taken: Claim, was: str, ref: str = ""):
        """The row, if it is still this worker's: SENDING under its claim token, or handed
        over under `ref` (also when its lease ran out meanwhile and it was found
        UNCERTAIN: the answer that came settles it, unless an organizer acted since)."""
        if was == S.SENDING:
            return Delivery.objects.filter(pk=d.pk, status=S.SENDING, provider_ref=taken.token)
        return Delivery.objects.filter(
            pk=d.pk, status__in=[S.HANDED_OVER, S.UNCERTAIN], provider_ref=ref
        )

    def _end(
        self, d: Delivery, taken: Claim, was: str, status: str, error: str = "", ref: str = ""
    ) -> bool:
        rows = self._held(d, taken, was, ref)
        return bool(rows.update(status=status, error=scrub(error), lease_until=None))

    def _retry(
        self, d: Delivery, taken: Claim, was: str, error: str, wait: int = 0, ref: str = ""
    ) -> None:
        """Back to QUEUED after a back-off, or FAILED once it has been tried enough."""
        attempts = d.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            self._end(d, taken, was, S.FAILED, error, ref)
            return
        rows = self._held(d, taken, was, ref)
        delay = max(backoff(d.attempts), timedelta(seconds=wait))
        rows.update(
            status=S.QUEUED,
            attempts=attempts,
            due_at=timezone.now() + delay,
            error=scrub(error),
            lease_until=None,
            provider_ref="",
        )

    def _hand_over(self, d: Delivery, taken: Claim, ref: str, *, text: bool = False) -> bool:
        """The commit before the server or gateway is given the message (its last line, its
        request), only if the row is still this worker's (and, for a text, only if its
        number has not said STOP): HANDED_OVER under a fresh lease, with the moment. From
        here the message is never sent again on its own; a kill leaves it UNCERTAIN. The
        answers noted since the last hand-over (SENT) are committed in the same
        transaction: one commit per message, as before there were any to note."""
        # Written out: it runs once per message, and the ORM's query building was a third
        # of the worker's time per message.
        now = timezone.now()
        lease = now + timedelta(seconds=lease_seconds())
        params: list[str | int | datetime] = [S.HANDED_OVER, ref, lease, now, d.pk]
        params += [S.SENDING, taken.token]
        # In autocommit (work() made sure of it), the statement is its own transaction:
        # when execute() returns, it is committed.
        with connection.cursor() as cursor:
            if not self.confirmed:
                cursor.execute(hand_over_sql(text), params)
                return cursor.rowcount == 1
            with transaction.atomic():
                cursor.execute(hand_over_sql(text), params)
                handed = cursor.rowcount == 1
                self._note_confirmed(cursor)
            return handed

    # --- email ---

    def _email(self, d: Delivery, taken: Claim, message: _Ready, meanwhile: Steps) -> str:
        if message.data is None:
            meanwhile.finish()
            return self._email_by_backend(d, taken, message)
        code, reply = 0, ""
        while True:
            reused = self.smtp is not None
            try:
                if self.smtp is None:
                    self.smtp = Smtp()
                code, reply = self.smtp.begin(self.from_address, message.to, meanwhile)
                if code == 354:
                    self.smtp.write(message.data)
                break
            except (OSError, smtplib.SMTPException) as error:
                self._drop()
                if reused:  # the server closed it since the last message: a new one, once
                    continue
                self._retry(d, taken, S.SENDING, f"mail server: {error_text(error)}")
                return DOWN
        if code != 354:
            if not self.smtp.reset():
                self.smtp = None
            if code >= 500:
                self._end(d, taken, S.SENDING, S.FAILED, f"{code} {reply}")
                return FAILED
            self._retry(d, taken, S.SENDING, f"{code} {reply}")
            return RETRY
        ref = message.message_id
        if not self._hand_over(d, taken, ref):
            self._drop()  # the unfinished message dies with the connection
            return LOST
        try:
            code, reply = self.smtp.finish()
        except (OSError, smtplib.SMTPException) as error:
            self._drop()  # it may have arrived: the organizer decides
            self._end(d, taken, S.HANDED_OVER, S.UNCERTAIN, _unanswered(error), ref)
            return DOWN
        if code == 250:
            return SENT  # committed as SENT with the next hand-over (`self.confirmed`)
        if 400 <= code < 500:
            self._retry(d, taken, S.HANDED_OVER, f"{code} {reply}", ref=ref)
            return RETRY
        self._end(d, taken, S.HANDED_OVER, S.FAILED, f"{code} {reply}", ref)
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
        except Exception as error:  # it may have gone: never sent twice, never shown sent
            self._end(d, taken, S.HANDED_OVER, S.UNCERTAIN, _unanswered(error), message.message_id)
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

    def _text(self, d: Delivery, taken: Claim, message: _Ready, meanwhile: Steps) -> str:
        meanwhile.finish()
        number, body = message.to, message.body
        sender = d.sender or self._sms_sender()
        if self.gate is not None and sender:
            # The plan gave each text its time; a worker that fell behind would send the late
            # ones back to back: the gate keeps each number within its cap all the same
            # (before the hand-over, so that the wait does not widen the window after it).
            self.gate.wait(sender)
        # A text's ref while it is handed over is the claim token: the gateway's id comes only
        # with its answer.
        ref = taken.token
        if not self._hand_over(d, taken, ref, text=True):
            if SmsOptOut.objects.filter(number_index=d.address_index).exists():
                self._end(d, taken, S.SENDING, S.CANCELLED, "the number said STOP")
                return SKIPPED
            return LOST
        try:
            sid = sms.send_text(to=number, sender=sender, body=body)
        except sms.OptedOut as error:  # refused before anything was posted
            self._end(d, taken, S.HANDED_OVER, S.CANCELLED, error.summary, ref)
            return SKIPPED
        except sms.TransientError as error:
            if isinstance(error.__cause__, http.OutboundTimeout):
                # Posted, and no answer in time: the gateway may have taken it.
                self._end(d, taken, S.HANDED_OVER, S.UNCERTAIN, _unanswered(error), ref)
                return FAILED
            self._retry(
                d, taken, S.HANDED_OVER, error.summary, wait=error.retry_after or 0, ref=ref
            )
            return RETRY
        except sms.PermanentError as error:
            # An answer without a message id may well mean it was sent.
            unsure = error.code == "unreadable"
            status = S.UNCERTAIN if unsure else S.FAILED
            self._end(d, taken, S.HANDED_OVER, status, error.summary, ref)
            return FAILED
        except Exception as error:  # it may have reached the gateway: never sent twice
            self._end(d, taken, S.HANDED_OVER, S.UNCERTAIN, _unanswered(error), ref)
            return FAILED
        self._held(d, taken, S.HANDED_OVER, ref).update(
            status=S.SENT, sent_at=timezone.now(), provider_ref=sid[:64], lease_until=None
        )
        return SENT


def _unanswered(error: BaseException) -> str:
    return f"{NO_CONFIRMATION} ({error_text(error)})"
