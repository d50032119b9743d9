"""Countries and currencies, named in the reader's language from CLDR (Babel), and amounts in
the network's currency formatted for the reader's locale."""

from __future__ import annotations

from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, list_currencies
from django.utils import translation

# The Spanish of the networks SolNet serves: Latin American and US (CLDR's "es_419").
LOCALES = {"es": "es_419", "en": "en_US"}


def _locale(language: str | None = None) -> Locale:
    code = LOCALES.get(language or translation.get_language() or "en", "en_US")
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Two-letter countries (not regions such as "419"), by name in the reader's language."""
    names = _locale(language).territories
    found = [(code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()]
    return sorted(found, key=lambda pair: pair[1].casefold())


def currency_choices(language: str | None = None) -> list[tuple[str, str]]:
    names = _locale(language).currencies
    codes = sorted(c for c in list_currencies() if c in names)
    return sorted(
        ((code, f"{names[code]} ({code})") for code in codes), key=lambda p: p[1].casefold()
    )


def is_country(code: str) -> bool:
    return code in dict(country_choices("en"))


def is_currency(code: str) -> bool:
    return code in list_currencies()


def money(amount: Decimal | int | float | None, currency: str, language: str | None = None) -> str:
    """An amount in `currency`, written as the reader's locale writes money."""
    if amount is None:
        return ""
    return format_currency(amount, currency, locale=_locale(language))
