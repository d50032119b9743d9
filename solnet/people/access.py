"""Who may see and change whose record. Views and the API reach people only through here."""

from __future__ import annotations

from django.db.models import QuerySet

from solnet.core.access import get_or_404
from solnet.members.access import can_read_contacts, is_organizer
from solnet.members.models import Member
from solnet.people.models import (
    ContactChannel,
    JoinRequest,
    Person,
    PersonImport,
    PersonQuerySet,
    SavedFilter,
)


def can_list_people(member: Member) -> bool:
    """The organizing team keeps the network's memory; everyone else sees their own record."""
    return is_organizer(member)


def can_record_people(member: Member) -> bool:
    return is_organizer(member)


def can_import_people(member: Member) -> bool:
    """Importing a file of people means reading their contact details in the preview and
    recording them: only those who may do both."""
    return can_record_people(member) and can_read_contacts(member)


def can_merge_people(member: Member) -> bool:
    """Merging shows two records' contact details side by side and rewrites both."""
    return can_record_people(member) and can_read_contacts(member)


def visible_imports(member: Member) -> QuerySet[PersonImport]:
    """An import holds the file its organizer uploaded: theirs alone."""
    if not can_import_people(member):
        return PersonImport.objects.none()
    return PersonImport.objects.filter(created_by=member)


def get_import_or_404(member: Member, public_id: str) -> PersonImport:
    return get_or_404(visible_imports(member), public_id=public_id)


def visible_people(member: Member) -> PersonQuerySet:
    people: PersonQuerySet = Person.objects.all()  # type: ignore[assignment]  # its own queryset
    if can_list_people(member):
        return people
    if member.is_active:
        return people.filter(member=member)
    return people.none()


def get_person_or_404(member: Member, public_id: str) -> Person:
    # Tags in Django's own prefetch (not `with_lists`' plain list), which adding or removing a
    # tag on this very object keeps up to date.
    people = visible_people(member).select_related("member").prefetch_related("tags")
    return get_or_404(people, public_id=public_id)


def visible_join_requests(member: Member) -> QuerySet[JoinRequest]:
    if can_record_people(member):
        return JoinRequest.objects.all()
    return JoinRequest.objects.none()


def get_join_request_or_404(member: Member, public_id: str) -> JoinRequest:
    return get_or_404(visible_join_requests(member), public_id=public_id)


def saved_filters_of(member: Member) -> QuerySet[SavedFilter]:
    """Saved filters are their owner's alone."""
    return SavedFilter.objects.filter(owner=member)


def can_edit(member: Member, person: Person) -> bool:
    return can_record_people(member) or person.member_id == member.pk


def shown_channels(viewer: Member, person: Person) -> list[ContactChannel]:
    """The ways to reach `person` that `viewer` may see right now."""
    if person.member_id == viewer.pk:
        return list(person.channels.all())
    if not can_read_contacts(viewer):
        return []
    if person.member is not None and person.member.contacts_hidden:
        return []  # their panic button
    return list(person.channels.all())
