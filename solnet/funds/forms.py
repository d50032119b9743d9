"""The treasurer's forms. Amounts are typed in the network's currency and kept in minor
units (`money.to_minor`): a negative amount, zero, or more decimals than the currency has is
refused with a message in the person's language."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.forms import NativeDateInput
from solnet.councils.models import Committee
from solnet.democracy.models import Body
from solnet.democracy.services.decisions import body_of_committee
from solnet.funds import money
from solnet.funds.models import (
    Account,
    AccountKind,
    Books,
    Decider,
    DuesPeriod,
    Fund,
    FundKind,
    Method,
)

GENERAL = "general"


class AmountField(forms.Field):
    """An amount in the network's currency, cleaned to minor units (an int)."""

    widget = forms.TextInput

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_zero = allow_zero
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": 20})

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return money.plain(value, money.network_currency())
        return value

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        if len(str(value)) > 20:
            raise ValidationError(_("That amount is too large."), code="large")
        return money.to_minor(str(value), money.network_currency(), allow_zero=self.allow_zero)


def body_choices() -> list[tuple[str, str]]:
    choices = [(GENERAL, str(_("The general meeting")))]
    for committee in Committee.objects.select_related("council").order_by("council__name", "name"):
        choices.append((committee.public_id, f"{committee.council} — {committee.name}"))
    return choices


def body_of_choice(value: str) -> Body | None:
    if value == GENERAL:
        return Body.objects.general()
    committee = Committee.objects.filter(public_id=value).first()
    return body_of_committee(committee) if committee else None


def choice_of_body(body: Body | None) -> str:
    if body is None:
        return ""
    if body.committee_id:
        return body.committee.public_id
    return GENERAL


