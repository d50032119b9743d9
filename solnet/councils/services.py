"""Setting up councils, their sites, and who belongs."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.councils import access
from solnet.councils.models import (
    SCALE,
    Assessment,
    Committee,
    Council,
    CouncilMembership,
    OneOnOne,
    Section,
    SectionKind,
    Site,
    SiteKind,
)
from solnet.members.models import Member
from solnet.people import services as people_services
from solnet.people.models import Person


@transaction.atomic
def create_council(*, name: str, kind: str, by: Member) -> Council:
    if not access.can_manage_councils(by):
        raise PermissionDenied
    council = Council(name=name, kind=kind)
    council.full_clean()
    council.save()
    audit.record("council.created", actor=by, target=council)
    return council


@transaction.atomic
def add_site(*, council: Council, name: str, kind: str, by: Member) -> Site:
    if not access.can_manage_councils(by):
        raise PermissionDenied
    site = Site(council=council, name=name, kind=kind)
    site.full_clean()
    site.save()
    audit.record("council.site_added", actor=by, target=council)
    return site


@transaction.atomic
def add_member(
    *, council: Council, person: Person, role: str, site: Site | None, by: Member
) -> CouncilMembership:
    if not access.can_manage_councils(by):
        raise PermissionDenied
    if site is not None and site.council_id != council.pk:
        raise ValidationError({"site": _("Choose one of this council's sites.")})
    membership = CouncilMembership(council=council, person=person, role=role, site=site)
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError(
            {"person": _("%(name)s already belongs to this council.") % {"name": person}}
        ) from None
    audit.record("council.member_added", actor=by, target=council, role=role)
    return membership


@transaction.atomic
def remove_member(*, membership: CouncilMembership, by: Member) -> None:
    if not access.can_manage_councils(by):
        raise PermissionDenied
    audit.record("council.member_removed", actor=by, target=membership.council)
    membership.delete()


# --- units, departments, shifts and committees -----------------------------------------------

SECTION_KINDS_OF_SITE: dict[str, set[str]] = {
    SiteKind.BUILDING: {SectionKind.UNIT},
    SiteKind.WORKPLACE: {SectionKind.DEPARTMENT, SectionKind.SHIFT},
}


@transaction.atomic
def add_section(*, site: Site, kind: str, name: str, by: Member) -> Section:
    if not access.can_shape(by, site.council):
        raise PermissionDenied
    if kind not in SECTION_KINDS_OF_SITE[site.kind]:
        raise ValidationError(
            {"kind": _("A building has units; a workplace has departments and shifts.")}
        )
    section = Section(site=site, kind=kind, name=name.strip())
    section.full_clean(validate_constraints=False)
    if site.sections.filter(kind=kind, name__iexact=section.name).exists():
        raise ValidationError({"name": _("%(name)s is already there.") % {"name": section.name}})
    section.save()
    audit.record("council.section_added", actor=by, target=site.council, kind=kind)
    return section


@transaction.atomic
def place_member(
    *,
    membership: CouncilMembership,
    site: Site | None,
    section: Section | None,
    shift: Section | None,
    by: Member,
) -> CouncilMembership:
    """Where someone is in the council: their building and unit, or their workplace,
    department and shift."""
    council = membership.council
    if not access.can_shape(by, council):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if site is not None and site.council_id != council.pk:
        errors["site"] = _("Choose one of this council's sites.")
    for field, value, kinds in (
        ("section", section, {SectionKind.UNIT, SectionKind.DEPARTMENT}),
        ("shift", shift, {SectionKind.SHIFT}),
    ):
        if value is not None and (
            site is None or value.site_id != site.pk or value.kind not in kinds
        ):
            errors[field] = _("Choose one of the chosen site's own.")
    if errors:
        raise ValidationError(errors)
    membership.site, membership.section, membership.shift = site, section, shift
    membership.save(update_fields=["site", "section", "shift"])
    audit.record("council.member_placed", actor=by, target=council)
    return membership


@transaction.atomic
def create_committee(*, council: Council, name: str, purpose: str, by: Member) -> Committee:
    if not access.can_shape(by, council):
        raise PermissionDenied
    committee = Committee(council=council, name=name.strip(), purpose=purpose)
    committee.full_clean(validate_constraints=False)
    if council.committees.filter(name__iexact=committee.name).exists():
        raise ValidationError(
            {"name": _("This council already has a committee called %(name)s.") % {"name": name}}
        )
    committee.save()
    audit.record("council.committee_created", actor=by, target=council)
    return committee


@transaction.atomic
def add_to_committee(*, committee: Committee, person: Person, by: Member) -> None:
    if not access.can_shape(by, committee.council):
        raise PermissionDenied
    if not committee.council.memberships.filter(person=person).exists():
        raise ValidationError(
            {"person": _("Only members of the council can sit on its committees.")}
        )
    committee.members.add(person)
    audit.record("council.committee_joined", actor=by, target=committee.council)


@transaction.atomic
def remove_from_committee(*, committee: Committee, person: Person, by: Member) -> None:
    if not access.can_shape(by, committee.council):
        raise PermissionDenied
    committee.members.remove(person)
    audit.record("council.committee_left", actor=by, target=committee.council)


# --- assessments and one-on-ones ------------------------------------------------------------


def _check_level(level: int) -> str:
    if level not in SCALE:
        raise ValidationError({"level": _("Choose a step from 1 to 5.")})
    return str(level)


@transaction.atomic
def assess(*, membership: CouncilMembership, level: int, by: Member) -> Assessment:
    """An organizer's judgement of how much someone supports the council's organizing today."""
    if not access.can_chart(by, membership.council):
        raise PermissionDenied
    assessment = Assessment.objects.create(
        council=membership.council,
        person=membership.person,
        level=_check_level(level),
        assessed_by=by,
    )
    audit.record("council.assessed", actor=by, target=membership.council)
    return assessment


@transaction.atomic
def log_one_on_one(
    *,
    membership: CouncilMembership,
    held_on: date,
    good: bool,
    notes: str,
    follow_up: str,
    follow_up_on: date | None,
    level: int | None,
    by: Member,
) -> OneOnOne:
    """A one-on-one happened: what it gave, what follows, and maybe a new assessment."""
    if not access.can_chart(by, membership.council):
        raise PermissionDenied
    today = timezone.localdate()
    errors: dict[str, str | list[str]] = {}
    if held_on > today:
        errors["held_on"] = _("A one-on-one is logged once it has happened.")
    if follow_up_on is not None and not follow_up.strip():
        errors["follow_up"] = _("Say what the follow-up is.")
    if follow_up_on is not None and follow_up_on < held_on:
        errors["follow_up_on"] = _("The follow-up can't be due before the one-on-one.")
    if level is not None:
        try:
            _check_level(level)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    one_on_one = OneOnOne.objects.create(
        council=membership.council,
        person=membership.person,
        held_by=by,
        held_on=held_on,
        good=good,
        notes=notes or None,
        follow_up=follow_up or None,
        follow_up_on=follow_up_on,
    )
    if level is not None:
        assess(membership=membership, level=level, by=by)
    when = (
        timezone.now()
        if held_on == today
        else timezone.make_aware(datetime.combine(held_on, time(12)))
    )
    people_services.note_contact(person=membership.person, at=when)
    audit.record("council.one_on_one_logged", actor=by, target=membership.council, good=good)
    return one_on_one


@transaction.atomic
def complete_follow_up(*, one_on_one: OneOnOne, by: Member) -> None:
    if not access.can_chart(by, one_on_one.council):
        raise PermissionDenied
    if one_on_one.follow_up_done_at is None:
        one_on_one.follow_up_done_at = timezone.now()
        one_on_one.save(update_fields=["follow_up_done_at"])
        audit.record("council.follow_up_done", actor=by, target=one_on_one.council)
