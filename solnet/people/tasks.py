"""Background work of the people app. Task arguments are internal ids only, never content."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def produce_people_export(sealed_file_id: int) -> None:
    """Writes an approved export of people into its sealed file (`people.exports`)."""
    from solnet.people.exports import produce_export

    produce_export(sealed_file_id=sealed_file_id)


@db_task()
def check_person_import(public_id: str) -> None:
    """Checks every row of an uploaded file of people (`people.imports`)."""
    from solnet.people.imports import check_import

    check_import(public_id=public_id)


@db_task()
def run_person_import(public_id: str) -> None:
    """Imports a checked file of people in one transaction (`people.imports`)."""
    from solnet.people.imports import run_import

    run_import(public_id=public_id)
