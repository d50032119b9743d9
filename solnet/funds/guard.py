"""The SQLite side of the ledger's database rules.

SQLite has no way to switch a trigger off, and Django's test `flush` empties tables with
DELETE, one table at a time. The triggers that refuse deleting a posted entry or leg ask
`solnet_ledger_guard()`, a function each connection of this process gets; it answers 1
(refuse) except inside `emptying_everything()`, which only the test flush uses. A connection
without the function (the sqlite3 shell) cannot delete ledger rows at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = threading.local()


def _guarding() -> int:
    return 0 if getattr(_state, "emptying", False) else 1


def on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "solnet_ledger_guard", 0, _guarding, deterministic=False
        )


@contextmanager
def emptying_everything() -> Iterator[None]:
    """For the test database's flush between tests: deletes of ledger rows are let through."""
    _state.emptying = True
    try:
        yield
    finally:
        _state.emptying = False
