"""Background work of the core: mail, the worker heartbeat, the retention purge and the purge
of expired sealed files.

Task arguments sit in the queue's storage (a SQLite file or Redis) until a worker takes them, so
anything personal in them is sealed with the field key first.
"""

from __future__ import annotations

import json
import time

from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, task

from solnet.core import audit, crypto

HEARTBEAT_CACHE_KEY = "worker:heartbeat"
MAIL_CONTEXT = "task.mail"


def queue_mail(*, to: str, subject: str, body: str) -> None:
    """Sends one email from the worker once the current transaction has committed."""
    sealed = crypto.encrypt(
        json.dumps({"to": to, "subject": subject, "body": body}), context=MAIL_CONTEXT
    )
    transaction.on_commit(lambda: send_sealed_mail(sealed))


@db_task(retries=5, retry_delay=30)
def send_sealed_mail(sealed: str) -> None:
    message = json.loads(crypto.decrypt(sealed, context=MAIL_CONTEXT))
    EmailMessage(subject=message["subject"], body=message["body"], to=[message["to"]]).send()


@task()
def heartbeat() -> float:
    """Tells the health endpoint that a worker is alive."""
    now = time.time()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=3600)
    return now


@db_periodic_task(crontab(minute="*"))
def periodic_heartbeat() -> None:
    heartbeat.call_local()


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_expired_records() -> None:
    from solnet.core.retention import purge_expired

    purge_expired()


@db_periodic_task(crontab(minute="*"))
def purge_expired_sealed_files() -> int:
    """Sealed files live an hour: their bytes go within a minute of expiry, not at night."""
    from solnet.core.sealed import purge_expired_files

    with transaction.atomic():
        count = purge_expired_files()
        if count:
            audit.record("sealed_file.purged", count=count)
    return count
