"""The background work of exports of the journal. The worker learns this task when the app's
ready() imports `journal_exports` (which imports this module); the services that queue it
import this module, never the other way."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from solnet.funds.journal_files import produce_journal


@db_task()
def produce_journal_export(sealed_file_id: int) -> None:
    """Writes an approved export of the journal into its sealed file (`journal_files`)."""
    produce_journal(sealed_file_id=sealed_file_id)
