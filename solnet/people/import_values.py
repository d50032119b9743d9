"""Reading single values of an imported file as the tools and spreadsheets write them:
languages (by CLDR's names and codes, through Babel), dates (the usual spreadsheet forms, with
the network's country deciding whether 3/4/2021 is March or April), tiers, opt-outs and the
kind of contact. Plain functions, no database; each reading of a repeated text is kept, since a
file of a hundred thousand rows holds a few hundred different dates and languages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_date_format, get_month_names
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core.phones import network_region
from solnet.members.models import Tier

# --- how the file is read ------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What reading a row depends on besides the row: the network's country (phone numbers
    without a country code, the order of day and month), and the area code of local numbers."""

    region: str = "US"
    area_code: str = ""
    day_first: bool = False


def reading_for(*, area_code: str = "", region: str | None = None) -> Reading:
    region = (region or network_region()).upper()
    return Reading(region=region, area_code=area_code.strip(), day_first=day_first(region))


@cache
def _country_locale(region: str) -> Locale:
    """The likeliest locale of a country (CLDR's likely subtags: US → en_US, MX → es_MX)."""
    try:
        return Locale.parse(f"und_{region}")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


@cache
def day_first(region: str) -> bool:
    """Whether the country writes the day before the month in short dates (its locale's short
    date pattern: "M/d/yy" in the United States, "dd/MM/yy" in Mexico)."""
    pattern = get_date_format("short", locale=_country_locale(region)).pattern
    day, month = pattern.find("d"), pattern.find("M")
    return 0 <= day < month


def _reader_locale() -> Locale:
    try:
        return Locale.parse(translation.to_locale(translation.get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def date_order_text(reading: Reading) -> str:
    """What the check assumed of dates that read both ways, in the reader's language."""
    country = _reader_locale().territories.get(reading.region, reading.region)
    if reading.day_first:
        text = _("Dates like 3/4/2021 were read as day/month (3 April), as in %(country)s.")
    else:
        text = _("Dates like 3/4/2021 were read as month/day (March 4), as in %(country)s.")
    return text % {"country": country}


# --- dates ---------------------------------------------------------------------------------

# 2021-03-24, 3/24/2021, 24.3.21, each maybe followed by a time ("3/24/2021 14:05").
_NUMERIC_DATE = re.compile(r"^(\d{1,4})([./-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T,].*)?$")
# 24-Mar-2021, 24 March 2021, 24/mar/21
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})[ ./-]+([^\W\d_]+)\.?[ ./,-]+(\d{2}|\d{4})(?:[ T].*)?$")
# March 24, 2021; Mar 24 2021
_MONTH_NAME_DAY = re.compile(
    r"^([^\W\d_]+)\.?[ ./-]+(\d{1,2})(?:st|nd|rd|th)?,?[ ./-]+(\d{2}|\d{4})$"
)
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
# Excel's day numbers of 1954 to 2119: a joining date, not a count or a postal code's fluke.
SERIAL_RANGE = (20_000, 80_000)
_EXCEL_EPOCH = date(1899, 12, 30)


@cache
def _month_numbers() -> dict[str, int]:
    months: dict[str, int] = {"sept": 9}
    for language in ("en", *(code for code, _label in settings.LANGUAGES)):
        locale = translation.to_locale(language)
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                months.setdefault(name.casefold().rstrip("."), number)
    return months


def _full_year(year: int) -> int:
    """21 → 2021, 98 → 1998: a two-digit year is the latest one not after this year."""
    if year >= 100:
        return year
    this_year = timezone.localdate().year
    return 2000 + year if 2000 + year <= this_year else 1900 + year


@lru_cache(maxsize=8192)
def read_date(text: str, day_first_order: bool) -> tuple[date, bool]:
    """The date a spreadsheet cell means, and whether it read both ways (3/4/2021) so that
    the country's order decided. Raises ValueError for anything else."""
    text = " ".join(text.split())
    if match := _NUMERIC_DATE.match(text):
        first, separator, second, third = match.groups()
        if len(first) == 4:  # 2021-03-24, 2021/3/24
            return date(int(first), int(second), int(third)), False
        a, b, year = int(first), int(second), _full_year(int(third))
        if a > 12 and b <= 12:
            return date(year, b, a), False
        if b > 12 and a <= 12:
            return date(year, a, b), False
        if separator == ".":  # 3.4.2021 is written day first wherever dots are used
            return date(year, b, a), False
        ambiguous = a != b
        return (date(year, b, a) if day_first_order else date(year, a, b)), ambiguous
    if match := _DAY_MONTH_NAME.match(text):
        day, name, year = match.groups()
        month = _month_numbers().get(name.casefold())
        if month:
            return date(_full_year(int(year)), month, int(day)), False
    if match := _MONTH_NAME_DAY.match(text):
        name, day, year = match.groups()
        month = _month_numbers().get(name.casefold())
        if month:
            return date(_full_year(int(year)), month, int(day)), False
    if match := _SERIAL.match(text):
        number = int(match.group(1))
        if SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + timedelta(days=number), False
    raise ValueError(text)


