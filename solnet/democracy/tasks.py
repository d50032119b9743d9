"""Background work of direct democracy."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solnet.democracy import services


@db_periodic_task(crontab(minute="*"))
def close_due_proposals() -> None:
    """Every minute: votes whose deadline has passed are counted and their effects run."""
    services.close_due_proposals()
