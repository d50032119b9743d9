"""Forms of the aid pages: asking (a member, or anyone on a mutual-aid fund's public form),
putting a request to the vote, and recording its payment."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.forms import DateTimeInput
from solnet.core.public_forms import PublicForm
from solnet.fights import evidence
from solnet.funds import aid
from solnet.funds.forms import AmountField
from solnet.funds.models import Account, AidRequest, PayTo, Purpose
from solnet.members.models import Member


def _situation_fields() -> dict[str, forms.Field]:
    return {
        "amount": AmountField(label=_("How much"), help_text=_("e.g. 300 or 300.50")),
        "purpose": forms.ChoiceField(label=_("What it is for"), choices=Purpose.choices),
        "details": forms.CharField(
            label=_("Your situation"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=_("What the committee should know. Only they and the treasurers read it."),
        ),
        "dependants": forms.BooleanField(
            label=_("Children or others depend on me"), required=False
        ),
        "eviction_notice": forms.BooleanField(label=_("I have an eviction notice"), required=False),
        "utility_shutoff": forms.BooleanField(
            label=_("I have a utility shut-off notice"), required=False
        ),
        "pay_to": forms.ChoiceField(
            label=_("Pay"), choices=PayTo.choices, initial=PayTo.PERSON, widget=forms.RadioSelect
        ),
        "creditor_name": forms.CharField(
            label=_("Whom to pay"),
            required=False,
            max_length=200,
            help_text=_("The landlord, utility or other creditor, when we pay them directly."),
        ),
        "creditor_details": forms.CharField(
            label=_("Their payment details"),
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_(
                "Their account and the reference to quote (your account number with them)."
            ),
        ),
    }


class AidRequestForm(forms.Form):
    """A member asks a fund for help."""

    relations = forms.CharField(
        label=_("Members close to you"),
        required=False,
        max_length=500,
        help_text=_(
            "Sign-in names of members you are related to or live with, separated by commas: "
            "they will not vote on your request."
        ),
    )
    receipt = forms.FileField(
        label=_("A receipt, bill or notice"),
        required=False,
        help_text=_("A photo (JPEG, PNG) or a PDF. Photos are kept without their location."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fields = _situation_fields()
        # The situation first, then relations and the receipt.
        self.fields = {**fields, **self.fields}

    def clean_relations(self) -> list[Member]:
        names = [n.strip() for n in self.cleaned_data.get("relations", "").split(",") if n.strip()]
        if len(names) > aid.MAX_RELATIONS:
            raise ValidationError(
                _("Name at most %(count)s people.") % {"count": aid.MAX_RELATIONS}
            )
        found = list(
            Member.objects.filter(username__in=names, is_active=True, status=Member.Status.ACTIVE)
        )
        missing = sorted(set(names) - {m.username for m in found})
        if missing:
            raise ValidationError(
                _("“%(name)s” is not the sign-in name of a member.") % {"name": missing[0]}
            )
        return found

    def clean_receipt(self) -> bytes | None:
        upload = self.cleaned_data.get("receipt")
        if not upload:
            return None
        if upload.size > evidence.MAX_BYTES:
            raise ValidationError(evidence.too_big_message())
        return upload.read()


class PublicAidForm(PublicForm):
    """Anyone asks a mutual-aid fund: a name they choose and a way to reach them."""

    chosen_name = forms.CharField(
        label=_("What should we call you?"),
        max_length=80,
        help_text=_("Any name you like: no legal name is needed."),
    )
    contact = forms.CharField(
        label=_("How to reach you"),
        max_length=200,
        help_text=_("A phone number or an email address."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        guard = {name: self.fields[name] for name in ("website", "started")}
        own = {name: f for name, f in self.fields.items() if name not in guard}
        self.fields = {**own, **_situation_fields(), **guard}


class PutToVoteForm(forms.Form):
    closes_at = forms.DateTimeField(label=_("Voting closes at"), widget=DateTimeInput())

    def __init__(self, *args, request: AidRequest, **kwargs) -> None:
        body = request.fund.body
        hours = max(body.notice_hours if body else 0, 48)
        kwargs.setdefault("initial", {"closes_at": timezone.now() + timedelta(hours=hours + 1)})
        super().__init__(*args, **kwargs)

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at <= timezone.now():
            raise ValidationError(_("The vote must close in the future."))
        return closes_at


class PayForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Paid from"),
        queryset=Account.objects.where_money_is(),
        to_field_name="public_id",
        empty_label=None,
    )
    method = forms.ChoiceField(label=_("How"), choices=aid.PAID_BY_HAND)
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=80,
        help_text=_("A cheque number or the bank's transfer reference: never a name."),
    )
