from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from solnet.network import places, sections


class NetworkForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the network"),
        max_length=100,
        help_text=_("As people know it, e.g. “Eastside Solidarity Network”."),
    )
    city_region = forms.CharField(
        label=_("City or region"), max_length=100, help_text=_("Where the network organizes.")
    )
    organizes = forms.CharField(
        label=_("What the network organizes"),
        max_length=300,
        required=False,
        help_text=_("e.g. “tenants and restaurant workers”. Allied networks see it."),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=[],
        initial="US",
        required=False,
        help_text=_("Phone numbers written without a country code are read as this country's."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[],
        initial="USD",
        required=False,
        help_text=_("For amounts: wages and deposits won, funds, dues."),
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
    backup_days = forms.IntegerField(
        label=_("Days backups are kept"),
        min_value=1,
        max_value=365,
        initial=14,
        required=False,
        help_text=_(
            "The worker makes an encrypted backup every night and deletes those older than "
            "this many days. Someone erased from SolNet stays in the backups until then."
        ),
    )
    public_forms_per_hour = forms.IntegerField(
        label=_("Public forms per hour from one place"),
        min_value=1,
        max_value=500,
        initial=5,
        required=False,
        help_text=_(
            "How many forms an hour the public pages take from one internet address. Raise it "
            "for a clinic taking intakes on one tablet."
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

    # How the general meeting decides: asked at founding; later changed by its own decision.
    gm_quorum_percent = forms.IntegerField(
        label=_("General meeting: quorum (% of members)"),
        min_value=0,
        max_value=100,
        initial=25,
        required=False,
        help_text=_(
            "The share of members who must take part in a vote, or be present to "
            "close one in a meeting. 0 for no share."
        ),
    )
    gm_quorum_minimum = forms.IntegerField(
        label=_("General meeting: quorum (people)"),
        min_value=1,
        max_value=1000,
        initial=2,
        required=False,
        help_text=_("And at least this many people, so that nobody decides alone."),
    )
    gm_notice_hours = forms.IntegerField(
        label=_("General meeting: notice (hours)"),
        min_value=0,
        max_value=1440,
        initial=48,
        required=False,
        help_text=_(
            "How long before a meeting members must be told, and the shortest time a "
            "vote stays open outside a meeting. 0 lets a first meeting decide the same day."
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

    # Which moves need the meeting's vote at all is changed later only by its decision.
    field_order = [
        "name",
        "city_region",
        "organizes",
        "country",
        "currency",
        "languages",
        "default_language",
        "gm_quorum_percent",
        "gm_quorum_minimum",
        "gm_notice_hours",
        "approvals_to_join",
        "waiting_days",
        "founding_size",
        "second_factor_for_all",
    ]

    FOUNDING_ONLY = (
        "gm_quorum_percent",
        "gm_quorum_minimum",
        "gm_notice_hours",
        "waiting_days",
        "founding_size",
    )

    def __init__(self, *args, founding: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = places.country_choices()
        self.fields["currency"].choices = places.currency_choices()
        self.sections = [s for s in sections.all_sections() if founding or not s.founding_only]
        for section in self.sections:
            self._add_after(section.after, section.fields())
        if not founding:
            for name in self.FOUNDING_ONLY:
                del self.fields[name]

    def _add_after(self, name: str, fields: dict[str, forms.Field]) -> None:
        order = list(self.fields)
        at = order.index(name) + 1 if name in order else len(order)
        order[at:at] = list(fields)
        merged = {**self.fields, **fields}
        self.fields = {key: merged[key] for key in order}

    def clean(self):
        data = super().clean()
        for name in ("country", "currency"):
            data[name] = data.get(name) or None  # not sent: unchanged
        steps = [data.pop(f"scale_{i}", "") or "" for i in range(1, 6)]
        if any(steps) and not all(steps):
            self.add_error("scale_5", _("Name all five steps, or leave all five empty."))
        data["support_scale"] = steps if all(steps) else []
        for section in self.sections:
            if section.clean is not None:
                section.clean(self, data)
        languages = data.get("languages") or []
        default = data.get("default_language")
        if default and languages and default not in languages:
            self.add_error(
                "default_language", _("The default language must be one the network works in.")
            )
        return data
