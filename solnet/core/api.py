"""What every app's API operations share: the scope check, the error bodies and the page of a
list. The token itself is the members app's (`members.api.ApiTokenAuth`); an operation only
asks whether the token it was called with holds a scope, so the apps' routers need not import
members."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict


def require_scope(request: HttpRequest, scope: str) -> Any:
    """The member the request's token acts for, if the token holds `scope`; a 403 if not."""
    token = request.auth  # type: ignore[attr-defined]
    if scope not in token.scopes:
        raise HttpError(403, f"This token lacks the scope {scope}.")
    return token.member


class ErrorOut(Schema):
    detail: str


# 422: a parameter or a body that is not what the operation takes (any operation may get one).
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}

# Not there and not the caller's to see get the same answer.
NOT_FOUND = (404, {"detail": "Not found."})


def aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A time sent without an offset is the network's local time, as a form's would be."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def unprocessable(error: ValidationError) -> tuple[int, dict[str, str]]:
    """A service's refusal as a 422 with its reasons."""
    return 422, {"detail": " ".join(error.messages)}


class Pagination(LimitOffsetPagination):
    """Every list's page: at most 200 at a time; unknown parameters are an error."""

    class Input(Schema):
        model_config = ConfigDict(extra="forbid")

        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=10_000_000)
