"""Benchmarks of direct democracy (`make bench`): counting 100,000 ranked ballots over 10
candidates, by instant run-off and by 3-seat STV, against the floor of reading those same
ballots from the database; and casting the 10,000th secret ballot against casting an open one
on a vote of the same size.

The measured time is the count as closing a proposal runs it once the rows are read
(`counting.count` given the stored choices: group, parse, tally every round, build the
result); the floor is reading those stored choices from the database. The whole close (read
and count) is reported beside it, for information.
The ballots are seeded random rankings of 1 to 10 candidates, so nearly all are distinct."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_member
from solnet.core.testing.figures import (
    best_of_interleaved,
    ratio_figure,
    record,
    scaled,
    seconds,
)
from solnet.democracy import counting, sealing, services
from solnet.democracy.models import Ballot, Body, Participation, Proposal
from solnet.members.models import Member, Tier

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


# --- casting a secret ballot ----------------------------------------------------------------

# Votes already cast when the timed ones come: the timed secret vote is the 10,000th.
CAST_BEFORE = scaled(10_000, least=200) - 1
TIMED = 7


def _voters(count: int) -> list[Member]:
    """Members past the waiting period, made in bulk (no password, no second factor: they
    only vote through the services here)."""
    joined = timezone.now() - timedelta(days=400)
    Member.objects.bulk_create(
        (
            Member(
                username=f"voter{n}",
                display_name=f"Voter {n}",
                tier=Tier.MEMBER,
                status=Member.Status.ACTIVE,
                joined_at=joined,
                approved_at=joined,
                password="!",
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    return list(Member.objects.filter(username__startswith="voter").order_by("pk"))


@pytest.mark.django_db(transaction=True)
def test_casting_the_10000th_secret_ballot(network):
    """A secret vote writes one sealed row of a fixed size and one participation row, whatever
    the number cast before it (each used to rewrite all of them). Measured: casting the
    10,000th secret ballot through `cast_ballot`; floor: casting an open ballot on an open vote
    with as many ballots in, in the same run."""
    organizer = make_member("org", tier=40, with_totp=False)[0]
    voters = _voters(CAST_BEFORE + 2 * TIMED)
    closes = timezone.now() + timedelta(days=3)
    general = Body.objects.general()
    secret = services.propose(
        body=general, by=organizer, title="Elect the treasurer", secret=True, closes_at=closes
    )
    public = services.propose(body=general, by=organizer, title="Rent a hall", closes_at=closes)
    rng = random.Random(20261207)
    before, spare = voters[:CAST_BEFORE], voters[CAST_BEFORE:]
    choices = [rng.choice(["yes", "yes", "no", "abstain"]) for _ in before]
    Ballot.objects.bulk_create(
        (
            Ballot(proposal=public, voter=v, choice=c, cast_at=timezone.now())
            for v, c in zip(before, choices, strict=True)
        ),
        batch_size=2000,
    )
    sealed = []
    for choice in choices:
        digest = services.receipt_digest(f"receipt-{rng.getrandbits(64)}")
        sealed.append(
            Ballot(
                proposal=secret,
                sealed=sealing.seal(secret, choice=choice, reason="", receipt_digest=digest),
                receipt_index=sealing.receipt_index(digest),
            )
        )
    Ballot.objects.bulk_create(sealed, batch_size=2000)
    Participation.objects.bulk_create(
        (Participation(proposal=secret, voter=v) for v in before), batch_size=2000
    )
    open_voters, secret_voters = iter(spare[:TIMED]), iter(spare[TIMED:])

    def floor() -> float:
        voter = next(open_voters)
        return seconds(lambda: services.cast_ballot(proposal=public, voter=voter, choice="yes"))

    def measured() -> float:
        voter = next(secret_voters)
        return seconds(lambda: services.cast_ballot(proposal=secret, voter=voter, choice="yes"))

    floor_time, measured_time = best_of_interleaved(floor, measured, repeat=TIMED)
    assert Ballot.objects.filter(proposal=secret).count() == CAST_BEFORE + TIMED
    assert Participation.objects.filter(proposal=secret).count() == CAST_BEFORE + TIMED
    print(
        ratio_figure(
            "democracy.secret_vote_10k",
            measured=measured_time,
            floor=floor_time,
            limit=10,
            unit="s",
        )
    )
