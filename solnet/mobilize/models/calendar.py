"""Calendar feeds: a member's iCalendar address for the actions they may see."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import DELETE, INTERNAL, PERSONAL, SECRET, DataPolicy, Retention
from solnet.core.models import new_public_id


class CalendarFeed(models.Model):
    """An iCalendar address: a member's own actions, or every action of the network they may
    see. The secret is shown once; the feed can be revoked and expires."""

    class Scope(models.TextChoices):
        MINE = "mine", _("The actions I said yes or maybe to")
        NETWORK = "network", _("Every action I can see")

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        help_text="Whose feed; it shows what they may see",
    )
    scope = models.CharField(
        _("what it shows"), max_length=10, choices=Scope.choices, default=Scope.MINE, help_text=""
    )
    token_digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the address's secret"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was made")
    expires_at = models.DateTimeField(help_text="After this the address no longer works")
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="When it was revoked")
    last_read_at = models.DateTimeField(
        null=True, blank=True, help_text="When a calendar last fetched it"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "member": PERSONAL,
            "scope": INTERNAL,
            "token_digest": SECRET,
            "created_at": INTERNAL,
            "expires_at": INTERNAL,
            "revoked_at": INTERNAL,
            "last_read_at": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A dead calendar address is kept a month so its owner sees it ended.",
            period=timedelta(days=30),
            basis="expires_at",
        ),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.get_scope_display()

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
