"""Forms of actions, shifts, roles, answers, call lists and the public page. Allow-listed
fields only; errors in the person's language."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from solnet.core.forms import DateTimeInput
from solnet.core.public_forms import PublicForm
from solnet.members.models import Member, Tier
from solnet.mobilize.models import (
    ActionRole,
    AlertAnswer,
    CallResult,
    SenderKind,
    SmsSender,
    Zone,
)
from solnet.people.forms import PeopleFilterForm, check_contact
from solnet.people.models import Answer, ChannelKind, Skill

ANSWERS = [
    (Answer.YES, Answer.YES.label),
    (Answer.MAYBE, Answer.MAYBE.label),
    (Answer.NO, Answer.NO.label),
]


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Name"), max_length=120)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where to meet. Leave it empty to tell people later."),
    )
    description = forms.CharField(
        label=_("What we will do"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What to bring, where to meet, who to ask for."),
    )
    tier = forms.TypedChoiceField(
        label=_("Who is asked"),
        coerce=int,
        choices=Tier.choices,
        initial=Tier.PHONE_TREE,
        help_text=_("The least involved tier that is asked to come."),
    )
    turnout_target = forms.IntegerField(
        label=_("Turnout target"), min_value=1, max_value=100_000, initial=10
    )
    reminders = forms.CharField(
        label=_("Reminders (hours before)"),
        max_length=40,
        required=False,
        initial="24, 2",
        help_text=_("e.g. “24, 2”: a day before and two hours before. Empty for none."),
    )
    council = forms.ModelChoiceField(
        label=_("Council"),
        queryset=None,
        required=False,
        empty_label=_("The whole network"),
    )

    def __init__(self, *args, councils=None, fight=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fight is not None or councils is None:
            del self.fields["council"]
        else:
            self.fields["council"].queryset = councils

    def clean_reminders(self) -> list[int]:
        text = self.cleaned_data["reminders"].strip()
        if not text:
            return []
        try:
            hours = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(
                _("Write whole hours separated by commas, e.g. “24, 2”.")
            ) from None
        return hours

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("From"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Until"), widget=DateTimeInput())
    needed = forms.IntegerField(label=_("People needed"), min_value=1, max_value=10_000, initial=5)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ActionRole.choices)
    needed = forms.IntegerField(label=_("People needed"), min_value=1, max_value=1000, initial=1)
    shift = forms.TypedChoiceField(label=_("Shift"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, shifts=(), **kwargs):
        kwargs.setdefault("auto_id", "slot_%s")  # another form on its page has these names
        super().__init__(*args, **kwargs)
        self.shift_objects = {shift.pk: shift for shift in shifts}
        self.fields["shift"].choices = [("", _("The whole action"))] + [
            (shift.pk, str(shift)) for shift in shifts
        ]
        if not shifts:
            del self.fields["shift"]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Are you coming?"), choices=ANSWERS, widget=forms.RadioSelect
    )
    shift = forms.TypedChoiceField(label=_("Shift"), coerce=int, required=False, empty_value=None)
    role = forms.ChoiceField(label=_("Role you can take (optional)"), required=False)

    def __init__(self, *args, shifts=(), roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = [("", _("The whole action"))] + [
            (shift.pk, str(shift)) for shift in shifts
        ]
        if not shifts:
            del self.fields["shift"]
        self.fields["role"].choices = [("", _("No particular role"))] + [
            (value, label) for value, label in ActionRole.choices if value in roles
        ]
        if not roles:
            del self.fields["role"]


class LinkAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=ANSWERS)


def _members_named(text: str) -> list[Member]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise forms.ValidationError(_("Name at least one caller."))
    found = {m.username: m for m in Member.objects.active().filter(username__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise forms.ValidationError(
            _("No active member signs in as: %(names)s") % {"names": ", ".join(missing)}
        )
    return [found[n] for n in dict.fromkeys(names)]


class CallersForm(forms.Form):
    callers = forms.CharField(
        label=_("Callers (sign-in names, separated by commas)"),
        max_length=1000,
        help_text=_("The list is split evenly among them."),
    )

    def clean_callers(self) -> list[Member]:
        return _members_named(self.cleaned_data["callers"])


class AskPeopleForm(PeopleFilterForm):
    """Whom to ask: the people list's filters, and the action's tier from its page."""


class CallListForm(CallersForm, PeopleFilterForm):
    name = forms.CharField(label=_("Name of the list"), max_length=80)
    script = forms.CharField(
        label=_("Script"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who you are, what the action is, and the ask for a firm yes or no."),
    )
    waiting_only = forms.BooleanField(
        label=_("Only people who have not answered yet"), required=False, initial=True
    )
    unreached = forms.CharField(required=False, widget=forms.HiddenInput, max_length=24)

    field_order = ["name", "script", "callers"]


class CallOutcomeForm(forms.Form):
    """One tap: an answer (the person was reached), or how the call went without one."""

    result = forms.ChoiceField(
        label=_("How the call went"),
        choices=[c for c in CallResult.choices if c[0] != CallResult.WAITING],
        required=False,
    )
    answer = forms.ChoiceField(
        label=_("Their answer"), choices=[("", "—"), *ANSWERS], required=False
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at"), required=False, widget=DateTimeInput()
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") and not data.get("result"):
            data["result"] = CallResult.REACHED
        if not data.get("result"):
            self.add_error("result", _("Say how the call went."))
        elif data.get("answer") and data["result"] != CallResult.REACHED:
            self.add_error("answer", _("An answer needs the person reached."))
        return data


class PublicRsvpForm(PublicForm):
    """Someone outside the network answers on the public page: a name and one way to reach
    them, nothing more."""

    name = forms.CharField(
        label=_("Your name"), max_length=80, help_text=_("A first name or a nickname is enough.")
    )
    kind = forms.ChoiceField(label=_("How should we reach you?"), choices=ChannelKind.choices)
    value = forms.CharField(
        label=_("Your email address or phone number"),
        max_length=254,
        help_text=_("Only to tell you if something changes. We never share it."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    answer = forms.ChoiceField(
        label=_("Are you coming?"), choices=ANSWERS, widget=forms.RadioSelect
    )

    def clean(self):
        return check_contact(self, super().clean())


class CheckInSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=80, required=False)


class AlertForm(forms.Form):
    message = forms.CharField(
        label=_("Where to go and what is needed"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Short: it goes by text message. Say where to go, never what is happening there."
        ),
    )
    skills = forms.MultipleChoiceField(
        label=_("Alert people with these skills"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nobody ticked: everyone in the zones."),
    )
    zones = forms.ModelMultipleChoiceField(
        label=_("In these zones"),
        queryset=Zone.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nobody ticked: every zone."),
    )
    needs_verification = forms.BooleanField(
        label=_("A verifier confirms it before it goes out"), required=False, initial=True
    )


class VerifyForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        coerce=lambda value: value == "1", choices=[("1", _("Real")), ("0", _("Not real"))]
    )


class AlertAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=AlertAnswer.choices)


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("New zone"), max_length=60)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Zone.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("There is a zone of that name already."))
        return name


class ZonePeopleForm(PeopleFilterForm):
    """Put everyone matching the filter in the zone."""


CHANNEL_ORDERS = [
    ("text,email", _("Text message, or email for those without a phone")),
    ("email,text", _("Email, or a text message for those without email")),
    ("email", _("Email only")),
    ("text", _("Text messages only")),
]
AUDIENCES = [
    ("waiting", _("Those asked who have not answered")),
    ("coming", _("Those who said yes or maybe")),
    ("all", _("Everyone asked")),
]


class CallOutForm(forms.Form):
    """A message to the people asked to an action, written once per language."""

    audience = forms.ChoiceField(label=_("To whom"), choices=AUDIENCES, initial="waiting")
    channels = forms.ChoiceField(label=_("How"), choices=CHANNEL_ORDERS, initial="text,email")
    within_minutes = forms.IntegerField(
        label=_("Reach everyone within (minutes, optional)"),
        min_value=1,
        max_value=24 * 60,
        required=False,
        help_text=_("Texts that cannot go out in time go by email, or to the call list."),
    )

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = list(languages)
        for code in self.languages:
            name = dict(settings.LANGUAGES).get(code, code)
            self.fields[f"subject_{code}"] = forms.CharField(
                label=_("Subject (%(language)s)") % {"language": name}, max_length=120
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message (%(language)s)") % {"language": name},
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_(
                    "{name}, {action}, {when}, {place} and {link} (their answer link) are "
                    "filled in for each person."
                ),
            )

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            code: {
                "subject": self.cleaned_data[f"subject_{code}"],
                "body": self.cleaned_data[f"body_{code}"],
            }
            for code in self.languages
        }


class MessageTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    subject = forms.CharField(label=_("Subject"), max_length=120, required=False)
    body = forms.CharField(
        label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


class SmsSenderForm(forms.Form):
    number = forms.RegexField(
        label=_("Number"),
        regex=r"^\+[1-9]\d{4,14}$",
        max_length=16,
        help_text=_("In international form, e.g. +12065550100, or a short code as +12345."),
        error_messages={"invalid": _("Write the number in international form, e.g. +12065550100.")},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SenderKind.choices)
    per_second = forms.FloatField(
        label=_("Messages per second"),
        min_value=0.01,
        max_value=1000,
        required=False,
        help_text=_(
            "Empty: the usual cap of its kind (1 a local number, 3 toll-free, 100 a short code)."
        ),
    )
    per_day = forms.IntegerField(
        label=_("Messages per day"), min_value=1, max_value=10_000_000, initial=2000
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"]
        if SmsSender.objects.filter(number=number).exists():
            raise forms.ValidationError(_("This number is declared already."))
        return number


class UncertainForm(forms.Form):
    """What to do with messages that may or may not have gone out: one person's, or all."""

    choice = forms.ChoiceField(
        label=_("What to do"),
        choices=[("resend", _("Send it again")), ("call", _("Call them instead"))],
        help_text=_("Sending again may reach someone twice; a call reaches them for sure."),
    )
    delivery = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        help_text="One of the send's uncertain deliveries; empty for all of them",
    )
