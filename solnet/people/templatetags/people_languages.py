"""Language names for the people pages: any code a person's record holds, in the reader's
language (CLDR, through Babel), whether or not SolNet's own pages come in that language."""

from __future__ import annotations

from django import template

from solnet.people.import_values import language_label

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """ "am" → "Amharic" (or "amárico" for a reader in Spanish); an unknown code as it is."""
    return language_label(str(code)) if code else ""
