"""Form pieces every app uses."""

from __future__ import annotations

from django import forms


class NativeDateInput(forms.DateInput):
    """The browser's own date picker. Its value is always ISO (YYYY-MM-DD) whatever the
    language of the page: a localized date (25/11/2026) would leave the picker empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker, always given ISO values for the same reason."""

    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)
