"""The background work of bank statement imports. The worker learns this task when the app's
ready() imports this module; the services that queue it import it too, never the other way."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def import_bank_statement(public_id: str) -> None:
    """Writes and matches an uploaded bank statement's lines (`funds.statements`)."""
    from solnet.funds.statement_import import import_statement

    import_statement(public_id=public_id)
