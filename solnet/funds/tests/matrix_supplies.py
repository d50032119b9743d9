"""Rows of the authorization matrix for the supplies pages and API (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use).

The objects: the network picket of `objects["action"]` (the organizer runs it, the phone tree
and up see it, its public page is open) needing water, the member persona's pledge to it, and
an inventory item kept by the member persona."""

from __future__ import annotations

from solnet.core.tests import test_authorization_matrix as matrix

RUNS = ["organizer"]
KEEPS = ["organizer", "fund_committee"]
PLEDGER = "member"


def _supplies(objects) -> dict:
    if "supply_need" not in objects:
        from solnet.funds import supplies

        personas = objects["personas"]
        need = supplies.add_need(
            action=objects["action"],
            by=personas["organizer"].member,
            kind="water",
            quantity=24,
            unit="bottles",
        )
        objects["supply_need"] = need
        objects["supply_pledge"] = supplies.pledge(
            need=need, by=personas[PLEDGER].member, quantity=6
        )
        objects["inventory_item"] = supplies.add_item(
            by=personas["organizer"].member,
            kind="heaters",
            label="Propane heater",
            quantity=2,
            keeper=personas[PLEDGER].member,
            where="garage",
            condition="good",
        )
    return {}


def _action(objects) -> dict:
    _supplies(objects)
    return {"public_id": objects["action"].public_id}


def _need(objects) -> dict:
    _supplies(objects)
    return {"public_id": objects["supply_need"].public_id}


def _pledge(objects) -> dict:
    _supplies(objects)
    return {"public_id": objects["supply_pledge"].public_id}


def _item(objects) -> dict:
    _supplies(objects)
    return {"public_id": objects["inventory_item"].public_id}


def _token(objects) -> dict:
    _supplies(objects)
    return {"token": objects["action"].public_token}


PAGES: dict = {
    "funds:supplies": matrix.Row(
        matrix.only(*matrix.SEES_PICKET), kwargs=_action, note="whoever sees the action"
    ),
    "funds:supply_need_add": matrix.Row(
        matrix.only(*RUNS),
        "post",
        _action,
        lambda o: {"kind": "food", "quantity": "3"},
        note="those who run the action",
    ),
    "funds:supply_need_remove": matrix.Row(matrix.only(*RUNS), "post", _need),
    "funds:supply_pledge": matrix.Row(
        matrix.only(*matrix.SEES_PICKET),
        "post",
        _need,
        lambda o: {"quantity": "2"},
        note="whoever sees the action pledges",
    ),
    "funds:supply_pledge_withdraw": matrix.Row(
        matrix.only(PLEDGER, *RUNS),
        "post",
        _pledge,
        note="the member who pledged, and those who run the action",
    ),
    "funds:supplies_public": matrix.Row(
        matrix.NOT_PENDING,
        kwargs=_token,
        note="the action's public page's secret address; a joiner is held at the waiting page",
    ),
    "funds:supplies_public_thanks": matrix.Row(matrix.NOT_PENDING, kwargs=_token),
    "funds:inventory": matrix.Row(
        matrix.only(*matrix.MEMBERS_UP),
        kwargs=lambda o: _supplies(o) or {},
        note="members read it; organizers and treasurers keep it",
    ),
    "funds:inventory_item": matrix.Row(matrix.only(*KEEPS), kwargs=_item),
    "funds:inventory_remove": matrix.Row(matrix.only(*KEEPS), "post", _item),
}
API_OPERATIONS: dict = {
    ("get", "/api/funds/supply-needs"): matrix.Row(
        matrix.only(*matrix.APPROVED),
        kwargs=lambda o: _supplies(o) or {},
        note="the upcoming actions' needs the caller may see; a list, maybe empty",
    ),
}
