"""Anonymity of secret ballots, checked against the whole database: no row anywhere links a
secret ballot to its voter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_member
from solnet.democracy import services
from solnet.democracy.models import Ballot, Body, Participation
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
