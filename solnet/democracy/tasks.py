"""Background work of direct democracy."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solnet.democracy import services


@db_periodic_task(crontab(minute="*"))
def close_due_proposals() -> None:
    """Every minute: votes whose deadline has passed are counted and their effects run."""
    services.close_due_proposals()


@db_periodic_task(crontab(minute="*/10"))
def warn_closing_votes() -> None:
    """Every ten minutes: those yet to vote hear of a vote closing within a day."""
    services.warn_closing_votes()


@db_periodic_task(crontab(minute="3", hour="1"))
def end_expired_delegations() -> None:
    """Every night: delegates whose term has passed stop serving."""
    services.end_expired_delegations()


# The worker learns of the notice task by importing it here.
from solnet.democracy.notices import send_notices  # noqa: E402, F401
