"""What a proposal does when it passes: its effects, each run exactly once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, DataPolicy, Retention
from solnet.democracy.models.decisions import Proposal


class EffectKind(models.TextChoices):
    MOVE_FIGHT = "fight.move", _("Move a fight on")
    APPROVE_REQUEST = "twoperson.approve", _("Approve a request that needs two people")
    ADMIT_MEMBER = "members.admit", _("Admit a member")
    SET_TIER = "members.tier", _("Change someone's tier")
    GRANT_ROLE = "members.grant_role", _("Give someone a role")
    REVOKE_ROLE = "members.revoke_role", _("Take a role away")
    BODY_RULES = "democracy.rules", _("Change this body's rules")
    ELECT_DELEGATES = "democracy.elect", _("Send the chosen as delegates")
    RECALL_DELEGATE = "democracy.recall", _("Recall a delegate")
    ADOPT_STEP = "fights.adopt_step", _("Adopt a step of a fight's escalation plan")
    NETWORK_RULES = "network.rules", _("Change who decides a fight's moves")
    # Registered by the funds app (`effects.register`).
    FUND_GRANT = "funds.grant", _("Grant an aid request from a fund")
    WAIVE_DUES = "funds.waive_dues", _("Waive a member's dues")
    # Registered by the confederation app.
    ALLY = "confederation.ally", _("Ally with a peer network")
    END_ALLIANCE = "confederation.end", _("End an alliance with a peer network")


class Effect(models.Model):
    """What a proposal does when it passes. It runs exactly once, in the transaction that
    records the result."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="effects", help_text="Whose"
    )
    kind = models.CharField(max_length=24, choices=EffectKind.choices, help_text="What it does")
    params = models.JSONField(default=dict, help_text="Internal ids and values it acts on")
    ran_at = models.DateTimeField(null=True, blank=True, help_text="When it was carried out")
    failure = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why it could not be carried out (the world changed before the close)",
    )
    waiting = models.BooleanField(
        default=False,
        help_text="It stands in for the two-person rule and waits for a second person",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "proposal": INTERNAL,
            "kind": INTERNAL,
            "params": INTERNAL,
            "ran_at": INTERNAL,
            "failure": INTERNAL,
            "waiting": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives as long as its proposal."),
    )

    class Meta:
        ordering = ["proposal", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
