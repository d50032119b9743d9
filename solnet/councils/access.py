"""Who sees which council. A council is its members' place: they see its roster; contact
details only reach its organizing team (with a second factor) and the network's organizers."""

from __future__ import annotations

from django.db.models import QuerySet

from solnet.core.access import get_or_404
from solnet.councils.models import Council, CouncilMembership, Role
from solnet.members.access import can_read_contacts, has_second_factor, is_member, is_organizer
from solnet.members.models import Member
from solnet.people.models import ContactChannel, Person


def can_see_councils(member: Member) -> bool:
    return is_organizer(member) or (
        member.is_active
        and member.is_approved
        and CouncilMembership.objects.for_member(member).exists()
    )


def can_manage_councils(member: Member) -> bool:
    return is_organizer(member)


def visible_councils(member: Member) -> QuerySet[Council]:
    if is_organizer(member):
        return Council.objects.all()
    if not (member.is_active and member.is_approved):
        return Council.objects.none()
    return Council.objects.filter(memberships__person__member=member).distinct()


def get_council_or_404(member: Member, public_id: str) -> Council:
    return get_or_404(visible_councils(member), public_id=public_id)


def memberships_of(member: Member, person: Person) -> QuerySet[CouncilMembership]:
    """The councils a person belongs to, among those `member` may see."""
    return CouncilMembership.objects.filter(
        person=person, council__in=visible_councils(member)
    ).select_related("council", "site")


def is_council_organizer(member: Member, council: Council) -> bool:
    return (
        CouncilMembership.objects.for_member(member)
        .filter(council=council, role=Role.ORGANIZING)
        .exists()
    )


def roster_contacts(viewer: Member, council: Council, person: Person) -> list[ContactChannel]:
    """A member of the roster's ways to be reached, as `viewer` may see them on this page."""
    if person.member is not None and person.member.contacts_hidden:
        return []
    if can_read_contacts(viewer) or (
        is_member(viewer) and is_council_organizer(viewer, council) and has_second_factor(viewer)
    ):
        return [channel for channel in person.channels.all() if channel.usable]
    return []
