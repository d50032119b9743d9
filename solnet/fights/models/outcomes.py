"""After a fight's outcome: the follow-up tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import DELETE, INTERNAL, PERSONAL, SENSITIVE, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.fights.models.fights import CLOSED_FIGHT_KEPT, Fight


class FollowUp(models.Model):
    """A task after a fight: invite the subject to meetings, check for retaliation, pay back
    the strike fund…"""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="follow_ups", help_text="Which fight"
    )
    task = EncryptedTextField(_("task"), help_text="")
    due_on = models.DateField(_("due by"), null=True, blank=True, help_text="")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who does it"),
        help_text="",
    )
    done_at = models.DateTimeField(null=True, blank=True, help_text="When it was done")
    created_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "task": SENSITIVE,
            "due_on": INTERNAL,
            "assigned_to": PERSONAL,
            "done_at": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Follow-up tasks go a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
        ),
    )

    class Meta:
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return self.task
