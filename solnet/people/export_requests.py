"""Asking for an export of people and getting it: the two-person action that approves it and
queues the worker (`tasks.produce_people_export`), and what the organizer who asked sees until
they download the file. What an export holds, and the worker's part, are in `people.exports`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from solnet.core import audit, sealed, twoperson
from solnet.core.models import ApprovalRequest, SealedFile
from solnet.members.models import Member
from solnet.people import tasks
from solnet.people.exports import (
    ACTION,
    CONTENT_TYPE,
    can_approve_export,
    can_export_people,
    describe_filter,
    filter_form,
    people_to_export,
    preview_export,
    stored_filter,
)

# --- the two-person action ---------------------------------------------------------------------


def _describe(params: dict[str, Any]) -> str:
    gone = _("Export people (this request no longer works: a tag, a council or the asker is gone)")
    requester = Member.objects.filter(pk=params.get("by_id")).first()
    if requester is None:
        return gone
    form = filter_form(requester, stored_filter(params))
    if not form.is_valid():
        return gone
    count = people_to_export(requester, form.cleaned_data).count()
    return ngettext(
        "Export %(count)d person with contact details as a file (filter: %(filter)s)",
        "Export %(count)d people with contact details as a file (filter: %(filter)s)",
        count,
    ) % {"count": count, "filter": describe_filter(form)}


def _approve(params: dict[str, Any], approval: ApprovalRequest) -> None:
    """Runs inside the approval's transaction: an empty sealed file, and the worker after the
    commit. If anything is wrong, the approval rolls back and stays pending."""
    requester = approval.requested_by
    if requester is None or not can_export_people(requester):
        raise ValidationError(_("The organizer who asked may no longer export people."))
    form = filter_form(requester, stored_filter(params))
    if not form.is_valid():
        raise ValidationError(
            _("The filter of this export no longer works (a tag or a council is gone).")
        )
    total = people_to_export(requester, form.cleaned_data).count()
    file = sealed.create_sealed_file(
        owner=requester,
        purpose=ACTION,
        filename=f"people-{timezone.localdate():%Y-%m-%d}.csv",
        content_type=CONTENT_TYPE,
        total=total,
        approval=approval,
    )
    audit.record(
        "people.export_approved",
        actor=approval.approved_by,
        target=file,
        approval=approval.public_id,
        count=total,
        by_decision=bool(approval.decision_ref),
    )
    transaction.on_commit(lambda: tasks.produce_people_export(file.pk))


def register_action() -> None:
    """Called from the app's ready(), so that the approval pages, the worker and a passed
    decision all know the action, whatever was imported first."""
    twoperson.register(
        twoperson.TwoPersonAction(
            name=ACTION,
            run=_approve,
            describe=_describe,
            can_request=can_export_people,
            can_approve=can_approve_export,
            beneficiary_keys=("by_id",),
        )
    )


@transaction.atomic
def request_export(*, query: QueryDict | dict[str, Any], by: Member) -> ApprovalRequest:
    """Asks for an export of the people matching `query` (the list's filter). Nothing is
    produced until a second organizer or a passed decision approves it."""
    if not can_export_people(by):
        raise PermissionDenied
    preview = preview_export(member=by, query=query)
    if not preview.count:
        raise ValidationError(_("Nobody matches this filter: there is nothing to export."))
    approval = twoperson.request_action(
        name=ACTION,
        params={
            "filter": preview.form.as_query(),
            "count": preview.count,
            "by_id": by.pk,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
        requested_by=by,
    )
    audit.record("people.export_requested", actor=by, target=approval, count=preview.count)
    return approval


# --- what the organizer who asked sees -----------------------------------------------------


def state_of(member: Member, export: ApprovalRequest) -> sealed.ExportState:
    return sealed.export_state(
        member, export, waiting=_("Waiting for a second organizer to approve it")
    )


def describe_export(member: Member, export: ApprovalRequest) -> str:
    """The stored filter of an export in plain words."""
    form = filter_form(member, stored_filter(export.params))
    if not form.is_valid():
        return _("a filter that no longer works (a tag or a council is gone)")
    return describe_filter(form)


@transaction.atomic
def download_export(*, export: ApprovalRequest, by: Member) -> SealedFile:
    """The organizer who asked takes the file: recorded, and refused (ValidationError) once
    it has expired. The caller then reads it with `sealed.read_chunks`."""
    if not can_export_people(by) or export.requested_by_id != by.pk:
        raise PermissionDenied
    file = sealed.file_of(by, export)
    if not sealed.downloadable(file):
        raise ValidationError(_("This export has expired or is not ready."))
    assert file is not None  # downloadable() said so
    audit.record("people.export_downloaded", actor=by, target=file, approval=export.public_id)
    return file
