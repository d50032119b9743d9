"""Background work of the network: its nightly backup, kept as many days as it chose."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solnet.core.backups import making
from solnet.network.models import Network

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="47", hour="2"))
def daily_backup() -> None:
    """Every night: an encrypted backup (`core.backups`), then the backups older than
    `Network.backup_days` deleted. A failed backup deletes nothing."""
    keep_days = Network.objects.current().backup_days
    making.make_backup(progress=logger.info)
    making.prune_backups(keep_days=keep_days)
