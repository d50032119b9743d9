from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from solnet.fights.stages import SUBJECT_TOPIC_CHOICES


class NetworkForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the network"),
        max_length=100,
        help_text=_("As people know it, e.g. “Eastside Solidarity Network”."),
    )
    city_region = forms.CharField(
        label=_("City or region"), max_length=100, help_text=_("Where the network organizes.")
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages the network works in"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=settings.LANGUAGES,
        help_text=_("What SolNet speaks to someone who has not chosen."),
    )
    approvals_to_join = forms.IntegerField(
        label=_("Approvals needed to join"),
        min_value=0,
        max_value=5,
        initial=1,
        help_text=_(
            "How many existing members must approve someone who joins with an invitation. "
            "0 lets them in at once."
        ),
    )
    second_factor_for_all = forms.BooleanField(
        label=_("Ask every member for a second factor"),
        required=False,
        initial=True,
        help_text=_("Whoever can read other people's contact details always needs one."),
    )

    scale_1 = forms.CharField(label=_("Support scale: 1"), max_length=30, required=False)
    scale_2 = forms.CharField(label=_("Support scale: 2"), max_length=30, required=False)
    scale_3 = forms.CharField(label=_("Support scale: 3"), max_length=30, required=False)
    scale_4 = forms.CharField(label=_("Support scale: 4"), max_length=30, required=False)
    scale_5 = forms.CharField(
        label=_("Support scale: 5"),
        max_length=30,
        required=False,
        help_text=_(
            "Your names for the five steps of a support assessment, strongest first. Leave all "
            "five empty for the usual ones: leader, supporter, undecided, leaning against, "
            "hostile."
        ),
    )

    lead_retention_days = forms.IntegerField(
        label=_("Days a lead is kept"),
        min_value=7,
        max_value=730,
        required=False,
        help_text=_(
            "A lead that did not become a fight loses its name, contact and story after this "
            "many days; how it reached the network stays, for the statistics."
        ),
    )
    subject_decisions = forms.MultipleChoiceField(
        label=_("Decisions the campaign subject takes"),
        choices=SUBJECT_TOPIC_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "In a fight, these are decided by the person or group who brought it rather than "
            "the meeting. Withdrawing is always theirs."
        ),
    )

    minimal_notices = forms.BooleanField(
        label=_("Emails say only that there is news"),
        required=False,
        help_text=_(
            "Emails about proposals and meetings then say only “there is a new proposal in "
            "your council — open SolNet”, never what it is about."
        ),
    )

    # Asked of the founder only: afterwards they protect the network's decisions from a
    # single organizer, so they change by a decision, never on this page.
    waiting_days = forms.IntegerField(
        label=_("Waiting period for new members (days)"),
        min_value=0,
        max_value=365,
        initial=30,
        required=False,
        help_text=_(
            "Someone admitted less than this many days ago does not vote yet, and cannot be "
            "the second person who approves an export or a new organizer."
        ),
    )
    founding_size = forms.IntegerField(
        label=_("Founding group size"),
        min_value=1,
        max_value=50,
        initial=5,
        required=False,
        help_text=_(
            "Until the network has this many members, its founders vote and approve from "
            "their first day."
        ),
    )

    FOUNDING_ONLY = ("waiting_days", "founding_size")

    def __init__(self, *args, founding: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not founding:
            for name in self.FOUNDING_ONLY:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        steps = [data.pop(f"scale_{i}", "") or "" for i in range(1, 6)]
        if any(steps) and not all(steps):
            self.add_error("scale_5", _("Name all five steps, or leave all five empty."))
        data["support_scale"] = steps if all(steps) else []
        languages = data.get("languages") or []
        default = data.get("default_language")
        if default and languages and default not in languages:
            self.add_error(
                "default_language", _("The default language must be one the network works in.")
            )
        return data
