"""Security headers on every response, error pages included; NUL bytes refused at the door."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse

# Nothing leaves the server: no CDN, no web fonts, no analytics, no inline code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "manifest-src 'self'",
    ]
)

# A file someone uploaded, served back (evidence, receipts, field media): stricter still — a
# sandbox with nothing allowed, so that even a file a browser took for a page runs nothing.
UPLOADED_FILE_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # Not "no-referrer": browsers then send "Origin: null", which the CSRF check refuses.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
    ),
}


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages about people must not linger in shared caches or the back-forward cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    if _in_fields(request.GET):
        return True
    # A JSON body is read here; a form's fields are not (a form refuses a NUL itself, and
    # reading them here would take an upload before its view sets how uploads are taken).
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type != "application/json":
        return False
    try:
        document = json.loads(request.body or b"null")
    except ValueError:
        return False  # not JSON at all: the operation says so itself
    return any("\x00" in text for text in _strings(document))


def _in_fields(fields: Any) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in fields.lists()
    )


class RefuseNulBytesMiddleware:
    """No person types a NUL byte, and PostgreSQL cannot hold one in text: a request carrying
    one in its address, its query or its JSON body is refused before anything reads the
    database — 422 with the API's error body under /api/, 400 elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Invalid input."}, status=422)
            raise BadRequest("A NUL byte in the request.")
        return self.get_response(request)
