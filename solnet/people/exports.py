"""Exports of people: a file of the people matching a list filter, behind the two-person rule.

An organizer who may read contacts asks (`request_export`); nothing is produced until a second
such organizer, or a passed decision, approves. The approval makes an empty sealed file
(`solnet.core.sealed`) and queues the worker (`people.export_requests`), which writes the
CSV encrypted, reporting progress. Only the organizer who asked may download it, for an hour.

The request's params hold the validated filter (tag names, a council's public id, choice
values) and counts: never personal data. That is why the name and contact searches, whose
values are pieces of someone's name or address, cannot be part of an export's filter.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.forms import ModelChoiceField
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.core import audit, sealed
from solnet.core.access import get_or_404
from solnet.core.models import ApprovalRequest, SealedFile
from solnet.members.access import can_read_contacts
from solnet.members.models import Member
from solnet.people import access
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


# --- the filter ----------------------------------------------------------------------------


def filter_form(member: Member, data: QueryDict | dict[str, Any] | None) -> PeopleFilterForm:
    return PeopleFilterForm(data, viewer=member)


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


def stored_filter(params: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.get("filter", {}).items():
        if key not in PERSONAL_FILTERS:
            query[key] = value
    return query


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
        form = filter_form(file.owner, stored_filter(params))
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
