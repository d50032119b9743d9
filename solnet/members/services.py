"""Everything that changes members: joining, approval, tiers and roles, panic, tokens.

Each function validates, writes in one transaction, writes the audit log, and schedules side
effects (mail) for after the commit.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit, phones, twoperson
from solnet.core.tasks import queue_mail
from solnet.members import access, trust
from solnet.members.models import (
    GUARDED_ROLES,
    ApiScope,
    ApiToken,
    Invitation,
    JoinApproval,
    Member,
    Role,
    RoleGrant,
    Tier,
    token_digest,
)
from solnet.network.models import Network

# What the API's schema admits as a phone number before it is read (`phones.clean_phone`).
PHONE_PATTERN = re.compile(r"\+?[0-9 ()./-]{6,40}")

# --- invitations ---------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def invitation_url(token: str) -> str:
    return f"{settings.BASE_URL}/join/{token}/"


@transaction.atomic
def issue_founding_invitation() -> tuple[Invitation, str] | None:
    """The link that makes the first member. None once the network has members.

    Each call revokes the founding links issued before it, so only the newest printed link works.
    """
    if Member.objects.exists():
        return None
    now = timezone.now()
    Invitation.objects.filter(is_founding=True, used_at__isnull=True).update(revoked_at=now)
    token = new_token()
    invitation = Invitation.objects.create(
        token_digest=token_digest(token),
        tier=Tier.ORGANIZING_TEAM,
        is_founding=True,
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
    )
    audit.record("invitation.founding_issued", target=invitation)
    return invitation, token


@transaction.atomic
def create_invitation(
    *, created_by: Member, tier: int, label: str = "", email: str = "", days: int | None = None
) -> tuple[Invitation, str]:
    """A member invites someone. The link is returned once and is never stored."""
    if not access.can_invite(created_by):
        raise PermissionDenied
    if tier not in dict(access.invitable_tiers(created_by)):
        raise ValidationError(_("Invitations can bring people in up to the Member tier."))
    days = days or settings.INVITATION_DAYS
    if not 1 <= days <= 30:
        raise ValidationError(_("An invitation can last between 1 and 30 days."))
    token = new_token()
    invitation = Invitation.objects.create(
        token_digest=token_digest(token),
        tier=tier,
        label=label,
        email=email or None,
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record("invitation.created", actor=created_by, target=invitation, tier=tier)
    if email:
        network = Network.objects.current()
        with translation.override(network.default_language):
            subject = _("You are invited to join %(network)s") % {"network": network}
            body = render_to_string(
                "members/email/invitation.txt",
                {
                    "network": network,
                    "inviter": created_by,
                    "url": invitation_url(token),
                    "expires_at": invitation.expires_at,
                },
            )
        queue_mail(to=email, subject=subject, body=body)
    return invitation, token


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: Member) -> Invitation:
    changed = Invitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not changed:
        raise ValidationError(_("This invitation was already used or revoked."))
    audit.record("invitation.revoked", actor=by, target=invitation)
    invitation.refresh_from_db()
    return invitation


def find_usable_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return Invitation.objects.usable().filter(token_digest=token_digest(token)).first()


@transaction.atomic
def accept_invitation(*, token: str, username: str, display_name: str, password: str) -> Member:
    """Someone joins with an invitation link. The link works once, even under a race."""
    invitation = find_usable_invitation(token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid any more."))
    if Member.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This sign-in name is taken. Choose another one.")})
    network = Network.objects.current()
    now = timezone.now()
    member = Member(
        username=username,
        display_name=display_name,
        tier=invitation.tier,
        is_founder=invitation.is_founding,
        invited_by=invitation.created_by,
        preferred_language=translation.get_language() or "",
    )
    validate_password(password, member)
    member.set_password(password)
    alone = False
    if not (invitation.is_founding or network.approvals_to_join == 0):
        alone = _nobody_else_approves(invitation.created_by_id, network)
    if invitation.is_founding or network.approvals_to_join == 0 or alone:
        member.status = Member.Status.ACTIVE
        member.approved_at = now
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(
            {"username": _("This sign-in name is taken. Choose another one.")}
        ) from None
    # The conditional update makes the link single-use when two people race for it.
    # The address it was sent to is not needed any more: it goes with the claim.
    claimed = (
        Invitation.objects.usable()
        .filter(pk=invitation.pk)
        .update(used_at=now, used_by=member, email=None)
    )
    if not claimed:
        raise ValidationError(_("This invitation link is not valid any more."))
    audit.record(
        "member.joined",
        actor=member,
        target=member,
        invitation=invitation.public_id,
        founding=invitation.is_founding,
        pending=member.status == Member.Status.PENDING,
        **({"admitted": "nobody_else_to_approve"} if alone else {}),
    )
    return member


def _nobody_else_approves(inviter_id: int | None, network: Network) -> bool:
    """A network still in its founding phase whose only possible approvers are the inviter
    and people the inviter brought in admits the joiner at once: there is nobody else to
    vouch yet. A grown network never does; its joiner waits."""
    if not trust.in_founding_phase(network):
        return False
    if inviter_id is None:
        return False
    barred = {inviter_id} | trust.brought_in_by([inviter_id])
    others = Member.objects.filter(is_active=True, status=Member.Status.ACTIVE).exclude(
        pk__in=barred
    )
    return not any(access.can_approve_joins(m) for m in others)


# --- approval of joiners -------------------------------------------------------------------


@transaction.atomic
def approve_joiner(*, joiner: Member, approver: Member) -> Member:
    """An existing member approves a joiner; enough approvals let them in. Whoever invited
    the joiner, and anyone they brought in, never approves them."""
    if not access.can_approve_joins(approver) or not trust.may_approve_joiner(approver, joiner):
        raise PermissionDenied
    joiner = Member.objects.select_for_update().get(pk=joiner.pk)
    if joiner.status != Member.Status.PENDING:
        raise ValidationError(_("This person has already been approved."))
    _approval, created = JoinApproval.objects.get_or_create(joiner=joiner, approver=approver)
    if not created:
        raise ValidationError(_("You have already approved this person."))
    audit.record("member.join_approved", actor=approver, target=joiner)
    needed = max(1, Network.objects.current().approvals_to_join)
    if joiner.join_approvals.count() >= needed:
        joiner.status = Member.Status.ACTIVE
        joiner.approved_at = timezone.now()
        joiner.save(update_fields=["status", "approved_at"])
        audit.record("member.admitted", actor=approver, target=joiner)
    return joiner


@transaction.atomic
def decline_joiner(*, joiner: Member, by: Member) -> None:
    """A joiner is turned away: their account is deleted, not kept."""
    if not access.can_approve_joins(by) or joiner.status != Member.Status.PENDING:
        raise PermissionDenied
    audit.record("member.join_declined", actor=by, target=joiner)
    joiner.delete()


# --- sessions, panic, deactivation ---------------------------------------------------------


def end_sessions(member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(session_epoch=F("session_epoch") + 1)
    member.refresh_from_db(fields=["session_epoch"])


@transaction.atomic
def panic(*, member: Member) -> None:
    """The member's panic button: every session ends, their API tokens die, and nobody sees
    their contact details until they restore them."""
    Member.objects.filter(pk=member.pk).update(contacts_hidden=True)
    member.contacts_hidden = True
    ApiToken.objects.filter(member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    end_sessions(member)
    audit.record("member.panic", actor=member, target=member)


@transaction.atomic
def restore_contacts(*, member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(contacts_hidden=False)
    member.contacts_hidden = False
    audit.record("member.contacts_restored", actor=member, target=member)


@transaction.atomic
def deactivate_member(*, member: Member, by: Member) -> None:
    if not access.can_deactivate(by) or member.pk == by.pk:
        raise PermissionDenied
    Member.objects.filter(pk=member.pk).update(is_active=False)
    ApiToken.objects.filter(member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    end_sessions(member)
    audit.record("member.deactivated", actor=by, target=member)


# --- tiers and roles -----------------------------------------------------------------------


def _apply_tier(params: dict, approval=None) -> None:
    member = Member.objects.select_for_update().get(pk=params["member_id"])
    old = member.tier
    member.tier = params["tier"]
    member.save(update_fields=["tier"])
    end_sessions(member)
    audit.record(
        "member.tier_changed",
        actor=approval.approved_by if approval else params.get("by_id"),
        target=member,
        old=old,
        new=member.tier,
        decision=params.get("decision", ""),
    )


def _apply_role(params: dict, approval=None) -> None:
    member = Member.objects.get(pk=params["member_id"])
    RoleGrant.objects.get_or_create(
        member=member,
        role=params["role"],
        defaults={"granted_by_id": params.get("by_id")},
    )
    end_sessions(member)
    audit.record(
        "member.role_granted",
        actor=approval.approved_by if approval else params.get("by_id"),
        target=member,
        role=params["role"],
        decision=params.get("decision", ""),
    )


def _describe_tier(params: dict) -> str:
    member = Member.objects.filter(pk=params["member_id"]).first()
    return _("Move %(member)s to the tier “%(tier)s”") % {
        "member": member or "?",
        "tier": Tier(params["tier"]).label,
    }


def _describe_role(params: dict) -> str:
    member = Member.objects.filter(pk=params["member_id"]).first()
    return _("Give %(member)s the role “%(role)s”") % {
        "member": member or "?",
        "role": Role(params["role"]).label,
    }


twoperson.register(
    twoperson.TwoPersonAction(
        name="members.set_tier",
        run=_apply_tier,
        describe=_describe_tier,
        can_request=access.can_manage_roles,
        can_approve=access.can_approve_roles,
    )
)
twoperson.register(
    twoperson.TwoPersonAction(
        name="members.grant_role",
        run=_apply_role,
        describe=_describe_role,
        can_request=access.can_manage_roles,
        can_approve=access.can_approve_roles,
    )
)


def _second_person_guard(member: Member, approval) -> bool:
    """Every two-person action: never the requester's own invitees, nor a newcomer."""
    return trust.may_be_second_person(
        member,
        requester_ids=[approval.requested_by_id],
        beneficiary_ids=twoperson.beneficiaries(approval),
    )


