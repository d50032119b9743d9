"""Background work of the people app. Task arguments are internal ids only, never content.

The work itself lives beside what it works on (`exports`, `imports.checking`,
`imports.writing`); the services that queue it import this module, never the other way."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from solnet.people.exports import produce_export
from solnet.people.imports.checking import check_import
from solnet.people.imports.writing import run_import


@db_task()
def produce_people_export(sealed_file_id: int) -> None:
    """Writes an approved export of people into its sealed file (`people.exports`)."""
    produce_export(sealed_file_id=sealed_file_id)


@db_task()
def check_person_import(public_id: str) -> None:
    """Checks every row of an uploaded file of people (`people.imports.checking`)."""
    check_import(public_id=public_id)


@db_task()
def run_person_import(public_id: str) -> None:
    """Imports a checked file of people in one transaction (`people.imports.writing`)."""
    run_import(public_id=public_id)
