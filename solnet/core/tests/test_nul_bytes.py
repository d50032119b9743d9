"""A NUL byte in an address, a query or a body is bad input like any other: a clear refusal
that changes nothing — never a server error (PostgreSQL refuses NUL in text, so a lookup
that carries one fails in the database)."""

from __future__ import annotations

import pytest

from conftest import sign_in
from solnet.members.models import ApiScope
from solnet.members.testing.api import ApiClient
from solnet.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_api_refuses_a_nul_in_a_query_in_a_path_and_in_a_body(personas, objects):
    api = ApiClient(personas["organizer"].member, *ApiScope.values)
    for response in (
        api.get("/api/people", tag="a\x00b"),
        api.get("/api/people", q="\x00"),
        api.get("/api/people/ab%00cd"),
        api.post(
            f"/api/decisions/delegates/{objects['delegate'].public_id}/votes",
            {"voted_on": "2026-11-30", "motion": "Strike", "vote": "f\x00r"},
        ),
    ):
        assert response.status_code == 422, response.content[:300]
        assert response.json()["detail"] == "Invalid input."
    member = ApiClient(personas["member"].member, ApiScope.MEETINGS_TAKE_PART)
    url = f"/api/decisions/delegates/{objects['delegate'].public_id}/votes"
    body = {"voted_on": "2026-11-30", "motion": "Strike", "vote": "f\x00r"}
    assert member.post(url, body).status_code == 422
    assert not objects["delegate"].reported_votes.exists()


def test_a_page_refuses_a_nul_in_its_address_or_its_query(client, personas, objects):
    sign_in(client, personas["organizer"].member)
    for path in ("/people/ab%00cd/", "/people/?q=%00", "/fights/%00/"):
        response = client.get(path)
        assert response.status_code == 400, (path, response.status_code)
    # A form's own field check refuses it, with the form shown again.
    response = client.post("/people/new/", {"display_name": "Nul\x00Person"})
    assert response.status_code in (200, 422) and "Null characters are not allowed" in (
        response.content.decode()
    )
    assert not Person.objects.filter(display_name__startswith="Nul").exists()


def test_the_refusal_is_in_the_persons_language(client, personas):
    member = personas["member"].member
    member.preferred_language = "es"
    member.save(update_fields=["preferred_language"])
    sign_in(client, member)
    response = client.get("/people/?q=%00")
    assert response.status_code == 400
    assert "Solicitud incorrecta" in response.content.decode()
