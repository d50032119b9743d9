"""The ballots cast on a proposal, and who took part in a secret ballot.

A secret ballot is stored without its voter: the `Ballot` row has no voter, no timestamp and
a random primary key, and who took part is a separate `Participation` row, under a random key
and with no time, that says nothing of the choice. Until the count the ballot is sealed
(`democracy.sealing`): its choice, reason and receipt digest encrypted in one text of a fixed
size, found by a keyed hash of the receipt, so that copies of the database taken between
votes show nothing that changes with a choice. At the close it is written in the clear with
the SHA-256 of the receipt its voter keeps, to check that it was counted.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    DELETE,
    INTERNAL,
    PERSONAL,
    SENSITIVE,
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.democracy.models.decisions import DECIDED_KEPT, Proposal, random_ballot_id


class Ballot(models.Model):
    """One vote. An open ballot names its voter (and can be changed until the close); a
    secret ballot names nobody and carries only the digest of its voter's receipt."""

    id = models.BigIntegerField(primary_key=True, default=random_ballot_id, help_text="Random")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="ballots", help_text="On what"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who voted (an open ballot only)",
    )
    choice = models.CharField(
        max_length=400,
        help_text="A position (yes, object…) or option numbers: “3,1,2” ranked, “1,3” "
        "approved, “1:5,2:3” scored",
    )
    reason = EncryptedTextField(
        _("reason"), null=True, blank=True, help_text=_("Why you object or block (needed then).")
    )
    receipt_digest = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="SHA-256 of the receipt its secret voter keeps (a counted secret ballot)",
    )
    sealed = EncryptedTextField(
        null=True,
        blank=True,
        help_text="A secret ballot until the count: its choice, reason and receipt digest in "
        "one text of a fixed size, encrypted (its choice stays empty)",
    )
    receipt_index = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="A sealed ballot's receipt digest, hashed under the index key: how its voter "
        "finds it until the count",
    )
    offline = models.BooleanField(
        default=False, help_text="Given by phone or in person, entered by the facilitator"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The facilitator who entered an offline vote",
    )
    cast_at = models.DateTimeField(
        null=True, blank=True, help_text="When an open ballot was cast (secret ones: never)"
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The proxy who cast this open ballot for its voter",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "proposal": INTERNAL,
            "voter": PERSONAL,
            "choice": INTERNAL,
            "reason": SENSITIVE,
            "receipt_digest": INTERNAL,
            "sealed": SENSITIVE,
            "receipt_index": INTERNAL,
            "offline": INTERNAL,
            "entered_by": PERSONAL,
            "cast_at": INTERNAL,
            "cast_by": PERSONAL,
        },
        retention=Retention(
            action=STRIP,
            reason="Ballots stay countable; who cast an open ballot goes two years after the "
            "close.",
            period=DECIDED_KEPT,
            basis="proposal__closed_at",
            strip={"voter": None, "entered_by": None, "cast_by": None, "reason": None},
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "voter"],
                condition=models.Q(voter__isnull=False),
                name="democracy_one_open_ballot_each",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    voter__isnull=True, receipt_digest__isnull=False, cast_at=None, cast_by=None
                )
                | models.Q(receipt_digest__isnull=True),
                name="democracy_secret_ballot_names_nobody",
            ),
            models.CheckConstraint(
                condition=models.Q(sealed__isnull=True, receipt_index__isnull=True)
                | models.Q(
                    sealed__isnull=False,
                    receipt_index__isnull=False,
                    receipt_digest__isnull=True,
                    voter__isnull=True,
                    entered_by__isnull=True,
                    cast_at=None,
                    cast_by=None,
                    choice="",
                    reason__isnull=True,
                ),
                name="democracy_sealed_ballot_shows_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"ballot on {self.proposal_id}"


class Participation(models.Model):
    """That a member took part in a secret ballot — never what they chose, never when: its key
    is random, so that neither the keys nor a sequence count the votes in their order."""

    id = models.BigIntegerField(primary_key=True, default=random_ballot_id, help_text="Random")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="participants", help_text="In what"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", help_text="Who"
    )

    data_policy = DataPolicy(
        sensitivity={"id": INTERNAL, "proposal": INTERNAL, "voter": PERSONAL},
        retention=Retention(
            action=DELETE,
            reason="Who took part matters only while the vote is open (one vote each); the "
            "count stays on the proposal.",
            period=timedelta(days=1),
            basis="proposal__closed_at",
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="democracy_takes_part_once")
        ]

    def __str__(self) -> str:
        return f"took part in {self.proposal_id}"
