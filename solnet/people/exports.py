"""Exports of people: a file of the people matching a list filter, behind the two-person rule.

An organizer who may read contacts asks (`request_export`); nothing is produced until a second
such organizer, or a passed decision, approves. The approval makes an empty sealed file
(`solnet.core.sealed`) and queues the worker (`tasks.produce_people_export`), which writes the
CSV encrypted, reporting progress. Only the organizer who asked may download it, for an hour.

The request's params hold the validated filter (tag names, a council's public id, choice
values) and counts: never personal data. That is why the name and contact searches, whose
values are pieces of someone's name or address, cannot be part of an export's filter.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.forms import ModelChoiceField
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from solnet.core import audit, sealed, twoperson
from solnet.core.access import get_or_404
from solnet.core.models import ApprovalRequest, SealedFile
from solnet.councils import access as council_access
from solnet.members.access import can_read_contacts
from solnet.members.models import Member
from solnet.people import access, tasks
from solnet.people.forms import PeopleFilterForm
from solnet.people.models import ContactChannel, PersonQuerySet

ACTION = "people.export"
# Their values are pieces of a name, an address or a number: they never go into params.
PERSONAL_FILTERS = ("q", "contact")
BATCH = 500
CONTENT_TYPE = "text/csv; charset=utf-8"
HEADER = (
    gettext_lazy("Display name"),
    gettext_lazy("Tier"),
    gettext_lazy("Joined on"),
    gettext_lazy("Languages"),
    gettext_lazy("Tags"),
    gettext_lazy("Skills"),
    gettext_lazy("Contact channels"),
)

# --- access --------------------------------------------------------------------------------


def can_export_people(member: Member) -> bool:
    """Exports carry contact details: only those who keep the list and may read contacts."""
    return access.can_list_people(member) and can_read_contacts(member)


def can_approve_export(member: Member, params: dict[str, Any]) -> bool:
    """The second person must be entitled to the same data (the requester is excluded by
    the two-person rule itself)."""
    return can_export_people(member)


def exports_of(member: Member) -> QuerySet[ApprovalRequest]:
    """A member's own export requests, newest first; nobody sees anyone else's."""
    if not can_export_people(member):
        return ApprovalRequest.objects.none()
    return (
        ApprovalRequest.objects.filter(action=ACTION, requested_by=member)
        .select_related("sealed_file")
        .order_by("-created_at", "-pk")
    )


def get_export_or_404(member: Member, public_id: str) -> ApprovalRequest:
    return get_or_404(exports_of(member), public_id=public_id)


def file_of(member: Member, export: ApprovalRequest) -> SealedFile | None:
    """The export's file, if it was produced (and not yet purged) and `member` owns it."""
    try:
        file = export.sealed_file  # type: ignore[attr-defined]  # the reverse one-to-one
    except SealedFile.DoesNotExist:
        return None
    return file if file.owner_id == member.pk else None


# --- the filter ----------------------------------------------------------------------------


def filter_form(member: Member, data: QueryDict | dict[str, Any] | None) -> PeopleFilterForm:
    return PeopleFilterForm(data, councils=council_access.visible_councils(member))


def people_to_export(member: Member, cleaned: dict[str, Any]) -> PersonQuerySet:
    """The people a filter selects for an export: never those who pressed their panic
    button (`contacts_hidden`), whose record must not leave the server in a file."""
    people = access.visible_people(member).matching(**cleaned)
    return people.exclude(member__contacts_hidden=True)


def describe_filter(form: PeopleFilterForm) -> str:
    """The filter in plain words, e.g. “language: Spanish, tier: Member”."""
    parts = []
    for name in form.as_query():
        field = form.fields[name]
        value = form.cleaned_data[name]
        if isinstance(field, ModelChoiceField):
            text = str(value)
        else:
            text = str(dict(field.choices).get(value, value))  # type: ignore[attr-defined]  # choice fields only
        label = str(field.label)
        parts.append(f"{label[:1].lower()}{label[1:]}: {text}")
    return ", ".join(parts) if parts else _("everyone on the list")


@dataclass
class Preview:
    """What an export of a filter would hold, shown before asking."""

    form: PeopleFilterForm
    count: int
    description: str


def preview_export(*, member: Member, query: QueryDict | dict[str, Any]) -> Preview:
    """Validates the filter for an export and counts whom it would hold. Raises
    ValidationError for a filter with mistakes or with a name or contact search."""
    form = filter_form(member, query)
    if not form.is_valid():
        raise ValidationError(_("This filter has mistakes: correct it on the list first."))
    if any(name in form.as_query() for name in PERSONAL_FILTERS):
        raise ValidationError(
            _(
                "An export cannot use the name or the contact search: their words would be "
                "kept with the request. Clear them, then ask again."
            )
        )
    count = people_to_export(member, form.cleaned_data).count()
    return Preview(form=form, count=count, description=describe_filter(form))


# --- the two-person action -----------------------------------------------------------------


