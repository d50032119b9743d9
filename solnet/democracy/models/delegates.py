"""Delegates (DOMAIN.md §1): elected by a body with a written mandate, recallable at any
time by a recall vote, with their term and how they voted elsewhere visible to the body that
sent them. And proxies, where a body's rules allow a member to give their vote to another."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import DELETE, INTERNAL, KEEP, PERSONAL, SENSITIVE, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.democracy.models.decisions import DECIDED_KEPT, Body, Proposal


class DelegateQuerySet(models.QuerySet):
    def serving(self):
        today = timezone.localdate()
        return self.filter(ended_at__isnull=True).filter(
            models.Q(term_ends__isnull=True) | models.Q(term_ends__gte=today)
        )


class Delegate(models.Model):
    """A member a body sends somewhere with a mandate."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="delegates", help_text="Who sent them"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations",
        help_text="The delegate",
    )
    assembly = models.CharField(
        _("sent to"), max_length=200, help_text=_("e.g. “the tenant federation's assembly”.")
    )
    to_body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegates_received",
        help_text="The body they sit in, when it decides in SolNet too",
    )
    mandate = EncryptedTextField(
        _("mandate"), help_text=_("What the delegate is sent to say and how to vote.")
    )
    elected_by = models.ForeignKey(
        Proposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegates_elected",
        help_text="The election that sent them",
    )
    elected_on = models.DateField(default=timezone.localdate, help_text="Since")
    term_ends = models.DateField(_("term ends"), null=True, blank=True, help_text="")
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When they were recalled or their term ended"
    )
    recalled_by = models.ForeignKey(
        Proposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegates_recalled",
        help_text="The recall vote",
    )

    objects = DelegateQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "body": INTERNAL,
            "member": PERSONAL,
            "assembly": INTERNAL,
            "to_body": INTERNAL,
            "mandate": SENSITIVE,
            "elected_by": INTERNAL,
            "elected_on": INTERNAL,
            "term_ends": INTERNAL,
            "ended_at": INTERNAL,
            "recalled_by": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A delegation's record goes two years after it ended.",
            period=DECIDED_KEPT,
            basis="ended_at",
        ),
    )

    class Meta:
        ordering = ["-elected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.member} → {self.assembly}"

    @property
    def serving(self) -> bool:
        if self.ended_at is not None:
            return False
        return self.term_ends is None or self.term_ends >= timezone.localdate()


class DelegateVote(models.Model):
    """How a delegate voted in an assembly outside SolNet, as they report it to the body
    that sent them."""

    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="reported_votes", help_text="Whose"
    )
    voted_on = models.DateField(_("date"), default=timezone.localdate, help_text="")
    motion = EncryptedTextField(_("motion"), help_text=_("What was voted on."))
    vote = models.CharField(
        _("their vote"), max_length=40, help_text=_("e.g. for, against, abstained.")
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "delegate": INTERNAL,
            "voted_on": INTERNAL,
            "motion": SENSITIVE,
            "vote": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives as long as its delegation's record."),
    )

    class Meta:
        ordering = ["-voted_on", "-pk"]

    def __str__(self) -> str:
        return self.vote


class Proxy(models.Model):
    """A member's vote given to another for a body's open ballots, until revoked."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="proxies", help_text="In which body"
    )
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Who gives their vote",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Who casts it",
    )
    given_at = models.DateTimeField(default=timezone.now, help_text="Since")
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="Until")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "body": INTERNAL,
            "giver": PERSONAL,
            "holder": PERSONAL,
            "given_at": INTERNAL,
            "revoked_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A revoked proxy goes two years on.",
            period=DECIDED_KEPT,
            basis="revoked_at",
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["body", "giver"],
                condition=models.Q(revoked_at__isnull=True),
                name="democracy_one_proxy_each",
            ),
            models.CheckConstraint(
                condition=~models.Q(giver=models.F("holder")),
                name="democracy_proxy_to_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver_id} → {self.holder_id}"
