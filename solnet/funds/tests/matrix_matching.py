"""Rows of the authorization matrix for the donor-to-striker matching pages (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use).

The objects: a strike fund with a public page; the member persona a striker verified by the
fund committee; the dispatcher persona's pledge and a public donor's, matched to them in a
round the fund committee ran (the public donor's link is a known secret here)."""

from __future__ import annotations

import hashlib

from solnet.core.tests import test_authorization_matrix as matrix

TREASURER = "fund_committee"
VERIFIERS = ["organizer", TREASURER]
STRIKER = "member"
DONOR = "dispatcher"
DONOR_TOKEN = "matrix-donor-link-secret"


def _matching(objects) -> dict:
    if "match_fund" not in objects:
        from solnet.funds import matching
        from solnet.funds.models import Match
        from solnet.funds.tests.making import make_fund

        personas = objects["personas"]
        treasurer = personas[TREASURER].member
        fund = make_fund("Matrix strike fund", kind="strike", public_donations=True)
        recipient = matching.ask_to_receive(
            fund=fund,
            by=personas[STRIKER].member,
            shown_name="Ana",
            payment_handle="@ana",
            need=50000,
        )
        matching.verify_recipient(recipient=recipient, by=treasurer, verified=True)
        pledge = matching.pledge(fund=fund, by=personas[DONOR].member, amount=4000, key="m1")
        public = matching.pledge_publicly(
            fund=fund, amount=1000, email="donor@example.org", key="m2"
        )
        matching.run_round(fund=fund, by=treasurer)
        Match.objects.filter(pledge=public).update(
            token_digest=hashlib.sha256(DONOR_TOKEN.encode()).hexdigest()
        )
        objects["match_fund"] = fund
        objects["match_recipient"] = recipient
        objects["match_pledge"] = pledge
        objects["match"] = Match.objects.get(pledge=pledge)
    return {}


def _fund(objects) -> dict:
    _matching(objects)
    return {"public_id": objects["match_fund"].public_id}


def _recipient(objects) -> dict:
    _matching(objects)
    return {"recipient_id": objects["match_recipient"].public_id}


def _pledge(objects) -> dict:
    _matching(objects)
    return {"pledge_id": objects["match_pledge"].public_id}


def _match(objects) -> dict:
    _matching(objects)
    return {"match_id": objects["match"].public_id}


PAGES: dict = {
    "funds:matching": matrix.Row(matrix.only(*matrix.MEMBERS_UP), kwargs=_fund),
    "funds:match_receive": matrix.Row(
        matrix.only(*matrix.MEMBERS_UP),
        "post",
        _fund,
        lambda o: {"shown_name": "Sam", "payment_handle": "@sam", "need": "100"},
        note="members ask; the striker persona, asked already, is told so (422)",
    ),
    "funds:match_pledge": matrix.Row(
        matrix.only(*matrix.MEMBERS_UP),
        "post",
        _fund,
        lambda o: {"amount": "10", "key": "matrix-form"},
    ),
    "funds:match_pledge_withdraw": matrix.Row(
        matrix.only(DONOR), "post", _pledge, note="the donor's own pledge"
    ),
    "funds:match_recipient_withdraw": matrix.Row(
        matrix.only(STRIKER), "post", _recipient, note="the striker's own request"
    ),
    "funds:match_recipients": matrix.Row(matrix.only(*VERIFIERS), kwargs=_fund),
    "funds:match_verify": matrix.Row(
        matrix.only(*VERIFIERS),
        "post",
        _recipient,
        lambda o: {"decision": "verify"},
        note="delegates and treasurers; already verified, so the page says so (422)",
    ),
    "funds:match_round": matrix.Row(
        matrix.only(TREASURER),
        "post",
        _fund,
        lambda o: {"confirm_days": "7"},
        note="treasurers; nothing new to match, so the page says so (422)",
    ),
    "funds:match_sent": matrix.Row(matrix.only(DONOR), "post", _match, note="the donor"),
    "funds:match_received": matrix.Row(matrix.only(STRIKER), "post", _match, note="the striker"),
    "funds:match_public": matrix.Row(
        matrix.NOT_PENDING,
        kwargs=_fund,
        note="a strike fund's public page; a joiner is held at the waiting page",
    ),
    "funds:match_public_thanks": matrix.Row(matrix.NOT_PENDING, kwargs=_fund),
    "funds:match_donor": matrix.Row(
        matrix.NOT_PENDING,
        kwargs=lambda o: _matching(o) or {"token": DONOR_TOKEN},
        note="the public donor's link is the key",
    ),
}
API_OPERATIONS: dict = {}
