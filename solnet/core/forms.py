"""Form pieces every app uses."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


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


def add_errors(form: forms.Form, error: ValidationError, field: str | None = None) -> None:
    """A service's refusal on the form that sent it: each message beside its field where the
    form has that field, above the form otherwise (an error naming no field goes beside
    `field`, when given)."""
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(field if field in form.fields else None, problem)
