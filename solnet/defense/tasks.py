"""The hotline's periodic work: court-date reminders for jail support."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solnet.defense import jail


@db_periodic_task(crontab(minute="*/15"))
def remind_court_dates() -> int:
    return jail.remind_court_dates()
