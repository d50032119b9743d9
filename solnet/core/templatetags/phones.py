"""Phone numbers shown as the reader's country writes them: `{{ number|phone }}`, and
`{{ value|contact }}` for a value that may be an email address or a number."""

from __future__ import annotations

from django import template

from solnet.core import phones

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    return phones.show_phone(value or "")


@register.filter
def contact(value: str | None) -> str:
    value = value or ""
    return value if "@" in value else phones.show_phone(value)
