"""Forms of the import and merge pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from solnet.people import import_rows
from solnet.people.import_rows import Decision, Target
from solnet.people.imports import files
from solnet.people.merging import CHOSEN_FIELDS
from solnet.people.models import ChannelKind, Person


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Up to %(size)s MB, with a header row naming the columns. Exports of Action "
            "Network and CiviCRM work as they are; from a spreadsheet, “Save as” CSV UTF-8."
        ) % {"size": files.MAX_UPLOAD_BYTES // (1024 * 1024)}


class PresetForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Match the columns as in"),
        choices=[(key, preset.label) for key, preset in import_rows.PRESETS.items()],
    )


class MappingForm(forms.Form):
    """One choice per column of the file: which field of a person it fills."""

    phone_kind = forms.ChoiceField(
        label=_("The phone numbers are for"),
        choices=[
            (ChannelKind.CALL.value, _("Phone calls")),
            (ChannelKind.TEXT.value, _("Text messages")),
        ],
        widget=forms.RadioSelect,
        initial=ChannelKind.CALL.value,
    )
    consent = forms.BooleanField(
        label=_("These people agreed to be contacted this way"),
        required=False,
        help_text=_(
            "Leave this off unless they really did. Their addresses and numbers are kept "
            "either way, but nobody may use them until they agree."
        ),
    )

    area_code = forms.CharField(
        label=_("Area code for local numbers written without one"),
        required=False,
        max_length=5,
        help_text=_(
            "Optional. If the file has numbers like 555-2158, give their area code (such as "
            "253) and they are read as 253-555-2158."
        ),
    )

    def __init__(self, *args: Any, headers: list[str], samples: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.width = len(headers)
        for index, header in enumerate(headers):
            sample = samples[index] if index < len(samples) else ""
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": index + 1},
                choices=Target.choices,
                # Escaped here: help texts are shown as they are, and this comes from the file.
                help_text=format_html(_("For example: {}"), sample[:60]) if sample else "",
            )
        # The columns first, then how to treat what they hold.
        self.order_fields([f"column_{i}" for i in range(self.width)])

    def columns(self) -> list[str]:
        return [self.cleaned_data[f"column_{i}"] for i in range(self.width)]

    def clean(self):
        data = super().clean()
        if all(f"column_{i}" in data for i in range(self.width)):
            try:
                import_rows.check_columns(self.columns(), self.width)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


class RowFixForm(forms.Form):
    """A row of the file corrected in the page; the same checks as the file's rows."""

    display_name = forms.CharField(label=_("Display name"), required=False, max_length=200)
    email = forms.CharField(label=_("Email"), required=False, max_length=300)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=100)
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_("Separated by commas, e.g. “English, Spanish”."),
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000, help_text=_("Separated by commas.")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    joined_on = forms.CharField(
        label=_("Joined on"),
        required=False,
        max_length=40,
        help_text=_("For example 2021-03-24, 3/24/2021 or 24 Mar 2021."),
    )
    tier = forms.CharField(label=_("Tier"), required=False, max_length=40)

    def __init__(
        self, *args: Any, reading: import_rows.Reading | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reading = reading

    def clean(self):
        data = super().clean()
        values = {name: data.get(name) or "" for name in import_rows.VALUE_FIELDS}
        _parsed, problems = import_rows.validate(values, self.reading)
        for field, code, params in import_rows.errors_of(problems):
            self.add_error(field, capfirst(import_rows.problem_text(code, params)) + ".")
        return data

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in import_rows.VALUE_FIELDS}


class StartForm(forms.Form):
    """What to do with duplicates and with rows that still have problems."""

    default = forms.ChoiceField(
        label=_("Duplicates not listed one by one"),
        required=False,
        choices=Decision.choices,
        initial=Decision.ADD.value,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, duplicates: list[dict], error_count: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = [entry["row"] for entry in duplicates]
        for entry in duplicates:
            self.fields[f"row_{entry['row']}"] = forms.ChoiceField(
                label=_("Row %(row)s") % {"row": entry["row"]},
                choices=Decision.choices,
                initial=Decision.ADD.value,
                widget=forms.RadioSelect,
            )
        if error_count:
            self.fields["skip_errors"] = forms.BooleanField(
                label=_("Skip the rows that still have problems (they are not imported)"),
                required=False,
            )
        if not duplicates:
            del self.fields["default"]

    def duplicate_fields(self):
        return [self[f"row_{row}"] for row in self.rows]

    def decisions(self) -> dict[int, str]:
        return {row: self.cleaned_data[f"row_{row}"] for row in self.rows}


class MergeSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=80)
    contact = forms.CharField(
        label=_("Exact email or phone"),
        required=False,
        max_length=254,
        help_text=_("Finds the person with exactly this address or number."),
    )


def _shown(person: Person, name: str) -> str:
    value = getattr(person, name)
    if name == "tier":
        return str(person.get_tier_display())
    if name in ("notice_needed", "transport"):
        return str(getattr(person, f"get_{name}_display")()) if value else "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value) if value else "—"


class MergeForm(forms.Form):
    """For each field, whose value the merged record keeps."""

    def __init__(self, *args: Any, keep: Person, remove: Person, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in CHOSEN_FIELDS:
            label = capfirst(Person._meta.get_field(name).verbose_name)
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[
                    ("this", _("This record: %(value)s") % {"value": _shown(keep, name)}),
                    ("other", _("The other record: %(value)s") % {"value": _shown(remove, name)}),
                ],
                widget=forms.RadioSelect,
            )

    def take_from_other(self) -> list[str]:
        return [name for name in CHOSEN_FIELDS if self.cleaned_data[name] == "other"]
