"""Session bookkeeping at sign-in (not business logic: it only stamps the session)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SESSION_EPOCH_KEY = "solnet_epoch"


@receiver(user_logged_in, dispatch_uid="solnet_stamp_session_epoch")
def stamp_session_epoch(sender, request, user, **kwargs) -> None:
    """A session remembers the member's epoch; raising the epoch ends every older session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_EPOCH_KEY] = user.session_epoch
