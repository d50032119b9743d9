"""Background work of the funds: the month-end lotteries drawn when they are due. (The
journal export's task is in `export_tasks`.)"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solnet.funds import lottery


@db_periodic_task(crontab(minute="5"))
def draw_due_lotteries() -> int:
    """Every hour: each lottery whose month has ended is drawn, with the secret published
    before the month began (`lottery`)."""
    return lottery.draw_due()
