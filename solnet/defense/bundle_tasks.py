"""The worker's side of the legal hand-off: making the approved bundle."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from solnet.defense import bundles


@db_task(retries=2, retry_delay=30)
def produce_bundle(handoff_id: int) -> None:
    bundles.produce_bundle(handoff_id)