# --- languages -----------------------------------------------------------------------------

_SPLIT_LIST = re.compile(r"[,;|/\n]")
_REGION = re.compile(r"\s*\([^()]*\)\s*$")  # "Spanish (Mexico)"
_CODE = re.compile(r"^[a-z]{2,3}(?:[_-][a-z0-9]{2,8})*$", re.IGNORECASE)


def _base(code: str) -> str:
    return code.replace("-", "_").split("_")[0].casefold()


@cache
def _language_names() -> dict[str, str]:
    """Language names → base code: CLDR's names in English and in every language SolNet
    speaks ("Amharic", "amárico", "Flemish" → nl), the languages' own names ("español"),
    and the codes themselves ("es_MX", "zh-Hant")."""
    names: dict[str, str] = {}
    for language in ("en", *(code for code, _label in settings.LANGUAGES)):
        for key, name in Locale.parse(translation.to_locale(language)).languages.items():
            names.setdefault(name.casefold(), _base(key))
    for code, info in LANG_INFO.items():
        if "name_local" in info:
            names.setdefault(info["name_local"].casefold(), _base(code))
    return names


@cache
def _codes() -> frozenset[str]:
    return frozenset(_base(key) for key in Locale.parse("en").languages)


def _label_code(label: str) -> str | None:
    """The base code of one language label, or None when no name or code matches."""
    name = _REGION.sub("", label.strip())
    if not name:
        return None
    found = _language_names().get(name.casefold())
    if found:
        return found
    if _CODE.match(name) and _base(name) in _codes():
        return _base(name)
    return None


@lru_cache(maxsize=4096)
def read_languages(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes, labels no library knows) of a languages cell. A label is read whole first:
    ISO 639 names hold semicolons ("Spanish; Castilian (Mexico)", "Dutch; Flemish"), and
    such a label is one language when the names in it that are known all name the same one.
    Only then is the cell taken as a list ("English, Spanish", "en; es")."""
    text = text.strip()
    if not text:
        return (), ()
    code = _label_code(text)
    if code is None and ";" in text and not re.search(r"[,|/\n]", text):
        parts = [_label_code(part) for part in text.split(";")]
        known = {part for part in parts if part}
        if len(known) == 1:
            code = known.pop()
    if code is not None:
        return (code,), ()
    codes: list[str] = []
    unknown: list[str] = []
    for item in _SPLIT_LIST.split(text):
        item = item.strip()
        if not item:
            continue
        code = _label_code(item)
        if code is None:
            unknown.append(item)
        elif code not in codes:
            codes.append(code)
    return tuple(codes), tuple(unknown)


def language_label(code: str) -> str:
    """A language's name in the reader's language, for any code CLDR knows ("am" → "Amharic",
    "amárico"), whether or not SolNet's own pages come in it; the code itself otherwise."""
    locale = _reader_locale()
    name = locale.languages.get(code) or locale.languages.get(_base(code))
    return name or code


# --- tiers, opt-outs and the kind of contact -----------------------------------------------


@cache
def tier_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for tier in Tier:
        names[str(tier.value)] = tier.value
        names[tier.name.casefold()] = tier.value
        names[tier.name.casefold().replace("_", " ")] = tier.value
        for language, _label in settings.LANGUAGES:
            with translation.override(language):
                names[str(tier.label).casefold()] = tier.value
    names["supporter"] = Tier.SUPPORTER
    return names


OPTED_OUT = "out"  # asked not to be reached this way: opted out, never consent
NO_CONSENT = "none"  # no consent from the file, whatever the consent box says
# Cells of an opt-out column that mean "not opted out": empty, no, or still subscribed.
_STAYS_IN = {"", "0", "no", "n", "false", "f", "subscribed", "opted in", "active", "ok"}
_OPTS_OUT = {
    *("1", "yes", "y", "true", "t", "x", "si", "sí", "unsubscribed", "opted out", "opt out"),
    *("optout", "opted-out", "spam", "spam complaint", "complained", "stop", "stopped"),
    *("do not email", "do not contact", "do not call", "do not phone", "blocked"),
}


def read_opt_out(text: str) -> str:
    """What an opt-out cell says: "" (not opted out), OPTED_OUT, or NO_CONSENT for a value this
    column does not explain ("bouncing", "pending"), which never reads as agreement."""
    value = " ".join(text.replace("_", " ").split()).casefold()
    if value in _STAYS_IN:
        return ""
    if value in _OPTS_OUT:
        return OPTED_OUT
    return NO_CONSENT


# CiviCRM's kinds of contact that are not people: left out of people.
LEFT_OUT_KINDS = {"organization": "organization", "organisation": "organization"}
LEFT_OUT_KINDS["household"] = "household"


def left_out_kind(text: str) -> str:
    return LEFT_OUT_KINDS.get(text.strip().casefold(), "")
