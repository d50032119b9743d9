"""The evidence vault: a fight's documents and photos, sealed on disk.

An upload is read in memory only (`solnet.core.uploads`), capped at `MAX_BYTES`, and its kind is
found from its bytes, never from its name or what the browser claims: JPEG, PNG or PDF. A photo
is decoded and written again without its metadata (EXIF, GPS position, camera, times; the
orientation is applied first so the picture stays upright), which also drops anything hidden
after the image data. The result is sealed (`solnet.core.sealed`) under its own key, kept until
the evidence is deleted, and only the fight team can read it back.
"""

from __future__ import annotations

import io
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
# A photo larger than this many pixels is refused before it is decoded (a decompression bomb
# would take the server's memory): 50 megapixels is beyond any phone camera.
MAX_PIXELS = 50_000_000

KINDS = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "application/pdf": (None, "pdf"),
}


def sniff(data: bytes) -> str | None:
    """The media type the bytes themselves say, or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean(data: bytes) -> tuple[bytes, str]:
    """The bytes to keep and their media type; ValidationError for what cannot be kept."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > MAX_BYTES:
        raise ValidationError(too_big_message(), code="too_big")
    content_type = sniff(data)
    if content_type is None:
        raise ValidationError(
            _("Only photos (JPEG, PNG) and PDF documents can be kept."), code="kind"
        )
    image_format, _extension = KINDS[content_type]
    if image_format is None:
        return data, content_type
    return _without_metadata(data, image_format), content_type


def too_big_message() -> str:
    return _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}


def _without_metadata(data: bytes, image_format: str) -> bytes:
    unreadable = ValidationError(_("This photo cannot be read."), code="unreadable")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("This photo is too large."), code="too_many_pixels")
            probe.load()
            upright = ImageOps.exif_transpose(probe)
            # A new image holding the pixels alone: no EXIF, GPS, XMP, comments or text chunks.
            bare = Image.new(upright.mode, upright.size)
            bare.paste(upright)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise unreadable from None
    if image_format == "JPEG" and bare.mode not in ("RGB", "L"):
        bare = bare.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 90} if image_format == "JPEG" else {}
    bare.save(out, format=image_format, **options)
    return out.getvalue()


def stored_name(content_type: str) -> str:
    """The name the sealed file's row keeps, in clear: random, as the label may name a person
    ("Eviction notice, Rosa Pérez") and is kept encrypted only. `download_name` makes the name
    offered at download from the label."""
    return f"evidence-{secrets.token_hex(8)}.{KINDS[content_type][1]}"


def download_name(label: str, content_type: str) -> str:
    """A plain file name for the download, from the label (the upload's own name is never
    kept: it often holds a person's name)."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in label)[:60].strip("-")
    return f"{stem or 'evidence'}.{KINDS[content_type][1]}"
