"""Donor-to-striker matching (DOMAIN.md §7): the network holds no money. Strikers a delegate or
treasurer verified say what donors may see of them (a first name or nickname, how to be paid);
donors pledge amounts; rounds match pledges to strikers; each side confirms the money moved.

No ledger entry is ever posted for matched money. The donor sees only what the striker chose to
share; the striker sees "a supporter" unless the donor chose to be named.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    CONTACT,
    INTERNAL,
    KEEP,
    PERSONAL,
    SECRET,
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id
from solnet.funds.models.funds import Fund


class RecipientStatus(models.TextChoices):
    ASKED = "asked", _("Waiting to be verified")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Not verified")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Recipient(models.Model):
    """A striker who asked to receive from donors directly, and what donors may see of them."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="recipients", help_text="Which strike fund"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="match_recipients",
        help_text="The striker",
    )
    shown_name = models.CharField(
        _("the name donors see"),
        max_length=40,
        help_text=_("A first name or a nickname. Never your full legal name."),
    )
    payment_handle = EncryptedTextField(
        _("how to pay you"),
        null=True,
        blank=True,
        help_text=_("What a donor needs to send you money, e.g. a payment app handle."),
    )
    need = models.BigIntegerField(
        _("how much you need"), help_text="Minor units of the network's currency"
    )
    status = models.CharField(
        max_length=10,
        choices=RecipientStatus.choices,
        default=RecipientStatus.ASKED,
        help_text="Where the striker's request stands",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The delegate or treasurer who confirmed (or refused) them",
    )
    verified_at = models.DateTimeField(null=True, blank=True, help_text="When")
    created_at = models.DateTimeField(default=timezone.now, help_text="When they asked")
    forget_at = models.DateTimeField(
        help_text="When what donors saw of them goes (the fund's period for applicants)"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fund": INTERNAL,
            "member": PERSONAL,
            "shown_name": PERSONAL,
            "payment_handle": CONTACT,
            "need": INTERNAL,
            "status": INTERNAL,
            "verified_by": PERSONAL,
            "verified_at": INTERNAL,
            "created_at": INTERNAL,
            "forget_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The amounts matched stay to show the strike's support; who the striker is "
            "and how to pay them go after the fund's period for applicants.",
            period=timedelta(0),
            basis="forget_at",
            strip={"member": None, "shown_name": "", "payment_handle": None, "verified_by": None},
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(need__gt=0), name="recipient_need_positive"),
            models.UniqueConstraint(
                fields=["fund", "member"],
                condition=models.Q(member__isnull=False, status__in=["asked", "verified"]),
                name="recipient_one_per_member",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_at__isnull=False),
                name="recipient_verified_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_name or self.public_id[:6]


class PledgeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MatchPledge(models.Model):
    """A donor will send an amount to strikers directly. A member, or anyone on the fund's
    public page with an email for the match notice (encrypted, cleared once a round matched the
    pledge). Private unless the donor chose to be named to the strikers."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="match_pledges", help_text="Which fund"
    )
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="match_pledges",
        help_text="The member who pledged; empty for a pledge on the public page",
    )
    amount = models.BigIntegerField(help_text="Minor units of the network's currency")
    donor_name = EncryptedTextField(
        null=True, blank=True, help_text="The name the strikers see, only if the donor chose it"
    )
    named = models.BooleanField(default=False, help_text="The donor agreed to be named")
    donor_email = EncryptedTextField(
        null=True, blank=True, help_text="Where the match notice goes (a public donor)"
    )
    key = models.CharField(
        max_length=64,
        blank=True,
        help_text="The form's one-time key: the same form sent twice makes one pledge",
    )
    status = models.CharField(
        max_length=10,
        choices=PledgeStatus.choices,
        default=PledgeStatus.OPEN,
        help_text="Open, or withdrawn (what was matched before stays)",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was pledged")
    forget_at = models.DateTimeField(
        help_text="When who the donor is goes (the network's period for donors)"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fund": INTERNAL,
            "donor": PERSONAL,
            "amount": INTERNAL,
            "donor_name": PERSONAL,
            "named": INTERNAL,
            "donor_email": CONTACT,
            "key": INTERNAL,
            "status": INTERNAL,
            "created_at": INTERNAL,
            "forget_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The amount stays for the strike's totals; who gave goes after the "
            "network's period for donors (the email already goes with the round).",
            period=timedelta(0),
            basis="forget_at",
            strip={"donor": None, "donor_name": None, "named": False, "donor_email": None},
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="match_pledge_positive"),
            models.UniqueConstraint(
                fields=["fund", "key"], condition=~models.Q(key=""), name="match_pledge_one_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.amount}"


class MatchRound(models.Model):
    """One run of the matching (`solnet.funds.matching.run_round`), by a treasurer."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="match_rounds", help_text="Which fund"
    )
    number = models.PositiveIntegerField(help_text="1 for the fund's first round, and so on")
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The treasurer who ran it",
    )
    run_at = models.DateTimeField(default=timezone.now, help_text="When")
    confirm_days = models.PositiveSmallIntegerField(
        _("days to confirm"),
        default=7,
        help_text=_("A match not confirmed by both sides after this many days shows as such."),
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fund": INTERNAL,
            "number": INTERNAL,
            "run_by": PERSONAL,
            "run_at": INTERNAL,
            "confirm_days": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The strike's history of support, no names."),
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="match_round_number"),
            models.CheckConstraint(
                condition=models.Q(confirm_days__gte=1, confirm_days__lte=90),
                name="match_round_confirm_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} #{self.number}"


class Match(models.Model):
    """Part (or all) of a pledge matched to a striker in a round, and each side's confirmation."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    round = models.ForeignKey(
        MatchRound, on_delete=models.PROTECT, related_name="matches", help_text="Which round"
    )
    pledge = models.ForeignKey(
        MatchPledge, on_delete=models.PROTECT, related_name="matches", help_text="Whose money"
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="matches", help_text="To whom"
    )
    amount = models.BigIntegerField(help_text="Minor units of the network's currency")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the donor said sent")
    received_at = models.DateTimeField(
        null=True, blank=True, help_text="When the striker said received"
    )
    token_digest = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="SHA-256 of the public donor's link secret; the secret is not kept",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "round": INTERNAL,
            "pledge": INTERNAL,
            "recipient": INTERNAL,
            "amount": INTERNAL,
            "sent_at": INTERNAL,
            "received_at": INTERNAL,
            "token_digest": SECRET,
        },
        retention=Retention(
            action=STRIP,
            reason="A donor's link is useless once a match is long past; the amounts stay.",
            period=timedelta(days=90),
            basis="round__run_at",
            strip={"token_digest": None},
        ),
    )

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["round__number", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="match_positive"),
            models.UniqueConstraint(
                fields=["round", "pledge", "recipient"], name="match_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.recipient}"

    @property
    def confirmed(self) -> bool:
        return self.sent_at is not None and self.received_at is not None

    @property
    def overdue(self) -> bool:
        """Not confirmed by both sides within the round's days."""
        deadline = self.round.run_at + timedelta(days=self.round.confirm_days)
        return not self.confirmed and timezone.now() > deadline
