"""Forms of the matching pages: asking to receive, pledging (a member or the public), running
a round, verifying a striker."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solnet.core.public_forms import PublicForm
from solnet.funds.forms import AmountField
from solnet.funds.supplies_forms import new_key


class ReceiveForm(forms.Form):
    shown_name = forms.CharField(
        label=_("The name donors see"),
        max_length=40,
        help_text=_("A first name or a nickname. Never your full legal name."),
    )
    payment_handle = forms.CharField(
        label=_("How donors pay you"),
        max_length=200,
        help_text=_("e.g. a payment app handle. Only donors matched to you see it."),
    )
    need = AmountField(label=_("How much you need"))


class _Pledge(forms.Form):
    amount = AmountField(label=_("Amount"))
    named = forms.BooleanField(
        label=_("Tell the strikers my name"),
        required=False,
        help_text=_("Otherwise they see “a supporter”."),
    )
    donor_name = forms.CharField(label=_("The name they see"), max_length=80, required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("named") and not (data.get("donor_name") or "").strip():
            self.add_error("donor_name", _("Give the name the strikers may see."))
        return data


class MatchPledgeForm(_Pledge):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("key", new_key())
        super().__init__(*args, **kwargs)


class PublicMatchPledgeForm(PublicForm, _Pledge):
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_("Only to tell you whom to send to. Deleted once your pledge is matched."),
    )

    field_order = ["amount", "email", "named", "donor_name"]

    def __init__(self, data=None, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("key", new_key())
        super().__init__(data, **kwargs)


class RoundForm(forms.Form):
    confirm_days = forms.IntegerField(
        label=_("Days to confirm"),
        min_value=1,
        max_value=90,
        initial=7,
        help_text=_("A match not confirmed by both sides after this shows as late."),
    )


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("verify", _("Verify")), ("refuse", _("Refuse"))],
    )

    def clean_decision(self) -> bool:
        value = self.cleaned_data["decision"]
        if value not in ("verify", "refuse"):
            raise ValidationError(_("Choose verify or refuse."))
        return value == "verify"
