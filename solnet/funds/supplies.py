"""Supplies for actions: the needs its organizers list, the pledges members and the public
make, the shortfall beside the turnout count, and the network's inventory.

Pledges are race-free: a member holds one pledge per need (a partial unique constraint;
pledging again changes the quantity), and a public form carries a one-time key (unique per
need), so K identical requests at once make one pledge. Over-pledging is allowed and shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.funds import supplies_access as access
from solnet.funds.models import InventoryItem, SupplyNeed, SupplyPledge
from solnet.members.models import Member
from solnet.mobilize.models import Action, Shift

MAX_QUANTITY = 100_000


@dataclass(frozen=True)
class NeedRow:
    need: SupplyNeed
    pledged: int

    @property
    def shortfall(self) -> int:
        return max(self.need.quantity - self.pledged, 0)

    @property
    def over(self) -> int:
        return max(self.pledged - self.need.quantity, 0)

    @property
    def met(self) -> bool:
        return self.pledged >= self.need.quantity


def need_rows(action: Action) -> list[NeedRow]:
    """Each need of the action with what is pledged (withdrawn pledges left out): one query."""
    needs = SupplyNeed.objects.filter(action=action).with_pledged().select_related("shift")
    return [NeedRow(need, need.pledged) for need in needs]


def shortfall_summary(action: Action) -> dict[str, Any]:
    rows = need_rows(action)
    return {
        "rows": rows,
        "short": sum(1 for row in rows if not row.met),
        "total": len(rows),
    }


def in_inventory() -> dict[str, int]:
    """How many of each kind the network keeps in usable condition."""
    rows = (
        InventoryItem.objects.exclude(condition="broken")
        .values("kind")
        .annotate(total=Sum("quantity"))
    )
    return {row["kind"]: row["total"] for row in rows}


def _check_quantity(quantity: int) -> None:
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": _("Say how many: at least one.")})
    if quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": _("That is more than we can count.")})


def _open(action: Action) -> None:
    if action.cancelled_at is not None or action.over:
        raise ValidationError(_("This action is over or called off: its supplies are closed."))


# --- needs ------------------------------------------------------------------------------------


@transaction.atomic
def add_need(
    *,
    action: Action,
    by: Member,
    kind: str,
    quantity: int,
    label: str = "",
    unit: str = "",
    shift: Shift | None = None,
) -> SupplyNeed:
    """An organizer of the action lists something it needs."""
    if not access.can_manage_needs(by, action):
        raise PermissionDenied
    _open(action)
    if shift is not None and shift.action_id != action.pk:
        raise ValidationError({"shift": _("That shift belongs to another action.")})
    _check_quantity(quantity)
    need = SupplyNeed(
        action=action,
        shift=shift,
        kind=kind,
        label=label.strip(),
        quantity=quantity,
        unit=unit.strip(),
        created_by=by,
    )
    need.full_clean()
    need.save()
    audit.record("supplies.need_added", actor=by, target=need, on=action.public_id)
    return need


@transaction.atomic
def remove_need(*, need: SupplyNeed, by: Member) -> None:
    """An organizer takes a need off (its pledges go with it)."""
    if not access.can_manage_needs(by, need.action):
        raise PermissionDenied
    audit.record("supplies.need_removed", actor=by, target=need, on=need.action.public_id)
    need.delete()


# --- pledges ----------------------------------------------------------------------------------


@transaction.atomic
def pledge(*, need: SupplyNeed, by: Member, quantity: int) -> SupplyPledge:
    """A member who may see the action pledges to bring `quantity`; pledging again changes
    their pledge. K identical requests at once leave one pledge."""
    if not access.can_pledge(by, need.action):
        raise PermissionDenied
    _open(need.action)
    _check_quantity(quantity)
    current = SupplyPledge.objects.filter(need=need, member=by, withdrawn_at__isnull=True)
    made = current.select_for_update().first()
    if made is None:
        try:
            with transaction.atomic():
                made = SupplyPledge.objects.create(need=need, member=by, quantity=quantity)
        except IntegrityError:
            # Another request of the same member made it a moment ago: change that one.
            made = current.select_for_update().get()
        else:
            audit.record("supplies.pledged", actor=by, target=made, quantity=quantity)
            return made
    if made.quantity != quantity:
        made.quantity = quantity
        made.save(update_fields=["quantity"])
        audit.record("supplies.pledge_changed", actor=by, target=made, quantity=quantity)
    return made


@transaction.atomic
def pledge_publicly(
    *, need: SupplyNeed, quantity: int, key: str, name: str = "", contact: str = ""
) -> SupplyPledge:
    """Anyone on the action's public page pledges, with no account. The form's one-time key
    makes the same form sent again (a double tap, a retry) the same pledge."""
    if not need.action.is_public:
        raise PermissionDenied
    _open(need.action)
    _check_quantity(quantity)
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("The form expired. Please load the page again."))
    found = SupplyPledge.objects.filter(need=need, key=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            made = SupplyPledge.objects.create(
                need=need,
                quantity=quantity,
                key=key,
                name=name.strip(),
                contact=contact.strip() or None,
            )
    except IntegrityError:
        return SupplyPledge.objects.get(need=need, key=key)
    audit.record("supplies.pledged_publicly", target=made, quantity=quantity)
    return made


@transaction.atomic
def withdraw_pledge(*, pledge: SupplyPledge, by: Member) -> SupplyPledge:
    """The member who pledged, or an organizer of the action, withdraws a pledge."""
    locked = (
        SupplyPledge.objects.select_for_update().select_related("need__action").get(pk=pledge.pk)
    )
    if not access.can_withdraw(by, locked):
        raise PermissionDenied
    if locked.withdrawn_at is not None:
        raise ValidationError(_("That pledge is already withdrawn."))
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    audit.record("supplies.pledge_withdrawn", actor=by, target=locked)
    return locked


# --- the inventory ----------------------------------------------------------------------------

INVENTORY_FIELDS = ("kind", "label", "quantity", "unit", "keeper", "where", "condition")


@transaction.atomic
def add_item(*, by: Member, **fields: Any) -> InventoryItem:
    if not access.can_keep_inventory(by):
        raise PermissionDenied
    item = InventoryItem(**{k: v for k, v in fields.items() if k in INVENTORY_FIELDS})
    _check_keeper(item)
    item.full_clean()
    item.save()
    audit.record("supplies.item_added", actor=by, target=item)
    return item


@transaction.atomic
def update_item(*, item: InventoryItem, by: Member, **fields: Any) -> InventoryItem:
    if not access.can_keep_inventory(by):
        raise PermissionDenied
    item = InventoryItem.objects.select_for_update().get(pk=item.pk)
    for name, value in fields.items():
        if name in INVENTORY_FIELDS:
            setattr(item, name, value)
    _check_keeper(item)
    item.updated_at = timezone.now()
    item.full_clean()
    item.save()
    audit.record("supplies.item_changed", actor=by, target=item)
    return item


@transaction.atomic
def remove_item(*, item: InventoryItem, by: Member) -> None:
    if not access.can_keep_inventory(by):
        raise PermissionDenied
    audit.record("supplies.item_removed", actor=by, target=item)
    item.delete()


def _check_keeper(item: InventoryItem) -> None:
    keeper = item.keeper
    if keeper is not None and not (keeper.is_active and keeper.is_approved):
        raise ValidationError({"keeper": _("Choose an active member.")})


# --- the panel beside the turnout count -------------------------------------------------------


def action_panel(viewer: Member | None, action: Action) -> dict[str, Any] | None:
    """What the action's page shows beside the turnout (registered with mobilize's panels):
    nothing when the action needs no supplies and the viewer may not add any."""
    summary = shortfall_summary(action)
    if viewer is None:
        if not summary["rows"] or action.cancelled_at is not None or action.over:
            return None
        return {**summary, "public": True}
    manages = access.can_manage_needs(viewer, action)
    if not summary["rows"] and not manages:
        return None
    return {**summary, "public": False, "manages": manages}


def register() -> None:
    """Called once from the app's ready(): the supplies panel on the action's pages."""
    from solnet.mobilize import extensions

    extensions.register_panel(
        extensions.ActionPanel(
            "supplies", "funds/_supplies_panel.html", action_panel, order=20, public=True
        )
    )
