"""Rows of the authorization matrix for the treasurer's pages and the funds API (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use)."""

from __future__ import annotations

from solnet.core.tests import test_authorization_matrix as matrix

TREASURER = ["fund_committee"]


def _fund(objects) -> dict:
    if "fund" not in objects:
        from solnet.funds.tests.making import give, make_fund

        objects["fund"] = make_fund("Matrix fund")
        objects["fund_entry"] = give(objects["fund"], 5000)
    return {"public_id": objects["fund"].public_id}


def _entry(objects) -> dict:
    _fund(objects)
    return {"public_id": objects["fund_entry"].public_id}


PAGES: dict = {
    "funds:home": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    "funds:fund": matrix.Row(matrix.only(*matrix.MEMBERS_UP), kwargs=_fund),
    "funds:fund_new": matrix.Row(matrix.only(*TREASURER)),
    "funds:fund_rules": matrix.Row(matrix.only(*TREASURER), kwargs=_fund),
    "funds:settings": matrix.Row(matrix.only(*TREASURER)),
    "funds:accounts": matrix.Row(matrix.only(*TREASURER)),
    "funds:journal": matrix.Row(matrix.only(*TREASURER)),
    "funds:entry": matrix.Row(matrix.only(*TREASURER), kwargs=_entry),
    "funds:donation_new": matrix.Row(matrix.only(*TREASURER)),
    "funds:move": matrix.Row(matrix.only(*TREASURER)),
    "funds:opening": matrix.Row(matrix.only(*TREASURER)),
    "funds:dues": matrix.Row(matrix.only(*TREASURER)),
    "funds:my_dues": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    # No processor is configured in the matrix: a member's post is refused with a 422.
    "funds:pay_dues": matrix.Row(
        matrix.only(*matrix.MEMBERS_UP), "post", data=lambda o: {"amount": "20"}
    ),
    "funds:dues_payment": matrix.Row(
        matrix.only(*TREASURER),
        kwargs=lambda o: {"member_id": o["personas"]["member"].member.public_id},
    ),
}
API_OPERATIONS: dict = {
    ("get", "/api/funds"): matrix.Row(matrix.only(*matrix.APPROVED), note="a list, maybe empty"),
    ("get", "/api/funds/accounts"): matrix.Row(
        matrix.only(*matrix.APPROVED), note="a treasurer's accounts; empty for others"
    ),
    ("get", "/api/funds/{public_id}"): matrix.Row(matrix.only(*matrix.MEMBERS_UP), kwargs=_fund),
    ("get", "/api/funds/{public_id}/report"): matrix.Row(
        matrix.only(*matrix.MEMBERS_UP), kwargs=_fund
    ),
}
