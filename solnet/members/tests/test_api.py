"""The JSON API: personal tokens, scopes, and the documented error answers."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from solnet.api import api
from solnet.members import services
from solnet.members.models import ApiScope, ApiToken, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(member):
    _token, secret = services.create_api_token(
        member=member, name="sync", scopes=list(ApiScope.values), days=30
    )
    return secret


def _auth(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_reads_its_member(client, token, member):
    response = client.get("/api/me", **_auth(token))
    assert response.status_code == 200
    assert response.json()["username"] == "member"
    assert response.json()["email"] == "member@example.org"


def test_no_token_or_a_bad_one_is_401(client, token):
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", **_auth("sn_" + "x" * 43)).status_code == 401
    assert client.get("/api/me", **_auth(token[:-1])).status_code == 401


def test_a_token_without_the_scope_is_403(client, member):
    _t, secret = services.create_api_token(member=member, name="r", scopes=["me:read"], days=1)
    response = client.get("/api/members", **_auth(secret))
    assert response.status_code == 403
    assert "members:read" in response.json()["detail"]


def test_a_revoked_token_stops_working_at_once(client, token, member):
    services.revoke_api_token(token=ApiToken.objects.get(member=member), by=member)
    assert client.get("/api/me", **_auth(token)).status_code == 401


def test_extra_fields_are_refused_and_change_nothing(client, token, member):
    response = client.patch(
        "/api/me",
        json.dumps({"display_name": "Someone", "tier": 40}),
        content_type="application/json",
        **_auth(token),
    )
    assert response.status_code == 422
    member.refresh_from_db()
    assert member.display_name == "Member" and member.tier == 30


def test_invalid_values_are_422(client, token, member):
    response = client.patch(
        "/api/me", json.dumps({"display_name": ""}), content_type="application/json", **_auth(token)
    )
    assert response.status_code == 422
    response = client.patch(
        "/api/me",
        json.dumps({"preferred_language": "xx"}),
        content_type="application/json",
        **_auth(token),
    )
    assert response.status_code == 422
    member.refresh_from_db()
    assert member.display_name == "Member" and member.preferred_language == ""


def test_malformed_json_is_400(client, token):
    response = client.patch("/api/me", "{not json", content_type="application/json", **_auth(token))
    assert response.status_code == 400


def test_a_profile_change_through_the_api_is_saved(client, token, member):
    response = client.patch(
        "/api/me",
        json.dumps({"display_name": "Mer", "phone": "+1 206 555 0111"}),
        content_type="application/json",
        **_auth(token),
    )
    assert response.status_code == 200
    member = Member.objects.get(pk=member.pk)
    assert member.display_name == "Mer" and member.phone == "+12065550111"


def test_members_are_paginated_and_contacts_follow_access_rules(client, personas, token):
    response = client.get("/api/members?limit=2&offset=0", **_auth(token))
    body = response.json()
    assert response.status_code == 200
    # Every approved, active persona (fight_team and subject too); the pending joiner is not.
    assert body["count"] == 8
    assert len(body["items"]) == 2
    # A plain member may not read other people's contact details.
    others = [m for m in body["items"] if m["public_id"] != personas["member"].member.public_id]
    assert all(m["email"] is None and m["phone"] is None for m in others)
    assert client.get("/api/members?limit=500", **_auth(token)).status_code == 422


def test_an_organizer_token_reads_contacts(client, personas):
    organizer = personas["organizer"].member
    _t, secret = services.create_api_token(
        member=organizer, name="o", scopes=["members:read"], days=1
    )
    supporter = personas["supporter"].member
    body = client.get(f"/api/members/{supporter.public_id}", **_auth(secret)).json()
    assert body["email"] == "supporter@example.org"


def test_a_supporter_sees_only_themself_and_others_are_404(client, personas):
    supporter = personas["supporter"].member
    _t, secret = services.create_api_token(
        member=supporter, name="s", scopes=["members:read"], days=1
    )
    body = client.get("/api/members", **_auth(secret)).json()
    assert [m["public_id"] for m in body["items"]] == [supporter.public_id]
    other = personas["member"].member.public_id
    assert client.get(f"/api/members/{other}", **_auth(secret)).status_code == 404
    assert client.get("/api/members/does-not-exist", **_auth(secret)).status_code == 404


def test_the_schema_documents_the_error_answers(client):
    schema = client.get("/api/openapi.json").json()
    me = schema["paths"]["/api/me"]
    assert {"200", "401", "403"} <= set(me["get"]["responses"])
    assert {"400", "422"} <= set(me["patch"]["responses"])
    assert "404" in schema["paths"]["/api/members/{public_id}"]["get"]["responses"]
    body = me["patch"]["requestBody"]["content"]["application/json"]["schema"]
    ref = body["$ref"].split("/")[-1]
    assert schema["components"]["schemas"][ref]["additionalProperties"] is False


def test_tokens_are_made_on_a_page_and_shown_once(signed_in, member):
    from solnet.core.tests.test_authorization_matrix import sign_in

    client = sign_in(signed_in(member), member)
    response = client.post(
        reverse("members:api_tokens"), {"name": "sheet", "scopes": ["me:read"], "days": 30}
    )
    assert response.status_code == 200
    secret = response.context["created"]["secret"]
    assert secret.startswith("sn_") and secret.encode() in response.content
    assert ApiToken.objects.filter(member=member, name="sheet").count() == 1
    assert secret.encode() not in client.get(reverse("members:api_tokens")).content
    assert not ApiToken.objects.filter(token_digest=secret).exists()


def test_the_api_has_the_operations_the_matrix_lists():
    from solnet.core.tests.test_authorization_matrix import API_OPERATIONS

    paths = api.get_openapi_schema()["paths"]
    assert {(m, p) for p, ops in paths.items() for m in ops} == set(API_OPERATIONS)


def test_a_bad_email_or_phone_through_the_api_is_422_and_changes_nothing(client, token, member):
    for change in ({"email": "not an email"}, {"phone": "call me maybe"}):
        response = client.patch(
            "/api/me", json.dumps(change), content_type="application/json", **_auth(token)
        )
        assert response.status_code == 422, change
    member = Member.objects.get(pk=member.pk)
    assert member.email == "member@example.org" and member.phone == "+1 206 555 0100"


@pytest.mark.parametrize(
    "change",
    [{"email": ""}, {"phone": "000000"}, {"phone": "555-0100"}, {"phone": "0000000000"}],
)
def test_an_empty_email_or_a_number_that_does_not_exist_is_refused_and_changes_nothing(
    client, token, member, change
):
    before = Member.objects.values("email", "email_index", "phone", "phone_index").get(pk=member.pk)
    response = client.patch(
        "/api/me", json.dumps(change), content_type="application/json", **_auth(token)
    )
    assert response.status_code == 422
    after = Member.objects.values("email", "email_index", "phone", "phone_index").get(pk=member.pk)
    assert after == before


def test_null_takes_the_phone_number_away(client, token, member):
    response = client.patch(
        "/api/me", json.dumps({"phone": None}), content_type="application/json", **_auth(token)
    )
    assert response.status_code == 200
    assert Member.objects.get(pk=member.pk).phone is None
