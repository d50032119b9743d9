"""Cross-cutting records: data keys, the audit chain, two-person approvals, sealed files."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    DELETE,
    INTERNAL,
    KEEP,
    PERSONAL,
    SECRET,
    DataPolicy,
    Retention,
)


def new_public_id() -> str:
    """A random identifier for URLs (never the sequential primary key). It never begins with
    "-", so an operator can give it to a command without it being read as an option."""
    while True:
        public_id = secrets.token_urlsafe(12)
        if not public_id.startswith("-"):
            return public_id


class DataKey(models.Model):
    """A random AES key, stored only wrapped by the master key (which lives outside the DB)."""

    key_id = models.CharField(max_length=16, unique=True, help_text="Short random name of the key")
    purpose = models.CharField(
        max_length=10, help_text="field (encrypts values), index (blind indexes) or audit (chain)"
    )
    master_id = models.CharField(max_length=16, help_text="Which master key wraps this key")
    wrapped = models.BinaryField(help_text="The key encrypted under the master key")
    created_at = models.DateTimeField(default=timezone.now, help_text="When the key was made")
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When a rotation replaced it; kept until nothing uses it"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "key_id": INTERNAL,
            "purpose": INTERNAL,
            "master_id": INTERNAL,
            "wrapped": SECRET,
            "created_at": INTERNAL,
            "retired_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="Needed to read the data it encrypts; `rotate_keys --destroy-retired` "
            "destroys a retired key once no value uses it.",
        ),
    )

    def __str__(self) -> str:
        return f"{self.purpose} key {self.key_id}"


class AuditEvent(models.Model):
    """One link of the hash chain of security-relevant actions. No IP, no content."""

    seq = models.PositiveBigIntegerField(unique=True, help_text="Position in the chain")
    occurred_at = models.DateTimeField(default=timezone.now, help_text="When it happened")
    actor_id = models.BigIntegerField(
        null=True, blank=True, help_text="Internal id of the member who acted (none: the system)"
    )
    action = models.CharField(max_length=64, help_text="What happened, e.g. member.panic")
    target = models.CharField(
        max_length=120, blank=True, help_text="What it happened to: a model label and public id"
    )
    data = models.JSONField(
        default=dict, blank=True, help_text="Small non-content facts: counts, role names"
    )
    prev_hash = models.CharField(max_length=64, help_text="Seal of the previous link")
    seal = models.CharField(max_length=64, help_text="Keyed hash of this link and the previous")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "seq": INTERNAL,
            "occurred_at": INTERNAL,
            "actor_id": PERSONAL,
            "action": INTERNAL,
            "target": INTERNAL,
            "data": INTERNAL,
            "prev_hash": INTERNAL,
            "seal": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Accountability for a bounded time; the chain stays verifiable after a purge.",
            period=timedelta(days=settings.AUDIT_RETENTION_DAYS),
            basis="occurred_at",
            purge="solnet.core.audit.purge_before",
        ),
    )

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class ApprovalRequest(models.Model):
    """A dangerous action waiting for a second member (or a passed decision) to approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        DONE = "done", _("Approved and carried out")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    action = models.CharField(max_length=64, help_text="Registered name of the action")
    params = models.JSONField(default=dict, help_text="Internal ids the action needs; no content")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Member who asked for the action",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Second member who approved or rejected it",
    )
    decision_ref = models.CharField(
        max_length=64, blank=True, help_text="The passed decision that approved it, if any"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, help_text="Where it stands"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was asked for")
    expires_at = models.DateTimeField(help_text="After this it can no longer be approved")
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When it was decided")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "action": INTERNAL,
            "params": INTERNAL,
            "requested_by": INTERNAL,
            "approved_by": INTERNAL,
            "decision_ref": INTERNAL,
            "status": INTERNAL,
            "created_at": INTERNAL,
            "expires_at": INTERNAL,
            "decided_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="The audit log keeps the record of what was approved; the request itself "
            "is only needed while it is open.",
            period=timedelta(days=90),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | models.Q(approved_by__isnull=False)
                | ~models.Q(decision_ref=""),
                name="approval_done_has_approver",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.status})"


class SealedFile(models.Model):
    """A file made for one member (an export), encrypted at rest and short-lived.

    The bytes live under DATA_DIR/sealed/, sealed with the file's own key; the key lives only
    here, encrypted under the field data key. `solnet.core.sealed` writes, reads and purges them.
    """

    class State(models.TextChoices):
        PRODUCING = "producing", _("Being produced")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who asked for it or uploaded it; for a short-lived file, the only member who "
        "may download it (nobody once their account is gone)",
    )
    approval = models.OneToOneField(
        ApprovalRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sealed_file",
        help_text="The two-person request that allowed it, if any",
    )
    purpose = models.CharField(max_length=64, help_text="What made it, e.g. people.export")
    filename = models.CharField(
        max_length=120,
        help_text="Name offered at download of an export; a random name for a fight's evidence, "
        "whose download is named after its encrypted label. Says nothing about anyone",
    )
    content_type = models.CharField(max_length=80, help_text="Media type offered at download")
    state = models.CharField(
        max_length=10,
        choices=State.choices,
        default=State.PRODUCING,
        help_text="Being produced, ready, or failed",
    )
    done = models.PositiveIntegerField(default=0, help_text="Items written so far (progress)")
    total = models.PositiveIntegerField(default=0, help_text="Items to write (progress)")
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes of ciphertext on disk")
    file_key = EncryptedTextField(
        help_text="The file's own AES key, encrypted under the field data key; deleting the "
        "row makes the file unreadable"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was asked for")
    ready_at = models.DateTimeField(null=True, blank=True, help_text="When it was finished")
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Downloads are refused from then on and the purge deletes it; empty for a "
        "file kept as long as the record holding it (a fight's evidence)",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "owner": PERSONAL,
            "approval": INTERNAL,
            "purpose": INTERNAL,
            "filename": INTERNAL,
            "content_type": INTERNAL,
            "state": INTERNAL,
            "done": INTERNAL,
            "total": INTERNAL,
            "size": INTERNAL,
            "file_key": SECRET,
            "created_at": INTERNAL,
            "ready_at": INTERNAL,
            "expires_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="An export is a copy of people's data: it lives an hour, then the row, its "
            "key and the bytes on disk go. A file without an expiry (evidence) goes with the "
            "record holding it, under that record's own retention.",
            period=timedelta(0),
            basis="expires_at",
            purge="solnet.core.sealed.purge_expired_files",
        ),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="ready") | models.Q(ready_at__isnull=False),
                name="sealed_file_ready_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.state})"
