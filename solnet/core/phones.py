"""Phone numbers, one way everywhere: read with libphonenumber's metadata (the `phonenumbers`
package) in the network's country, stored in E.164 ("+12065550100"), and shown the way the
reader's country writes them. The profile, the people pages, the import, the public forms,
the SMS opt-out list and the gateway all go through `read_phone`, and every blind index of a
number through `index_form`, so "(206) 555-0100" typed in a form and "+12065550100" in a STOP
from the gateway are one number.

The network's country lives in the network's settings, an app above this one: it lends
`use_region` a way to read it (at start-up), kept here for a minute at most per process."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat

DEFAULT_REGION = "US"
REGION_SECONDS = 60  # how long a process keeps the network's country before asking again

_region_source: Callable[[], str] | None = None
_region_lock = threading.Lock()
_region_cache: tuple[float, str] | None = None


def use_region(source: Callable[[], str]) -> None:
    """Where the network's country comes from (a two-letter code); the network app sets it."""
    global _region_source
    _region_source = source
    forget_region()


def forget_region() -> None:
    """The network's country changed (or a test rolled it back): ask for it again."""
    global _region_cache
    with _region_lock:
        _region_cache = None


def network_region() -> str:
    global _region_cache
    cached = _region_cache
    now = time.monotonic()
    if cached is not None and now - cached[0] < REGION_SECONDS:
        return cached[1]
    region = DEFAULT_REGION
    if _region_source is not None:
        try:
            region = (_region_source() or DEFAULT_REGION).upper()
        except Exception:  # no network yet (or no table before the first migration)
            # The default country, kept like any other answer: asking the database again
            # for every number written would cost more than reading the number.
            region = DEFAULT_REGION
    with _region_lock:
        _region_cache = (now, region)
    return region


def _parse(value: str, region: str) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def read_phone(value: str, *, region: str | None = None, area_code: str = "") -> str | None:
    """The number in E.164, or None when it is not a phone number that exists in its country's
    numbering plan ("000000", "12", a word). Without a country code it is read as a number of
    `region` (the network's country by default); `area_code` completes a local number written
    without one ("555-2158" with "253")."""
    value = (value or "").strip()
    if not value or len(value) > 40:
        return None
    region = (region or network_region()).upper()
    number = _parse(value, region)
    if number is None and area_code and not value.startswith("+"):
        number = _parse(re.sub(r"\D", "", area_code) + re.sub(r"\D", "", value), region)
    if number is None:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def digits_form(value: str) -> str:
    """What a value that is not a phone number is compared as: its digits and a leading +
    (how numbers were kept before they were read with the library)."""
    value = value.strip()
    return ("+" if value.startswith("+") else "") + re.sub(r"\D", "", value)


def index_form(value: str) -> str:
    """The form a number's blind index is computed on: E.164 when it reads as a number, else
    its digits, so that an unreadable number stored as it was still finds itself."""
    return read_phone(value) or digits_form(value)


def show_phone(value: str, *, region: str | None = None) -> str:
    """A stored number as the reader writes it: national form for a number of the reader's
    country ("(206) 555-0100" in the US), international for any other ("+52 55 1234 5678").
    A value that does not read as a number is shown as it was stored."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else network_region())
    except NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    own = phonenumbers.region_code_for_number(number) == (region or network_region()).upper()
    return phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if own else PhoneNumberFormat.INTERNATIONAL
    )


def example_number(region: str | None = None) -> str:
    """A mobile number of the network's country, in its national form, for help texts."""
    region = (region or network_region()).upper()
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return "+1 206 555 0100"
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def phone_error() -> str:
    """What someone reads when a number cannot be read, with an example of their country."""
    region = network_region()
    abroad = phonenumbers.example_number_for_type(
        "MX" if region != "MX" else "US", phonenumbers.PhoneNumberType.MOBILE
    )
    assert abroad is not None  # both countries have mobile examples in the metadata
    return _(
        "Write a phone number that exists, with its area code, e.g. %(example)s "
        "(or with its country code if it is abroad, e.g. %(abroad)s)."
    ) % {
        "example": example_number(region),
        "abroad": phonenumbers.format_number(abroad, PhoneNumberFormat.INTERNATIONAL),
    }


def clean_phone(value: str | None) -> str:
    """A number as a person typed it, checked and put in E.164 ("" when none was given);
    a ValidationError in the person's language when it is not a phone number."""
    value = (value or "").strip()
    if not value:
        return ""
    number = read_phone(value)
    if number is None:
        raise ValidationError(phone_error(), code="phone_invalid")
    return number


class PhoneField(forms.CharField):
    """A form field for a phone number: cleaned to E.164 by `clean_phone`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return clean_phone(super().to_python(value))

    def prepare_value(self, value: Any) -> Any:
        # A stored number shown again in the form as the reader writes it.
        return show_phone(value) if isinstance(value, str) and value.startswith("+") else value
