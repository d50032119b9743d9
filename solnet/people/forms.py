"""Forms of the people app."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core import validators
from django.utils.translation import gettext_lazy as _

from solnet.core import phones
from solnet.core.forms import NativeDateInput
from solnet.core.phones import PhoneField
from solnet.core.public_forms import PublicForm
from solnet.members.models import Tier
from solnet.people import extensions
from solnet.people.import_values import language_label
from solnet.people.models import (
    Answer,
    ChannelKind,
    Notice,
    Outcome,
    Skill,
    Tag,
    Transport,
    Weekday,
)

PHONE_RULE = r"^\+?[0-9 ()./-]{6,24}$"  # the import's old check, until it reads numbers too


class _KeepsOtherLanguages:
    """A record may hold languages SolNet's pages do not come in (an import kept Amharic, say:
    interpreters exist for it). They are offered as boxes too, ticked, so saving the form keeps
    them unless someone unticks them."""

    fields: dict[str, forms.Field]
    initial: dict

    def _offer_kept_languages(self) -> None:
        field = self.fields["languages"]
        offered = {code for code, _label in field.choices}  # type: ignore[attr-defined]
        kept = [code for code in self.initial.get("languages") or [] if code not in offered]
        if kept:
            field.choices = [  # type: ignore[attr-defined]
                *field.choices,  # type: ignore[attr-defined]
                *((code, language_label(code)) for code in kept),
            ]


class PersonForm(_KeepsOtherLanguages, forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=80)
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int, choices=Tier.choices)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = PhoneField(label=_("Phone"), required=False)
    consent = forms.BooleanField(
        label=_("They agreed to be contacted this way"),
        required=False,
        help_text=_("Nobody is called, texted or emailed without having agreed to it."),
    )
    notice_needed = forms.ChoiceField(
        label=_("Notice needed"), choices=[("", "—"), *Notice.choices], required=False
    )
    transport = forms.ChoiceField(
        label=_("Transport"), choices=[("", "—"), *Transport.choices], required=False
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only what organizing needs. Never write down immigration status, criminal "
            "history, or who did anything unlawful."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._offer_kept_languages()


class OwnRecordForm(_KeepsOtherLanguages, forms.Form):
    """What a person changes on their own record."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._offer_kept_languages()

    display_name = forms.CharField(label=_("Display name"), max_length=80)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreter_needed = forms.BooleanField(label=_("I need an interpreter"), required=False)
    notice_needed = forms.ChoiceField(
        label=_("Notice I need"), choices=[("", "—"), *Notice.choices], required=False
    )
    transport = forms.ChoiceField(
        label=_("Transport"), choices=[("", "—"), *Transport.choices], required=False
    )


class PeopleFilterForm(forms.Form):
    """Allow-listed filters only: nothing the person types reaches a query unchecked."""

    q = forms.CharField(label=_("Name"), required=False, max_length=80)
    contact = forms.CharField(
        label=_("Exact email or phone"),
        required=False,
        max_length=254,
        help_text=_("Finds the person with exactly this address or number."),
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"),
        coerce=int,
        choices=[("", _("Any")), *Tier.choices],
        required=False,
        empty_value=None,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any")), *settings.LANGUAGES], required=False
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        queryset=Tag.objects.all(),
        required=False,
        empty_label=_("Any"),
        to_field_name="name",
    )
    council = forms.ModelChoiceField(
        label=_("Council"),
        queryset=None,
        required=False,
        empty_label=_("Any"),
        to_field_name="public_id",
    )
    skill = forms.ChoiceField(
        label=_("Skill"), choices=[("", _("Any")), *Skill.choices], required=False
    )
    weekday = forms.TypedChoiceField(
        label=_("Usually free on"),
        coerce=int,
        choices=[("", _("Any day")), *Weekday.choices],
        required=False,
        empty_value=None,
    )

    last_contact = forms.ChoiceField(
        label=_("Last contact"),
        choices=[
            ("", _("Any time")),
            ("week", _("In the last week")),
            ("month", _("In the last month")),
            ("not_month", _("Not in the last month")),
            ("not_quarter", _("Not in the last three months")),
            ("never", _("Never")),
        ],
        required=False,
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        councils = extensions.filter_choices("council", viewer)
        if councils is None:
            del self.fields["council"]
        else:
            self.fields["council"].queryset = councils

    def as_query(self) -> dict[str, str]:
        """The cleaned filter as plain values, to save and to put back in a URL."""
        data = self.cleaned_data
        query = {
            "q": data["q"],
            "contact": data["contact"],
            "tier": "" if data["tier"] is None else str(data["tier"]),
            "language": data["language"],
            "tag": data["tag"].name if data["tag"] else "",
            "council": data["council"].public_id if data.get("council") else "",
            "skill": data["skill"],
            "weekday": "" if data["weekday"] is None else str(data["weekday"]),
            "last_contact": data["last_contact"],
        }
        return {key: value for key, value in query.items() if value}


class DeleteOwnRecordForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete my record and my account. This cannot be undone."), required=True
    )


class AskForm(forms.Form):
    ask = forms.CharField(
        label=_("The ask"),
        max_length=200,
        help_text=_("What they were asked, e.g. “picket Friday 5pm”."),
    )
    answer = forms.ChoiceField(label=_("Answer"), choices=Answer.choices, initial=Answer.WAITING)


class SettleForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=Answer.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)


class JoinRequestForm(PublicForm):
    """The public "join the network" form: the least we need to call someone back."""

    display_name = forms.CharField(
        label=_("Your name"), max_length=80, help_text=_("A first name or a nickname is enough.")
    )
    kind = forms.ChoiceField(label=_("How should we reach you?"), choices=ChannelKind.choices)
    value = forms.CharField(
        label=_("Your email address or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=_("Your language"), choices=settings.LANGUAGES)
    message = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please don't write anything you wouldn't want a stranger to read."),
    )
    consent = forms.BooleanField(
        label=_("You may contact me this way about the network."), required=True
    )

    def clean(self):
        return check_contact(self, super().clean())


def check_contact(form: forms.Form, data: dict, *, kind: str = "kind", value: str = "value"):
    """A form's channel kind and address or number, checked together: an email address for
    email, a phone number for the rest."""
    chosen, given = data.get(kind), (data.get(value) or "").strip()
    if chosen == ChannelKind.EMAIL and given:
        try:
            validators.validate_email(given)
        except forms.ValidationError:
            form.add_error(value, _("Enter a valid email address."))
    elif chosen and given:
        try:
            given = phones.clean_phone(given)
        except forms.ValidationError as error:
            form.add_error(value, error)
    data[value] = given
    return data


class TagForm(forms.Form):
    name = forms.CharField(label=_("New tag"), max_length=40)


class BulkTagForm(forms.Form):
    """Put one tag on the people ticked on the list page."""

    people = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="public_id",
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Tick at least one person.")},
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        queryset=Tag.objects.all(),
        to_field_name="name",
        error_messages={"required": _("Choose a tag.")},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=_("Save this filter as"), max_length=60)


class SkillForm(forms.Form):
    skill = forms.ChoiceField(label=_("Skill"), choices=Skill.choices)
    trained_on = forms.DateField(
        label=_("Trained on (optional)"),
        required=False,
        widget=NativeDateInput(),
    )


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=Weekday.choices)
    starts = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("The end must come after the start."))
        return data
