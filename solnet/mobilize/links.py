"""Personal answer links. An ask's link (come to this action?) is a secret in the address of
which only the SHA-256 is kept; it expires when its action ends and can be revoked. An alert
delivery's one-tap link (are you coming?) is signed, and lasts a day."""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from solnet.members.models import token_digest
from solnet.mobilize.models import Ask, Delivery, RsvpLink

ALERT_LINK_LIFE = timedelta(days=1)
ALERT_LINK_SALT = "solnet.mobilize.alert-link"


def new_link(ask: Ask) -> str:
    """A fresh answer link for one ask, as an absolute address."""
    secret = secrets.token_urlsafe(32)
    RsvpLink.objects.create(
        ask=ask, token_digest=token_digest(secret), expires_at=ask.action.ends_at
    )
    return settings.BASE_URL + reverse("mobilize:rsvp", args=[secret])


def find(secret: str) -> RsvpLink | None:
    """The usable link behind a secret, or None (unknown, revoked and expired alike)."""
    if not secret or len(secret) > 64:
        return None
    link = (
        RsvpLink.objects.filter(token_digest=token_digest(secret))
        .select_related("ask__action", "ask__person", "ask__commitment", "ask__shift")
        .first()
    )
    if link is None or not link.usable:
        return None
    return link


def revoke_links(ask: Ask) -> int:
    return RsvpLink.objects.filter(ask=ask, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def revoke_action_links(action) -> int:
    return RsvpLink.objects.filter(ask__action=action, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- the one-tap link in an alert message ---------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=ALERT_LINK_SALT)


@functools.cache
def _answer_path() -> str:
    """The answer page's path up to its token, worked out once (an alert to thousands
    writes a link into every message)."""
    return reverse("mobilize:alert_answer", args=["-"])[:-2]


def alert_link(delivery: Delivery) -> str:
    return f"{settings.BASE_URL}{_answer_path()}{_signer().sign(str(delivery.pk))}/"


def delivery_of_link(token: str) -> Delivery | None:
    try:
        pk = int(_signer().unsign(token, max_age=ALERT_LINK_LIFE))
    except (signing.BadSignature, ValueError):
        return None
    return (
        Delivery.objects.filter(pk=pk, send__alert__isnull=False)
        .select_related("send__alert", "person")
        .first()
    )
