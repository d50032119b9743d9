from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.forms import NativeDateInput
from solnet.councils.models import (
    Committee,
    Council,
    CouncilKind,
    Role,
    Section,
    SectionKind,
    Site,
    SiteKind,
)
from solnet.councils.services import SECTION_KINDS_OF_SITE
from solnet.people.models import Person


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


class SectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SectionKind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=60, help_text=_("e.g. “4B”, “Packing” or “Night shift”.")
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = SECTION_KINDS_OF_SITE[site.kind]
        self.fields["kind"].choices = [c for c in SectionKind.choices if c[0] in kinds]


class PlaceForm(forms.Form):
    """Where someone is inside the council."""

    site = forms.ModelChoiceField(
        label=_("Building or workplace"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label="—",
    )
    section = forms.ModelChoiceField(
        label=_("Unit or department"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label="—",
    )
    shift = forms.ModelChoiceField(
        label=_("Shift"), queryset=None, required=False, to_field_name="public_id", empty_label="—"
    )

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        sections = Section.objects.filter(site__council=council).select_related("site")
        self.fields["site"].queryset = council.sites.all()
        self.fields["section"].queryset = sections.exclude(kind=SectionKind.SHIFT)
        self.fields["shift"].queryset = sections.filter(kind=SectionKind.SHIFT)
        for name in ("section", "shift"):
            self.fields[name].label_from_instance = lambda s: f"{s.site} — {s}"


class CommitteeForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("e.g. “Building committee” or “Negotiating team”."),
    )
    purpose = forms.CharField(
        label=_("What it does"),
        max_length=200,
        required=False,
        help_text=_("One line, for newcomers."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "committee_%s")  # another form on its page has these names
        super().__init__(*args, **kwargs)


class CommitteeMemberForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Who"), queryset=None, to_field_name="public_id", empty_label=None
    )

    def __init__(self, *args, committee: Committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            council_memberships__council=committee.council
        ).exclude(committees=committee)


def _scale_choices(labels: list[str]) -> list[tuple[int, str]]:
    return [(step, f"{step} — {label}") for step, label in enumerate(labels, 1)]


class AssessForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Support"), coerce=int, choices=(), widget=forms.RadioSelect
    )

    def __init__(self, *args, scale: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = _scale_choices(scale)


class OneOnOneForm(forms.Form):
    held_on = forms.DateField(label=_("When"), widget=NativeDateInput(), initial=timezone.localdate)
    good = forms.BooleanField(
        label=_("A good one-on-one"),
        required=False,
        help_text=_("They spoke about their issues and agreed to a next step."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Their issues in their words, what they agreed to. Never write down immigration "
            "status, criminal history, or who did anything unlawful."
        ),
    )
    follow_up = forms.CharField(
        label=_("Follow-up"),
        required=False,
        max_length=200,
        help_text=_("What to do next, e.g. “bring them to Thursday's meeting”."),
    )
    follow_up_on = forms.DateField(
        label=_("Follow up by"), required=False, widget=NativeDateInput()
    )
    level = forms.TypedChoiceField(
        label=_("Support now"),
        coerce=int,
        choices=(),
        required=False,
        empty_value=None,
        help_text=_("Leave it if the one-on-one did not change your assessment."),
    )

    def __init__(self, *args, scale: list[str], **kwargs):
        kwargs.setdefault("auto_id", "talk_%s")  # another form on its page has these names
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("Unchanged")), *_scale_choices(scale)]
