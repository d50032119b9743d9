"""Pacing texts over the network's sending numbers: who goes out from which number, when.

Gateways and carriers cap each sending number: so many messages a second (a local long code
one, a toll-free number three, a short code a hundred) and so many a day. `plan()` spreads a
send's recipients over the numbers so that no number goes over its cap in any one-second
window nor over what is left of its day, and the last text goes out as early as it can: each
next recipient goes to the number that can send soonest.

The caps are read as windows: a number allowed r messages a second (r ≥ 1) sends at most
floor(r) within any second, so it sends floor(r) at once at 0 s, 1 s, 2 s…; a number allowed
less than one a second sends one every 1/r seconds. Taking each number's earliest free slot
in turn fills exactly the earliest slots there are, which is the soonest the last text can go.

`plan()` is pure arithmetic. `senders_from_db()`, `plan_for_send()` and `fall_back()` put it to
work on the database: the numbers in use and what each sent today; each delivery's number and
time; and, for those who cannot be reached in time, email or the call list.
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from solnet.mobilize.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Send,
    SmsSender,
)
from solnet.people.models import ChannelKind, ContactChannel

NO_TIME_FOR_SMS = "no time for SMS; call them"
BATCH = 500


@dataclass(frozen=True)
class SenderCap:
    number: str
    per_second: float
    per_day: int


class Slot(NamedTuple):
    """Where one recipient's text goes out from, and when (seconds from now)."""

    sender: str
    offset: float


@dataclass
class Plan:
    slots: list[Slot | None]  # per recipient, in the order given; None: not in time
    eta: float | None  # when the last planned text goes out; None when none is planned
    per_sender: dict[str, int]
    late: list[int] = field(default_factory=list)  # recipients past the deadline
    no_capacity: list[int] = field(default_factory=list)  # the day's caps are used up

    @property
    def unreachable(self) -> list[int]:
        """Recipients no text can reach in time: for email or the call list instead."""
        return sorted(self.late + self.no_capacity)

    def summary(self) -> dict[str, Any]:
        return {
            "eta_seconds": self.eta,
            "per_sender": dict(self.per_sender),
            "unreachable_in_time": len(self.late) + len(self.no_capacity),
            "past_deadline": len(self.late),
            "over_daily_cap": len(self.no_capacity),
        }


def shape(per_second: float) -> tuple[int, float]:
    """A cap as (texts at once, seconds between those bursts)."""
    if per_second >= 1:
        # The small allowance keeps a cap of 3.0 that arrived as 2.9999999 at three.
        return math.floor(per_second + 1e-9), 1.0
    return 1, 1.0 / per_second


@dataclass
class _Lane:
    number: str
    burst: int
    period: float
    left: int  # of today's cap
    slot: int = 0
    used: int = 0  # in the current slot


def plan(
    count: int,
    senders: Sequence[SenderCap],
    *,
    sent_today: dict[str, int],
    start: float = 0.0,
    deadline_seconds: float | None = None,
) -> Plan:
    """Gives each of `count` recipients a number and a time (seconds from now, from `start`
    on), none after `deadline_seconds`; those left over are `late` (past the deadline) or
    `no_capacity` (the numbers' daily caps are used up)."""
    if count < 0:
        raise ValueError("count must not be negative")
    lanes: list[tuple[float, int, _Lane]] = []
    for order, sender in enumerate(senders):
        left = sender.per_day - sent_today.get(sender.number, 0)
        if left <= 0 or not (math.isfinite(sender.per_second) and sender.per_second > 0):
            continue
        burst, period = shape(sender.per_second)
        # Ties go to the number listed first: the order is the operator's preference.
        lanes.append((start, order, _Lane(sender.number, burst, period, left)))
    heapq.heapify(lanes)

    slots: list[Slot | None] = [None] * count
    per_sender = {sender.number: 0 for sender in senders}
    late: list[int] = []
    no_capacity: list[int] = []
    eta: float | None = None
    for index in range(count):
        if not lanes:
            no_capacity = list(range(index, count))
            break
        at, order, lane = lanes[0]
        if deadline_seconds is not None and at > deadline_seconds:
            late = list(range(index, count))
            break
        slots[index] = Slot(lane.number, at)
        per_sender[lane.number] += 1
        eta = at
        lane.left -= 1
        lane.used += 1
        if lane.left == 0:
            heapq.heappop(lanes)
        elif lane.used == lane.burst:
            lane.slot, lane.used = lane.slot + 1, 0
            # From the start each time, so that many slots add up no rounding.
            heapq.heapreplace(lanes, (start + lane.slot * lane.period, order, lane))
    return Plan(slots, eta, per_sender, late, no_capacity)


