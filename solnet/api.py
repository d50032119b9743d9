"""The JSON API at /api/, assembled from each app's router. The OpenAPI schema is served at
/api/openapi.json."""

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from solnet.councils.api import router as councils_router
from solnet.democracy.api import router as democracy_router
from solnet.democracy.meeting_api import router as meetings_router
from solnet.fights.api import router as fights_router
from solnet.funds.api import router as funds_router
from solnet.funds.supplies_api import router as supplies_router
from solnet.members.api import ApiTokenAuth
from solnet.members.api import router as members_router
from solnet.mobilize.alert_api import router as alerts_router
from solnet.mobilize.api import router as actions_router
from solnet.network.api import router as network_router
from solnet.people.api import router as people_router

# What the schema says of every free text: no NUL byte (refused at the door, with a 422, by
# `core.middleware.RefuseNulBytesMiddleware`: PostgreSQL cannot hold one in text).
NO_NUL = "^[^\\u0000]*$"


def _no_nul(node: Any) -> None:
    if isinstance(node, dict):
        free = node.get("type") == "string" and not node.keys() & {
            "enum",
            "const",
            "format",
            "pattern",
        }
        if free:
            node["pattern"] = NO_NUL
        if node.get("type") == "object" and node.get("additionalProperties"):
            node.setdefault("propertyNames", {"pattern": NO_NUL})  # a map's keys too
        for value in node.values():
            _no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _no_nul(value)


class SolNetAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        _no_nul(schema)
        return schema


api = SolNetAPI(
    title="SolNet API",
    version="1",
    description=(
        "Personal API tokens (Authorization: Bearer sn_…) act for their member, within the "
        "scopes chosen when the token was made. Errors: 400 malformed request, 401 missing or "
        "invalid token, 403 token lacks the scope, 404 not found or not yours to see (the "
        "same answer), 422 invalid input."
    ),
    auth=ApiTokenAuth(),
    urls_namespace="api",
    docs_url=None,  # the stock docs page loads scripts from a CDN; the schema is enough
)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": "Missing or invalid token."}, status=401)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError):
    return api.create_response(
        request, {"detail": "Invalid input.", "errors": exc.errors}, status=422
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


api.add_router("/network", network_router)
api.add_router("/people", people_router)
api.add_router("/councils", councils_router)
api.add_router("/fights", fights_router)
api.add_router("/decisions", democracy_router)
api.add_router("/decisions", meetings_router)
api.add_router("/", actions_router)
api.add_router("/alerts", alerts_router)
# Before the funds router: its "/{public_id}" would otherwise take "/supply-needs".
api.add_router("/funds", supplies_router)
api.add_router("/funds", funds_router)
api.add_router("/", members_router)
