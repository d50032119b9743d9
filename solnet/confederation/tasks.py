"""The worker's part of confederation: delivering to peers, and a sweep for retries."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from solnet.confederation import outbox


@db_task()
def deliver_to_peer(peer_pk: int) -> int:
    return outbox.deliver(peer_pk)


outbox.set_starter(deliver_to_peer)


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> int:
    """Every minute: a delivery for each peer with a message due (retries, and anything a
    stopped worker left)."""
    started = 0
    for peer_pk in outbox.peers_due():
        deliver_to_peer(peer_pk)
        started += 1
    return started


def register() -> None:
    """Called from the app's ready(): importing this module has set the outbox's starter."""
