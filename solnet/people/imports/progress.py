"""Progress through the cache, outside the import's transaction, with the worker's process id and
a lease, so that the pages can tell a running import from one whose worker died."""

from __future__ import annotations

import logging
import os
import socket
import time

from django.core.cache import cache as shared_cache
from django.utils import timezone

from solnet.people.imports.files import LEASE_SECONDS
from solnet.people.models import (
    ImportStatus,
    PersonImport,
)

logger = logging.getLogger(__name__)


# --- progress and the worker's lease -------------------------------------------------------


def _beat_key(person_import: PersonImport) -> str:
    return f"people-import:{person_import.public_id}"


class Beat:
    """The worker's progress and its sign of life, in the cache (outside the import's
    transaction, so the pages see it while the transaction is still open)."""

    def __init__(self, person_import: PersonImport, *, total: int) -> None:
        self.key, self.total = _beat_key(person_import), total

    def __call__(self, done: int) -> None:
        shared_cache.set(
            self.key,
            {
                "done": done,
                "total": self.total,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "at": time.time(),
            },
            timeout=LEASE_SECONDS,
        )

    def end(self) -> None:
        shared_cache.delete(self.key)


def progress_of(person_import: PersonImport) -> dict[str, int]:
    """How far the worker got: rows done of rows in the file."""
    beat = shared_cache.get(_beat_key(person_import)) or {}
    return {"done": beat.get("done", 0), "total": beat.get("total", person_import.total_rows)}


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def is_interrupted(person_import: PersonImport) -> bool:
    """A check or an import whose worker died: no report for `LEASE_SECONDS`, or the worker's
    process is gone from this machine."""
    if person_import.status not in (ImportStatus.CHECKING, ImportStatus.RUNNING):
        return False
    beat = shared_cache.get(_beat_key(person_import))
    if beat is None or time.time() - beat["at"] > LEASE_SECONDS:
        return True
    return beat["host"] == socket.gethostname() and not _process_alive(beat["pid"])


def claim(person_import: PersonImport, *, waiting: str, working: str) -> Beat | None:
    """Moves the import from `waiting` to `working` for this worker, once: a second worker
    given the same task finds nothing to do."""
    beat = Beat(person_import, total=person_import.total_rows)
    beat(0)  # the lease exists before the status says someone works on it
    claimed = PersonImport.objects.filter(pk=person_import.pk, status=waiting).update(
        status=working, started_at=timezone.now(), failure=""
    )
    if not claimed:
        beat.end()
        return None
    person_import.status = working
    return beat
