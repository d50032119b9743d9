"""Know-your-rights cards: short texts, per language, that the network writes and prints,
and that responders see with an alert (DOMAIN.md §8). Public by nature: nothing in them is
about anyone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, PUBLIC, DataPolicy, Retention
from solnet.core.models import new_public_id


class RightsCard(models.Model):
    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, help_text=""
    )
    title = models.CharField(_("title"), max_length=120, help_text="")
    body = models.TextField(
        _("what to say and do"),
        max_length=1200,
        help_text=_("Short: it is printed on a card and read on a phone."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1, help_text="")
    updated_at = models.DateTimeField(default=timezone.now, help_text="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "language": PUBLIC,
            "title": PUBLIC,
            "body": PUBLIC,
            "position": PUBLIC,
            "updated_at": INTERNAL,
            "updated_by": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's own know-your-rights texts."),
    )

    class Meta:
        ordering = ["language", "position", "pk"]

    def __str__(self) -> str:
        return self.title
