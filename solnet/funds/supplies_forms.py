"""Forms of the supplies pages: a need, a pledge (signed in or on the public page), an
inventory item."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from solnet.core.public_forms import PublicForm
from solnet.funds.models import Condition, SupplyKind, SupplyNeed
from solnet.members.models import Member
from solnet.mobilize.models import Shift

MAX = 100_000


def new_key() -> str:
    """A public form's one-time key: the same form sent twice makes one pledge."""
    return secrets.token_urlsafe(24)


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupplyKind.choices)
    label = forms.CharField(
        label=_("What exactly"),
        max_length=80,
        required=False,
        help_text=_("e.g. “bottled water, 1 litre” or “folding chairs for elders”."),
    )
    quantity = forms.IntegerField(label=_("How many"), min_value=1, max_value=MAX)
    unit = forms.CharField(
        label=_("Unit"), max_length=20, required=False, help_text=_("e.g. bottles, boxes.")
    )
    shift = forms.TypedChoiceField(
        label=_("Shift"), required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args, shifts: list[Shift] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shifts = {shift.pk: shift for shift in shifts}
        if shifts:
            self.fields["shift"].choices = [("", _("The whole action"))] + [
                (shift.pk, str(shift)) for shift in shifts
            ]
        else:
            del self.fields["shift"]

    def clean_shift(self) -> Shift | None:
        value = self.cleaned_data.get("shift")
        return self.shifts.get(value) if value else None


class PledgeForm(forms.Form):
    quantity = forms.IntegerField(label=_("How many will you bring?"), min_value=1, max_value=MAX)


class PublicPledgeForm(PublicForm):
    need = forms.ChoiceField(label=_("What will you bring?"), choices=())
    quantity = forms.IntegerField(label=_("How many?"), min_value=1, max_value=MAX)
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=80,
        required=False,
        help_text=_("Any name the organizers may call you by."),
    )
    contact = forms.CharField(
        label=_("How to reach you (optional)"),
        max_length=200,
        required=False,
        help_text=_("A phone number or email if plans change. Deleted after the action."),
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, data=None, *, needs: list[SupplyNeed] = (), **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("key", new_key())
        super().__init__(data, **kwargs)
        self.needs = {need.public_id: need for need in needs}
        self.fields["need"].choices = [(need.public_id, _label(need)) for need in needs]

    def clean_need(self) -> SupplyNeed:
        return self.needs[self.cleaned_data["need"]]


def _label(need: SupplyNeed) -> str:
    text = str(need)
    if need.unit:
        text = f"{text} ({need.unit})"
    if need.shift_id:
        text = f"{text} — {need.shift}"
    return text


class InventoryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupplyKind.choices)
    label = forms.CharField(label=_("What exactly"), max_length=80)
    quantity = forms.IntegerField(label=_("How many"), min_value=0, max_value=MAX, initial=1)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    keeper = forms.ModelChoiceField(
        label=_("Kept by"),
        queryset=Member.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("The member who keeps it (in their garage, their car…)."),
    )
    where = forms.CharField(
        label=_("Where"),
        max_length=80,
        required=False,
        help_text=_("e.g. “garage”. Never a street address."),
    )
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keeper"].queryset = Member.objects.active().order_by("display_name")
