"""The exactly-once protocol of a send's deliveries: a worker claims a batch of due rows with a
conditional UPDATE (QUEUED → SENDING with a lease and a claim token), hands each over
(SENDING → HANDED_OVER, committed before the message's last step), and a lease that ran out
gives the rows of a dead worker back (`recover_stale`)."""

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


def due_wait(send_id: int) -> float | None:
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


def finish_send(send_id: int) -> None:
    """DONE once nothing is queued or being sent, in one statement (a retry racing with it
    re-queues first or finds it DONE and starts it again)."""
    busy = Delivery.objects.filter(send=OuterRef("pk"), status__in=[S.QUEUED, S.SENDING])
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
        if not rows.filter(status__in=[S.QUEUED, S.SENDING]).exists():
            finish_send(send_id)
        elif (
            rows.filter(status=S.QUEUED, due_at__lte=now).exists()
            and not rows.filter(status=S.SENDING).exists()
        ):
            resume.append(send_id)
    return resume


@functools.cache
def hand_over_sql(text: bool) -> str:
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
