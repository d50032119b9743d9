"""The sending worker as background tasks: one run of a send, which schedules itself again when
more is due later, and the periodic look that takes over from a worker that died. Task
arguments are only primary keys: nothing personal sits in the queue's storage. (`tasks.py`
imports them, so that the worker finds them.)"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from solnet.mobilize.sending.protocol import sends_to_resume
from solnet.mobilize.sending.worker import work


@db_task()
def run_send(send_id: int) -> None:
    """Sends what is due of one send; when more is due later (a back-off, pacing, a mail
    server that is down) it schedules itself again for then. No retries of its own: a run
    that fails leaves its rows to the periodic task once their lease runs out."""
    wait = work(send_id)
    if wait is not None:
        run_send.schedule((send_id,), delay=wait)


@db_periodic_task(crontab(minute="*"))
def resume_sends() -> int:
    """Every minute: the rows of dead workers are free again, and each send with due work
    that no worker holds is started again."""
    resumed = sends_to_resume()
    for send_id in resumed:
        run_send(send_id)
    return len(resumed)
