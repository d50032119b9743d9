"""The worker's part of a bank statement import (`statements` has the whole story): each
waiting chunk written and matched in its own transaction. The task (`statement_tasks`) calls
this module; the services that queue the task import that one, so nothing here imports them."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import date as Date
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone

from solnet.core import audit, crypto
from solnet.core.models import new_public_id
from solnet.funds.models import (
    Account,
    Entry,
    Leg,
    LineStatus,
    Statement,
    StatementChunk,
    StatementLine,
    StatementStatus,
)
from solnet.funds.statement_files import Row

logger = logging.getLogger(__name__)

WINDOW = 5  # days either side of a line's date where its entry may be
BATCH = 1000  # rows per chunk: written and matched in one transaction
LEASE_SECONDS = 120  # a running import that has not finished a batch for this long is stuck


def _unpack(text: str) -> list[Row]:
    return [
        Row(Date.fromisoformat(d), a, desc, ref, key) for d, a, desc, ref, key in json.loads(text)
    ]


# --- the worker -----------------------------------------------------------------------------


def is_interrupted(statement: Statement) -> bool:
    """A running import whose worker has not finished a batch for `LEASE_SECONDS`."""
    if statement.status != StatementStatus.RUNNING:
        return False
    beat = statement.beat_at or statement.created_at
    return timezone.now() - beat > timedelta(seconds=LEASE_SECONDS)


def import_statement(*, public_id: str) -> None:
    """The worker's part: every waiting chunk written and matched, one transaction each."""
    claimed = Statement.objects.filter(public_id=public_id, status=StatementStatus.QUEUED).update(
        status=StatementStatus.RUNNING, beat_at=timezone.now(), failure=""
    )
    if not claimed:
        return  # taken by another worker, or not waiting
    statement = Statement.objects.get(public_id=public_id)
    try:
        while (
            chunk := StatementChunk.objects.filter(statement=statement)
            .order_by("number")
            .values_list("pk", flat=True)
            .first()
        ) is not None:
            _write_chunk(statement, chunk)
    except Exception as error:  # any failure: the statement says so; written batches stay
        logger.exception("statement import %s failed", public_id)
        Statement.objects.filter(pk=statement.pk).update(
            status=StatementStatus.FAILED, failure=type(error).__name__[:200]
        )
        return
    with transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(status=StatementStatus.DONE)
        statement.refresh_from_db()
        audit.record(
            "funds.statement_imported",
            target=statement,
            added=statement.added_lines,
            known=statement.known_lines,
            matched=statement.matched_lines,
        )


_COLUMNS = (
    "public_id",
    "statement_id",
    "account_id",
    "key",
    "number",
    "date",
    "amount",
    "description",
    "reference",
    "status",
    "entry_id",
)


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    return "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}, {}) DO NOTHING".format(  # noqa: S608 - names from the model
        quote(StatementLine._meta.db_table),
        ", ".join(quote(c) for c in _COLUMNS),
        ", ".join(["%s"] * len(_COLUMNS)),
        quote("account_id"),
        quote("key"),
    )


def _write_chunk(statement: Statement, chunk_id: int) -> None:
    """One batch: its new lines written (the description encrypted), matched, the chunk gone
    and the counts moved on, all or nothing. The account's row is locked first, so two
    imports of one account never match the same entry."""
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=statement.account_id).first()
        chunk = StatementChunk.objects.select_for_update().filter(pk=chunk_id).first()
        if chunk is None:
            return
        rows = _unpack(chunk.rows)
        start = chunk.number * BATCH
        known = set(
            StatementLine.objects.filter(
                account_id=statement.account_id, key__in=[row.key for row in rows]
            ).values_list("key", flat=True)
        )
        fresh = [(start + n, row) for n, row in enumerate(rows) if row.key not in known]
        known.clear()
        matches = match_rows(statement.account_id, [row for _n, row in fresh])
        context = StatementLine._meta.get_field("description").context
        adapt = connection.ops.adapt_datefield_value
        values = []
        for (number, row), entry_id in zip(fresh, matches, strict=True):
            values.append(
                (
                    new_public_id(),
                    statement.pk,
                    statement.account_id,
                    row.key,
                    number + 1,
                    adapt(row.date),
                    row.amount,
                    crypto.encrypt(row.description, context=context) if row.description else None,
                    row.reference,
                    LineStatus.MATCHED if entry_id else LineStatus.PROPOSED,
                    entry_id,
                )
            )
        if values:
            with connection.cursor() as cursor:
                cursor.executemany(_insert_sql(), values)
        chunk.delete()
        Statement.objects.filter(pk=statement.pk).update(
            done_lines=F("done_lines") + len(rows),
            added_lines=F("added_lines") + len(fresh),
            known_lines=F("known_lines") + len(rows) - len(fresh),
            matched_lines=F("matched_lines") + sum(1 for m in matches if m),
            beat_at=timezone.now(),
        )


def _same_reference(a: str, b: str) -> bool | None:
    """True for equal references, False for two different ones, None when one is missing."""
    a, b = a.strip().casefold(), b.strip().casefold()
    if not a or not b:
        return None
    return a == b


def match_rows(account_id: int, rows: list[Row], *, window: int = WINDOW) -> list[int | None]:
    """For each row, the entry it matches (or None): the same amount moved in or out of the
    account (an entry's legs on it summed), within `window` days, not matched yet, neither
    reversed nor a reversal, and the same reference when both have one. Each entry is taken
    once; an equal reference is preferred, then the nearest date."""
    if not rows:
        return []
    low = min(row.date for row in rows) - timedelta(days=window)
    high = max(row.date for row in rows) + timedelta(days=window)
    matched = StatementLine.objects.filter(account_id=account_id)
    candidates = (
        Leg.objects.filter(account_id=account_id, date__gte=low, date__lte=high)
        # (An Exists, not a join on the reversal: that join made SQLite scan every entry.)
        .filter(entry__reverses__isnull=True)
        .filter(~Exists(Entry.objects.filter(reverses_id=OuterRef("entry_id"))))
        .filter(~Exists(matched.filter(entry_id=OuterRef("entry_id"))))
        .values("entry_id", "date", "entry__reference")
        .annotate(net=Sum("amount"))
        .order_by()
    )
    by_amount: dict[int, list[tuple[Date, str, int]]] = defaultdict(list)
    for found in candidates:
        if found["net"]:
            by_amount[found["net"]].append(
                (found["date"], found["entry__reference"] or "", found["entry_id"])
            )
    chosen: list[int | None] = []
    reach = timedelta(days=window)
    for row in rows:
        options = by_amount.get(row.amount)
        best, best_rank = None, None
        for index, (day, reference, entry_id) in enumerate(options or ()):
            gap = abs(day - row.date)
            same = _same_reference(row.reference, reference)
            if gap > reach or same is False:
                continue
            rank = (0 if same else 1, gap, day, entry_id)
            if best_rank is None or rank < best_rank:
                best, best_rank = index, rank
        if best is None:
            chosen.append(None)
        else:
            chosen.append(options.pop(best)[2])  # type: ignore[union-attr]  # found above
    return chosen
