"""The ledger's rules, held by the service and by the database (migration 0002): an entry is
two or more legs that balance in each fund; nothing posted is edited or deleted; a
correction reverses. Every database attack here goes around the service, with raw SQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from solnet.core.models import AuditEvent
from solnet.funds import ledger
from solnet.funds.ledger import Line
from solnet.funds.models import Entry, EntryKind, Leg
from solnet.funds.tests.making import give, make_fund

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


@pytest.fixture
def accounts():
    return {
        "bank": ledger.standard_account("Assets:Bank"),
        "cash": ledger.standard_account("Assets:Cash"),
        "donations": ledger.standard_account("Income:Donations"),
        "grants": ledger.standard_account("Expenses:Grants"),
    }


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_balanced_entry_is_posted_and_audited(accounts):
    fund = make_fund()
    entry = give(fund, 2500)
    assert entry.legs.count() == 2
    assert ledger.fund_balance(fund) == 2500
    assert ledger.trial_balance() == 0
    assert AuditEvent.objects.filter(action="funds.posted", target=f"funds.entry:{entry.public_id}")


@pytest.mark.parametrize(
    "amounts, code",
    [([500], "legs"), ([500, -400], "unbalanced"), ([500, 0, -500], "zero"), ([], "legs")],
)
def test_the_service_refuses_what_does_not_balance(accounts, amounts, code):
    lines = [Line(accounts["bank"], a) for a in amounts[:1]] + [
        Line(accounts["donations"], a) for a in amounts[1:]
    ]
    with pytest.raises(ValidationError) as refused:
        ledger.post_entry(kind=EntryKind.OTHER, date=TODAY, lines=lines)
    assert refused.value.code == code
    assert not Entry.objects.exists() and not Leg.objects.exists()


def test_each_fund_balances_on_its_own(accounts):
    strike, hardship = make_fund("Strike"), make_fund("Hardship")
    with pytest.raises(ValidationError):
        ledger.post_entry(
            kind=EntryKind.OTHER,
            date=TODAY,
            lines=[
                Line(accounts["bank"], 100, strike),
                Line(accounts["donations"], -100, hardship),
            ],
        )


def test_the_database_refuses_an_unbalanced_entry_written_around_the_service(accounts):
    entry = Entry(kind=EntryKind.OTHER, date=TODAY)
    with pytest.raises(DatabaseError), transaction.atomic():
        Leg.objects.create(entry_id=entry.id, account=accounts["bank"], amount=100, date=TODAY)
        Leg.objects.create(entry_id=entry.id, account=accounts["donations"], amount=-99, date=TODAY)
        Entry.objects.bulk_create([entry])
    assert not Entry.objects.exists() and not Leg.objects.exists()


def test_the_database_refuses_an_entry_of_one_leg(accounts):
    entry = Entry(kind=EntryKind.OTHER, date=TODAY)
    with pytest.raises(DatabaseError), transaction.atomic():
        Leg.objects.create(entry_id=entry.id, account=accounts["bank"], amount=1, date=TODAY)
        Entry.objects.bulk_create([entry])


def test_the_database_refuses_legs_balanced_across_two_funds(accounts):
    strike, hardship = make_fund("Strike"), make_fund("Hardship")
    entry = Entry(kind=EntryKind.OTHER, date=TODAY)
    with pytest.raises(DatabaseError), transaction.atomic():
        Leg.objects.create(
            entry_id=entry.id, account=accounts["bank"], fund=strike, amount=100, date=TODAY
        )
        Leg.objects.create(
            entry_id=entry.id,
            account=accounts["donations"],
            fund=hardship,
            amount=-100,
            date=TODAY,
        )
        Entry.objects.bulk_create([entry])


def test_the_database_refuses_a_zero_leg(accounts):
    entry = Entry(kind=EntryKind.OTHER, date=TODAY)
    with pytest.raises(DatabaseError), transaction.atomic():
        Leg.objects.create(entry_id=entry.id, account=accounts["bank"], amount=0, date=TODAY)


@pytest.mark.parametrize(
    "attack",
    [
        "UPDATE funds_leg SET amount = amount + 1",
        "UPDATE funds_leg SET account_id = account_id",
        "DELETE FROM funds_leg",
        "UPDATE funds_entry SET date = '2020-01-01'",
        "DELETE FROM funds_entry",
    ],
)
def test_posted_entries_and_legs_are_never_edited_or_deleted(accounts, attack):
    entry = give(None, 700)
    with pytest.raises(DatabaseError):
        _raw(attack)
    entry.refresh_from_db()
    assert sorted(entry.legs.values_list("amount", flat=True)) == [-700, 700]


def test_no_leg_is_added_to_a_posted_entry(accounts):
    entry = give(None, 700)
    with pytest.raises(DatabaseError), transaction.atomic():
        Leg.objects.create(entry_id=entry.id, account=accounts["cash"], amount=5, date=TODAY)
    assert entry.legs.count() == 2


def test_legs_without_their_entry_are_not_committed(accounts, django_db_blocker):
    """Legs written and the entry never written: the foreign key (checked at commit) refuses
    them, so no orphan leg counts in a balance."""
    orphan = Entry(kind=EntryKind.OTHER, date=TODAY)
    with pytest.raises(DatabaseError), transaction.atomic():
        Leg.objects.create(entry_id=orphan.id, account=accounts["bank"], amount=5, date=TODAY)
        Leg.objects.create(entry_id=orphan.id, account=accounts["donations"], amount=-5, date=TODAY)
        connection.check_constraints()  # what the commit checks
    assert not Leg.objects.exists()


def test_a_correction_reverses_once_and_links_to_what_it_corrects(accounts):
    fund = make_fund()
    entry = give(fund, 1200)
    correction = ledger.reverse_entry(entry=entry, date=TODAY)
    assert correction.reverses == entry
    assert correction.kind == EntryKind.REVERSAL
    assert ledger.fund_balance(fund) == 0
    with pytest.raises(ValidationError):
        ledger.reverse_entry(entry=entry, date=TODAY)
    with pytest.raises(ValidationError):
        ledger.reverse_entry(entry=correction, date=TODAY)
    assert Entry.objects.count() == 2


def test_the_model_cannot_be_deleted_through_the_orm(accounts):
    entry = give(None, 300)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_the_rules_are_in_the_database():
    """A later migration that rebuilds a table (SQLite does, for many changes) drops its
    triggers: this says so at once."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    wanted = {
        "funds_entry_balanced",
        "funds_leg_not_late",
        "funds_leg_frozen",
        "funds_entry_frozen",
    }
    if connection.vendor == "sqlite":
        wanted |= {"funds_leg_kept", "funds_entry_kept"}
    else:
        wanted |= {"funds_leg_balanced_at_commit"}
    assert wanted <= names


def test_balances_group_every_account(accounts):
    fund = make_fund()
    give(fund, 1000)
    give(None, 250, where="Assets:Cash")
    totals = ledger.balances()
    assert totals[accounts["bank"].pk] == 1000
    assert totals[accounts["cash"].pk] == 250
    assert totals[accounts["donations"].pk] == -1250
    assert sum(totals.values()) == 0
