"""The error summary at the top of a page whose form was refused (the GOV.UK pattern): what
went wrong, each line a link to its field, shown in the first screen and focused, so a
person on a phone never has to hunt below the fold for why nothing happened."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

register = template.Library()


def _forms_in(context: template.Context) -> list[BaseForm]:
    """The forms a view gave its template: as values, in formsets, or down in a
    short tuple, list or dict, two levels at most (the rows of an import, each with the form
    that fixes it)."""
    found: dict[int, BaseForm] = {}

    def look(value: Any, depth: int) -> None:
        if isinstance(value, BaseForm):
            found.setdefault(id(value), value)
        elif isinstance(value, BaseFormSet):
            for form in value.forms:
                found.setdefault(id(form), form)
        elif depth and isinstance(value, tuple | list) and len(value) <= 50:
            for item in value:
                look(item, depth - 1)
        elif depth and isinstance(value, dict) and len(value) <= 50:
            for item in value.values():
                look(item, depth - 1)

    for value in context.flatten().values():
        look(value, 2)
    return list(found.values())


def _anchor(form: BaseForm, name: str) -> str:
    """The id of the field's control (its first choice for radio buttons and checkboxes)."""
    if name not in form.fields:
        return ""
    field = form[name]
    if field.is_hidden:
        return ""
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


def problems(context: template.Context) -> list[dict[str, Any]]:
    """Every error of every form on the page that was checked and refused. A form nobody
    submitted is never checked here (reading `errors` would validate it)."""
    rows = []
    for form in _forms_in(context):
        errors = getattr(form, "_errors", None)
        if not (form.is_bound and errors):
            continue
        for name, messages in errors.items():
            anchor = "" if name == NON_FIELD_ERRORS else _anchor(form, name)
            label = form.fields[name].label if anchor else ""
            rows += [{"anchor": anchor, "label": label, "message": m} for m in messages]
    return rows


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context: template.Context) -> dict[str, Any]:
    return {"problems": problems(context)}
