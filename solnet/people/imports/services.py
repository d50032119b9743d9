"""The services the import's pages call: map the columns, fix a row, start, restart, delete. Each
queues the worker's part on commit (`people.tasks`)."""

from __future__ import annotations

import json
import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.members.models import Member
from solnet.people import access, tasks
from solnet.people.import_rows import (
    KEPT_FIELDS,
    VALUE_FIELDS,
    Decision,
    check_columns,
    errors_of,
    problem_text,
    validate,
)
from solnet.people.imports.files import (
    file_still_there,
    headers_of,
    load_findings,
    load_fixes,
    reading_of,
)
from solnet.people.imports.progress import is_interrupted
from solnet.people.models import (
    ChannelKind,
    ImportStatus,
    PersonImport,
)

logger = logging.getLogger(__name__)


# --- the services the pages call -----------------------------------------------------------


def _own(person_import: PersonImport, by: Member) -> None:
    if not access.can_import_people(by) or person_import.created_by_id != by.pk:
        raise PermissionDenied


def _queue_check(person_import: PersonImport) -> None:
    public_id = person_import.public_id
    transaction.on_commit(lambda: tasks.check_person_import(public_id))


def _queue_run(person_import: PersonImport) -> None:
    public_id = person_import.public_id
    transaction.on_commit(lambda: tasks.run_person_import(public_id))


MAPPABLE = (ImportStatus.UPLOADED, ImportStatus.READY, ImportStatus.FAILED)


@transaction.atomic
def save_mapping(
    *,
    person_import: PersonImport,
    columns: list[str],
    phone_kind: str,
    consent: bool,
    by: Member,
    area_code: str = "",
) -> None:
    """The organizer's choice of columns (and the area code of local numbers written without
    one); the worker checks the file again with it."""
    _own(person_import, by)
    person_import.refresh_from_db()
    if person_import.status not in MAPPABLE:
        raise ValidationError(_("This import cannot be changed any more."), code="status")
    file_still_there(person_import)
    check_columns(columns, len(headers_of(person_import)))
    if phone_kind not in (ChannelKind.CALL, ChannelKind.TEXT):
        raise ValidationError(_("Choose calls or text messages."), code="phone_kind")
    area_code = area_code.strip()
    if area_code and not re.fullmatch(r"\d{1,5}", area_code):
        raise ValidationError(_("An area code is a few digits, such as 253."), code="area_code")
    person_import.mapping = {
        "columns": columns,
        "phone_kind": phone_kind,
        "consent": consent,
        "area_code": area_code,
    }
    person_import.status = ImportStatus.CHECK_QUEUED
    person_import.save(update_fields=["mapping", "status"])
    _queue_check(person_import)


@transaction.atomic
def fix_row(*, person_import: PersonImport, row: int, values: dict[str, str], by: Member) -> None:
    """A row corrected on the preview page; kept with the import and used instead of the
    file's row."""
    _own(person_import, by)
    person_import.refresh_from_db()
    if person_import.status != ImportStatus.READY:
        raise ValidationError(_("Wait for the check to finish."), code="status")
    listed = {
        entry["row"]: entry["values"] for entry in load_findings(person_import).get("errors", [])
    }
    if row not in listed:
        raise ValidationError(_("There is no such row with a problem."), code="row")
    clean = {name: values.get(name, "").strip() for name in VALUE_FIELDS}
    # What the form does not show stays as the file had it: an opt-out is never lost to a fix.
    clean.update({name: listed[row].get(name, "") for name in KEPT_FIELDS})
    _parsed, problems = validate(clean, reading_of(person_import))
    problems = errors_of(problems)
    if problems:
        raise ValidationError(
            [problem_text(code, params) for _field, code, params in problems], code="invalid"
        )
    fixes = load_fixes(person_import)
    fixes[str(row)] = clean
    person_import.fixes = json.dumps(fixes, ensure_ascii=False)
    person_import.status = ImportStatus.CHECK_QUEUED
    person_import.save(update_fields=["fixes", "status"])
    _queue_check(person_import)


@transaction.atomic
def start_import(
    *,
    person_import: PersonImport,
    default: str,
    rows: dict[int, str],
    skip_errors: bool,
    by: Member,
) -> None:
    """The organizer has seen the preview: the worker imports with these choices."""
    _own(person_import, by)
    person_import.refresh_from_db()
    if person_import.status != ImportStatus.READY:
        raise ValidationError(_("Wait for the check to finish."), code="status")
    file_still_there(person_import)
    if default not in Decision.values or any(d not in Decision.values for d in rows.values()):
        raise ValidationError(_("Choose what to do with each duplicate."), code="decision")
    if load_findings(person_import).get("error_count") and not skip_errors:
        raise ValidationError(
            _("Some rows have problems: fix them, or choose to skip them."), code="errors"
        )
    person_import.decisions = {
        "default": default,
        "rows": {str(row): decision for row, decision in rows.items()},
        "skip_errors": skip_errors,
    }
    person_import.status = ImportStatus.QUEUED
    person_import.save(update_fields=["decisions", "status"])
    _queue_run(person_import)


@transaction.atomic
def restart_import(*, person_import: PersonImport, by: Member) -> None:
    """Runs a failed or interrupted check or import again, from the stored file."""
    _own(person_import, by)
    person_import.refresh_from_db()
    interrupted = is_interrupted(person_import)
    if person_import.status == ImportStatus.CHECKING and interrupted:
        person_import.status = ImportStatus.CHECK_QUEUED
        _queue_check(person_import)
    elif person_import.status == ImportStatus.FAILED or (
        person_import.status == ImportStatus.RUNNING and interrupted
    ):
        file_still_there(person_import)
        person_import.status = ImportStatus.QUEUED
        _queue_run(person_import)
    else:
        raise ValidationError(_("Only a failed or interrupted import can be restarted."))
    person_import.save(update_fields=["status"])
    audit.record("people.import_restarted", actor=by, target=person_import)


@transaction.atomic
def delete_import(*, person_import: PersonImport, by: Member) -> None:
    """Throws an import away with its file (people it already recorded stay)."""
    _own(person_import, by)
    person_import.refresh_from_db()
    busy = person_import.status in (ImportStatus.CHECKING, ImportStatus.RUNNING)
    if busy and not is_interrupted(person_import):
        raise ValidationError(_("Wait until the worker is done with this file."), code="busy")
    audit.record("people.import_deleted", actor=by, target=person_import)
    person_import.delete()