# --- on the database --------------------------------------------------------------------------


def _start_of_today() -> datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def senders_from_db(*, exclude_send: Send | None = None) -> tuple[list[SenderCap], dict[str, int]]:
    """The numbers in use, and how much of each one's day is taken: texts it sent since
    midnight (the network's time zone) and texts already given to it that wait to go out
    (but those of `exclude_send`, which is being planned again)."""
    senders = [
        SenderCap(s.number, s.per_second, s.per_day)
        for s in SmsSender.objects.filter(active=True).order_by("-per_second", "number")
    ]
    numbers = [s.number for s in senders]
    waiting = Q(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING])
    if exclude_send is not None:
        waiting &= ~Q(send=exclude_send)
    taken = (
        Delivery.objects.filter(channel=Channel.TEXT, sender__in=numbers)
        .filter(Q(sent_at__gte=_start_of_today()) | waiting)
        .values("sender")
        .annotate(n=Count("pk"))
    )
    return senders, {row["sender"]: row["n"] for row in taken}


def _chunks(ids: Iterable[int], size: int = BATCH) -> Iterable[list[int]]:
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _queued_texts(send: Send, ids: Sequence[int]) -> list[Delivery]:
    """The send's text deliveries still waiting, among `ids`, in the order given."""
    found: dict[int, Delivery] = {}
    for chunk in _chunks(ids):
        for delivery in Delivery.objects.filter(
            send=send, pk__in=chunk, channel=Channel.TEXT, status=DeliveryStatus.QUEUED
        ):
            found[delivery.pk] = delivery
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


@transaction.atomic
def plan_for_send(
    send: Send, text_delivery_ids: Sequence[int], deadline_seconds: float | None = None
) -> dict[str, Any]:
    """Gives the send's waiting text deliveries (the first ids first) a number and a time.
    Returns the plan's summary, for `Send.plan`, and `unreachable_ids`: the deliveries no text
    reaches in time, for `fall_back()` (take them out before storing the summary)."""
    deliveries = _queued_texts(send, text_delivery_ids)
    senders, sent_today = senders_from_db(exclude_send=send)
    now = timezone.now()
    result = plan(
        len(deliveries), senders, sent_today=sent_today, deadline_seconds=deadline_seconds
    )
    planned = []
    for delivery, slot in zip(deliveries, result.slots, strict=True):
        if slot is None:
            continue
        delivery.sender = slot.sender
        delivery.due_at = now + timedelta(seconds=slot.offset)
        planned.append(delivery)
    Delivery.objects.bulk_update(planned, ["sender", "due_at"], batch_size=BATCH)
    summary = result.summary()
    summary["planned_at"] = now.isoformat()
    summary["deadline_seconds"] = deadline_seconds
    # What the plan was made from, so that `slot()` gives the same answer from `Send.plan`.
    summary["senders"] = [
        [s.number, s.per_second, max(0, s.per_day - sent_today.get(s.number, 0))] for s in senders
    ]
    summary["unreachable_ids"] = [deliveries[i].pk for i in result.unreachable]
    return summary


_replayed: dict[tuple[Any, ...], Plan] = {}


