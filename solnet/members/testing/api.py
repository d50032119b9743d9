"""A client for API tests: calls /api/ with a personal token of the member's, holding the
scopes the test names, as a script would."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from solnet.members import services
from solnet.members.models import Member


class ApiClient:
    def __init__(self, member: Member, *scopes: str) -> None:
        _token, secret = services.create_api_token(
            member=member, name="test", scopes=list(scopes), days=1
        )
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str, **query: Any):
        return self.client.get(path, query, **self.headers)

    def _send(self, method: str, path: str, payload: dict | None):
        body = json.dumps(payload) if payload is not None else ""
        call = getattr(self.client, method)
        return call(path, body, content_type="application/json", **self.headers)

    def post(self, path: str, payload: dict | None = None):
        return self._send("post", path, payload if payload is not None else {})

    def put(self, path: str, payload: dict | None = None):
        return self._send("put", path, payload if payload is not None else {})

    def delete(self, path: str):
        return self._send("delete", path, None)
