"""The protocol of a send's deliveries: a worker claims a batch of due rows with a conditional
UPDATE (QUEUED → SENDING with a lease and a claim token), hands each over (SENDING →
HANDED_OVER under a fresh lease, committed before the message's last step), and SENT only once
the server's confirmation is committed. A lease that ran out means a dead worker
(`recover_stale`): its SENDING rows go back to QUEUED, its HANDED_OVER rows become UNCERTAIN."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from solnet.mobilize.models import (
    BUSY_STATUSES,
    Delivery,
    DeliveryStatus,
    Send,
    SendStatus,
    SmsOptOut,
)
from solnet.people.models import ContactChannel

# Deliveries a worker takes at a time: the per-batch queries weigh little beside the
# messages, and a batch takes a fraction of a lease (a text batch renews it as it goes).
BATCH = 100
CREATE_BATCH = 1000  # people read and deliveries written at a time by create_send
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 30  # times 2 to the power of the attempts so far
# Below this a worker waits in place: huey's scheduler looks only once a second.
SHORT_WAIT = 1.0
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
S = DeliveryStatus


def lease_seconds() -> int:
    return int(getattr(settings, "SOLNET_SEND_LEASE_SECONDS", 120))


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS * 2 ** min(attempts, 10))


def index_of(value: str) -> str:
    """The blind index contact channels (and SMS opt-outs) carry for an address."""
    return ContactChannel._meta.get_field("value_index").lookup_value(value)  # type: ignore[union-attr]


# --- the worker -------------------------------------------------------------------------------


@dataclass
class Claim:
    token: str
    ids: list[int]


# Kept in Delivery.error of a row found UNCERTAIN (organizers read the status, translated).
NO_ANSWER = "handed over, and the worker stopped before the server's answer was recorded"


def recover_stale(send_id: int | None = None) -> int:
    """Takes back the rows of a worker whose lease ran out, that is, a worker that died.

    SENDING rows go back to QUEUED: their worker died before the HANDED_OVER commit, so no
    final line was ever written and the server dropped them. HANDED_OVER rows become
    UNCERTAIN: their worker died after telling the database it was handing them over and
    before it recorded the server's answer, so they may or may not have gone out. Sending
    them again could reach the person twice and counting them sent could hide a lost one:
    the organizer decides (a resend or a call). Returns how many rows were taken back."""
    now = timezone.now()
    rows = Delivery.objects.filter(lease_until__lt=now)
    if send_id is not None:
        rows = rows.filter(send_id=send_id)
    queued = rows.filter(status=S.SENDING).update(
        status=S.QUEUED, lease_until=None, provider_ref=""
    )
    uncertain = rows.filter(status=S.HANDED_OVER).update(
        status=S.UNCERTAIN, lease_until=None, error=NO_ANSWER
    )
    return queued + uncertain


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


def due_wait(send_id: int) -> float | None:
    """Seconds until this send has work again (a back-off ends, a paced text is due, another
    worker's lease runs out); None when nothing is queued or being sent."""
    found = Delivery.objects.filter(send_id=send_id).aggregate(
        due=Min("due_at", filter=Q(status=S.QUEUED)),
        lease=Min("lease_until", filter=Q(status__in=[S.SENDING, S.HANDED_OVER])),
    )
    moments = [m for m in (found["due"], found["lease"]) if m is not None]
    if not moments:
        return None
    return max((min(moments) - timezone.now()).total_seconds(), 0.0)


def finish_send(send_id: int) -> None:
    """DONE once nothing is queued, being sent or awaiting the server's answer, in one
    statement (a retry racing with it re-queues first or finds it DONE and starts it
    again). UNCERTAIN rows wait for the organizer, not for the worker."""
    busy = Delivery.objects.filter(send=OuterRef("pk"), status__in=BUSY_STATUSES)
    Send.objects.filter(pk=send_id, status__in=[SendStatus.QUEUED, SendStatus.SENDING]).exclude(
        Exists(busy)
    ).update(status=SendStatus.DONE, finished_at=timezone.now())


def sends_to_resume() -> list[int]:
    """For the periodic task: takes back the rows of dead workers, closes sends that are
    through, and names the sends with due work that no worker holds."""
    recover_stale()
    now = timezone.now()
    active = Send.objects.filter(status__in=[SendStatus.QUEUED, SendStatus.SENDING])
    resume = []
    for send_id in active.values_list("pk", flat=True):
        rows = Delivery.objects.filter(send_id=send_id)
        if not rows.filter(status__in=BUSY_STATUSES).exists():
            finish_send(send_id)
        elif (
            rows.filter(status=S.QUEUED, due_at__lte=now).exists()
            and not rows.filter(status__in=[S.SENDING, S.HANDED_OVER]).exists()
        ):
            resume.append(send_id)
    return resume


@functools.cache
def hand_over_sql(text: bool) -> str:
    """SENDING → HANDED_OVER for one row still held under one claim token, under a fresh
    lease and with the moment recorded; for a text, only while its number has not said
    STOP. Parameters: status, ref, lease_until, handed_over_at, id, SENDING, token. Made
    once, when the models are ready."""
    q = connection.ops.quote_name
    table, stops = q(Delivery._meta.db_table), q(SmsOptOut._meta.db_table)
    # Only the model's own table and column names are put in (hence the noqa S608).
    sql = (
        f"UPDATE {table} SET {q('status')} = %s, {q('provider_ref')} = %s, "  # noqa: S608
        f"{q('lease_until')} = %s, {q('handed_over_at')} = %s "
        f"WHERE {q('id')} = %s AND {q('status')} = %s AND {q('provider_ref')} = %s"
    )
    if text:
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {stops} "  # noqa: S608
            f"WHERE {stops}.{q('number_index')} = {table}.{q('address_index')})"
        )
    return sql


def confirmed_sql(count: int) -> str:
    """HANDED_OVER (or UNCERTAIN, when the answer came after the lease ran out) → SENT for
    `count` rows, each still under the ref (Message-ID) its hand-over gave it, so that a row
    an organizer has queued again since is left alone. Parameters: SENT, sent_at, the ids,
    HANDED_OVER, UNCERTAIN, the refs."""
    q = connection.ops.quote_name
    table = q(Delivery._meta.db_table)
    marks = ", ".join(["%s"] * count)
    # Only the model's own names and placeholders are put in (hence the noqa S608).
    return (
        f"UPDATE {table} SET {q('status')} = %s, {q('sent_at')} = %s, "  # noqa: S608
        f"{q('lease_until')} = NULL "
        f"WHERE {q('id')} IN ({marks}) AND {q('status')} IN (%s, %s) "
        f"AND {q('provider_ref')} IN ({marks})"
    )
