"""The hotline's forms: a report in the SALUTE or ALERTA form, the rota's slots and swaps,
handover notes, closing a report, the hotline's public form, field notes and jail support."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core import phones, public_forms
from solnet.core.forms import DateTimeInput, NativeDateInput
from solnet.defense.models import (
    ArresteeStatus,
    Audible,
    BirthConsent,
    Duty,
    EntryKind,
    Finding,
    Outcome,
    ReportForm,
    ReportStatus,
    Source,
)
from solnet.defense.reports import FIELDS, LONGEST, TAKEN_BY_DISPATCHER
from solnet.funds.forms import AmountField
from solnet.funds.models import Fund
from solnet.members.models import Member, Role
from solnet.mobilize.forms import AlertForm
from solnet.mobilize.models import Zone
from solnet.people.models import Skill, Weekday

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _words(label, help_text="", rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=LONGEST,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


# Each form's questions, worded as the form asks them.
LABELS = {
    ReportForm.SALUTE: {
        "size": (_("Size"), _("How many people, how many vehicles.")),
        "activity": (_("Activity"), _("What they are doing.")),
        "location": (_("Location"), _("Where, as exactly as you can: street, corner, building.")),
        "uniform": (_("Uniform"), _("Uniforms, agency, badges or markings.")),
        "seen_at": (_("Time"), _("When you saw it.")),
        "equipment": (_("Equipment"), _("Vehicles, weapons, gear.")),
        "help_asked": (_("Help asked"), _("What help is needed, if anyone asked.")),
    },
    ReportForm.ALERTA: {
        "activity": (_("Activity"), _("What is happening.")),
        "location": (_("Location"), _("Where, as exactly as you can: street, corner, building.")),
        "equipment": (_("Equipment"), _("Vehicles, weapons, gear.")),
        "help_asked": (_("Request aid"), _("What help is needed: who, how many, for what.")),
        "seen_at": (_("Time and date"), _("When it started.")),
        "uniform": (_("Appearance"), _("What they look like: uniforms, agency, markings.")),
    },
}


class ReportWriteForm(forms.Form):
    """A report in the chosen form. A dispatcher also says how it came (a call, a text)."""

    def __init__(self, *args, kind: str = ReportForm.SALUTE, dispatcher: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind if kind in ReportForm.values else ReportForm.SALUTE
        labels = LABELS[self.kind]
        order = list(FIELDS[self.kind])
        if "help_asked" not in order:
            order.append("help_asked")
        for name in order:
            label, help_text = labels[name]
            if name == "seen_at":
                self.fields[name] = forms.DateTimeField(
                    label=label,
                    help_text=help_text,
                    widget=DateTimeInput(),
                    input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
                    initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
                )
            else:
                # What is happening and where are needed: the service says so, in words
                # that fit a person in a hurry better than "this field is required".
                self.fields[name] = _words(label, help_text, rows=3 if name == "activity" else 2)
        self.fields["zone"] = forms.ModelChoiceField(
            label=_("Zone"),
            queryset=Zone.objects.order_by("name"),
            required=False,
            empty_label=_("Not sure"),
        )
        self.fields["reached_at"] = forms.CharField(
            label=_("How to reach the person who reported")
            if dispatcher
            else _("How to reach you"),
            help_text=_("Optional: a phone number or a way to call back."),
            required=False,
            max_length=200,
        )
        if dispatcher:
            self.fields["source"] = forms.ChoiceField(
                label=_("How it came"),
                choices=[(source.value, source.label) for source in TAKEN_BY_DISPATCHER],
                initial=Source.CALL,
            )

    @property
    def words(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(name) or ""
            for name in ("size", "activity", "location", "uniform", "equipment", "help_asked")
        } | {"reached_at": self.cleaned_data.get("reached_at") or ""}


class PublicReportForm(public_forms.PublicForm, ReportWriteForm):
    """The hotline's public form: ALERTA, the community's own form, with the bot guard."""

    def __init__(self, *args, **kwargs):
        kwargs["kind"] = ReportForm.ALERTA
        super().__init__(*args, **kwargs)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How it ended"),
        choices=[
            (ReportStatus.FALSE_ALARM.value, ReportStatus.FALSE_ALARM.label),
            (ReportStatus.CLOSED.value, _("Over: nothing more to do")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Why"),
        max_length=LONGEST,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    stand_down = forms.BooleanField(
        label=_("Tell everyone alerted to stand down"),
        required=False,
        initial=True,
        help_text=_("A short message: not to come, and nothing of the report."),
    )

    def __init__(self, *args, alerted: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not alerted:
            del self.fields["stand_down"]


class DispatcherChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


def _dispatchers():
    return (
        Member.objects.active()
        .filter(role_grants__role=Role.DISPATCHER)
        .distinct()
        .order_by("display_name", "pk")
    )


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    starts = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=24, initial=4)
    primary = DispatcherChoice(
        label=_("Primary"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
    )
    backup = DispatcherChoice(
        label=_("Backup"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary"].queryset = _dispatchers()
        self.fields["backup"].queryset = _dispatchers()


class CoverForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    duty = forms.ChoiceField(label=_("Duty"), choices=Duty.choices)
    member = DispatcherChoice(label=_("Who takes it"), queryset=Member.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _dispatchers()


class HandoverForm(forms.Form):
    note = forms.CharField(
        label=_("Handover note"),
        help_text=_("What is still open, whom to call back. Kept for a week."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HotlineForm(forms.Form):
    public_form = forms.BooleanField(
        label=_("Open the public report form"),
        required=False,
        help_text=_("Anyone with its secret address or the printed card can send a report."),
    )
    new_address = forms.BooleanField(
        label=_("Give it a new secret address"),
        required=False,
        help_text=_("The old address and cards stop working at once."),
    )
    number = phones.PhoneField(
        label=_("Hotline number"),
        required=False,
        help_text=_(
            "The number people call and text, at the SMS and voice gateway. Leave it empty "
            "for no phone line."
        ),
    )
    report_days = forms.IntegerField(
        label=_("Keep what reports say for (days)"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_(
            "Reports, field notes and the phone line's texts. A change waits for a second "
            "dispatcher's approval, and counts for what comes in from then on."
        ),
    )
    legal_contact = forms.EmailField(
        label=_("Legal contact's email"),
        required=False,
        help_text=_(
            "The lawyer or legal team that receives an incident's sealed bundle. A change "
            "waits for a second dispatcher's approval."
        ),
    )
    ring_seconds = forms.IntegerField(
        label=_("Ring each dispatcher for (seconds)"),
        min_value=5,
        max_value=60,
        help_text=_("Then the call goes to the backup, then to every other dispatcher."),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Answer by text"),
        help_text=_("Sent from the hotline's number: they never see yours."),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerifierChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class VerifiersForm(forms.Form):
    """Whom to send to look: verifiers near the report's zone."""

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verifiers"] = VerifierChoice(
            label=_("Verifiers to send"),
            queryset=candidates if candidates is not None else Member.objects.none(),
            widget=forms.CheckboxSelectMultiple,
            help_text=_("One or two, near the report's zone; never the one who wrote it."),
        )


