"""Anonymity of secret ballots, checked against the whole database: no row anywhere links a
secret ballot to its voter."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_member
from solnet.democracy import access, counting, services
from solnet.democracy.models import CHOICE_METHODS, Ballot, Body, Participation
from solnet.democracy.testing import close_in_meeting

pytestmark = pytest.mark.django_db


def every_row() -> list[tuple[str, tuple]]:
    """The whole database, table by table, as a dump would hold it."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend((table, row) for row in cursor.fetchall())
    return rows


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    choices=st.lists(st.sampled_from(["yes", "no", "abstain"]), min_size=1, max_size=6),
    changes=st.lists(st.sampled_from(["yes", "no", "abstain"]), max_size=3),
    close=st.booleans(),
)
def test_no_row_links_a_secret_ballot_to_its_voter(network, choices, changes, close):
    with transaction.atomic():
        organizer = make_member("org", tier=40, with_totp=False)[0]
        voters = [make_member(f"voter{i}", with_totp=False)[0] for i in range(len(choices))]
        proposal = services.propose(
            body=Body.objects.general(), by=organizer, title="Elect the treasurer", secret=True
        )
        services.open_voting(
            proposal=proposal, by=organizer, closes_at=timezone.now() + timedelta(days=3)
        )
        receipts = []
        for voter, choice in zip(voters, choices, strict=True):
            receipts.append(services.cast_ballot(proposal=proposal, voter=voter, choice=choice))
        for voter, cast, choice in zip(voters, receipts, changes, strict=False):
            services.cast_ballot(
                proposal=proposal, voter=voter, choice=choice, receipt=cast.receipt
            )
        if close:
            close_in_meeting(proposal, by=organizer)

        ballots = list(Ballot.objects.filter(proposal=proposal))
        assert len(ballots) == len(voters)
        assert Participation.objects.filter(proposal=proposal).count() == len(voters)
        who = {str(v.pk) for v in voters} | {v.public_id for v in voters}
        who |= {v.username for v in voters}
        marks = {str(b.pk) for b in ballots} | {b.receipt_digest for b in ballots}
        for ballot in ballots:
            assert ballot.voter_id is None and ballot.entered_by_id is None
            assert ballot.cast_at is None
        for table, row in every_row():
            values = {str(value) for value in row if value is not None}
            if table == Ballot._meta.db_table:
                # A ballot's own row names no voter, by id, public id or name.
                assert not (values & who), (table, row)
                continue
            # No other row (participation, audit log, sessions, anything) holds a
            # ballot's key or its receipt's digest.
            assert not (values & marks), (table, row)
        # A receipt is kept by its voter alone: not even its digest's source is stored.
        stored = " ".join(" ".join(map(str, row)) for _table, row in every_row())
        assert not any(cast.receipt in stored for cast in receipts)
        transaction.set_rollback(True)


def test_the_migration_seals_the_ballots_of_open_secret_votes(network):
    """Secret ballots stored in the clear by the earlier code are sealed where the vote is
    still open, under new keys; they count the same at the close, and their receipts still
    find them. A counted vote's ballots stay as they were."""
    from django.apps import apps

    migration = importlib.import_module("solnet.democracy.migrations.0007_seal_open_secret_ballots")
    organizer = make_member("org", tier=40, with_totp=False)[0]
    voters = [make_member(f"voter{i}", with_totp=False)[0] for i in range(3)]
    general = Body.objects.general()
    later = timezone.now() + timedelta(days=3)
    still_open = services.propose(
        body=general, by=organizer, title="Elect the treasurer", secret=True, closes_at=later
    )
    counted = services.propose(
        body=general, by=organizer, title="Rent a hall", secret=True, closes_at=later
    )
    receipts = {}
    for proposal, choices in ((still_open, ["yes", "no", "yes"]), (counted, ["no", "no", "yes"])):
        for voter, choice in zip(voters, choices, strict=True):
            receipt = f"receipt-{proposal.pk}-{voter.pk}"
            receipts[proposal.pk, choice] = receipt
            Participation.objects.create(proposal=proposal, voter=voter)
            Ballot.objects.create(
                proposal=proposal, choice=choice, receipt_digest=services.receipt_digest(receipt)
            )
    close_in_meeting(counted, by=organizer)
    counted_before = set(Ballot.objects.filter(proposal=counted).values_list("pk", "choice"))
    old_keys = set(Ballot.objects.filter(proposal=still_open).values_list("pk", flat=True))
    participation_keys = set(Participation.objects.values_list("pk", flat=True))

    migration.seal_open_ballots(apps, None)

    ballots = list(Ballot.objects.filter(proposal=still_open))
    assert len(ballots) == 3 and old_keys.isdisjoint(b.pk for b in ballots)
    assert all(b.choice == "" and b.receipt_digest is None and b.sealed for b in ballots)
    assert len({len(b.sealed) for b in ballots}) == 1
    assert participation_keys.isdisjoint(Participation.objects.values_list("pk", flat=True))
    assert Participation.objects.filter(proposal=still_open).count() == 3
    assert set(Ballot.objects.filter(proposal=counted).values_list("pk", "choice")) == (
        counted_before
    )
    found = services.find_receipt(proposal=still_open, receipt=receipts[still_open.pk, "no"])
    assert found is not None and found.choice == "no"
    still_open = close_in_meeting(still_open, by=organizer)
    assert still_open.result["counts"] == {"yes": 2, "no": 1}
    found = services.find_receipt(proposal=still_open, receipt=receipts[still_open.pk, "no"])
    assert found is not None and found.choice == "no"


