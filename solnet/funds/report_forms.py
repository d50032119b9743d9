"""The forms of the report and export pages: which months to show, which file to make."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from solnet.funds.reports import MONTH_CHOICES

DEFAULT_MONTHS = 12


class ReportForm(forms.Form):
    """The months a report covers, from a short allow-list (a GET form: bookmarkable)."""

    months = forms.TypedChoiceField(
        label=_("Months"),
        choices=[],
        coerce=int,
        required=False,
        help_text=_("How far back the report goes, this month included."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Worded when the page is made, in the reader's language.
        self.fields["months"].choices = [
            (n, gettext("the last %(count)d months") % {"count": n}) for n in MONTH_CHOICES
        ]

    def chosen_months(self) -> int:
        """The months asked for, or the default for a missing or wrong value."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("months"):
            return self.cleaned_data["months"]
        return DEFAULT_MONTHS


class JournalExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("csv", _("CSV, for a spreadsheet (one row per line of an entry)")),
            ("beancount", _("Beancount, for plain-text accounting tools")),
        ],
        widget=forms.RadioSelect,
        initial="csv",
        help_text=_("The file holds every entry of the journal, with its funds and amounts."),
    )
