from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from solnet.core.forms import NativeDateInput
from solnet.core.public_forms import PublicForm
from solnet.fights.models import (
    DemandKind,
    HeardFrom,
    IssueType,
    LeadChannel,
    LeadStatus,
    LinkKind,
    PressureKind,
    ResponseKind,
    RiskFlag,
    RiskLevel,
    TacticKind,
    TargetKind,
    Tier,
)
from solnet.people.forms import check_contact
from solnet.people.models import ChannelKind

STORY_HELP = _("Please don't write anything you wouldn't want a stranger to read.")


class FightBackForm(PublicForm):
    """The public "bring us your fight" form: the least we need to call someone back."""

    display_name = forms.CharField(
        label=_("Your name"), max_length=80, help_text=_("A first name or a nickname is enough.")
    )
    contact_kind = forms.ChoiceField(
        label=_("How should we reach you?"), choices=ChannelKind.choices
    )
    contact = forms.CharField(
        label=_("Your email address or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=_("Your language"), choices=settings.LANGUAGES)
    issue_type = forms.ChoiceField(label=_("What is it about?"), choices=IssueType.choices)
    story = forms.CharField(
        label=_("What happened? (briefly)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=STORY_HELP,
    )
    heard_from = forms.ChoiceField(
        label=_("How did you hear of us?"),
        choices=[("", _("Rather not say")), *HeardFrom.choices],
        required=False,
    )
    consent = forms.BooleanField(
        label=_("You may contact me this way about my problem."), required=True
    )

    def clean(self):
        return check_contact(self, super().clean(), kind="contact_kind", value="contact")


class LeadForm(forms.Form):
    """A lead an organizer writes down from a call, a voicemail or a conversation."""

    display_name = forms.CharField(label=_("Name"), max_length=80)
    contact_kind = forms.ChoiceField(label=_("How to reach them"), choices=ChannelKind.choices)
    contact = forms.CharField(label=_("Email address or phone number"), max_length=254)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    issue_type = forms.ChoiceField(label=_("What it is about"), choices=IssueType.choices)
    story = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Briefly. Never record anyone's immigration status."),
    )
    channel = forms.ChoiceField(
        label=_("Came in by"), choices=[c for c in LeadChannel.choices if c[0] != "web"]
    )
    heard_from = forms.ChoiceField(
        label=_("Heard of the network through"),
        choices=[("", _("Not known")), *HeardFrom.choices],
        required=False,
    )

    def clean(self):
        return check_contact(self, super().clean(), kind="contact_kind", value="contact")


class LeadUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in LeadStatus.choices if c[0] != LeadStatus.TAKEN]
    )
    callback_owner = forms.ModelChoiceField(
        label=_("Who calls back"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args, callers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["callback_owner"].queryset = callers


class TakeLeadForm(forms.Form):
    title = forms.CharField(
        label=_("Name of the fight"),
        max_length=120,
        help_text=_("Name it after the target, e.g. “Back wages at Joe's Diner”."),
    )


class IntakeForm(forms.Form):
    title = forms.CharField(label=_("Name of the fight"), max_length=120)
    issue_type = forms.ChoiceField(label=_("What it is about"), choices=IssueType.choices)
    language = forms.ChoiceField(
        label=_("Language of the fight"), choices=[("", "—"), *settings.LANGUAGES], required=False
    )
    facts = forms.CharField(
        label=_("Facts"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What happened, amounts and dates, the documents they have. Never record "
            "immigration status, criminal history or who did anything unlawful."
        ),
    )
    goals = forms.CharField(
        label=_("What they want"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pod = forms.CharField(
        label=_("Their pod"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Coworkers, neighbours, family who can help, and how."),
    )
    risks = forms.MultipleChoiceField(
        label=_("Risks"),
        choices=RiskFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("That there is a risk, never the facts behind it. Only the team sees this."),
    )
    amount_claimed = forms.DecimalField(
        label=_("Amount claimed"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Money owed, if it is about money."),
    )


class TeamAddForm(forms.Form):
    username = forms.CharField(
        label=_("Sign-in name of the member to add"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )


class MoveForm(forms.Form):
    """One move made by hand: before the proposal, or the campaign subject's own decision
    (with what they decided). A meeting's decision is a proposal, made in `democracy`."""

    target = forms.CharField(widget=forms.HiddenInput)
    motion = forms.CharField(
        label=_("What was decided"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvidenceForm(forms.Form):
    label = forms.CharField(
        label=_("What it is"),
        max_length=120,
        help_text=_("e.g. “Pay stub, March”. The file's own name is not kept."),
    )
    file = forms.FileField(
        label=_("Photo or PDF"),
        help_text=_("Up to 10 MB. Location and camera data are removed from photos."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class TargetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=TargetKind.choices)
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("Business or registered address. Targets that share one are grouped."),
    )
    notes = forms.CharField(
        label=_("Research notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FightTargetForm(forms.Form):
    name = forms.CharField(
        label=_("Target's name"),
        max_length=160,
        help_text=_("A target already researched is found by its name."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TargetKind.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


class LinkForm(forms.Form):
    prefix = "link"  # shares its page with the pressure point form
    kind = forms.ChoiceField(label=_("This target…"), choices=LinkKind.choices)
    name = forms.CharField(label=_("…whom (name)"), max_length=160)
    other_kind = forms.ChoiceField(label=_("Kind"), choices=TargetKind.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    found_in = forms.CharField(
        label=_("Found in"),
        max_length=200,
        required=False,
        help_text=_("e.g. the state business registry."),
    )


class PressureForm(forms.Form):
    prefix = "pressure"
    kind = forms.ChoiceField(label=_("Pressure point"), choices=PressureKind.choices)
    description = forms.CharField(
        label=_("What and where"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. “Lunch rush, noon to two, at the Pike St restaurant”."),
    )
    source = forms.CharField(label=_("Source"), max_length=500, required=False)


SCORE_CHOICES = [("2", _("2: yes")), ("1", _("1: partly")), ("0", _("0: no or unknown"))]


class WinnabilityForm(forms.Form):
    """One score and note per question of the network's sheet in use, and a summary."""

    summary = forms.CharField(
        label=_("Summary for the meeting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteria, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.label,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                help_text=criterion.text,
                error_messages={"required": _("Score this one.")},
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note on “%(name)s”") % {"name": criterion.label},
                required=False,
                max_length=1000,
            )

    def rows(self):
        """(criterion, score field, note field) for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {c.pk: (int(data[f"score_{c.pk}"]), data[f"note_{c.pk}"]) for c in self.criteria}


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    question = forms.CharField(label=_("Question"), max_length=300, required=False)
    must_have = forms.BooleanField(
        label=_("Must-have: a 0 means decline, refer or research more"), required=False
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class DemandForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DemandKind.choices)
    text = forms.CharField(
        label=_("The demand"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Exact and checkable, e.g. “Pay the 30 weeks of wages owed: $6,710”."),
    )
    language = forms.ChoiceField(
        label=_("Written in"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_(
            "A letter in another language warns you while this demand is still printed as written."
        ),
    )
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    due_on = forms.DateField(label=_("Due by"), required=False, widget=NativeDateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Most people write in the language they read the page in.
        self.fields["language"].initial = self._page_language()

    @staticmethod
    def _page_language() -> str:
        language = translation.get_language() or ""
        return language if language in dict(settings.LANGUAGES) else ""

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self._page_language()


class DeadlineForm(forms.Form):
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=NativeDateInput,
        help_text=_("Usually two weeks after the letter is delivered, sometimes seven days."),
    )


class LetterForm(forms.Form):
    body = forms.CharField(
        label=_("The letter"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 18})
    )


class StepForm(forms.Form):
    prefix = "step"  # shares its page with the response form

    tactic = forms.ModelChoiceField(
        label=_("Tactic"), queryset=None, to_field_name="public_id", empty_label=None
    )
    planned_on = forms.DateField(label=_("Planned for"), widget=NativeDateInput)
    turnout_needed = forms.IntegerField(
        label=_("People needed"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("Empty: the tactic's ideal turnout."),
    )
    roles = forms.CharField(label=_("Roles"), max_length=300, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from solnet.fights.catalogue import ensure_builtins
        from solnet.fights.models import Tactic

        ensure_builtins()
        self.fields["tactic"].queryset = Tactic.objects.filter(active=True)
        self.fields["tactic"].label_from_instance = lambda t: f"{t.get_tier_display()} · {t}"


class ActionForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=NativeDateInput)
    turnout = forms.IntegerField(label=_("People who came"), min_value=0, max_value=100_000)
    tier_done = forms.ChoiceField(label=_("Tier reached"), choices=Tier.choices)
    reaction = forms.CharField(
        label=_("What the target did"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    police_contact = forms.BooleanField(label=_("The police came"), required=False)


class ResponseForm(forms.Form):
    prefix = "response"

    kind = forms.ChoiceField(label=_("What the target did"), choices=ResponseKind.choices)
    happened_on = forms.DateField(label=_("When"), widget=NativeDateInput)
    amount = forms.DecimalField(
        label=_("Amount offered"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    note = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TacticForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=TacticKind.choices)
    min_turnout = forms.IntegerField(label=_("Fewest people"), min_value=1, max_value=10_000)
    ideal_turnout = forms.IntegerField(label=_("Ideal turnout"), min_value=1, max_value=10_000)
    roles = forms.CharField(label=_("Roles needed"), max_length=300, required=False)
    risk = forms.ChoiceField(label=_("Legal or arrest risk"), choices=RiskLevel.choices)
    needs_research = forms.CharField(label=_("Research it needs"), max_length=300, required=False)
    script = forms.CharField(
        label=_("Script or template"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class OutcomeForm(forms.Form):
    amount_recovered = forms.DecimalField(
        label=_("Amount recovered"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    lessons = forms.CharField(
        label=_("Lessons"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the network learned, for the next fight."),
    )
    watch_days = forms.IntegerField(
        label=_("Days to watch for retaliation"),
        required=False,
        min_value=0,
        max_value=730,
        initial=90,
        help_text=_("After a win, bosses and landlords sometimes strike back."),
    )


class FollowUpForm(forms.Form):
    prefix = "follow"

    task = forms.CharField(label=_("Task"), max_length=500)
    due_on = forms.DateField(label=_("Due by"), required=False, widget=NativeDateInput)
    assigned_to = forms.ModelChoiceField(
        label=_("Who does it"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args, fight, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from solnet.members.models import Member

        self.fields["assigned_to"].queryset = Member.objects.filter(fight_teams__fight=fight)
