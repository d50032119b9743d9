from __future__ import annotations

from fractions import Fraction
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.forms import DateTimeInput, NativeDateInput
from solnet.democracy.models import (
    CHOICE_METHODS,
    NEEDS_REASON,
    POSITIONS,
    AgendaKind,
    AttendanceMode,
    EffectKind,
    Method,
    Proposal,
)
from solnet.fights.stages import SUBJECT_TOPIC_CHOICES
from solnet.members.models import Role, Tier

# What a proposal to the general meeting may do, chosen on the form; moving a fight on is
# offered from the fight's own page.
FORM_EFFECTS = [
    ("", _("Nothing by itself: a decision to act on")),
    (EffectKind.APPROVE_REQUEST.value, EffectKind.APPROVE_REQUEST.label),
    (EffectKind.ADMIT_MEMBER.value, EffectKind.ADMIT_MEMBER.label),
    (EffectKind.SET_TIER.value, EffectKind.SET_TIER.label),
    (EffectKind.GRANT_ROLE.value, EffectKind.GRANT_ROLE.label),
    (EffectKind.REVOKE_ROLE.value, EffectKind.REVOKE_ROLE.label),
    (EffectKind.BODY_RULES.value, EffectKind.BODY_RULES.label),
    (EffectKind.NETWORK_RULES.value, EffectKind.NETWORK_RULES.label),
    (EffectKind.ELECT_DELEGATES.value, EffectKind.ELECT_DELEGATES.label),
]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("The proposal"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is proposed, and why."),
    )
    method = forms.ChoiceField(label=_("How it is decided"), choices=Method.choices)
    threshold = forms.CharField(
        label=_("Supermajority"),
        required=False,
        max_length=7,
        help_text=_("For a supermajority: the share of yes needed, such as 2/3 or 3/4."),
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For approval, score or ranked votes: one option (or candidate) per line."),
    )
    seats = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=49,
        initial=1,
        help_text=_("How many options win: 2 to elect two delegates."),
    )
    max_score = forms.IntegerField(
        label=_("Highest score"), min_value=1, max_value=10, initial=5, required=False
    )
    secret = forms.BooleanField(
        label=_("Secret ballot"),
        required=False,
        help_text=_("Nobody will know who voted how; each voter gets a receipt to check it."),
    )
    closes_at = forms.DateTimeField(
        label=_("Open the vote now, closing at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty to discuss it first and open the vote later."),
    )
    effect = forms.ChoiceField(label=_("When it passes"), choices=FORM_EFFECTS, required=False)
    effect_approval = forms.ChoiceField(
        label=_("The request"),
        required=False,
        choices=[],
        help_text=_("A request waiting for a second person: the decision approves it."),
    )
    effect_member = forms.CharField(
        label=_("Whose (their sign-in name)"), required=False, max_length=150
    )
    effect_tier = forms.TypedChoiceField(
        label=_("Tier"), choices=[("", "—"), *Tier.choices], coerce=int, required=False
    )
    effect_role = forms.ChoiceField(
        label=_("Role"), choices=[("", "—"), *Role.choices], required=False
    )
    rule_voter_tier = forms.TypedChoiceField(
        label=_("Who may vote"), choices=Tier.choices, coerce=int, required=False
    )
    rule_quorum_percent = forms.IntegerField(
        label=_("Quorum (%)"), min_value=0, max_value=100, required=False
    )
    rule_quorum_minimum = forms.IntegerField(
        label=_("Quorum (people)"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("At least this many take part, or are present to close a vote early."),
    )
    rule_newcomers_wait = forms.BooleanField(
        label=_("New members vote after the waiting period"), required=False
    )
    rule_default_method = forms.ChoiceField(
        label=_("Usual method"), choices=Method.choices, required=False
    )
    rule_threshold = forms.CharField(label=_("Supermajority"), max_length=7, required=False)
    rule_notice_hours = forms.IntegerField(
        label=_("Notice (hours)"), min_value=0, max_value=1440, required=False
    )
    net_subject_decisions = forms.MultipleChoiceField(
        label=_("The campaign subject decides"),
        choices=SUBJECT_TOPIC_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Withdrawing is always the subject's."),
    )
    net_team_decisions = forms.MultipleChoiceField(
        label=_("The fight team decides on its own"),
        choices=SUBJECT_TOPIC_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The general meeting decides the rest, and always takes a fight on."),
    )
    effect_assembly = forms.CharField(
        label=_("Delegates are sent to"),
        required=False,
        max_length=200,
        help_text=_(
            "For an election of delegates: the options are the candidates' sign-in names, and "
            "the proposal's text is their mandate."
        ),
    )
    effect_term_ends = forms.DateField(
        label=_("Their term ends"), required=False, widget=NativeDateInput
    )
    effect_to_body = forms.ChoiceField(
        label=_("The body they sit in, if it decides in SolNet too"),
        required=False,
        choices=[],
        help_text=_("Their votes there are then shown to this body."),
    )
    # Set by the page that offers a recall (a delegate's page), checked again by the service.
    effect_delegate = forms.CharField(required=False, widget=forms.HiddenInput, max_length=24)
    # Set by the page that offers the move (a fight's page), checked again by the service.
    effect_fight = forms.CharField(required=False, widget=forms.HiddenInput, max_length=24)
    effect_to = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def clean_threshold(self) -> Fraction | None:
        raw = self.cleaned_data["threshold"].strip()
        if not raw:
            return None
        try:
            num, den = (int(part) for part in raw.split("/"))
            return Fraction(num, den)
        except (ValueError, ZeroDivisionError):
            raise forms.ValidationError(_("Write the share as two numbers, such as 2/3.")) from None

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at is not None and closes_at <= timezone.now():
            raise forms.ValidationError(_("The vote must close in the future."))
        return closes_at

    def option_labels(self) -> list[str]:
        return [line for line in self.cleaned_data.get("options", "").splitlines() if line.strip()]


class OpenVotingForm(forms.Form):
    closes_at = forms.DateTimeField(label=_("Voting closes at"), widget=DateTimeInput())


def initial_of(proposal: Proposal, choice: str, reason: str | None) -> dict[str, Any]:
    """A cast open ballot as the ballot form's initial values, to change it from there."""
    if proposal.method in POSITIONS:
        return {"choice": choice, "reason": reason or ""}
    numbers = [part for part in choice.split(",") if part]
    if proposal.method == Method.APPROVAL:
        return {"choice": numbers}
    if proposal.method == Method.SCORE:
        pairs = (part.split(":") for part in numbers)
        return {f"score_{n}": int(s) for n, s in pairs}
    return {f"rank_{n}": place for place, n in enumerate(numbers, start=1)}


def ballot_form(
    proposal: Proposal,
    data: Any = None,
    *,
    with_receipt: bool = False,
    initial: dict[str, Any] | None = None,
) -> forms.Form:
    """The ballot of a proposal, shaped by its method."""
    fields: dict[str, forms.Field] = {}
    options = list(proposal.options.all())
    if proposal.method in POSITIONS:
        fields["choice"] = forms.ChoiceField(
            label=_("Your vote"),
            choices=[(p.value, p.label) for p in POSITIONS[Method(proposal.method)]],
            widget=forms.RadioSelect,
        )
        if proposal.method in (Method.CONSENT, Method.CONSENSUS):
            fields["reason"] = forms.CharField(
                label=_("Your reason"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Needed if you object or block; welcome with a concern."),
            )
    elif proposal.method == Method.APPROVAL:
        fields["choice"] = forms.MultipleChoiceField(
            label=_("Choose every option you accept"),
            choices=[(o.number, o.label) for o in options],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    elif proposal.method == Method.SCORE:
        scores = [(s, str(s)) for s in range(proposal.max_score + 1)]
        for option in options:
            fields[f"score_{option.number}"] = forms.TypedChoiceField(
                label=option.label, choices=scores, coerce=int, initial=0
            )
    else:
        places = [("", _("not ranked"))] + [(n, str(n)) for n in range(1, len(options) + 1)]
        for option in options:
            fields[f"rank_{option.number}"] = forms.TypedChoiceField(
                label=option.label, choices=places, coerce=int, required=False, empty_value=None
            )
    if with_receipt:
        fields["receipt"] = forms.CharField(
            label=_("Your receipt, to change your vote"),
            required=False,
            max_length=64,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )
    form = type("BallotForm", (forms.Form,), dict(fields))(data, initial=initial)
    form.proposal = proposal  # type: ignore[attr-defined]  # read by choice_of
    return form


def choice_of(form: forms.Form) -> Any:
    """What a valid ballot form says, in the shape `services.clean_choice` takes."""
    proposal: Proposal = form.proposal  # type: ignore[attr-defined]
    data = form.cleaned_data
    if proposal.method in POSITIONS or proposal.method == Method.APPROVAL:
        return data["choice"]
    if proposal.method == Method.SCORE:
        return {
            int(name.split("_")[1]): value
            for name, value in data.items()
            if name.startswith("score_")
        }
    places = [
        (value, int(name.split("_")[1]))
        for name, value in data.items()
        if name.startswith("rank_") and value is not None
    ]
    return [number for _place, number in sorted(places)]


def reason_needed(choice: str) -> bool:
    return choice in NEEDS_REASON


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class OfflineBallotForm(forms.Form):
    username = forms.CharField(label=_("Who voted (their sign-in name)"), max_length=150)
    choice = forms.CharField(
        label=_("Their vote"),
        max_length=400,
        help_text=_("The numbers of the options in their order of preference, such as 2,1,3."),
    )
    reason = forms.CharField(label=_("Their reason"), required=False, max_length=2000)

    def __init__(self, *args: Any, proposal: Proposal | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "offline_%s")  # another form on its page has these names
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        if proposal is not None and proposal.method in POSITIONS:
            self.fields["choice"] = forms.ChoiceField(
                label=_("Their vote"),
                choices=[(p.value, p.label) for p in POSITIONS[Method(proposal.method)]],
            )

    def choice_for(self, proposal: Proposal) -> Any:
        raw = self.cleaned_data["choice"].strip()
        if proposal.method not in CHOICE_METHODS:
            return raw
        try:
            numbers = [int(part) for part in raw.replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError(
                {"choice": _("Give the option numbers, separated by commas.")}
            ) from None
        if proposal.method == Method.SCORE:
            raise forms.ValidationError(
                {"choice": _("A score ballot is cast by the voter on their own page.")}
            )
        return numbers


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, initial=_("Weekly meeting"))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    place = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("A place, or how to join from afar. Not an address of anyone's home."),
    )
    facilitator = forms.CharField(
        label=_("Facilitator (sign-in name)"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to facilitate it yourself."),
    )
    note_taker = forms.CharField(
        label=_("Note-taker (sign-in name)"), max_length=150, required=False
    )


class RolesForm(forms.Form):
    facilitator = forms.CharField(label=_("Facilitator (sign-in name)"), max_length=150)
    note_taker = forms.CharField(
        label=_("Note-taker (sign-in name)"), max_length=150, required=False
    )


class AttendForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How"), choices=AttendanceMode.choices, widget=forms.RadioSelect
    )
    username = forms.CharField(
        label=_("Who (sign-in name)"),
        max_length=150,
        required=False,
        help_text=_("The facilitator can mark someone who has no phone with them."),
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaKind.choices)
    proposal = forms.ChoiceField(label=_("Proposal"), required=False, choices=[])
    fight = forms.ChoiceField(label=_("Fight"), required=False, choices=[])

    def __init__(self, *args: Any, proposals=(), fights=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposal"].choices = [("", "—")] + [
            (p.public_id, p.display_title) for p in proposals
        ]
        self.fields["fight"].choices = [("", "—")] + [(f.public_id, f.title) for f in fights]


class ItemNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("What was said and decided"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class ProxyForm(forms.Form):
    username = forms.CharField(
        label=_("Give my vote to (sign-in name)"),
        max_length=150,
        help_text=_("They vote for you on this body's open ballots until you take it back."),
    )


class DelegateVoteForm(forms.Form):
    voted_on = forms.DateField(label=_("Date"), widget=NativeDateInput)
    motion = forms.CharField(
        label=_("What was voted on"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    vote = forms.CharField(label=_("How you voted"), max_length=40)
