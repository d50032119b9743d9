"""Who sees and does what with supplies. The supplies pages and API reach needs, pledges and
the inventory only through here.

An action's supplies follow the action (`solnet.mobilize.access`): those who may see it see
its needs and pledge; those who run it manage its needs and read who brings what (a public
pledger's way to reach them only with a second factor, as for every contact detail). The
network's inventory is the members' to read and the organizing team's and the treasurers' to
keep.
"""

from __future__ import annotations

from django.db.models import QuerySet

from solnet.core.access import get_or_404
from solnet.funds.access import can_keep_books
from solnet.funds.models import InventoryItem, SupplyNeed, SupplyPledge
from solnet.members.access import has_second_factor, is_member, is_organizer
from solnet.members.models import Member
from solnet.mobilize import access as mobilize_access
from solnet.mobilize.models import Action


def can_see_supplies(member: Member) -> bool:
    return mobilize_access.can_see_actions(member)


def visible_actions(member: Member) -> QuerySet[Action]:
    return mobilize_access.visible_actions(member)


def get_action_or_404(member: Member, public_id: str) -> Action:
    return mobilize_access.get_action_or_404(member, public_id)


def can_manage_needs(member: Member, action: Action) -> bool:
    return mobilize_access.can_run(member, action)


def can_pledge(member: Member, action: Action) -> bool:
    return mobilize_access.visible_actions(member).filter(pk=action.pk).exists()


def visible_needs(member: Member) -> QuerySet[SupplyNeed]:
    return SupplyNeed.objects.filter(action__in=mobilize_access.visible_actions(member))


def get_need_or_404(member: Member, public_id: str) -> SupplyNeed:
    return get_or_404(visible_needs(member).select_related("action"), public_id=public_id)


def pledges_shown(member: Member, action: Action) -> QuerySet[SupplyPledge]:
    """Who brings what: every pledge for those who run the action, one's own for others."""
    pledges = SupplyPledge.objects.filter(need__action=action).select_related("need", "member")
    if can_manage_needs(member, action):
        return pledges
    return pledges.filter(member=member)


def can_read_pledge_contacts(member: Member, action: Action) -> bool:
    return can_manage_needs(member, action) and has_second_factor(member)


def get_pledge_or_404(member: Member, public_id: str) -> SupplyPledge:
    pledges = SupplyPledge.objects.filter(
        need__action__in=mobilize_access.visible_actions(member)
    ).select_related("need__action")
    pledge = get_or_404(pledges, public_id=public_id)
    if not can_withdraw(member, pledge):
        return get_or_404(SupplyPledge.objects.none(), pk=0)
    return pledge


def can_withdraw(member: Member, pledge: SupplyPledge) -> bool:
    if pledge.member_id is not None and pledge.member_id == member.pk:
        return member.is_active
    return can_manage_needs(member, pledge.need.action)


def public_action_or_none(token: str) -> Action | None:
    """An action whose public page is open, by the page's secret; None for anything else."""
    if not token or len(token) > 64:
        return None
    action = Action.objects.filter(public_token=token, cancelled_at__isnull=True).first()
    if action is None or action.over:
        return None
    return action


# --- the inventory ----------------------------------------------------------------------------


def can_see_inventory(member: Member) -> bool:
    return is_member(member) or can_keep_inventory(member)


def can_keep_inventory(member: Member) -> bool:
    return is_organizer(member) or can_keep_books(member)


def visible_inventory(member: Member) -> QuerySet[InventoryItem]:
    if not can_see_inventory(member):
        return InventoryItem.objects.none()
    return InventoryItem.objects.select_related("keeper")


def get_item_or_404(member: Member, public_id: str) -> InventoryItem:
    return get_or_404(visible_inventory(member), public_id=public_id)