def _stored_filter(params: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.get("filter", {}).items():
        if key not in PERSONAL_FILTERS:
            query[key] = value
    return query


def _describe(params: dict[str, Any]) -> str:
    gone = _("Export people (this request no longer works: a tag, a council or the asker is gone)")
    requester = Member.objects.filter(pk=params.get("by_id")).first()
    if requester is None:
        return gone
    form = filter_form(requester, _stored_filter(params))
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
    form = filter_form(requester, _stored_filter(params))
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


# --- the worker's part ---------------------------------------------------------------------


def _cell(value: str) -> str:
    """Spreadsheets run a cell that starts like a formula: such text is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _row(person) -> list[str]:
    return [
        _cell(value)
        for value in (
            person.display_name,
            str(person.get_tier_display()),
            person.joined_on.isoformat(),
            ", ".join(str(code) for code in person.languages),
            ", ".join(tag.name for tag in person.tags.all()),
            ", ".join(str(held.get_skill_display()) for held in person.skills.all()),
            "; ".join(
                f"{channel.get_kind_display()}: {channel.value}"
                for channel in person.channels.all()
            ),
        )
    ]


def produce_export(*, sealed_file_id: int) -> None:
    """Writes an approved export into its sealed file, `BATCH` rows at a time, committing
    the progress after each batch so the organizer who asked can watch it."""
    file = (
        SealedFile.objects.select_related("approval", "owner")
        .filter(pk=sealed_file_id, purpose=ACTION, state=SealedFile.State.PRODUCING)
        .first()
    )
    if file is None or file.approval is None:
        return  # expired and purged meanwhile, or already done
    params = file.approval.params
    with translation.override(params.get("language") or settings.LANGUAGE_CODE):
        form = filter_form(file.owner, _stored_filter(params))
        if not form.is_valid() or not can_export_people(file.owner):
            sealed.mark_failed(file)
            audit.record("people.export_failed", target=file)
            return
        usable = ContactChannel.objects.filter(
            consent_at__isnull=False, opted_out_at__isnull=True
        ).order_by("kind", "pk")
        people = (
            people_to_export(file.owner, form.cleaned_data)
            .order_by("display_name", "pk")
            .prefetch_related("tags", "skills", Prefetch("channels", queryset=usable))
        )
        total = people.count()
        sealed.report_progress(file, done=0, total=total)
        done = 0
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        try:
            with sealed.writing(file) as out:
                out.write("\ufeff".encode())  # spreadsheets then read the file as UTF-8
                writer.writerow([str(title) for title in HEADER])
                for person in people.iterator(chunk_size=BATCH):
                    writer.writerow(_row(person))
                    done += 1
                    if done % BATCH == 0:
                        out.write(buffer.getvalue().encode())
                        buffer.seek(0)
                        buffer.truncate()
                        sealed.report_progress(file, done=done, total=max(total, done))
                out.write(buffer.getvalue().encode())
        except Exception:
            sealed.mark_failed(file)
            audit.record("people.export_failed", target=file)
            raise
    if sealed.mark_ready(file, size=out.size, done=done):
        audit.record("people.export_produced", target=file, count=done)


# --- what the organizer who asked sees -----------------------------------------------------


@dataclass
class ExportState:
    """Where an export stands, for its owner's pages."""

    code: str  # waiting, producing, ready, failed, expired, refused, withdrawn, lapsed
    label: str
    file: SealedFile | None = None
    expires_at: datetime | None = None


def state_of(member: Member, export: ApprovalRequest) -> ExportState:
    now = timezone.now()
    status = export.status
    if status == ApprovalRequest.Status.PENDING:
        if export.expires_at > now:
            return ExportState("waiting", _("Waiting for a second organizer to approve it"))
        return ExportState("lapsed", _("Nobody approved it in time"))
    if status == ApprovalRequest.Status.REJECTED:
        return ExportState("refused", _("Refused"))
    if status == ApprovalRequest.Status.CANCELLED:
        return ExportState("withdrawn", _("Withdrawn"))
    if status == ApprovalRequest.Status.EXPIRED:
        return ExportState("lapsed", _("Nobody approved it in time"))
    file = file_of(member, export)
    if file is None or file.expires_at <= now:
        return ExportState("expired", _("Expired: the file is deleted"))
    if file.state == SealedFile.State.PRODUCING:
        return ExportState("producing", _("Being produced"), file)
    if file.state == SealedFile.State.FAILED:
        return ExportState("failed", _("It could not be produced; ask again"), file)
    return ExportState("ready", _("Ready"), file, file.expires_at)


def describe_export(member: Member, export: ApprovalRequest) -> str:
    """The stored filter of an export in plain words."""
    form = filter_form(member, _stored_filter(export.params))
    if not form.is_valid():
        return _("a filter that no longer works (a tag or a council is gone)")
    return describe_filter(form)


@transaction.atomic
def download_export(*, export: ApprovalRequest, by: Member) -> SealedFile:
    """The organizer who asked takes the file: recorded, and refused (ValidationError) once
    it has expired. The caller then reads it with `sealed.read_chunks`."""
    if not can_export_people(by) or export.requested_by_id != by.pk:
        raise PermissionDenied
    file = file_of(by, export)
    if not sealed.downloadable(file):
        raise ValidationError(_("This export has expired or is not ready."))
    assert file is not None  # downloadable() said so
    audit.record("people.export_downloaded", actor=by, target=file, approval=export.public_id)
    return file
