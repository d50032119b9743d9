"""Asking for the journal as a file and getting it, behind the two-person rule like exports
of people: a treasurer asks (`request_export`), a second treasurer — never the one who asked,
and passing the core's guards on newcomers and invitees — approves on the Approvals page;
the approval makes an empty sealed file and queues the worker (`export_tasks`), which writes
it encrypted (`journal_files.produce_journal`). Only the treasurer who asked may download
it, for an hour. The request's params hold the format, the asker's internal id and the
language: nothing else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit, sealed, twoperson
from solnet.core.access import get_or_404
from solnet.core.models import ApprovalRequest, SealedFile
from solnet.funds import access, export_tasks
from solnet.funds.journal_files import ACTION, FORMATS
from solnet.funds.models import Entry
from solnet.members.models import Member

FORMAT_NAMES = {"csv": "CSV", "beancount": "Beancount"}


def can_approve_export(member: Member, params: dict[str, Any]) -> bool:
    """The second person keeps the books too (the two-person rule itself refuses the asker)."""
    return access.can_keep_books(member)


def _describe(params: dict[str, Any]) -> str:
    return _("Export the whole journal of the funds as a %(format)s file (%(count)d entries)") % {
        "format": FORMAT_NAMES.get(params.get("format", ""), "?"),
        "count": params.get("count", 0),
    }


def _approve(params: dict[str, Any], approval: ApprovalRequest) -> None:
    """Runs inside the approval's transaction: an empty sealed file, and the worker after
    the commit. If anything is wrong, the approval rolls back and stays pending."""
    requester = approval.requested_by
    if requester is None or not access.can_keep_books(requester):
        raise ValidationError(_("The treasurer who asked no longer keeps the books."))
    kind = params.get("format")
    if kind not in FORMATS:
        raise ValidationError(_("This export's format is unknown."))
    extension, content_type = FORMATS[kind]
    file = sealed.create_sealed_file(
        owner=requester,
        purpose=ACTION,
        filename=f"journal-{timezone.localdate():%Y-%m-%d}.{extension}",
        content_type=content_type,
        total=Entry.objects.count(),
        approval=approval,
    )
    audit.record(
        "funds.export_approved",
        actor=approval.approved_by,
        target=file,
        approval=approval.public_id,
        by_decision=bool(approval.decision_ref),
    )
    transaction.on_commit(lambda: export_tasks.produce_journal_export(file.pk))


def register() -> None:
    """Called from the app's ready(), so that the approval pages, the worker and a passed
    decision all know the action, whatever was imported first."""
    twoperson.register(
        twoperson.TwoPersonAction(
            name=ACTION,
            run=_approve,
            describe=_describe,
            can_request=access.can_keep_books,
            can_approve=can_approve_export,
            beneficiary_keys=("by_id",),
        )
    )


@transaction.atomic
def request_export(*, kind: str, by: Member) -> ApprovalRequest:
    """Asks for the journal in `kind` ("csv" or "beancount"). Nothing is produced until a
    second treasurer (or a passed decision) approves it."""
    if not access.can_keep_books(by):
        raise PermissionDenied
    if kind not in FORMATS:
        raise ValidationError(_("Choose a format."))
    count = Entry.objects.count()
    if not count:
        raise ValidationError(_("Nothing has been posted yet: there is nothing to export."))
    approval = twoperson.request_action(
        name=ACTION,
        params={
            "format": kind,
            "count": count,
            "by_id": by.pk,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
        requested_by=by,
    )
    audit.record("funds.export_requested", actor=by, target=approval, count=count)
    return approval


# --- what the treasurer who asked sees -------------------------------------------------------


def exports_of(member: Member) -> QuerySet[ApprovalRequest]:
    """A treasurer's own export requests, newest first; nobody sees anyone else's."""
    if not access.can_keep_books(member):
        return ApprovalRequest.objects.none()
    return (
        ApprovalRequest.objects.filter(action=ACTION, requested_by=member)
        .select_related("sealed_file")
        .order_by("-created_at", "-pk")
    )


def get_export_or_404(member: Member, public_id: str) -> ApprovalRequest:
    return get_or_404(exports_of(member), public_id=public_id)


def state_of(member: Member, export: ApprovalRequest) -> sealed.ExportState:
    return sealed.export_state(
        member, export, waiting=_("Waiting for a second treasurer to approve it")
    )


@transaction.atomic
def download_export(*, export: ApprovalRequest, by: Member) -> SealedFile:
    """The treasurer who asked takes the file: recorded, and refused (ValidationError) once
    it has expired. The caller then reads it with `sealed.read_chunks`."""
    if not access.can_keep_books(by) or export.requested_by_id != by.pk:
        raise PermissionDenied
    file = sealed.file_of(by, export)
    if not sealed.downloadable(file):
        raise ValidationError(_("This export has expired or is not ready."))
    assert file is not None  # downloadable() said so
    audit.record("funds.export_downloaded", actor=by, target=file, approval=export.public_id)
    return file