twoperson.add_guard(_second_person_guard)


@transaction.atomic
def change_tier(*, member: Member, tier: int, by: Member):
    """Organizers move people between tiers. Raising someone to the organizing team needs a
    second member's approval: the result is then a pending approval, not a change."""
    if not access.can_manage_roles(by) or member.pk == by.pk:
        raise PermissionDenied
    if tier not in Tier.values:
        raise ValidationError(_("Choose a tier from the list."))
    params = {"member_id": member.pk, "tier": tier, "by_id": by.pk}
    if tier >= Tier.ORGANIZING_TEAM:
        return twoperson.request_action(name="members.set_tier", params=params, requested_by=by)
    _apply_tier(params)
    return None


@transaction.atomic
def grant_role(*, member: Member, role: str, by: Member):
    if not access.can_manage_roles(by):
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError(_("Choose a role from the list."))
    params = {"member_id": member.pk, "role": role, "by_id": by.pk}
    if role in GUARDED_ROLES:
        return twoperson.request_action(name="members.grant_role", params=params, requested_by=by)
    _apply_role(params)
    return None


@transaction.atomic
def revoke_role(*, member: Member, role: str, by: Member) -> None:
    if not access.can_manage_roles(by):
        raise PermissionDenied
    deleted, _per_model = RoleGrant.objects.filter(member=member, role=role).delete()
    if deleted:
        end_sessions(member)
        audit.record("member.role_revoked", actor=by, target=member, role=role)


