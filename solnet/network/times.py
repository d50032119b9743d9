"""When something happens, written as the reader's locale writes it (CLDR, through Babel), in
the network's time zone: one way per language for every action and shift, on the pages, in
the forms and in the messages.

English: "Thu, Dec 10, 12:00 PM"; Spanish: "jue, 10 dic, 12:00 p.m."; from one time to
another on the same day, the day once and the times joined by an en dash. The year shows only
when it is not this year.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_interval, format_skeleton
from django.utils import timezone

from solnet.network.places import _locale

DASH = "\u2013"  # an en dash, as CLDR joins the two ends of a span


def _day_skeleton(value: datetime) -> str:
    return "MMMEd" if value.year == timezone.localdate().year else "yMMMEd"


def _hours(locale) -> str:
    # Twelve hours or twenty-four, as the locale writes the time (both ours: twelve).
    return "Hm" if "H" in locale.time_formats["short"].pattern else "hm"


def _joined(locale, day: str, time: str) -> str:
    # The locale's own way of putting a date and a time together ("{1}, {0}"). CLDR's thin
    # and narrow spaces become plain ones: the same in every font, and a text message with
    # one would go out as Unicode, in more parts.
    joined = str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)
    return joined.replace("\u202f", " ").replace("\u2009", " ")


def moment(value: datetime, language: str | None = None) -> str:
    """One moment: "Thu, Dec 10, 12:00 PM"."""
    locale = _locale(language)
    local = timezone.localtime(value)
    day = format_skeleton(_day_skeleton(local), local, locale=locale)
    return _joined(locale, day, format_skeleton(_hours(locale), local, locale=locale))


def span(start: datetime, end: datetime, language: str | None = None) -> str:
    """From `start` to `end`: the day once when both fall on it, both in full otherwise."""
    locale = _locale(language)
    first, last = timezone.localtime(start), timezone.localtime(end)
    if first.date() != last.date():
        return f"{moment(first, language)} {DASH} {moment(last, language)}"
    day = format_skeleton(_day_skeleton(first), first, locale=locale)
    return _joined(locale, day, format_interval(first, last, _hours(locale), locale=locale))
