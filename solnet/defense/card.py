"""The hotline's printed card (DOMAIN.md §8): a page of small cards to cut out and hand out —
never to post online — with the hotline's number to call or text and, while the public form
is open, a QR code of its secret address (and the address written out). Made for a dispatcher,
and audit-logged: whoever holds a card can send reports."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from solnet.defense import line
from solnet.defense.models import Hotline
from solnet.network.models import Network

PER_PAGE = 8


def form_address(hotline: Hotline) -> str:
    return settings.BASE_URL + reverse("defense:public_report", args=[hotline.address])


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data URI (drawn on the server: no outside service)."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def printable(hotline: Hotline) -> bool:
    """A card has something to give: the public form's address or the phone line."""
    return hotline.public_form or bool(line.line_number(hotline))


def card_html(hotline: Hotline, language: str) -> str:
    address = form_address(hotline) if hotline.public_form else ""
    with translation.override(language):
        return render_to_string(
            "defense/card_pdf.html",
            {
                "network": Network.objects.current(),
                "number": line.line_number(hotline),
                "address": address,
                "qr": qr_data_uri(address) if address else "",
                "cards": range(PER_PAGE),
                "language": language,
            },
        )


def card_pdf(hotline: Hotline, language: str) -> bytes:
    from weasyprint import CSS, HTML  # imported here: only PDFs need Pango

    from solnet.defense.bundles import STYLE

    html = card_html(hotline, language)
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[CSS(filename=str(STYLE))])
