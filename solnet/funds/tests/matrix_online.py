"""Rows of the authorization matrix for these pages and API operations (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use)."""

from __future__ import annotations

from solnet.core.tests import test_authorization_matrix as matrix


# A fund that takes donations online, made the first time a row needs it.
def _givable_fund(objects):
    if "givable_fund" not in objects:
        from solnet.funds.models import Fund, FundKind

        objects["givable_fund"] = Fund.objects.create(
            name="Strike fund", kind=FundKind.STRIKE, public_donations=True
        )
    return {"public_id": objects["givable_fund"].public_id}


PAGES: dict = {
    "funds:give": matrix.Row(
        matrix.NOT_PENDING,
        kwargs=_givable_fund,
        note="a fund's public donation page: anyone, no account; a joiner is held at the "
        "waiting page",
    ),
    "funds:give_thanks": matrix.Row(matrix.NOT_PENDING, kwargs=_givable_fund),
    "funds:give_cancelled": matrix.Row(matrix.NOT_PENDING, kwargs=_givable_fund),
    "funds:processor_webhook": matrix.Row(
        matrix.NOT_PENDING,
        "post",
        data=lambda o: {"id": "evt_matrix", "type": "checkout.session.completed"},
        note="a public address the processor posts to: its signature, not a session, is the "
        "key. Unsigned, it answers 400 and writes nothing, for everyone alike "
        "(test_online_donations.py posts signed and forged ones)",
    ),
}
API_OPERATIONS: dict = {}
