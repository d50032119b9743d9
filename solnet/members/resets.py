"""A member who lost their password: an organizer's one-time link that sets a new one.

The link sets a password and nothing more: signing in still takes the member's second factor,
so whoever holds it — the organizer included — holds no account. Every link is in the audit
log, and the member hears of it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.core.tasks import queue_mail
from solnet.members import access
from solnet.members.models import Member, PasswordReset, token_digest
from solnet.members.services import end_sessions, new_token

RESET_LIFETIME = timedelta(hours=24)


def password_reset_url(token: str) -> str:
    return f"{settings.BASE_URL}/accounts/reset/{token}/"


@transaction.atomic
def issue_password_reset(*, member: Member, by: Member) -> tuple[PasswordReset, str]:
    """An organizer makes a one-time link for a member who lost their password. The link sets
    a password and nothing more: signing in still takes the member's second factor, so an
    organizer holding the link holds no account. A member without a second factor gets no
    link (it would be their whole account); they are invited again instead. Each new link
    replaces the one before, and the member hears of it by email if they gave one."""
    if not access.can_issue_password_resets(by) or member.pk == by.pk:
        raise PermissionDenied
    if not member.is_active:
        raise ValidationError(_("This account is deactivated."))
    if not access.has_second_factor(member):
        raise ValidationError(
            _(
                "%(name)s has no second factor, so a reset link would be their whole "
                "account in the hands of whoever opens it. Invite them again instead."
            )
            % {"name": member.display_name}
        )
    now = timezone.now()
    PasswordReset.objects.filter(member=member, used_at__isnull=True).update(revoked_at=now)
    token = new_token()
    reset = PasswordReset.objects.create(
        member=member,
        token_digest=token_digest(token),
        created_by=by,
        expires_at=now + RESET_LIFETIME,
    )
    audit.record("member.password_reset_issued", actor=by, target=member)
    if member.email:
        language = member.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = _("A link to set a new password was made for you")
            body = _(
                "%(organizer)s made a one-time link to set a new password for your account. "
                "They will give it to you; it works for 24 hours. If you did not ask for it, "
                "tell the organizing team."
            ) % {"organizer": by.display_name}
        queue_mail(to=member.email, subject=subject, body=body)
    return reset, token


def find_usable_reset(token: str) -> PasswordReset | None:
    if not token or len(token) > 100:
        return None
    return (
        PasswordReset.objects.filter(
            token_digest=token_digest(token),
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            member__is_active=True,
        )
        .select_related("member")
        .first()
    )


@transaction.atomic
def reset_password(*, token: str, password: str) -> Member:
    """Sets the new password through a reset link: once, even under a race. Every session of
    the member ends."""
    reset = find_usable_reset(token)
    if reset is None:
        raise ValidationError(_("This link no longer works. Ask an organizer for a new one."))
    used = PasswordReset.objects.filter(pk=reset.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:
        raise ValidationError(_("This link no longer works. Ask an organizer for a new one."))
    member = reset.member
    validate_password(password, member)
    member.set_password(password)
    member.save(update_fields=["password"])
    end_sessions(member)
    audit.record("member.password_reset_used", actor=member, target=member)
    return member
