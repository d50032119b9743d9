"""Forms of the bank statement pages: the upload, a bank mapping, and what to do with a line
the books lack."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solnet.funds.forms import AmountField
from solnet.funds.models import Account, AccountKind, BankMapping, Fund
from solnet.funds.statement_files import MAX_UPLOAD_BYTES


class BalanceField(AmountField):
    """A bank balance: an amount that may be negative (an overdrawn account)."""

    def to_python(self, value):
        text = str(value or "").strip()
        negative = text.startswith("-")
        minor = super().to_python(text[1:] if negative else value)
        if minor is None:
            return None
        return -minor if negative else minor


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement"),
        help_text=_("A CSV, OFX or CAMT.053 file exported from your bank."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.ofx,.qfx,.xml"}),
    )
    mapping = forms.ModelChoiceField(
        label=_("Bank (for a CSV file)"),
        queryset=BankMapping.objects.all(),
        to_field_name="public_id",
        required=False,
        help_text=_("How the bank writes its CSV file; it also says which account it is."),
    )
    account = forms.ModelChoiceField(
        label=_("Account (for an OFX or CAMT.053 file)"),
        queryset=Account.objects.where_money_is(),
        to_field_name="public_id",
        required=False,
    )
    closing = BalanceField(
        label=_("Closing balance"),
        required=False,
        help_text=_("The balance the statement ends with, if the file does not say it."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB. Export a shorter period.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("mapping") and not data.get("account"):
            raise ValidationError(
                _("Choose the bank of a CSV file, or the account of an OFX or CAMT.053 file.")
            )
        return data


class MappingForm(forms.ModelForm):
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=Account.objects.where_money_is(),
        to_field_name="public_id",
        help_text=_("Where the money the statements show is kept."),
    )

    class Meta:
        model = BankMapping
        fields = [
            "name",
            "account",
            "encoding",
            "delimiter",
            "skip_rows",
            "date_column",
            "date_format",
            "amount_column",
            "debit_column",
            "credit_column",
            "decimal_mark",
            "description_column",
            "reference_column",
            "balance_column",
        ]


POST, IGNORE, RESTORE = "post", "ignore", "restore"


class LineForm(forms.Form):
    """Post a line the books lack against an income or expense account, or set it aside."""

    action = forms.ChoiceField(
        choices=[(POST, _("Post")), (IGNORE, _("Ignore")), (RESTORE, _("Post it after all"))],
        widget=forms.HiddenInput,
    )
    account = forms.ModelChoiceField(
        label=_("Where the money came from or went"),
        queryset=Account.objects.open().filter(kind__in=[AccountKind.INCOME, AccountKind.EXPENSE]),
        to_field_name="public_id",
        required=False,
    )
    fund = forms.ModelChoiceField(
        label=_("For a fund (money in only)"),
        queryset=Fund.objects.open(),
        to_field_name="public_id",
        required=False,
        empty_label=_("General money (no fund)"),
        help_text=_(
            "Money out is never taken from a fund here: a fund's money is spent only by a decision."
        ),
    )

    def __init__(self, *args, amount: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.amount = amount
        if amount < 0:
            # Money out: only expense accounts, and no fund to take it from.
            self.fields["account"].queryset = Account.objects.open().filter(
                kind=AccountKind.EXPENSE
            )
            del self.fields["fund"]

    def clean(self):
        data = super().clean()
        if data.get("action") == POST and not data.get("account"):
            self.add_error("account", _("Choose where the money came from or went."))
        return data
