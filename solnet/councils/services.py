"""Setting up councils, their sites, and who belongs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.councils import access
from solnet.councils.models import Council, CouncilMembership, Site
from solnet.members.models import Member
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
