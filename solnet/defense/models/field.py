"""Field notes: legal observers and copwatch teams checked in to a confirmed incident log what
they see, entry by entry, in the structure of DOMAIN.md §8 (NLG legal observing, copwatch).

Each entry is sealed into a chain (`solnet.defense.field`): its seal is a keyed hash of its
facts, its words and the previous entry's seal, and the newest seal is also written to the
audit log, so an entry edited, deleted or slipped in afterwards is found. An entry can be
corrected by its author for 15 minutes; after that only annotated (an annotation is an entry
of its own, in the chain).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    DELETE,
    INTERNAL,
    PERSONAL,
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id


class CheckIn(models.Model):
    """A legal observer or copwatcher working an incident: only they write its field notes."""

    report = models.ForeignKey(
        "defense.Report", on_delete=models.CASCADE, related_name="check_ins", help_text=""
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The observer",
    )
    skill = models.CharField(max_length=20, help_text="Legal observer or copwatch")
    checked_in_at = models.DateTimeField(default=timezone.now, help_text="")
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who checked them in: themselves, a dispatcher or the LO coordinator",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "report": INTERNAL,
            "member": PERSONAL,
            "skill": INTERNAL,
            "checked_in_at": INTERNAL,
            "checked_in_by": PERSONAL,
        },
        retention=Retention(
            action=STRIP,
            reason="Who was at an incident is personal: after the hotline's period only that "
            "an observer was there stays.",
            period=timedelta(days=30),
            basis="checked_in_at",
            strip={"checked_in_by": None},
        ),
    )

    class Meta:
        ordering = ["checked_in_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "member"], name="one_check_in_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.member_id}"


class EntryKind(models.TextChoices):
    AGENCIES = "agencies", _("Agencies present")
    OFFICERS = "officers", _("Officers: names, badge or car numbers")
    IN_CHARGE = "in_charge", _("Who is in charge")
    WARNING = "warning", _("Warning or order given")
    MOVEMENT = "movement", _("Movement, routes and times")
    ARREST = "arrest", _("Arrest")
    INJURY = "injury", _("Injury")
    WITNESS = "witness", _("Witness")
    MEDIA = "media", _("Media present")
    OTHER = "other", _("Something else")
    ANNOTATION = "annotation", _("Note on an earlier entry")


class Audible(models.TextChoices):
    YES = "yes", _("Yes, it could be heard")
    NO = "no", _("No, it could not be heard")
    UNSURE = "unsure", _("Not sure")


class FieldEntry(models.Model):
    """One time-stamped entry of an incident's field notes, sealed into its chain."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    report = models.ForeignKey(
        "defense.Report",
        on_delete=models.CASCADE,
        related_name="field_entries",
        help_text="The incident",
    )
    position = models.PositiveIntegerField(help_text="1, 2, 3… in the incident's chain")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The observer who wrote it",
    )
    kind = models.CharField(max_length=12, choices=EntryKind.choices, help_text="")
    annotates = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annotations",
        help_text="The earlier entry an annotation is about",
    )
    observed_at = models.DateTimeField(help_text="When it happened, as the observer says")
    written_at = models.DateTimeField(default=timezone.now, help_text="When it was logged")
    edited_at = models.DateTimeField(null=True, blank=True, help_text="Last correction")
    what = EncryptedTextField(null=True, blank=True, help_text="What happened")
    names = EncryptedTextField(
        null=True,
        blank=True,
        help_text="Names, badge and car numbers, a witness's contact, the arrested person",
    )
    audible = models.CharField(
        max_length=8, choices=Audible.choices, blank=True, help_text="For a warning"
    )
    media_digest = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the photo or video as kept"
    )
    content_seal = models.CharField(max_length=64, help_text="Keyed hash of the words")
    seal = models.CharField(max_length=64, help_text="Keyed hash linking it to the one before")
    forget_at = models.DateTimeField(help_text="When its personal details go")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "report": INTERNAL,
            "position": INTERNAL,
            "author": PERSONAL,
            "kind": INTERNAL,
            "annotates": INTERNAL,
            "observed_at": INTERNAL,
            "written_at": INTERNAL,
            "edited_at": INTERNAL,
            "what": PERSONAL,
            "names": PERSONAL,
            "audible": INTERNAL,
            "media_digest": INTERNAL,
            "content_seal": INTERNAL,
            "seal": INTERNAL,
            "forget_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="Field notes name officers, arrestees and witnesses: their words go after "
            "the hotline's period (unless the incident is held for the legal contact); the "
            "chain's seals, kinds and times stay, so what is left still shows it was not "
            "altered.",
            period=timedelta(0),
            basis="forget_at",
            applies_to="solnet.defense.models.reports.entries_not_held",
            strip={"what": None, "names": None},
        ),
    )

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="one_entry_per_position"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def forgotten(self) -> bool:
        return self.what is None and self.names is None and self.forget_at <= timezone.now()


class FieldMedia(models.Model):
    """The photo or video of an entry, sealed on disk, its metadata removed."""

    entry = models.OneToOneField(
        FieldEntry, on_delete=models.CASCADE, related_name="media", help_text=""
    )
    file = models.OneToOneField(
        "core.SealedFile",
        on_delete=models.PROTECT,
        related_name="field_media",
        help_text="The sealed bytes; deleted with the entry's words",
    )
    content_type = models.CharField(max_length=40, help_text="Media type found in the bytes")
    size = models.PositiveIntegerField(help_text="Bytes as stored (after metadata removal)")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "entry": INTERNAL,
            "file": INTERNAL,
            "content_type": INTERNAL,
            "size": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A photo can show faces: it goes with the entry's words, key and bytes.",
            period=timedelta(0),
            basis="entry__forget_at",
            purge="solnet.defense.field.delete_forgotten_media",
        ),
    )

    def __str__(self) -> str:
        return str(self.entry_id)
