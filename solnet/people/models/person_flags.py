"""Notes on a person's record of what an import left out of it, to be checked."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import CONTACT, DELETE, INTERNAL, PERSONAL, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.people.models.people import Person
from solnet.people.models.person_imports import PersonImport


class PersonFlag(models.Model):
    """A value an import could not use (a phone number that is not one, an unknown tier), left
    out of the record and noted here so that someone checks it with the person. The value may
    be an address or a number: it is stored encrypted. Dismissed by deleting the note."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="flags", help_text="Whose record"
    )
    field = models.CharField(
        max_length=20, help_text="The field the value was for (phone, email, languages…)"
    )
    problem = models.CharField(max_length=30, help_text="Why it was left out, as a code")
    value = EncryptedTextField(
        null=True, blank=True, help_text="The value as the file had it, stored encrypted"
    )
    person_import = models.ForeignKey(
        PersonImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The import that left it out (gone when the import is deleted)",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was noted")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "person": PERSONAL,
            "field": INTERNAL,
            "problem": INTERNAL,
            "value": CONTACT,
            "person_import": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A note to check a record is worth keeping while someone may still check "
            "it; after a year it only holds a value nobody used. It goes with the person too.",
            period=timedelta(days=365),
            basis="created_at",
        ),
    )

    class Meta:
        verbose_name = _("value to check")
        verbose_name_plural = _("values to check")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"
