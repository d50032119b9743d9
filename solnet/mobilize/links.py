"""Personal answer links: a secret in the address stands for one ask (come to this action?),
or for one alert delivery (are you coming?). Only the SHA-256 of the secret is kept; a link
expires when its action ends (an alert's after a day) and can be revoked."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from solnet.members.models import token_digest
from solnet.mobilize.models import Ask, RsvpLink

ALERT_LINK_LIFE = timedelta(days=1)


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


def alert_link(delivery) -> str:
    """The one-tap answer link of an alert message (see `solnet.mobilize.alerts`)."""
    from solnet.mobilize.alerts import alert_link as link

    return link(delivery)
