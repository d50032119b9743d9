"""Benchmark of the caller view (`make bench`): with 100,000 people and 10,000 asks on one
action, split among ten callers, what a caller's page reads (`call_views.caller_page`: their
first page of calls, ordered call-backs first, with each person's answer and numbers, and
the action's confirmed-vs-needed count) against the floor of the same rows and the same
count read by hand-written SQL. Both are timed in turns, 60 times each; the figure is the
ratio of the 95th percentiles. A smoke run (SOLNET_BENCH_SCALE) shrinks the people, the asks
and the runs."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import make_member
from solnet.core.testing.figures import percentile_figures, scaled, seconds
from solnet.members.models import Tier
from solnet.mobilize import services
from solnet.mobilize.call_views import CALLS_PAGE, caller_page
from solnet.mobilize.models import Action, Ask, Call, CallList, CallResult
from solnet.people.models import Commitment, ContactChannel, Person

pytestmark = [pytest.mark.bench]
CALLERS = 10
# The asks are scaled per caller, so that they split evenly and a smoke run still fills a
# caller's first page; there are never fewer people than asks, nor fewer than 20 timed runs
# (the p95 is then not the maximum).
ASKS = CALLERS * scaled(10_000 // CALLERS, least=CALLS_PAGE)
PEOPLE = scaled(100_000, least=ASKS)
RUNS = scaled(60, least=20)


def _seed(organizer, callers) -> CallList:
    rng = random.Random(20261202)
    now = timezone.now()
    starts = now + timedelta(days=2)
    action = Action.objects.create(
        title="Strike support picket",
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        tier=Tier.SUPPORTER,
        turnout_target=500,
        created_by=organizer,
    )
    batch = [Person(display_name=f"Person {n:06d}", tier=Tier.PHONE_TREE) for n in range(PEOPLE)]
    Person.objects.bulk_create(batch, batch_size=5000)
    asked = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:ASKS])
    ContactChannel.objects.bulk_create(
        [
            ContactChannel(person_id=pk, kind="call", value=f"+1206{pk:07d}", consent_at=now)
            for pk in asked
        ],
        batch_size=2000,
    )
    answers = ["waiting"] * 5 + ["yes", "yes", "maybe", "no"]
    commitments = Commitment.objects.bulk_create(
        [
            Commitment(person_id=pk, ask="Picket", answer=rng.choice(answers), asked_at=now)
            for pk in asked
        ],
        batch_size=2000,
    )
    asks = Ask.objects.bulk_create(
        [Ask(action=action, person_id=c.person_id, commitment_id=c.pk) for c in commitments],
        batch_size=2000,
    )
    call_list = CallList.objects.create(action=action, name="Everyone", created_by=organizer)
    results = [CallResult.WAITING] * 6 + [CallResult.VOICEMAIL, CallResult.REACHED]
    calls = []
    for n, ask in enumerate(asks):
        result = rng.choice(results)
        callback = now + timedelta(minutes=rng.randint(-120, 600)) if n % 7 == 0 else None
        calls.append(
            Call(
                call_list=call_list,
                ask=ask,
                caller=callers[n % CALLERS],
                result=result,
                callback_at=callback,
            )
        )
    Call.objects.bulk_create(calls, batch_size=2000)
    return call_list


FLOOR_PAGE = """
SELECT c.id, c.result, c.callback_at, p.display_name, p.languages, m.contacts_hidden,
       m.phone, k.answer
FROM mobilize_call c
JOIN mobilize_ask a ON a.id = c.ask_id
JOIN people_person p ON p.id = a.person_id
LEFT JOIN members_member m ON m.id = p.member_id
JOIN people_commitment k ON k.id = a.commitment_id
WHERE c.call_list_id = %s AND c.caller_id = %s
ORDER BY CASE WHEN c.callback_at <= %s THEN 0 WHEN c.result = 'waiting' THEN 1
              WHEN k.answer = 'waiting' AND c.callback_at IS NULL THEN 2 ELSE 3 END,
         c.callback_at, p.display_name, c.id
LIMIT %s
"""
FLOOR_CHANNELS = (
    "SELECT person_id, kind, value, consent_at, opted_out_at FROM people_contactchannel "
    "WHERE person_id IN ({})"
)
FLOOR_COUNT_ROWS = "SELECT COUNT(*) FROM mobilize_call WHERE call_list_id = %s AND caller_id = %s"
FLOOR_TURNOUT = """
SELECT SUM(CASE WHEN k.answer = 'yes' THEN 1 ELSE 0 END),
       SUM(CASE WHEN k.answer = 'maybe' THEN 1 ELSE 0 END),
       SUM(CASE WHEN k.answer = 'no' THEN 1 ELSE 0 END),
       SUM(CASE WHEN k.answer = 'waiting' THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.checked_in_at IS NOT NULL THEN 1 ELSE 0 END)
FROM mobilize_ask a JOIN people_commitment k ON k.id = a.commitment_id
WHERE a.action_id = %s
"""


def _floor(call_list: CallList, caller) -> tuple[int, int]:
    """The same reads by hand: the count of the caller's calls (for the pages), their first
    page with the people and answers, those people's channels, and the action's count."""
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_COUNT_ROWS, [call_list.pk, caller.pk])
        cursor.fetchone()
        cursor.execute(FLOOR_PAGE, [call_list.pk, caller.pk, timezone.now(), CALLS_PAGE])
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        cursor.execute(
            "SELECT a.person_id FROM mobilize_call c JOIN mobilize_ask a ON a.id = c.ask_id "
            f"WHERE c.id IN ({','.join(['%s'] * len(ids))})",
            ids,
        )
        people = [row[0] for row in cursor.fetchall()]
        cursor.execute(FLOOR_CHANNELS.format(",".join(["%s"] * len(people))), people)
        cursor.fetchall()
        cursor.execute(FLOOR_TURNOUT, [call_list.action_id])
        yes = cursor.fetchone()[0]
    return len(rows), yes


@pytest.mark.django_db(transaction=True)
def test_caller_view_with_100k_people_and_10k_asks(network):
    organizer = make_member("org", tier=Tier.ORGANIZING_TEAM, with_totp=False)[0]
    callers = [make_member(f"caller{n}")[0] for n in range(CALLERS)]
    call_list = _seed(organizer, callers)
    caller = callers[3]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seen = caller_page(caller, call_list, 1)
    floor_rows, floor_yes = _floor(call_list, caller)
    # The two read the same thing: the same page of calls and the same count.
    assert len(seen["rows"]) == floor_rows == CALLS_PAGE
    assert seen["turnout"]["yes"] == floor_yes
    assert all(row["numbers"] for row in seen["rows"])
    assert seen["page"].paginator.count == ASKS // CALLERS
    floors, runs = [], []
    for _ in range(RUNS):
        floors.append(seconds(lambda: _floor(call_list, caller)))
        runs.append(
            seconds(lambda: [row["numbers"] for row in caller_page(caller, call_list, 1)["rows"]])
        )
    for figure in percentile_figures(
        "mobilize.caller_view_p95",
        runs=runs,
        floors=floors,
        limit=3,
        median_name="mobilize.caller_view_median",
    ):
        print(figure)
    assert services.turnout(call_list.action)["needed"] == 500
