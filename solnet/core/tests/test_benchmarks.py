"""Benchmarks of the core machinery (`make bench`), each a ratio to a floor measured in the
same run on the same database: the cost of encryption and of the audit chain over bare SQL."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from solnet.core import audit, crypto
from solnet.core.models import AuditEvent
from solnet.core.testing.figures import best_of_interleaved, ratio_figure, scaled, seconds
from solnet.members.models import Member

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]
# Fewer in a smoke run (SOLNET_BENCH_SCALE); at least 100 members, for member 42 to be found.
ROWS = scaled(10_000, least=100)
EVENTS = scaled(1_000, least=50)


def _after(reset, run):
    """`run` timed after an untimed `reset`."""

    def timed() -> float:
        reset()
        return seconds(run)

    return timed


def _clear_members():
    # Raw: the floor's rows hold plain text, which the encrypted fields would refuse to read.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Member._meta.db_table}")


def test_encrypted_insert_of_10k_members():
    """10,000 members with two encrypted contact fields and their two blind indexes, written
    with executemany (the path a streamed import takes), against the same rows in clear."""
    table = Member._meta.db_table
    columns = [
        "public_id",
        "username",
        "display_name",
        "tier",
        "status",
        "is_active",
        "is_founder",
        "joined_at",
        "preferred_language",
        "contacts_hidden",
        "session_epoch",
        "password",
        "email",
        "email_index",
        "phone",
        "phone_index",
    ]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
    now = timezone.now()
    email_index = Member._meta.get_field("email_index")
    phone_index = Member._meta.get_field("phone_index")
    email_field = Member._meta.get_field("email")
    phone_field = Member._meta.get_field("phone")

    def rows(contacts):
        """Every column but the four contact columns, which `contacts` fills."""
        for n in range(ROWS):
            email, phone = f"person{n}@example.org", f"+1206555{n:04d}"
            fixed = (
                f"p{n}",
                f"user{n}",
                f"Person {n}",
                30,
                "active",
                True,
                False,
                now,
                "",
                False,
                0,
                "!",
            )
            yield fixed + contacts(email, phone)

    def write(values):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, list(values))

    def bare():
        write(rows(lambda email, phone: (email, None, phone, None)))

    def ours():
        write(
            rows(
                lambda email, phone: (
                    email_field.get_prep_value(email),
                    email_index.lookup_value(email),
                    phone_field.get_prep_value(phone),
                    phone_index.lookup_value(phone),
                )
            )
        )

    crypto.active_key("field")
    crypto.active_key("index")
    floor, measured = best_of_interleaved(
        _after(_clear_members, bare), _after(_clear_members, ours), repeat=5
    )
    assert Member.objects.count() == ROWS
    found = Member.objects.get(email_index=email_index.lookup_value("person42@example.org"))
    assert found.username == "user42" and found.phone == "+12065550042"
    figure = ratio_figure(
        "core.encrypted_insert_10k", measured=measured, floor=floor, limit=5, unit="s"
    )
    print(figure)


def test_audit_append_of_1k_events():
    table = AuditEvent._meta.db_table

    def bare():
        rows = [(n + 1, "test.event", "", "{}", "0" * 64, "0" * 64) for n in range(EVENTS)]
        with connection.cursor() as cursor:
            for row in rows:
                with transaction.atomic():
                    cursor.execute(
                        f"INSERT INTO {table} (seq, occurred_at, action, target, data, "
                        "prev_hash, seal) VALUES (%s, CURRENT_TIMESTAMP, %s, %s, %s, %s, %s)",
                        row,
                    )

    def ours():
        for n in range(EVENTS):
            with transaction.atomic():
                audit.record("test.event", actor=n)

    def reset():
        AuditEvent.objects.all().delete()

    floor, measured = best_of_interleaved(_after(reset, bare), _after(reset, ours), repeat=7)
    assert audit.verify_chain().ok and AuditEvent.objects.count() == EVENTS
    print(ratio_figure("core.audit_append_1k", measured=measured, floor=floor, limit=4, unit="s"))
