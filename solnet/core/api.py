"""What every app's API operations share: the scope check and the error bodies. The token
itself is the members app's (`members.api.ApiTokenAuth`); an operation only asks whether the
token it was called with holds a scope, so the apps' routers need not import members."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError


def require_scope(request: HttpRequest, scope: str) -> Any:
    """The member the request's token acts for, if the token holds `scope`; a 403 if not."""
    token = request.auth  # type: ignore[attr-defined]
    if scope not in token.scopes:
        raise HttpError(403, f"This token lacks the scope {scope}.")
    return token.member


class ErrorOut(Schema):
    detail: str


ERRORS = {401: ErrorOut, 403: ErrorOut}
