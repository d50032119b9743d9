"""API operations on supplies: an action's needs with what is pledged and still short, under
the same access rules as the pages (whoever may see the action, with the actions-read scope).

(No `from __future__ import annotations` here: ninja reads the annotations at import time.)
"""

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from solnet.core.api import ERRORS, NOT_FOUND, ErrorOut, require_scope
from solnet.funds import supplies
from solnet.funds import supplies_access as access
from solnet.members.models import ApiScope

router = Router(tags=["funds"])


class SupplyNeedOut(Schema):
    public_id: str
    action: str = Field(description="The action's public id")
    kind: str
    label: str
    unit: str
    shift: int | None = Field(description="The shift's id, or null for the whole action")
    needed: int = Field(description="How many are needed")
    pledged: int = Field(description="How many are pledged (withdrawn pledges left out)")
    shortfall: int = Field(description="How many are still missing (0 when met)")
    over: int = Field(description="How many are pledged beyond the need")


class SupplyNeedsQuery(Schema):
    action: str | None = Field(
        None,
        max_length=24,
        description="One action's public id; without it, every upcoming action I can see",
    )


@router.get(
    "/supply-needs",
    response={200: list[SupplyNeedOut], 404: ErrorOut, **ERRORS},
    summary="Actions' supplies: needed, pledged and still short",
)
def list_supply_needs(request: HttpRequest, filters: Query[SupplyNeedsQuery]):
    viewer = require_scope(request, ApiScope.ACTIONS_READ)
    if filters.action is None:
        actions = access.visible_actions(viewer).upcoming().order_by("starts_at", "pk")[:50]
    else:
        try:
            actions = [access.get_action_or_404(viewer, filters.action)]
        except Http404:
            return NOT_FOUND
    return [
        {
            "public_id": row.need.public_id,
            "action": action.public_id,
            "kind": row.need.kind,
            "label": row.need.label,
            "unit": row.need.unit,
            "shift": row.need.shift_id,
            "needed": row.need.quantity,
            "pledged": row.pledged,
            "shortfall": row.shortfall,
            "over": row.over,
        }
        for action in actions
        for row in supplies.need_rows(action)
    ]
