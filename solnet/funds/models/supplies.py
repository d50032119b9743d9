"""Supplies for actions and the network's inventory: what a picket line needs (water, food,
signs, chairs, heaters, phone chargers…), who pledged to bring what, and what the network
keeps and where.

A pledge from the public page names nobody unless the person wants to; its way to reach them
is encrypted and goes a day after the action ends, with the name and the member link — the
quantities stay, so the network learns how much a picket takes.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import CONTACT, INTERNAL, KEEP, PERSONAL, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id


class SupplyKind(models.TextChoices):
    WATER = "water", _("Water")
    FOOD = "food", _("Food")
    SIGNS = "signs", _("Signs and banners")
    CHAIRS = "chairs", _("Chairs")
    HEATERS = "heaters", _("Heaters and blankets")
    CHARGERS = "chargers", _("Phone chargers and batteries")
    SHELTER = "shelter", _("Tents and shade")
    FIRST_AID = "first_aid", _("First aid")
    SOUND = "sound", _("Megaphones and sound")
    OTHER = "other", _("Other")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn but usable")
    REPAIR = "repair", _("Needs repair")
    BROKEN = "broken", _("Broken")


class SupplyNeedQuerySet(models.QuerySet):
    def with_pledged(self):
        """Each need with `pledged`: the sum of its pledges not withdrawn."""
        return self.annotate(
            pledged=models.functions.Coalesce(
                models.Sum(
                    "pledges__quantity", filter=models.Q(pledges__withdrawn_at__isnull=True)
                ),
                0,
            )
        )


class SupplyNeed(models.Model):
    """Something an action (or one of its shifts) needs brought: a kind, what exactly, how
    many of what unit."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    action = models.ForeignKey(
        "mobilize.Action",
        on_delete=models.CASCADE,
        related_name="supply_needs",
        help_text="The action that needs it",
    )
    shift = models.ForeignKey(
        "mobilize.Shift",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supply_needs",
        verbose_name=_("shift"),
        help_text=_("Leave empty for the whole action."),
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=SupplyKind.choices, help_text=_("What sort of thing")
    )
    label = models.CharField(
        _("what exactly"),
        max_length=80,
        blank=True,
        help_text=_("e.g. “bottled water, 1 litre” or “folding chairs for elders”."),
    )
    quantity = models.PositiveIntegerField(_("how many"), help_text=_("How many are needed"))
    unit = models.CharField(
        _("unit"),
        max_length=20,
        blank=True,
        help_text=_("e.g. bottles, boxes, chairs. Leave empty for pieces."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who asked for it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was asked for")

    objects = SupplyNeedQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "action": INTERNAL,
            "shift": INTERNAL,
            "kind": INTERNAL,
            "label": INTERNAL,
            "quantity": INTERNAL,
            "unit": INTERNAL,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives and goes with its action."),
    )

    class Meta:
        ordering = ["shift__starts_at", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="supply_need_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class SupplyPledge(models.Model):
    """Someone will bring some of a need: a member signed in, or anyone on the action's public
    page (a name if they like, a way to reach them if they like). A member holds one pledge per
    need (pledging again changes it); a public pledge is made once per form (its key)."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    need = models.ForeignKey(
        SupplyNeed, on_delete=models.CASCADE, related_name="pledges", help_text="What for"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supply_pledges",
        help_text="The member who pledged; empty for a pledge on the public page",
    )
    name = models.CharField(
        _("your name"),
        max_length=80,
        blank=True,
        help_text=_("Optional: any name the organizers may call you by."),
    )
    contact = EncryptedTextField(
        _("how to reach you"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: a phone number or email, if plans change. Deleted after the action."
        ),
    )
    quantity = models.PositiveIntegerField(_("how many"), help_text=_("How many you will bring"))
    key = models.CharField(
        max_length=64,
        blank=True,
        help_text="The public form's one-time key: the same form sent twice makes one pledge",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was pledged")
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the pledge was withdrawn"
    )
    stripped_at = models.DateTimeField(
        null=True, blank=True, help_text="When who pledged was removed"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "need": INTERNAL,
            "member": PERSONAL,
            "name": PERSONAL,
            "contact": CONTACT,
            "quantity": INTERNAL,
            "key": INTERNAL,
            "created_at": INTERNAL,
            "withdrawn_at": INTERNAL,
            "stripped_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="Who brings what matters until the action is over; the quantities stay to "
            "plan the next one.",
            period=timedelta(days=1),
            basis="need__action__ends_at",
            strip={"member": None, "name": "", "contact": None, "key": ""},
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="supply_pledge_quantity_positive"
            ),
            # K identical pledges at once (a double tap, a retrying phone) make one.
            models.UniqueConstraint(
                fields=["need", "member"],
                condition=models.Q(member__isnull=False, withdrawn_at__isnull=True),
                name="supply_pledge_one_per_member",
            ),
            models.UniqueConstraint(
                fields=["need", "key"],
                condition=~models.Q(key=""),
                name="supply_pledge_one_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.need}"

    @property
    def is_public(self) -> bool:
        return self.member_id is None


class InventoryItem(models.Model):
    """Something the network owns and keeps for actions: what, how many, in whose keeping
    (a member: "in Ana's garage") and in what condition."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=SupplyKind.choices, help_text=_("What sort of thing")
    )
    label = models.CharField(
        _("what exactly"), max_length=80, help_text=_("e.g. “propane heater” or “picket signs”.")
    )
    quantity = models.PositiveIntegerField(_("how many"), default=1, help_text="")
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. boxes."))
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kept_supplies",
        verbose_name=_("kept by"),
        help_text=_("The member who keeps it (in their garage, their car…)."),
    )
    where = models.CharField(
        _("where"),
        max_length=80,
        blank=True,
        help_text=_("e.g. “garage”, “the union hall's closet”. Never a street address."),
    )
    condition = models.CharField(
        _("condition"),
        max_length=8,
        choices=Condition.choices,
        default=Condition.GOOD,
        help_text="",
    )
    updated_at = models.DateTimeField(default=timezone.now, help_text="When it was last changed")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "kind": INTERNAL,
            "label": INTERNAL,
            "quantity": INTERNAL,
            "unit": INTERNAL,
            "keeper": PERSONAL,
            "where": PERSONAL,
            "condition": INTERNAL,
            "updated_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="The network's things, kept until given away; the keeper's link goes with "
            "their account.",
        ),
    )

    class Meta:
        ordering = ["kind", "label", "pk"]

    def __str__(self) -> str:
        return self.label
