"""Who may see and do what with members. Views and the API reach members only through here."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from solnet.core.access import get_or_404
from solnet.members.models import (
    ROLES_READING_CONTACTS,
    ApiToken,
    Invitation,
    JoinApproval,
    Member,
    Role,
    Tier,
)


def is_member(member: Member) -> bool:
    """An approved, active member of tier Member or above: voice in the network's business."""
    return member.is_active and member.is_approved and member.tier >= Tier.MEMBER


def is_organizer(member: Member) -> bool:
    return member.is_active and member.is_approved and member.tier >= Tier.ORGANIZING_TEAM


def can_read_contacts(member: Member) -> bool:
    """Whose work means reading other people's contact details (and who therefore must use a
    second factor)."""
    if not (member.is_active and member.is_approved):
        return False
    return member.tier >= Tier.ORGANIZING_TEAM or bool(member.role_set() & ROLES_READING_CONTACTS)


def needs_second_factor(member: Member, *, network_requires_all: bool) -> bool:
    return (
        network_requires_all
        or member.tier >= Tier.ORGANIZING_TEAM
        or bool(member.role_set() & ROLES_READING_CONTACTS)
    )


def has_second_factor(member: Member) -> bool:
    return Authenticator.objects.filter(
        user=member, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def can_invite(member: Member) -> bool:
    return is_member(member)


def can_approve_joins(member: Member) -> bool:
    return is_member(member)


def can_manage_roles(member: Member) -> bool:
    """Organizers propose tier and role changes; guarded ones still need a second member."""
    return is_organizer(member)


def can_approve_roles(member: Member, params: dict) -> bool:
    return is_member(member)


def can_issue_password_resets(member: Member) -> bool:
    return is_organizer(member)


def can_deactivate(member: Member) -> bool:
    return is_organizer(member)


def invitable_tiers(member: Member) -> list[tuple[int, Any]]:
    """An invitation can bring people in up to Member; the organizing team is granted later,
    by two people."""
    return [(t.value, t.label) for t in Tier if t < Tier.ORGANIZING_TEAM]


def visible_members(member: Member) -> QuerySet[Member]:
    """Members a member may see listed: members see the active membership; supporters and
    phone-tree people see only themselves."""
    if is_member(member):
        return Member.objects.active()
    return Member.objects.filter(pk=member.pk)


def get_member_or_404(viewer: Member, public_id: str) -> Member:
    return get_or_404(visible_members(viewer), public_id=public_id)


def shown_contacts(viewer: Member, subject: Member) -> dict[str, str | None]:
    """The contact details of `subject` that `viewer` may see right now."""
    if viewer.pk == subject.pk:
        return {"email": subject.email, "phone": subject.phone}
    if subject.contacts_hidden or not can_read_contacts(viewer):
        return {}
    return {"email": subject.email, "phone": subject.phone}


def visible_invitations(member: Member) -> QuerySet[Invitation]:
    """Organizers see every invitation; other members see the ones they made."""
    if is_organizer(member):
        return Invitation.objects.filter(is_founding=False)
    if can_invite(member):
        return Invitation.objects.filter(created_by=member, is_founding=False)
    return Invitation.objects.none()


def get_invitation_or_404(member: Member, public_id: str) -> Invitation:
    return get_or_404(visible_invitations(member), public_id=public_id)


def pending_joiners(member: Member) -> QuerySet[Member]:
    if not can_approve_joins(member):
        return Member.objects.none()
    return Member.objects.pending().exclude(pk=member.pk)


def get_pending_joiner_or_404(member: Member, public_id: str) -> Member:
    return get_or_404(pending_joiners(member), public_id=public_id)


def own_api_tokens(member: Member) -> QuerySet[ApiToken]:
    """A member's own tokens: nobody else's are ever listed or revoked."""
    return ApiToken.objects.filter(member=member)


def approved_by(member: Member, joiners) -> set[int]:
    """Which of `joiners` this member has already approved."""
    return set(
        JoinApproval.objects.filter(approver=member, joiner__in=list(joiners)).values_list(
            "joiner_id", flat=True
        )
    )


def grantable_roles() -> list[tuple[str, Any]]:
    return list(Role.choices)
