"""Uploads that never touch the disk in clear.

Django writes any uploaded file over 2.5 MB to a temporary file: a clear copy of a CSV of
people, or of someone's pay stub, left on the disk. A view that takes a file sets
`MemoryOnlyUpload` as its only upload handler before the body is read (which means exempting
it from the CSRF middleware, which reads the body, and checking CSRF itself right after: see
`people.import_views.import_new`). The handler keeps the file in memory up to a cap and, past
it, skips the file and says so.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import MemoryFileUploadHandler, SkipFile
from django.http import HttpRequest

# Multipart framing around the file: a little more than the file itself may arrive.
UPLOAD_SLACK = 64 * 1024


class MemoryOnlyUpload(MemoryFileUploadHandler):
    """Keeps an uploaded file in memory, up to `max_bytes`."""

    def __init__(self, request: HttpRequest, *, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(request, **kwargs)
        self.max_bytes = max_bytes
        self.too_big = False
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_big = True
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


def install(request: HttpRequest, *, max_bytes: int) -> MemoryOnlyUpload:
    """Makes `request` keep its uploads in memory, up to `max_bytes`."""
    handler = MemoryOnlyUpload(request, max_bytes=max_bytes)
    request.upload_handlers = [handler]
    return handler


def body_too_big(request: HttpRequest, *, max_bytes: int) -> bool:
    """Whether the request announces a body bigger than the cap allows: then it is never
    read at all."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django's own parser deals with it
    return length > max_bytes + UPLOAD_SLACK
