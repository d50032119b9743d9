"""Background work of the fights app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solnet.fights import services


@db_periodic_task(crontab(minute="7", hour="8"))
def remind_deadlines() -> None:
    """Every morning: fight teams hear of the deadlines of the next two days."""
    services.remind_deadlines()
