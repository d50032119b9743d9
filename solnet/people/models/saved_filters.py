"""Filters of the people list that organizers keep under a name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, PERSONAL, DataPolicy, Retention
from solnet.core.models import new_public_id


class SavedFilter(models.Model):
    """A filter of the people list an organizer keeps under a name ("Spanish speakers on
    nights")."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_people_filters",
        help_text="Whose",
    )
    name = models.CharField(_("name"), max_length=60, help_text="")
    query = models.JSONField(default=dict, help_text="The filter's fields, validated again on use")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was saved")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "owner": PERSONAL,
            "name": INTERNAL,
            "query": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Kept until its owner deletes it or leaves."),
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="one_filter_name_each")
        ]

    def __str__(self) -> str:
        return self.name