class FindingForm(forms.Form):
    finding = forms.ChoiceField(
        label=_("What you found"), choices=Finding.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("What you saw"),
        help_text=_("Agency, how many, what is happening. Needed when you confirm it."),
        required=False,
        max_length=LONGEST,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Whom a confirmed report calls out first (DOMAIN.md §8): observers, copwatch, medics,
# interpreters; the dispatcher may tick others.
RESPONDER_SKILLS = [Skill.LEGAL_OBSERVER, Skill.COPWATCH]


class ReportAlertForm(AlertForm):
    """Mobilize's alert, from a report a verifier confirmed: it needs no second verification,
    and it starts from the report's zone."""

    def __init__(self, *args, report=None, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "skills": [skill.value for skill in RESPONDER_SKILLS],
                "zones": [report.zone] if report is not None and report.zone else [],
            },
        )
        super().__init__(*args, **kwargs)
        del self.fields["needs_verification"]


# --- field notes ------------------------------------------------------------------------------

FIELD_LONGEST = 2000


def _field_words(label, help_text="", required=False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=FIELD_LONGEST,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class FieldEntryForm(forms.Form):
    """One entry of the field notes, as an observer writes it on a phone."""

    kind = forms.ChoiceField(
        label=_("About"),
        choices=[choice for choice in EntryKind.choices if choice[0] != EntryKind.ANNOTATION],
    )
    observed_at = forms.DateTimeField(
        label=_("When it happened"),
        help_text=_("Now, unless you are writing it down later."),
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        required=False,
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    what = _field_words(
        _("What happened"),
        _("Facts, not opinions: who did what, what was said, in what order."),
        rows=4,
    )
    names = _field_words(
        _("Names and numbers"),
        _(
            "Officers' names, badge and car numbers; the arrested person's name; a witness's "
            "contact, if they agree."
        ),
        rows=2,
    )
    audible = forms.ChoiceField(
        label=_("Could the warning be heard?"),
        help_text=_("For a warning or an order to disperse."),
        choices=[("", _("Not a warning")), *Audible.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    media = forms.FileField(
        label=_("Photo or video"),
        help_text=_(
            "Optional. Where and on what phone it was taken is removed before it is kept. "
            "Do not film someone who does not want it."
        ),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,video/mp4,video/quicktime"}
        ),
    )


class FieldCorrectionForm(forms.Form):
    what = FieldEntryForm.base_fields["what"]
    names = FieldEntryForm.base_fields["names"]
    audible = FieldEntryForm.base_fields["audible"]
    observed_at = FieldEntryForm.base_fields["observed_at"]


class AnnotationForm(forms.Form):
    what = _field_words(
        _("Note"),
        _("What to add or correct: the entry itself stays as it was."),
        required=True,
        rows=2,
    )


class ObserverChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class CheckInForm(forms.Form):
    """Whom a dispatcher or the LO coordinator checks in to the incident."""

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"] = ObserverChoice(
            label=_("Observer to check in"),
            queryset=candidates if candidates is not None else Member.objects.none(),
            to_field_name="public_id",
            empty_label=_("Choose who"),
            help_text=_("Legal observers and copwatchers near the incident's zone."),
        )


# --- jail support -----------------------------------------------------------------------------


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


def _active_members():
    return Member.objects.active().order_by("display_name", "pk")


class ArresteeForm(forms.Form):
    name = forms.CharField(label=_("Name"), help_text=_("As they gave it."), max_length=200)
    held_at = _words(_("Where they are held"), _("Jail or station, booking number."))
    charges = _words(_("Charges"), _("As far as they are known."))
    lawyer = _words(_("Lawyer"), _("Who represents them and how to reach them."))
    contact = _words(_("Family contact"), _("Who to keep informed, and how: with their agreement."))
    bail_amount = AmountField(label=_("Bail set"), required=False)
    born_on = forms.DateField(
        label=_("Date of birth"),
        help_text=_("Jails find people by it. Only if they or their contact agree."),
        required=False,
        widget=NativeDateInput(),
    )
    birth_consent = forms.ChoiceField(
        label=_("Who agreed to keep the date of birth"),
        choices=[("", _("Nobody: do not keep it")), *BirthConsent.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    supporter = MemberChoice(
        label=_("Supporting the case"),
        help_text=_("The member who follows it: court reminders go to them."),
        queryset=Member.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Me"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter"].queryset = _active_members()


class CourtDateForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Day and time"),
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
    )
    court = forms.CharField(
        label=_("Court"), help_text=_("Which court, which room."), max_length=300, required=False
    )
    note = forms.CharField(
        label=_("What it is"),
        help_text=_("Arraignment, hearing, trial…"),
        max_length=300,
        required=False,
    )


class FamilyTaskForm(forms.Form):
    what = forms.CharField(
        label=_("For the family"),
        help_text=_("A call, childcare, a ride, money for commissary…"),
        max_length=LONGEST,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label=_("By"), required=False, widget=NativeDateInput())
    assigned_to = MemberChoice(
        label=_("Who does it"),
        queryset=Member.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _active_members()


class ArresteeStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Where the case stands"), choices=ArresteeStatus.choices, widget=forms.RadioSelect
    )


class BailForm(forms.Form):
    fund = forms.ModelChoiceField(label=_("Bail fund"), queryset=Fund.objects.none())
    pay_to_name = forms.CharField(
        label=_("Pay to"), help_text=_("The court or the jail that takes the bail."), max_length=200
    )
    pay_to_details = forms.CharField(
        label=_("How to pay"),
        help_text=_("Case or booking number, where and how bail is paid."),
        max_length=LONGEST,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    details = forms.CharField(
        label=_("For the fund"),
        help_text=_("What the fund needs to decide. Their name is not needed."),
        max_length=LONGEST,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, funds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds if funds is not None else Fund.objects.none()


# --- after-action -----------------------------------------------------------------------------


class AfterActionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How it ended"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    debrief = forms.CharField(
        label=_("Debrief"),
        help_text=_("What went well, what to change next time. No names needed."),
        required=False,
        max_length=LONGEST,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_up = forms.CharField(
        label=_("Follow-up for the family"),
        help_text=_("Who checks on them, and when."),
        required=False,
        max_length=LONGEST,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