def test_the_migration_back_opens_sealed_ballots(network):
    from django.apps import apps

    migration = importlib.import_module("solnet.democracy.migrations.0007_seal_open_secret_ballots")
    organizer, voter = (make_member(n, tier=40, with_totp=False)[0] for n in ("org", "ana"))
    proposal = services.propose(
        body=Body.objects.general(),
        by=organizer,
        title="Elect the treasurer",
        method="consent",
        secret=True,
        closes_at=timezone.now() + timedelta(days=3),
    )
    cast = services.cast_ballot(proposal=proposal, voter=voter, choice="object", reason="No ramp.")
    migration.open_sealed_ballots(apps, None)
    ballot = Ballot.objects.get(proposal=proposal)
    assert (ballot.choice, ballot.reason, ballot.sealed) == ("object", "No ramp.", None)
    assert ballot.receipt_digest == services.receipt_digest(cast.receipt)


BALLOTS_OF = {
    "majority": st.sampled_from(["yes", "no", "abstain"]),
    "consent": st.sampled_from(["consent", "concern", "object"]),
    "approval": st.sets(st.integers(1, 3)).map(sorted),
    "score": st.dictionaries(st.integers(1, 3), st.integers(0, 5)),
    "ranked": st.permutations([1, 2, 3]).flatmap(
        lambda order: st.integers(1, 3).map(lambda n: order[:n])
    ),
}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    method=st.sampled_from(sorted(BALLOTS_OF)),
    voters=st.integers(1, 5),
    changes=st.integers(0, 2),
)
def test_a_sealed_vote_counts_the_choices_cast(network, data, method, voters, changes):
    """Whatever the method, sealing changes nothing of the result: the close counts exactly the
    choices cast (each voter's last), and until then every sealed ballot has the same size."""
    with transaction.atomic():
        organizer = make_member("org", tier=40, with_totp=False)[0]
        members = [make_member(f"voter{i}", with_totp=False)[0] for i in range(voters)]
        proposal = services.propose(
            body=Body.objects.general(),
            by=organizer,
            title="Choose the date",
            method=method,
            options=["Monday", "Tuesday", "Wednesday"] if method in CHOICE_METHODS else [],
            secret=True,
            closes_at=timezone.now() + timedelta(days=3),
        )
        cast, receipts = {}, {}
        for member in members:
            choice = data.draw(BALLOTS_OF[method])
            reason = "We said we would." if choice == "object" else ""
            receipts[member] = services.cast_ballot(
                proposal=proposal, voter=member, choice=choice, reason=reason
            ).receipt
            cast[member] = services.clean_choice(proposal, choice)
        for member in members[:changes]:
            choice = data.draw(BALLOTS_OF[method])
            reason = "Not yet." if choice == "object" else ""
            services.cast_ballot(
                proposal=proposal,
                voter=member,
                choice=choice,
                reason=reason,
                receipt=receipts[member],
            )
            cast[member] = services.clean_choice(proposal, choice)
        sealed = Ballot.objects.filter(proposal=proposal).values_list("sealed", flat=True)
        assert len({len(text.encode()) for text in sealed}) == 1
        assert not Ballot.objects.filter(proposal=proposal).exclude(choice="").exists()
        expected = counting.count(
            proposal, eligible=access.electorate(proposal).count(), choices=list(cast.values())
        )
        proposal = close_in_meeting(proposal, by=organizer)
        assert proposal.result == expected.result and proposal.turnout == expected.turnout
        assert sorted(
            Ballot.objects.filter(proposal=proposal).values_list("choice", flat=True)
        ) == sorted(cast.values())
        transaction.set_rollback(True)
