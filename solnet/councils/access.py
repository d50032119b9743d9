"""Who sees which council. A council is its members' place: they see its roster; contact
details only reach its organizing team (with a second factor) and the network's organizers."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from solnet.core.access import get_or_404
from solnet.councils.models import (
    Committee,
    Council,
    CouncilMembership,
    OneOnOne,
    Role,
    Section,
    Site,
)
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


def can_chart(member: Member, council: Council) -> bool:
    """Charting, assessments and one-on-ones: the network's organizers and the council's own
    organizing team. Nobody else sees who is judged a leader or hostile."""
    return is_organizer(member) or (is_member(member) and is_council_organizer(member, council))


def can_shape(member: Member, council: Council) -> bool:
    """Units, departments, shifts and committees: the same people who chart the council."""
    return can_chart(member, council)


def get_site_or_404(council: Council, public_id: str) -> Site:
    return get_or_404(council.sites.all(), public_id=public_id)


def get_section_or_404(site: Site, public_id: str) -> Section:
    return get_or_404(site.sections.all(), public_id=public_id)


def get_committee_or_404(council: Council, public_id: str) -> Committee:
    return get_or_404(council.committees.all(), public_id=public_id)


def get_charted_membership_or_404(
    member: Member, council: Council, person_id: str
) -> CouncilMembership:
    """Someone's place in a council, for those who chart it."""
    if not can_chart(member, council):
        raise Http404
    return get_or_404(
        council.memberships.select_related("person", "site", "section", "shift"),
        person__public_id=person_id,
    )


def get_one_on_one_or_404(membership: CouncilMembership, public_id: str) -> OneOnOne:
    return get_or_404(
        OneOnOne.objects.filter(council=membership.council, person=membership.person),
        public_id=public_id,
    )