class RulesForm(forms.Form):
    """The rules two treasurers change together."""

    cap = AmountField(label=_("Cap per grant"), required=False, help_text=_("Empty for no cap."))
    cooldown_months = forms.IntegerField(
        label=_("Cooldown (months)"),
        min_value=0,
        max_value=60,
        initial=0,
        help_text=_("One grant per this many months to the same person; 0 for none."),
    )
    pay_within_days = forms.IntegerField(
        label=_("Pay within (days)"), min_value=1, max_value=90, initial=7
    )
    decider = forms.ChoiceField(label=_("How requests are decided"), choices=Decider.choices)
    body = forms.ChoiceField(
        label=_("Who decides"),
        help_text=_("A committee of 3 to 5 members, or the general meeting."),
    )
    members_only = forms.BooleanField(
        label=_("Members only"),
        required=False,
        initial=True,
        help_text=_("Untick for a mutual-aid fund anyone may ask."),
    )
    good_standing = forms.BooleanField(
        label=_("Good standing needed"),
        required=False,
        help_text=_("Only members whose dues are paid up (or waived by decision) may ask."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = body_choices()

    def clean_body(self) -> Body:
        body = body_of_choice(self.cleaned_data["body"])
        if body is None:
            raise ValidationError(_("Choose a committee or the general meeting."))
        return body


class FundForm(RulesForm):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("e.g. “Strike fund”."))
    kind = forms.ChoiceField(label=_("Kind"), choices=FundKind.choices)
    purpose = forms.CharField(
        label=_("What the money is for"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    eligibility = forms.CharField(
        label=_("Who may ask"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. “Members doing strike duties: two picket shifts a week.”"),
    )
    applicant_days = forms.IntegerField(
        label=_("Keep applicants' details (days)"),
        min_value=1,
        max_value=3650,
        initial=183,
        help_text=_("Applicants' details go after this; the grant's amount and date stay."),
    )
    public_donations = forms.BooleanField(
        label=_("Public donation page"),
        required=False,
        help_text=_("Anyone with the link may give to this fund online."),
    )
    public_requests = forms.BooleanField(
        label=_("Public request form"),
        required=False,
        help_text=_("Anyone with the link may ask for help (a mutual-aid fund)."),
    )

    field_order = ["name", "kind", "purpose", "eligibility", "body", "decider", "cap"]


class SettingsForm(forms.Form):
    two_person_above = AmountField(
        label=_("A second treasurer for payments above"),
        allow_zero=True,
        help_text=_("A payment above this also needs a second treasurer, never the one who asked."),
    )
    donor_days = forms.IntegerField(
        label=_("Keep donors' details (days)"), min_value=1, max_value=3650
    )
    publish_report = forms.BooleanField(
        label=_("Publish the funds' report"),
        required=False,
        help_text=_("Anyone may read it: money in and out, never a name."),
    )

    @classmethod
    def of(cls, books: Books, data=None) -> SettingsForm:
        return cls(
            data,
            initial={
                "two_person_above": books.two_person_above,
                "donor_days": books.donor_days,
                "publish_report": books.publish_report,
            },
        )


class AccountForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (AccountKind.ASSET.value, _("Where money is kept (a bank, a cash box)")),
            (AccountKind.INCOME.value, _("Where money comes from")),
            (AccountKind.EXPENSE.value, _("Where money goes")),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=80)


class _FundChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Fund.objects.open(),
            to_field_name="public_id",
            empty_label=str(_("General money (no fund)")),
            required=False,
            **kwargs,
        )


class _WhereField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Account.objects.where_money_is(), to_field_name="public_id", **kwargs
        )


class DonationForm(forms.Form):
    """A donation the treasurer received: cash at a picket, a cheque, a bank transfer."""

    fund = _FundChoice(label=_("Fund"))
    amount = AmountField(label=_("Amount"))
    method = forms.ChoiceField(
        label=_("How it came"), choices=[c for c in Method.choices if c[0] != Method.ONLINE]
    )
    where = _WhereField(label=_("Where it is kept"))
    received_on = forms.DateField(
        label=_("Received on"), widget=NativeDateInput(), initial=timezone.localdate
    )
    donor_name = forms.CharField(
        label=_("Donor's name"),
        max_length=120,
        required=False,
        help_text=_("Only if they want to be named. Leave empty for an anonymous gift."),
    )
    named = forms.BooleanField(
        label=_("They agreed to be thanked by name in the report"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("named") and not (data.get("donor_name") or "").strip():
            self.add_error("donor_name", _("Give the name they want to be thanked by."))
        return data


class MoveForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    where = _WhereField(label=_("Where the money is kept"))
    source = _FundChoice(label=_("From"))
    target = _FundChoice(label=_("To"))
    on = forms.DateField(label=_("Date"), widget=NativeDateInput(), initial=timezone.localdate)
    memo = forms.CharField(label=_("Why"), max_length=200, required=False)


class OpeningForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    where = _WhereField(label=_("Where the money is kept"))
    fund = _FundChoice(label=_("Fund"))
    on = forms.DateField(label=_("Date"), widget=NativeDateInput(), initial=timezone.localdate)


class CorrectForm(forms.Form):
    why = forms.CharField(label=_("What was wrong"), max_length=200)
    on = forms.DateField(label=_("Date"), widget=NativeDateInput(), initial=timezone.localdate)


class PledgeForm(forms.Form):
    period = forms.ChoiceField(
        label=_("How often"),
        choices=DuesPeriod.choices,
        help_text=_("Dues are a sliding scale: pay what you can, or nothing."),
    )
    amount = AmountField(label=_("Amount each time"), required=False, allow_zero=True)

    def clean(self):
        data = super().clean()
        if data.get("period") and data["period"] != DuesPeriod.NONE and not data.get("amount"):
            self.add_error("amount", _("Say how much you will pay each time."))
        return data


class DuesOnlineForm(forms.Form):
    amount = AmountField(
        label=_("Amount to pay"),
        help_text=_("You pay on the payment processor's page; SolNet never sees your card."),
    )


class DuesPaymentForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    where = _WhereField(label=_("Where it is kept"))
    paid_on = forms.DateField(
        label=_("Paid on"), widget=NativeDateInput(), initial=timezone.localdate
    )
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)
