"""Rows of the authorization matrix for these pages and API operations (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use).

The aid objects: a hardship fund decided by a committee on which the dispatcher persona sits
(with two other members), a request to it from the member persona with a receipt, and a
mutual-aid fund, decided by the general meeting, whose public request form is on."""

from __future__ import annotations

from solnet.core.tests import test_authorization_matrix as matrix

TREASURER = "fund_committee"
ON_THE_COMMITTEE = "dispatcher"
APPLICANT = "member"


def _aid(objects) -> dict:
    if "aid_request" not in objects:
        from conftest import make_member, tiny_png
        from solnet.councils.models import Committee
        from solnet.democracy.models import Body
        from solnet.democracy.services import body_of_committee
        from solnet.funds import aid
        from solnet.funds import services as books
        from solnet.people.services import own_record

        personas = objects["personas"]
        treasurer = personas[TREASURER].member
        committee = Committee.objects.create(council=objects["council"], name="Hardship")
        seated = [personas[ON_THE_COMMITTEE].member, *(make_member(n)[0] for n in ("aa", "ab"))]
        committee.members.add(*(own_record(member=m) for m in seated))
        fund = books.create_fund(
            by=treasurer,
            name="Matrix hardship fund",
            kind="hardship",
            body=body_of_committee(committee),
            cap=100000,
        )
        objects["aid_fund"] = fund
        objects["aid_public_fund"] = books.create_fund(
            by=treasurer,
            name="Matrix neighbours' fund",
            kind="mutual_aid",
            body=Body.objects.general(),
            members_only=False,
            public_requests=True,
        )
        objects["aid_lottery_fund"] = books.create_fund(
            by=treasurer,
            name="Matrix lottery fund",
            kind="mutual_aid",
            body=Body.objects.general(),
            decider="lottery",
        )
        objects["aid_request"] = aid.ask_for_aid(
            fund=fund,
            by=personas[APPLICANT].member,
            amount=20000,
            purpose="rent",
            receipts=[tiny_png()],
        )
    return {}


def _fund(objects) -> dict:
    _aid(objects)
    return {"public_id": objects["aid_fund"].public_id}


def _public_fund(objects) -> dict:
    _aid(objects)
    return {"public_id": objects["aid_public_fund"].public_id}


def _request(objects) -> dict:
    _aid(objects)
    return {"public_id": objects["aid_request"].public_id}


def _receipt(objects) -> dict:
    _aid(objects)
    request = objects["aid_request"]
    return {"public_id": request.public_id, "receipt_id": request.receipts.get().public_id}


def _lottery(objects) -> dict:
    _aid(objects)
    return {"public_id": objects["aid_lottery_fund"].public_id}


def _draw(objects) -> dict:
    from solnet.funds import lottery_seed

    _aid(objects)
    fund = objects["aid_lottery_fund"]
    return {"public_id": fund.public_id, "draw_id": lottery_seed.current_draw(fund).public_id}


def _closes_later(objects) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    return {"closes_at": (timezone.now() + timedelta(hours=60)).strftime("%Y-%m-%dT%H:%M")}


def _payment(objects) -> dict:
    from solnet.funds import ledger

    return {"account": ledger.standard_account("Assets:Bank").public_id, "method": "cash"}


PAGES: dict = {
    "funds:ask": matrix.Row(
        matrix.only(*matrix.MEMBERS_UP),
        kwargs=_fund,
        note="a members-only fund: members in good standing ask",
    ),
    "funds:ask_public": matrix.Row(
        matrix.NOT_PENDING,
        kwargs=_public_fund,
        note="the public form of a mutual-aid fund; a joiner is held at the waiting page",
    ),
    "funds:ask_public_thanks": matrix.Row(matrix.NOT_PENDING, kwargs=_public_fund),
    "funds:requests": matrix.Row(
        matrix.only(*matrix.MEMBERS_UP),
        kwargs=lambda o: _aid(o) or {},
        note="treasurers and the members of a fund's deciding body; the mutual-aid fund is "
        "the general meeting's, in which every member votes",
    ),
    "funds:request": matrix.Row(
        matrix.only(APPLICANT, TREASURER, ON_THE_COMMITTEE),
        kwargs=_request,
        note="the applicant's own; the treasurers and the committee that decides it",
    ),
    "funds:request_vote": matrix.Row(
        matrix.only(TREASURER, ON_THE_COMMITTEE),
        "post",
        _request,
        _closes_later,
        note="the committee member puts it; the treasurer, without a vote in the committee, "
        "is told to ask its members (422); never the applicant",
    ),
    "funds:request_pay": matrix.Row(
        matrix.only(TREASURER),
        "post",
        _request,
        _payment,
        note="treasurers only; this request is not granted yet, so the form says so (422)",
    ),
    "funds:request_receipt": matrix.Row(
        matrix.only(TREASURER, ON_THE_COMMITTEE),
        kwargs=_receipt,
        note="the treasurers and the deciding committee; not even the applicant",
    ),
    "funds:lottery": matrix.Row(
        matrix.only(*matrix.MEMBERS_UP),
        kwargs=_lottery,
        note="every member checks the commitment and, after the draw, the order",
    ),
    "funds:lottery_draw": matrix.Row(
        matrix.only(TREASURER),
        "post",
        _draw,
        note="treasurers; this month is not over, so the page says so (422)",
    ),
}
API_OPERATIONS: dict = {}
