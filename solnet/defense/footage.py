"""What a field note may carry: a photo (JPEG, PNG) or a short video (MP4, or a phone's MOV),
kept without what the file says about where and on what it was taken.

Photos go through the evidence vault's cleaning (`solnet.fights.evidence`): decoded and
written again with the pixels alone. A video is not decoded (nothing here can re-encode one);
its boxes (ISO base media format: MP4 and QuickTime) are walked instead, and every box that
holds metadata — ``udta`` (where the phone writes the place, ``©xyz``), ``meta`` (Apple's
location, maker and model keys), ``uuid`` and ``XMP_`` (XMP), and any box at the top that
is not part of the picture — becomes a ``free`` box of the same size filled with zeros. The
sizes stay, so every offset into the media data still points where it did and the video plays
as before.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from solnet.fights import evidence

VIDEO_MAX_BYTES = 30 * 1024 * 1024
PHOTOS = ("image/jpeg", "image/png")
VIDEOS = {"video/mp4": "mp4", "video/quicktime": "mov"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", **VIDEOS}

# Boxes whose children are walked; boxes that are blanked wherever they are; boxes kept at
# the top (the rest are blanked there).
_CONTAINERS = frozenset(
    {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"moof", b"traf"}
)
_METADATA = frozenset({b"udta", b"meta", b"uuid", b"XMP_", b"ilst", b"keys"})
_TOP = frozenset(
    {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"moof", b"mfra", b"styp", b"sidx"}
)


def sniff(data: bytes) -> str | None:
    """The media type the bytes say, among those a field note keeps."""
    kind = evidence.sniff(data)
    if kind in PHOTOS:
        return kind
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "video/quicktime" if data[8:12] == b"qt  " else "video/mp4"
    return None


def kind_message() -> str:
    return _("Only photos (JPEG, PNG) and videos (MP4, MOV) can be kept.")


def too_big_message() -> str:
    return _("A video can be up to %(size)d MB; a photo up to %(photo)d MB.") % {
        "size": VIDEO_MAX_BYTES // (1024 * 1024),
        "photo": evidence.MAX_BYTES // (1024 * 1024),
    }


def clean(data: bytes) -> tuple[bytes, str]:
    """The bytes to keep and their media type; ValidationError for anything else."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff(data)
    if kind is None:
        raise ValidationError(kind_message(), code="kind")
    if kind in PHOTOS:
        if len(data) > evidence.MAX_BYTES:
            raise ValidationError(too_big_message(), code="too_big")
        return evidence.clean(data)
    if len(data) > VIDEO_MAX_BYTES:
        raise ValidationError(too_big_message(), code="too_big")
    return without_metadata(data), kind


def without_metadata(data: bytes) -> bytes:
    """The video with its metadata boxes blanked (same length, same media)."""
    buffer = bytearray(data)
    _walk(buffer, 0, len(buffer), top=True)
    return bytes(buffer)


def _unreadable() -> ValidationError:
    return ValidationError(_("This video cannot be read."), code="unreadable")


def _walk(buffer: bytearray, start: int, end: int, *, top: bool) -> None:
    position = start
    while position < end:
        if end - position < 8:
            raise _unreadable()
        size = int.from_bytes(buffer[position : position + 4], "big")
        kind = bytes(buffer[position + 4 : position + 8])
        header = 8
        if size == 1:  # a 64-bit size follows the type
            if end - position < 16:
                raise _unreadable()
            size = int.from_bytes(buffer[position + 8 : position + 16], "big")
            header = 16
        elif size == 0:  # to the end of the enclosing box
            size = end - position
        if size < header or position + size > end:
            raise _unreadable()
        if kind in _METADATA or (top and kind not in _TOP):
            buffer[position + 4 : position + 8] = b"free"
            buffer[position + header : position + size] = bytes(size - header)
        elif kind in _CONTAINERS:
            _walk(buffer, position + header, position + size, top=False)
        position += size
