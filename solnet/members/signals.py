"""Session bookkeeping and the audit trail of signing in and out.

No business logic lives here: these receivers only stamp the session and append to the audit
chain, whichever code path (allauth, a join, a test) signed the person in."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from solnet.core import audit

SESSION_EPOCH_KEY = "solnet_epoch"


@receiver(user_logged_in, dispatch_uid="solnet_stamp_session_epoch")
def stamp_session_epoch(sender, request, user, **kwargs) -> None:
    """A session remembers the member's epoch; raising the epoch ends every older session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_EPOCH_KEY] = user.session_epoch


@receiver(user_logged_in, dispatch_uid="solnet_audit_sign_in")
def audit_sign_in(sender, request, user, **kwargs) -> None:
    audit.record("member.signed_in", actor=user, target=user)


@receiver(user_logged_out, dispatch_uid="solnet_audit_sign_out")
def audit_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record("member.signed_out", actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="solnet_audit_failed_sign_in")
def audit_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """A failed attempt: the member's internal id when the name is theirs, never the name."""
    from solnet.members.models import Member

    name = (credentials or {}).get("username") or ""
    member_id = Member.objects.filter(username__iexact=name).values_list("pk", flat=True).first()
    audit.record("member.sign_in_failed", target=f"members.member:{member_id or '-'}")
