from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from solnet.councils.models import CouncilKind, Role, Site, SiteKind


class CouncilForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("e.g. “Tenants of Greenway Properties”.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CouncilKind.choices)


class SiteForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("e.g. “1400 Pine St” or “Central Bakery”.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)


class MembershipForm(forms.Form):
    """On a person's page: put them in a council (the list of councils stays short, unlike
    the list of people)."""

    council = forms.ModelChoiceField(label=_("Council"), queryset=None, to_field_name="public_id")
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    site = forms.ModelChoiceField(
        label=_("Building or workplace"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label="—",
    )

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils
        self.fields["site"].queryset = Site.objects.filter(council__in=councils).select_related(
            "council"
        )
        self.fields["site"].label_from_instance = lambda site: f"{site.council} — {site}"
