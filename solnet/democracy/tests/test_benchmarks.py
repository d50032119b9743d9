"""Benchmarks of direct democracy (`make bench`): counting 100,000 ranked ballots over 10
candidates, by instant run-off and by 3-seat STV, against the floor of reading those same
ballots from the database.

The measured time is the count as closing a proposal runs it once the rows are read
(`counting.count` given the stored choices: group, parse, tally every round, build the
result); the floor is reading those stored choices from the database. The whole close (read
and count) is reported beside it, for information.
The ballots are seeded random rankings of 1 to 10 candidates, so nearly all are distinct."""

from __future__ import annotations

import random

import pytest

from conftest import make_member
from solnet.core.testing.figures import (
    best_of_interleaved,
    ratio_figure,
    record,
    scaled,
    seconds,
)
from solnet.democracy import counting, services
from solnet.democracy.models import Ballot, Body, Proposal

pytestmark = [pytest.mark.bench]
# A smoke run (SOLNET_BENCH_SCALE) keeps at least 1,000 ballots: enough for both favourites
# to pass the quota in the first round, as the STV checks below require.
BALLOTS = scaled(100_000, least=1_000)
CANDIDATES = 10


# STV's ballots put two favourites first on 30 % and 25 % of them, so that both pass the Droop
# quota (25,001 of 100,000 for 3 seats) in the first round and their surpluses are
# transferred: uniform rankings would leave everyone short of the quota until the last round
# and never time a transfer.
FAVOURITES = ((1, 0.30), (2, 0.25))


def _seed_ballots(proposal: Proposal, *, favourites=()) -> None:
    rng = random.Random(20261201)
    numbers = list(range(1, CANDIDATES + 1))
    batch = []
    for _ in range(BALLOTS):
        ranking = rng.sample(numbers, rng.randint(1, CANDIDATES))
        draw, share = rng.random(), 0.0
        for favourite, part in favourites:
            share += part
            if draw < share:
                ranking = [favourite, *(n for n in ranking if n != favourite)]
                break
        batch.append(Ballot(proposal=proposal, choice=",".join(map(str, ranking))))
        if len(batch) == 5000:
            Ballot.objects.bulk_create(batch)
            batch = []
    Ballot.objects.bulk_create(batch)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("seats", "figure", "limit"), [(1, "irv", 3), (3, "stv", 6)])
def test_counting_100k_ranked_ballots(network, seats, figure, limit):
    organizer = make_member("org", tier=40, with_totp=False)[0]
    proposal = services.propose(
        body=Body.objects.general(),
        by=organizer,
        title="Delegates to the confederal assembly",
        method="ranked",
        seats=seats,
        options=[f"Candidate {n}" for n in range(1, CANDIDATES + 1)],
    )
    _seed_ballots(proposal, favourites=FAVOURITES if seats > 1 else ())
    outcomes = []

    def floor() -> float:
        return seconds(lambda: counting.stored_choices(proposal))

    def measured() -> float:
        choices = counting.stored_choices(proposal)  # read outside the timing: the floor's part
        return seconds(
            lambda: outcomes.append(counting.count(proposal, eligible=BALLOTS, choices=choices))
        )

    floor_time, measured_time = best_of_interleaved(floor, measured, repeat=7)
    outcome = outcomes[-1]
    assert outcome.turnout == BALLOTS
    assert len(outcome.result["winners"]) == seats
    # Every round accounts for every ballot, exactly: the continuing candidates' votes, the
    # exhausted ones, and (STV) the quota kept by each candidate elected in earlier rounds.
    quota = outcome.result["quota"] or 0
    elected_before = 0
    for entry in outcome.result["rounds"]:
        total = sum(_exact(v) for _c, v in entry["votes"]) + _exact(entry["exhausted"])
        assert total + quota * elected_before == BALLOTS
        elected_before += len(entry["elected"])
    if seats > 1:
        # Surpluses were transferred: candidates reached the quota before the last round.
        rounds = outcome.result["rounds"]
        assert any(r["action"] == "quota" for r in rounds[:-1]), rounds
    whole = seconds(lambda: counting.count(proposal, eligible=BALLOTS))
    print(
        record(
            f"democracy.tally_{figure}_100k.read_and_count",
            round(whole, 3),
            unit="s",
            target="informative",
            ok=True,
        )
    )
    print(
        ratio_figure(
            f"democracy.tally_{figure}_100k",
            measured=measured_time,
            floor=floor_time,
            limit=limit,
            unit="s",
        )
    )


def _exact(value):
    from fractions import Fraction

    return Fraction(str(value))