# --- changes a passed decision makes (democracy's effects) ---------------------------------
# A decision of the membership stands in for the second member of the two-person rule, so
# these apply at once. The decision's public id goes to the audit log.


@transaction.atomic
def set_tier_by_decision(*, member: Member, tier: int, decision_ref: str) -> None:
    if tier not in Tier.values:
        raise ValidationError(_("Choose a tier from the list."))
    _apply_tier({"member_id": member.pk, "tier": tier, "decision": decision_ref})


@transaction.atomic
def grant_role_by_decision(*, member: Member, role: str, decision_ref: str) -> None:
    if role not in Role.values:
        raise ValidationError(_("Choose a role from the list."))
    _apply_role({"member_id": member.pk, "role": role, "decision": decision_ref})


@transaction.atomic
def revoke_role_by_decision(*, member: Member, role: str, decision_ref: str) -> None:
    deleted, _per_model = RoleGrant.objects.filter(member=member, role=role).delete()
    if deleted:
        end_sessions(member)
        audit.record("member.role_revoked", target=member, role=role, decision=decision_ref)


@transaction.atomic
def admit_by_decision(*, joiner: Member, decision_ref: str) -> Member:
    """The meeting admits a joiner: no further approvals are needed."""
    joiner = Member.objects.select_for_update().get(pk=joiner.pk)
    if joiner.status != Member.Status.PENDING:
        raise ValidationError(_("This person has already been approved."))
    joiner.status = Member.Status.ACTIVE
    joiner.approved_at = timezone.now()
    joiner.save(update_fields=["status", "approved_at"])
    audit.record("member.admitted", target=joiner, decision=decision_ref)
    return joiner


# --- profile -------------------------------------------------------------------------------


@transaction.atomic
def update_profile(
    *,
    member: Member,
    display_name: str,
    preferred_language: str,
    email: str | None,
    phone: str | None,
) -> Member:
    if preferred_language and preferred_language not in dict(settings.LANGUAGES):
        raise ValidationError({"preferred_language": _("Choose a language from the list.")})
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid email address.")}) from None
    try:
        phone = phones.clean_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    member.display_name = display_name
    member.preferred_language = preferred_language
    member.email = email or None
    member.phone = phone or None
    member.full_clean(exclude=["password", "username"])
    member.save(
        update_fields=[
            "display_name",
            "preferred_language",
            "email",
            "email_index",
            "phone",
            "phone_index",
        ]
    )
    return member


# --- API tokens ----------------------------------------------------------------------------


@transaction.atomic
def create_api_token(
    *, member: Member, name: str, scopes: list[str], days: int | None
) -> tuple[ApiToken, str]:
    """A personal API token. The secret is returned once; only its digest is kept."""
    unknown = set(scopes) - set(ApiScope.values)
    if unknown or not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope from the list.")})
    if days is not None and not 1 <= days <= 365:
        raise ValidationError({"days": _("A token can last between 1 and 365 days.")})
    secret = "sn_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        member=member,
        name=name,
        scopes=sorted(scopes),
        token_digest=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit.record("api_token.created", actor=member, target=token, scopes=token.scopes)
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: Member) -> None:
    if token.member_id != by.pk:
        raise PermissionDenied
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record("api_token.revoked", actor=by, target=token)


def authenticate_api_token(secret: str) -> ApiToken | None:
    if not secret or not secret.startswith("sn_") or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("member")
        .filter(token_digest=token_digest(secret))
        .first()
    )
    if token is None or not token.member.is_active or not token.member.is_approved:
        return None
    return token
