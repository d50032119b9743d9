"""The evidence of a fight: documents and photos, sealed on disk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import DELETE, INTERNAL, PERSONAL, SENSITIVE, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.fights.models.fights import CLOSED_FIGHT_KEPT, Fight


class Evidence(models.Model):
    """A document or photo of a fight (a pay stub, a lease, texts): sealed on disk under its
    own key, EXIF/GPS removed from photos, readable by the fight team only."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="evidence", help_text="Which fight"
    )
    file = models.OneToOneField(
        "core.SealedFile",
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text="The sealed bytes; deleted with the evidence",
    )
    label = EncryptedTextField(
        _("what it is"), help_text=_("e.g. “Pay stub, March”. The file's own name is not kept.")
    )
    content_type = models.CharField(max_length=40, help_text="Media type found in the bytes")
    size = models.PositiveIntegerField(help_text="Bytes as stored (after metadata removal)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who added it",
    )
    uploaded_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "file": INTERNAL,
            "label": SENSITIVE,
            "content_type": INTERNAL,
            "size": INTERNAL,
            "uploaded_by": PERSONAL,
            "uploaded_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Evidence goes the days the network sets after its fight closes "
            "(Network.evidence_days_after_close, at most a year), with its key and bytes; the "
            "team can hand it to the network's legal contact before then.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            purge="solnet.fights.retention.purge_closed_fight_evidence",
        ),
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.label
