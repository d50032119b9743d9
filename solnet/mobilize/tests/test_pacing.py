"""Pacing texts over the sending numbers: no number over its cap in any second or over its day,
the last text as early as it can go, and those out of reach in time fall back to email or the
call list."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from solnet.mobilize import pacing
from solnet.mobilize.models import Delivery, DeliveryStatus, Send, SendKind, SmsSender
from solnet.mobilize.pacing import SenderCap, plan
from solnet.people.models import ContactChannel, Person

LONG_CODES = [SenderCap(f"+1206555010{i}", 1.0, 10_000) for i in range(3)]
TOLL_FREE = SenderCap("+18005550100", 3.0, 10_000)


def _by_sender(result) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for slot in result.slots:
        if slot is not None:
            found.setdefault(slot.sender, []).append(slot.offset)
    return {number: sorted(offsets) for number, offsets in found.items()}


def _most_in_one_second(offsets: list[float]) -> int:
    most, first = 0, 0
    for last, at in enumerate(offsets):
        while at - offsets[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


# --- simple cases, worked out by hand ---------------------------------------------------------


def test_three_long_codes_and_a_toll_free_number_send_six_a_second():
    result = plan(60, [*LONG_CODES, TOLL_FREE], sent_today={})
    # Six a second from 0 s on: the 60th goes out at 9 s, the soonest it can.
    assert result.eta == 9.0
    per_second = {}
    for slot in result.slots:
        per_second[slot.offset] = per_second.get(slot.offset, 0) + 1
    assert per_second == {float(t): 6 for t in range(10)}
    assert result.per_sender == {**{s.number: 10 for s in LONG_CODES}, TOLL_FREE.number: 30}
    assert result.unreachable == []


@pytest.mark.parametrize(("count", "eta"), [(1, 0.0), (6, 0.0), (7, 1.0), (12, 1.0), (13, 2.0)])
def test_the_last_text_goes_as_early_as_the_caps_allow(count, eta):
    assert plan(count, [*LONG_CODES, TOLL_FREE], sent_today={}).eta == eta


def test_a_number_allowed_less_than_one_a_second_waits_between_texts():
    result = plan(3, [SenderCap("+12065550100", 0.5, 100)], sent_today={})
    assert [slot.offset for slot in result.slots] == [0.0, 2.0, 4.0]


def test_the_plan_starts_when_told():
    result = plan(4, [SenderCap("+12065550100", 2.0, 100)], sent_today={}, start=5.0)
    assert [slot.offset for slot in result.slots] == [5.0, 5.0, 6.0, 6.0]


def test_what_a_number_sent_today_counts_against_its_day():
    result = plan(
        5, [SenderCap("+12065550100", 1.0, 10)], sent_today={"+12065550100": 8}, start=0.0
    )
    assert result.per_sender == {"+12065550100": 2}
    assert result.slots[2:] == [None, None, None]
    assert result.no_capacity == [2, 3, 4] and result.late == []
    assert result.summary()["over_daily_cap"] == 3


def test_what_cannot_go_out_before_the_deadline_is_reported():
    result = plan(100, [*LONG_CODES, TOLL_FREE], sent_today={}, deadline_seconds=9.0)
    assert result.eta == 9.0
    assert sum(result.per_sender.values()) == 60
    assert result.late == list(range(60, 100))
    summary = result.summary()
    assert summary["unreachable_in_time"] == summary["past_deadline"] == 40
    assert summary["eta_seconds"] == 9.0


def test_without_any_number_nobody_is_reached_by_text():
    result = plan(3, [], sent_today={})
    assert result.eta is None and result.no_capacity == [0, 1, 2]
    assert plan(0, LONG_CODES, sent_today={}).eta is None


# --- every plan, whatever the numbers ---------------------------------------------------------

caps = st.builds(
    SenderCap,
    number=st.just(""),
    per_second=st.one_of(
        st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0, 100.0]),
        st.floats(min_value=0.1, max_value=50.0, allow_nan=False),
    ),
    per_day=st.integers(min_value=0, max_value=300),
)


@st.composite
def fleets(draw):
    senders = draw(st.lists(caps, min_size=0, max_size=6))
    senders = [
        SenderCap(f"+1206555{i:04d}", s.per_second, s.per_day) for i, s in enumerate(senders)
    ]
    sent_today = {
        s.number: draw(st.integers(min_value=0, max_value=s.per_day + 5)) for s in senders
    }
    return senders, sent_today


def _capacity(senders, sent_today, start, until) -> int:
    """How many texts can go out from `start` to `until` (inclusive), counted directly from
    the caps: floor(r) a second for r ≥ 1, one per 1/r seconds below."""
    total = 0
    for sender in senders:
        left = max(0, sender.per_day - sent_today.get(sender.number, 0))
        if until < start:
            continue
        if sender.per_second >= 1:
            windows = math.floor(until - start) + 1
            total += min(left, windows * math.floor(sender.per_second + 1e-9))
        else:
            # One text at each start + k/r up to `until`, counted as the planner places them
            # (an allowance here once counted a text 7e-15 s past the deadline).
            period = 1.0 / sender.per_second
            k = max(0, math.floor((until - start) / period))
            while start + (k + 1) * period <= until:
                k += 1
            while k > 0 and start + k * period > until:
                k -= 1
            total += min(left, k + 1)
    return total


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fleet=fleets(),
    count=st.integers(min_value=0, max_value=400),
    start=st.sampled_from([0.0, 0.5, 3.0]),
    deadline=st.one_of(st.none(), st.floats(min_value=0.0, max_value=40.0)),
)
# A deadline a hair before the second text's time: that text is late.
@example(
    fleet=([SenderCap("+12065550000", 0.25, 2)], {"+12065550000": 0}),
    count=2,
    start=0.0,
    deadline=3.999999999999993,
)
def test_no_number_ever_goes_over_its_caps_and_the_last_text_is_as_early_as_can_be(
    fleet, count, start, deadline
):
    senders, sent_today = fleet
    result = plan(count, senders, sent_today=sent_today, start=start, deadline_seconds=deadline)
    by_sender = _by_sender(result)
    caps_of = {s.number: s for s in senders}

    assert len(result.slots) == count
    for number, offsets in by_sender.items():
        sender = caps_of[number]
        # Its day.
        assert len(offsets) <= sender.per_day - sent_today.get(number, 0)
        # Any one second.
        assert _most_in_one_second(offsets) <= max(1, math.floor(sender.per_second + 1e-9))
        if sender.per_second < 1:
            gaps = [b - a for a, b in itertools.pairwise(offsets)]
            assert all(gap >= 1 / sender.per_second - 1e-9 for gap in gaps)
        assert all(at >= start for at in offsets)
        if deadline is not None:
            assert all(at <= deadline for at in offsets)
        assert result.per_sender[number] == len(offsets)

    planned = sum(len(offsets) for offsets in by_sender.values())
    unplanned = [i for i, slot in enumerate(result.slots) if slot is None]
    assert result.unreachable == unplanned
    assert planned + len(result.unreachable) == count
    # As many as the caps allow by the deadline.
    if deadline is not None:
        assert planned == min(count, _capacity(senders, sent_today, start, deadline))
    # And the last one as soon as it can be: no earlier moment had room for all of them.
    if planned:
        assert result.eta == max(slot.offset for slot in result.slots if slot is not None)
        assert _capacity(senders, sent_today, start, result.eta) >= planned
        earlier = result.eta - 1e-6
        assert _capacity(senders, sent_today, start, earlier) < planned
    else:
        assert result.eta is None


# --- on the database --------------------------------------------------------------------------


@pytest.fixture
def fleet(db):
    for number in ("+12065550100", "+12065550101", "+12065550102"):
        SmsSender.objects.create(number=number, kind="long_code", per_second=1.0, per_day=1000)
    SmsSender.objects.create(number="+18005550100", kind="toll_free", per_second=3, per_day=1000)
    SmsSender.objects.create(number="+12065550199", per_second=100, per_day=1000, active=False)


def _texts(send: Send, count: int, *, with_email: int = 0) -> list[Delivery]:
    deliveries = []
    for i in range(count):
        person = Person.objects.create(display_name=f"Neighbour {i}")
        if i < with_email:
            ContactChannel.objects.create(
                person=person,
                kind="email",
                value=f"n{i}@example.org",
                consent_at=timezone.now(),
            )
        deliveries.append(
            Delivery.objects.create(send=send, person=person, channel="text", language="en")
        )
    return deliveries


def test_the_numbers_in_use_and_what_they_sent_today(fleet):
    earlier = Send.objects.create(kind=SendKind.NEWS)
    done, waiting, yesterday = _texts(earlier, 3)
    Delivery.objects.filter(pk=done.pk).update(
        sender="+12065550100", status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    Delivery.objects.filter(pk=waiting.pk).update(sender="+12065550100")
    Delivery.objects.filter(pk=yesterday.pk).update(
        sender="+18005550100",
        status=DeliveryStatus.SENT,
        sent_at=timezone.now() - timedelta(days=2),
    )
    senders, sent_today = pacing.senders_from_db()
    assert [s.number for s in senders] == [
        "+18005550100",
        "+12065550100",
        "+12065550101",
        "+12065550102",
    ]
    assert sent_today == {"+12065550100": 2}
    # A send planned again does not count its own waiting texts against the day.
    assert pacing.senders_from_db(exclude_send=earlier)[1] == {"+12065550100": 1}


@pytest.mark.django_db
def test_a_send_is_planned_onto_its_deliveries(fleet):
    send = Send.objects.create(kind=SendKind.CALL_OUT, channels=["text"])
    deliveries = _texts(send, 20)
    before = timezone.now()
    summary = pacing.plan_for_send(send, [d.pk for d in deliveries])
    assert summary["eta_seconds"] == 3.0
    assert summary["unreachable_in_time"] == 0 and summary["unreachable_ids"] == []
    assert summary["per_sender"] == {
        "+18005550100": 11,
        "+12065550100": 3,
        "+12065550101": 3,
        "+12065550102": 3,
    }
    planned = list(Delivery.objects.filter(send=send))
    assert all(d.sender and d.due_at >= before for d in planned)
    assert {d.sender for d in planned} == set(summary["per_sender"])
    # The first recipients go first.
    first = Delivery.objects.get(pk=deliveries[0].pk)
    last = Delivery.objects.get(pk=deliveries[-1].pk)
    assert last.due_at - first.due_at == timedelta(seconds=3)
    # The summary, stored as the send's plan, gives each text's slot back.
    send.plan = {k: v for k, v in summary.items() if k != "unreachable_ids"}
    send.save(update_fields=["plan"])
    send.refresh_from_db()
    planned_at = datetime.fromisoformat(send.plan["planned_at"])
    for index, delivery in enumerate(deliveries):
        delivery.refresh_from_db()
        offset = (delivery.due_at - planned_at).total_seconds()
        assert pacing.slot(send.plan, index) == (delivery.sender, offset)
    assert pacing.slot(send.plan, 10_000) == ("", 0.0)


@pytest.mark.django_db
def test_those_out_of_reach_in_time_fall_back_to_email_or_the_call_list(fleet):
    send = Send.objects.create(kind=SendKind.ALERT, channels=["text"])
    deliveries = _texts(send, 20, with_email=20)
    # Those without an email address are the last ones, past the deadline.
    for delivery in deliveries[16:]:
        delivery.person.channels.all().delete()
    summary = pacing.plan_for_send(send, [d.pk for d in deliveries], deadline_seconds=1.0)
    assert summary["unreachable_in_time"] == summary["past_deadline"] == 8
    assert summary["unreachable_ids"] == [d.pk for d in deliveries[12:]]

    assert pacing.slot(summary, 11)[0] and pacing.slot(summary, 12) == ("", 0.0)

    moved = pacing.fall_back(send, summary["unreachable_ids"])

    assert moved == {"email": 4, "call_list": 4}
    for delivery in deliveries[12:16]:
        delivery.refresh_from_db()
        email = delivery.person.channels.get(kind="email")
        assert delivery.channel == "email" and delivery.address_index == email.value_index
        assert delivery.status == DeliveryStatus.QUEUED and delivery.sender == ""
    for delivery in deliveries[16:]:
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.UNREACHABLE
        assert delivery.error == "no time for SMS; call them"
    for delivery in deliveries[:12]:
        delivery.refresh_from_db()
        assert delivery.channel == "text" and delivery.sender


@pytest.mark.django_db
def test_an_email_address_they_opted_out_of_is_not_a_fallback(fleet):
    send = Send.objects.create(kind=SendKind.ALERT, channels=["text"])
    [delivery] = _texts(send, 1, with_email=1)
    delivery.person.channels.update(opted_out_at=timezone.now())
    assert pacing.fall_back(send, [delivery.pk]) == {"email": 0, "call_list": 1}
