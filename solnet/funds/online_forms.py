"""The public donation form: anyone, no account, no JavaScript."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from solnet.core.public_forms import PublicForm
from solnet.funds import money


class GiveForm(PublicForm):
    """An amount in the network's currency; a name only for someone who wants to be thanked
    by it; an email only for the processor's receipt."""

    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("In %(currency)s."),
    )
    donor_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Kept only if you tick the box below."),
    )
    named = forms.BooleanField(
        label=_("Thank me by name in the network's report"),
        required=False,
        help_text=_("Unticked, nobody but the treasurers' books will know you gave."),
    )
    email = forms.EmailField(
        label=_("Email for the receipt (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The payment processor sends the receipt here. We keep it encrypted."),
    )

    def __init__(self, data=None, *, currency: str, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.currency = currency
        self.fields["amount"].help_text = self.fields["amount"].help_text % {"currency": currency}

    def clean_amount(self) -> int:
        return money.to_minor(self.cleaned_data["amount"], self.currency)

    def clean(self):
        data = super().clean()
        if data.get("named") and not (data.get("donor_name") or "").strip():
            self.add_error("donor_name", _("Write the name to thank, or untick the box."))
        return data
