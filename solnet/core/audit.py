"""The hash-chained audit log.

Each event's seal is HMAC(audit key, canonical form of the event and the previous seal). The
audit key is a data key wrapped by the master key, so someone who can write to the database but
does not hold the master key cannot rewrite the chain to hide an edit.

`verify_chain()` walks the chain and reports the first break: an edited row (its seal no longer
matches), a deleted row (a gap in `seq` and a broken link), reordered rows and inserted rows (a
broken link). The newest seal is also kept in the cache, so deleting the tail is caught too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from solnet.core.crypto import keyed_digest
from solnet.core.models import AuditEvent

GENESIS = "0" * 64
HEAD_CACHE_KEY = "audit:head"
PURGE_ACTION = "audit.purged"


def _canonical(
    *, seq: int, occurred_at, actor_id, action: str, target: str, data: dict, prev: str
) -> bytes:
    return json.dumps(
        [seq, occurred_at.isoformat(), actor_id, action, target, data, prev],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()


def seal_of(event: AuditEvent) -> str:
    return keyed_digest(
        "audit",
        _canonical(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            action=event.action,
            target=event.target,
            data=event.data,
            prev=event.prev_hash,
        ),
    )


def target_of(obj: Any) -> str:
    """`app.model:public_id` for an object, never its content."""
    if obj is None:
        return ""
    ident = getattr(obj, "public_id", None) or obj.pk
    return f"{obj._meta.label_lower}:{ident}"


def record(action: str, *, actor: Any = None, target: Any = None, **data: Any) -> AuditEvent:
    """Appends an event to the chain, inside the caller's transaction.

    `actor` is a member (or None for the system); `target` a model instance or a string; `data`
    holds small facts that are not content (role names, counts). Safe under concurrency: two
    writers racing for the same position retry.
    """
    actor_id = getattr(actor, "pk", actor)
    target_text = target if isinstance(target, str) else target_of(target)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # SQLite takes the write lock when the transaction begins (IMMEDIATE), so two writers can
    # never race for a position there and no savepoint is needed to retry.
    retry_savepoint = connection.vendor != "sqlite"
    for _attempt in range(20):
        try:
            with transaction.atomic(savepoint=retry_savepoint), connection.cursor() as cursor:
                cursor.execute(f"SELECT seq, seal FROM {table} ORDER BY seq DESC LIMIT 1")  # noqa: S608 - the model's own table
                last = cursor.fetchone()
                event = AuditEvent(
                    seq=(last[0] + 1) if last else 1,
                    occurred_at=timezone.now(),
                    actor_id=actor_id,
                    action=action,
                    target=target_text,
                    data=json.loads(json.dumps(data, default=str)),
                    prev_hash=last[1] if last else GENESIS,
                )
                event.seal = seal_of(event)
                cursor.execute(*_insert(event))
        except IntegrityError:
            if not retry_savepoint:
                raise
            continue
        transaction.on_commit(partial(_remember_head, event.seq, event.seal), robust=True)
        return event
    raise RuntimeError("could not append to the audit chain")


def _insert(event: AuditEvent) -> tuple[str, list[Any]]:
    """The INSERT of one event, each value prepared by its own field. The ORM's save built
    this same statement in about two thirds of an append's time."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(AuditEvent._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    return sql, [f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields]


def _remember_head(seq: int, seal: str) -> None:
    """Keeps the newest link outside the database, so that deleting the tail shows.

    Two commits racing may leave the older of two heads: that only shortens what the check
    covers, it never raises a false alarm."""
    if settings.REDIS_URL:
        cache.set(HEAD_CACHE_KEY, (seq, seal), timeout=None)
        return
    # A small file beside the database, rewritten in place: one fixed-width record, so a
    # single write replaces it whole.
    os.pwrite(_head_fd(), f"{seq:020d} {seal}".encode(), 0)


_head_fds: dict[tuple[int, str], int] = {}


def _head_fd() -> int:
    key = (os.getpid(), str(settings.DATA_DIR))
    if key not in _head_fds:
        path = Path(settings.DATA_DIR) / "audit-head"
        _head_fds[key] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return _head_fds[key]


def _read_head() -> tuple[int, str] | None:
    if settings.REDIS_URL:
        return cache.get(HEAD_CACHE_KEY)
    try:
        seq, seal = (Path(settings.DATA_DIR) / "audit-head").read_text().split()
    except (FileNotFoundError, ValueError):
        return None
    return int(seq), seal


def forget_head() -> None:
    """For tests and restores: the next verification trusts the database's newest event."""
    cache.delete(HEAD_CACHE_KEY)
    os.ftruncate(_head_fd(), 0)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify_chain(*, batch: int = 2000) -> ChainReport:
    """Walks the whole chain; the report names the first break found."""
    first = AuditEvent.objects.order_by("seq").first()
    if first is None:
        head = _read_head()
        if head is not None:
            return ChainReport(False, 0, "the newest events were removed", head[0])
        return ChainReport(True, 0)
    expected_prev, expected_seq = GENESIS, 1
    if first.seq != 1:
        # Only a sealed purge event may say where the chain now begins.
        anchored = any(
            event.data.get("resume_seq") == first.seq
            and event.data.get("resume_prev") == first.prev_hash
            for event in AuditEvent.objects.filter(action=PURGE_ACTION)
        )
        if not anchored:
            return ChainReport(False, 0, "the oldest events were removed", first.seq)
        expected_prev, expected_seq = first.prev_hash, first.seq
    checked = 0
    last_seq = first.seq - 1
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return ChainReport(False, checked, "an event is missing", expected_seq)
            if event.prev_hash != expected_prev:
                return ChainReport(
                    False, checked, "events were removed, moved or inserted", event.seq
                )
            if seal_of(event) != event.seal:
                return ChainReport(False, checked, "an event was altered", event.seq)
            expected_prev, expected_seq = event.seal, event.seq + 1
            checked += 1
            last_seq = event.seq
    head = _read_head()
    if head is not None and last_seq < head[0]:
        return ChainReport(False, checked, "the newest events were removed", head[0])
    return ChainReport(True, checked)


def purge_before(cutoff) -> int:
    """Drops events older than `cutoff` and appends a sealed purge event naming where the
    chain now begins, so that the shortened chain still verifies and further deletions show."""
    with transaction.atomic():
        old = AuditEvent.objects.filter(occurred_at__lt=cutoff)
        count = old.count()
        if not count:
            return 0
        last = AuditEvent.objects.order_by("-seq").first()
        assert last is not None
        old.delete()
        survivor = AuditEvent.objects.order_by("seq").first()
        event = AuditEvent(
            seq=last.seq + 1,
            occurred_at=timezone.now(),
            action=PURGE_ACTION,
            prev_hash=last.seal,
        )
        if survivor is None:
            event.data = {"purged": count, "resume_seq": event.seq, "resume_prev": last.seal}
        else:
            event.data = {
                "purged": count,
                "resume_seq": survivor.seq,
                "resume_prev": survivor.prev_hash,
            }
        event.seal = seal_of(event)
        event.save()
        transaction.on_commit(lambda: _remember_head(event.seq, event.seal), robust=True)
        return count
