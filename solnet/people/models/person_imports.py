"""Imports of people from CSV files, and the encrypted chunks of the uploaded file."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import CONTACT, DELETE, INTERNAL, PERSONAL, DataPolicy, Retention
from solnet.core.models import new_public_id


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Choose the columns")
    CHECK_QUEUED = "check_queued", _("Waiting to be checked")
    CHECKING = "checking", _("Being checked")
    READY = "ready", _("Ready to import")
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class PersonImport(models.Model):
    """A CSV file of people an organizer uploaded, on its way into the network's memory.

    The file itself lives encrypted in `PersonImportChunk` rows until the import ends (then it
    is deleted at once) or its retention runs out. What the check found and the organizer's
    fixes hold names and addresses, so they are encrypted too; the column mapping, the choices
    about duplicates and the counts describe nobody."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The organizer who uploaded the file; nobody else sees the import",
    )
    status = models.CharField(
        max_length=12,
        choices=ImportStatus.choices,
        default=ImportStatus.UPLOADED,
        help_text="Where the import stands",
    )
    preset = models.CharField(
        max_length=20, blank=True, help_text="The export format the columns were matched with"
    )
    mapping = models.JSONField(
        default=dict,
        blank=True,
        help_text="Which Person field each column goes to, the kind of the phone numbers and "
        "whether the people agreed to be contacted",
    )
    total_rows = models.PositiveIntegerField(default=0, help_text="Rows of people in the file")
    findings = EncryptedTextField(
        null=True,
        blank=True,
        help_text="What the last check found: the first rows, rows with problems, duplicates",
    )
    fixes = EncryptedTextField(
        null=True, blank=True, help_text="Rows the organizer corrected on the preview page"
    )
    decisions = models.JSONField(
        default=dict,
        blank=True,
        help_text="What to do with each duplicate, by row number, and with rows with problems",
    )
    result = models.JSONField(
        default=dict, blank=True, help_text="Counts of the finished import and its new records"
    )
    failure = models.CharField(
        max_length=20, blank=True, help_text="Why the last run stopped, as a code"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was uploaded")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the last run began")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it was imported")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "created_by": PERSONAL,
            "status": INTERNAL,
            "preset": INTERNAL,
            "mapping": INTERNAL,
            "total_rows": INTERNAL,
            "findings": CONTACT,
            "fixes": CONTACT,
            "decisions": INTERNAL,
            "result": INTERNAL,
            "failure": INTERNAL,
            "created_at": INTERNAL,
            "started_at": INTERNAL,
            "finished_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="The people it brought in are in their own records and the counts are in "
            "the audit log; the import itself is only worth a look for a month.",
            period=timedelta(days=30),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ImportStatus]),
                name="person_import_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"import {self.public_id} ({self.status})"


class PersonImportChunk(models.Model):
    """A run of rows of an uploaded file, encrypted; the file is read back one chunk at a
    time so that no import ever holds the whole file in memory.

    The check keeps what it made of the chunk's rows beside them (`checked`), so that the
    import does not read, check and index every row a second time. It is used only while it
    matches the stored rows, the columns and the fixes it was made from."""

    person_import = models.ForeignKey(
        PersonImport, on_delete=models.CASCADE, related_name="chunks", help_text="Whose file"
    )
    seq = models.PositiveIntegerField(help_text="Position of the chunk in the file")
    rows = EncryptedTextField(help_text="The rows, as a JSON list of lists of cells")
    checked = EncryptedTextField(
        null=True,
        blank=True,
        help_text="The rows as the last check read them, checked and indexed, with digests of "
        "what they were read from",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was uploaded")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "person_import": INTERNAL,
            "seq": INTERNAL,
            "rows": CONTACT,
            "checked": CONTACT,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="An uploaded file is deleted when its import ends; one never imported goes "
            "after a week.",
            period=timedelta(days=7),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["person_import", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["person_import", "seq"], name="one_chunk_per_place")
        ]

    def __str__(self) -> str:
        return f"chunk {self.seq}"
