"""Know-your-rights cards (DOMAIN.md §8): dispatchers and the LO coordinator write short
cards per language; anyone reads and prints them (a PDF of small cards to cut out), and a
responder sees those of their language with an alert (`solnet.mobilize.extensions`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.defense import access
from solnet.defense.models import RightsCard
from solnet.network.models import Network

LANGUAGES = dict(settings.LANGUAGES)


def language_of(asked: str | None) -> str:
    """The language asked for if SolNet speaks it, else the page's, else the default."""
    for candidate in (asked, translation.get_language(), settings.LANGUAGE_CODE):
        if candidate and candidate[:2] in LANGUAGES:
            return candidate[:2]
    return settings.LANGUAGE_CODE


def cards(language: str) -> QuerySet[RightsCard]:
    return RightsCard.objects.filter(language=language).order_by("position", "pk")


@transaction.atomic
def save_card(
    *, by: Any, language: str, title: str, body: str, position: int, card: RightsCard | None
) -> RightsCard:
    if not access.reads_all_field_notes(by):
        raise PermissionDenied
    if language not in LANGUAGES:
        raise ValidationError({"language": _("Choose a language SolNet speaks.")})
    card = card or RightsCard()
    card.language, card.title, card.body = language, title.strip(), body.strip()
    card.position, card.updated_by, card.updated_at = position, by, timezone.now()
    card.full_clean()
    card.save()
    audit.record("defense.rights_card_saved", actor=by, target=card, language=language)
    return card


@transaction.atomic
def delete_card(*, card: RightsCard, by: Any) -> None:
    if not access.reads_all_field_notes(by):
        raise PermissionDenied
    audit.record("defense.rights_card_deleted", actor=by, target=card)
    card.delete()


def pdf(language: str) -> bytes:
    """The language's cards as a page of cards to cut out."""
    from weasyprint import CSS, HTML  # imported here: only PDFs need Pango

    from solnet.defense.bundles import STYLE

    with translation.override(language):
        html = render_to_string(
            "defense/rights_pdf.html",
            {
                "network": Network.objects.current(),
                "cards": cards(language),
                "language": language,
            },
        )
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[CSS(filename=str(STYLE))])


def panel(alert: Any) -> dict[str, Any] | None:
    """The cards shown with an alert, in the reader's language; none written: no panel."""
    language = language_of(None)
    shown = list(cards(language))
    if not shown:
        return None
    return {"cards": shown, "language": language}
