"""The funds in the API: every member reads funds, balances and the monthly report with the
funds:read scope; the books' accounts need funds:books and the treasurer's role."""

from __future__ import annotations

import pytest
from django.test import Client

from solnet.funds import ledger
from solnet.funds.tests.making import give, make_fund
from solnet.members import services as member_services

pytestmark = pytest.mark.django_db


def _client(member, scopes) -> Client:
    _token, secret = member_services.create_api_token(
        member=member, name="api", scopes=scopes, days=1
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_member_reads_funds_balances_and_the_report(personas):
    fund = make_fund(cap=30000)
    give(fund, 12345)
    client = _client(personas["member"].member, ["funds:read"])
    listed = client.get("/api/funds").json()
    assert listed["items"] == [
        {
            "public_id": fund.public_id,
            "name": "Strike fund",
            "kind": "strike",
            "currency": "USD",
            "balance": "123.45",
            "balance_minor": 12345,
        }
    ]
    detail = client.get(f"/api/funds/{fund.public_id}").json()
    assert detail["cap_minor"] == 30000 and detail["balance_minor"] == 12345
    report = client.get(f"/api/funds/{fund.public_id}/report?months=2").json()
    assert len(report["months"]) == 2
    assert report["months"][-1]["money_in_minor"] == 12345
    assert report["months"][-1]["balance_minor"] == 12345
    assert client.get(f"/api/funds/{fund.public_id}/report?months=99").status_code == 422


def test_scopes_and_roles_hold(personas):
    fund = make_fund()
    give(fund, 500)
    no_scope = _client(personas["member"].member, ["me:read"])
    assert no_scope.get("/api/funds").status_code == 403
    assert no_scope.get(f"/api/funds/{fund.public_id}").status_code == 403
    member = _client(personas["member"].member, ["funds:read", "funds:books"])
    assert member.get("/api/funds/accounts").json()["items"] == []
    supporter = _client(personas["supporter"].member, ["funds:read"])
    assert supporter.get(f"/api/funds/{fund.public_id}").status_code == 404
    treasurer = _client(personas["fund_committee"].member, ["funds:books"])
    accounts = {
        a["code"]: a["balance_minor"] for a in treasurer.get("/api/funds/accounts").json()["items"]
    }
    assert accounts["Assets:Bank"] == 500 and accounts["Income:Donations"] == 500
    assert ledger.trial_balance() == 0


def test_the_reports_grants_say_their_purpose_as_a_code_and_in_the_readers_words(personas):
    from solnet.funds.tests.aid_setup import granted, make_cast

    cast = make_cast(personas)
    request = granted(cast)
    assert request.status == "granted"
    client = _client(cast.voters[0], ["funds:read"])
    [grant] = client.get(f"/api/funds/{cast.fund.public_id}/report").json()["grants"]
    assert grant["purpose"] == "rent" and grant["purpose_label"] == "rent"
    assert grant["amount_minor"] == request.amount
    spanish = client.get(
        f"/api/funds/{cast.fund.public_id}/report", HTTP_ACCEPT_LANGUAGE="es"
    ).json()["grants"][0]
    assert spanish["purpose"] == "rent" and spanish["purpose_label"] == "alquiler"
    assert cast.applicant.display_name not in str(grant)