def slot(summary: dict[str, Any], index: int) -> tuple[str, float]:
    """The number and the time (seconds after planning) of the index-th text of a send planned
    by `plan_for_send()`, read back from its summary (`Send.plan`); ("", 0.0) for one the plan
    could not fit in time, or for a summary without senders."""
    lanes = tuple(
        (str(number), float(per_second), int(left))
        for number, per_second, left in summary.get("senders") or []
    )
    deadline = summary.get("deadline_seconds")
    key = (lanes, deadline)
    room = sum(left for _number, _rate, left in lanes)
    found = _replayed.get(key)
    if found is None or (index >= len(found.slots) and len(found.slots) <= room):
        if len(_replayed) > 64:
            _replayed.clear()
        wanted = min(max(index + 1, 2 * len(found.slots) if found else 256), room + 1)
        found = plan(
            wanted,
            [SenderCap(number, rate, left) for number, rate, left in lanes],
            sent_today={},
            deadline_seconds=deadline,
        )
        _replayed[key] = found
    taken = found.slots[index] if 0 <= index < len(found.slots) else None
    return (taken.sender, taken.offset) if taken is not None else ("", 0.0)


@transaction.atomic
def fall_back(send: Send, delivery_ids: Sequence[int]) -> dict[str, int]:
    """Texts that cannot go out in time: by email to whoever has an email address they agreed
    to, and the others are left for the call list (status "no way to reach them", with the
    reason). Returns how many went each way."""
    deliveries = _queued_texts(send, delivery_ids)
    emails: dict[int, str] = {}
    people = sorted({d.person_id for d in deliveries})
    for chunk in _chunks(people):
        usable = ContactChannel.objects.filter(
            person_id__in=chunk,
            kind=ChannelKind.EMAIL,
            consent_at__isnull=False,
            opted_out_at__isnull=True,
        ).order_by("-pk")
        # Ordered newest first, so each person keeps their oldest address.
        for person_id, found in usable.values_list("person_id", "value_index"):
            if found:
                emails[person_id] = found
    now = timezone.now()
    by_email, for_calls = [], []
    for delivery in deliveries:
        delivery.sender = ""
        email = emails.get(delivery.person_id)
        if email:
            delivery.channel = Channel.EMAIL
            delivery.address_index = email
            delivery.due_at = now
            delivery.error = ""
            by_email.append(delivery)
        else:
            delivery.status = DeliveryStatus.UNREACHABLE
            delivery.error = NO_TIME_FOR_SMS
            for_calls.append(delivery)
    Delivery.objects.bulk_update(
        by_email, ["channel", "address_index", "due_at", "error", "sender"], batch_size=BATCH
    )
    Delivery.objects.bulk_update(for_calls, ["status", "error", "sender"], batch_size=BATCH)
    return {"email": len(by_email), "call_list": len(for_calls)}


# --- at the moment of sending -----------------------------------------------------------------

# The plan gives every text its time, but a worker that falls behind (a slow batch, a retry)
# would send the late ones back to back. The gate holds each text until its number is below
# its cap over the last window again, with a margin for the way to the gateway.
GATE_MARGIN = 0.05


class _Gate:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: dict[str, deque[float]] = {}
        self.caps: dict[str, tuple[tuple[int, float], float]] = {}

    def shape_of(self, number: str) -> tuple[int, float]:
        now = time.monotonic()
        known = self.caps.get(number)
        if known is None or now - known[1] > 60:
            per_second = (
                SmsSender.objects.filter(number=number).values_list("per_second", flat=True).first()
            )
            known = (shape(per_second or 1.0), now)
            self.caps[number] = known
        return known[0]

    def wait(self, number: str, *, sleep=time.sleep) -> float:
        """Blocks until `number` may send one more text; returns the seconds waited. The
        slot is reserved under the lock and slept for outside it, so texts from other
        numbers go on meanwhile."""
        burst, period = self.shape_of(number)
        with self.lock:
            times = self.sent.setdefault(number, deque(maxlen=burst))
            now = time.monotonic()
            at = now
            if len(times) == burst:
                at = max(now, times[0] + period + GATE_MARGIN)
            times.append(at)
        if at > now:
            sleep(at - now)
        return at - now


gate = _Gate()
