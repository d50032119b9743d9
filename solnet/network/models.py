"""The network this installation belongs to: exactly one, sovereign."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, PUBLIC, DataPolicy, Retention


def default_team_decisions() -> list[str]:
    """Drafting, delivering and waiting on a demand are the fight team's (DOMAIN.md §2); the
    value is `fights.stages.Topic.DEMAND`, which this lower app does not import."""
    return ["demand"]


def default_subject_decisions() -> list[str]:
    """Accepting an offer is the subject's by default (DOMAIN.md §1)."""
    return ["accept_offer"]


class NetworkQuerySet(models.QuerySet):
    def current(self) -> Network:
        network, _created = self.get_or_create(pk=1)
        return network  # type: ignore[return-value]  # the queryset of Network makes Networks


DEFAULT_SUPPORT_SCALE = (
    _("Leader"),
    _("Supporter"),
    _("Undecided"),
    _("Leaning against"),
    _("Hostile"),
)


class Network(models.Model):
    """The solidarity network. One row: other networks are reached by federation."""

    name = models.CharField(
        _("name of the network"),
        max_length=100,
        blank=True,
        help_text=_("As people know it, e.g. “Eastside Solidarity Network”."),
    )
    city_region = models.CharField(
        _("city or region"),
        max_length=100,
        blank=True,
        help_text=_("Where the network organizes."),
    )
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Languages the network works in.")
    )
    organizes = models.CharField(
        _("what the network organizes"),
        max_length=300,
        blank=True,
        help_text=_("e.g. “tenants and restaurant workers”. Allied networks see it."),
    )
    default_language = models.CharField(
        _("default language"),
        max_length=8,
        default=settings.LANGUAGE_CODE,
        help_text=_("What SolNet speaks to someone who has not chosen."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        default="US",
        help_text=_(
            "Where the network is: phone numbers without a country code are read as this country's."
        ),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="USD",
        help_text=_("The currency of amounts: wages and deposits won, funds, dues."),
    )
    approvals_to_join = models.PositiveSmallIntegerField(
        _("approvals needed to join"),
        default=1,
        help_text=_(
            "How many existing members must approve someone who joins with an invitation. "
            "0 lets them in at once."
        ),
    )
    second_factor_for_all = models.BooleanField(
        _("second factor for everyone"),
        default=True,
        help_text=_(
            "Ask every member for a second factor at sign-in. Whoever can read other "
            "people's contact details always needs one."
        ),
    )
    support_scale = models.JSONField(
        _("support scale"),
        default=list,
        blank=True,
        help_text=_(
            "Names of the five steps of the support assessment, from 1 to 5. Empty uses the "
            "usual ones: leader, supporter, undecided, leaning against, hostile."
        ),
    )
    lead_retention_days = models.PositiveSmallIntegerField(
        _("days a lead is kept"),
        default=90,
        help_text=_(
            "A lead that did not become a fight loses its name, contact and story after this "
            "many days; how it reached the network stays, for the statistics."
        ),
    )
    subject_decisions = models.JSONField(
        _("decisions the campaign subject takes"),
        default=default_subject_decisions,
        blank=True,
        help_text=_(
            "Which of a fight's decisions belong to the person or group who brought it rather "
            "than the meeting. Withdrawing is always theirs."
        ),
    )
    team_decisions = models.JSONField(
        _("decisions the fight team takes"),
        default=default_team_decisions,
        blank=True,
        help_text=_(
            "Which of a fight's moves its team makes on its own, without the meeting's vote. "
            "Changed by a decision of the general meeting."
        ),
    )
    evidence_days_after_close = models.PositiveSmallIntegerField(
        _("days evidence is kept after a fight closes"),
        default=30,
        help_text=_(
            "Documents and photos of a fight are deleted this many days after it closes. Hand "
            "them to your legal contact before then if they may be needed."
        ),
    )
    pressure_gap_days = models.PositiveSmallIntegerField(
        _("longest gap between actions"),
        default=14,
        help_text=_(
            "An escalating fight with no action for longer than this many days is flagged: "
            "pressure must be constant."
        ),
    )
    legal_contact = models.CharField(
        _("legal contact"),
        max_length=120,
        blank=True,
        help_text=_(
            "Who receives a closed fight's evidence if it may be needed later, e.g. "
            "“National Lawyers Guild, Seattle chapter”."
        ),
    )
    minimal_notices = models.BooleanField(
        _("say only that there is news"),
        default=False,
        help_text=_(
            "Emails about proposals and meetings then say only “there is a new proposal in "
            "your council — open SolNet”, never what it is about: safer on a shared or watched "
            "phone."
        ),
    )
    public_forms_per_hour = models.PositiveSmallIntegerField(
        _("public forms per hour from one place"),
        default=5,
        help_text=_(
            "How many times an hour the public pages (bring us your fight, join us) take a "
            "form from one internet address. Raise it for a clinic taking intakes on one "
            "tablet. Hidden fields and fill times still hold spam back."
        ),
    )
    waiting_days = models.PositiveSmallIntegerField(
        _("waiting period for new members (days)"),
        default=30,
        help_text=_(
            "A member admitted less than this many days ago does not yet vote where a body "
            "says so, and cannot be the second person who approves a dangerous action."
        ),
    )
    founding_size = models.PositiveSmallIntegerField(
        _("founding group size"),
        default=5,
        help_text=_(
            "While the network has fewer active members than this, its founding members are "
            "not held to the waiting period: a new network can decide from its first day."
        ),
    )
    backup_days = models.PositiveSmallIntegerField(
        _("days backups are kept"),
        default=14,
        help_text=_(
            "The worker makes an encrypted backup every night and deletes those older than "
            "this many days. Someone erased from SolNet stays in the backups until then."
        ),
    )
    founded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the founding member set it up"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was installed")

    objects = NetworkQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "name": PUBLIC,
            "city_region": PUBLIC,
            "languages": PUBLIC,
            "organizes": PUBLIC,
            "default_language": PUBLIC,
            "country": PUBLIC,
            "currency": PUBLIC,
            "approvals_to_join": INTERNAL,
            "second_factor_for_all": INTERNAL,
            "support_scale": INTERNAL,
            "lead_retention_days": INTERNAL,
            "subject_decisions": INTERNAL,
            "team_decisions": INTERNAL,
            "evidence_days_after_close": INTERNAL,
            "legal_contact": INTERNAL,
            "pressure_gap_days": INTERNAL,
            "minimal_notices": INTERNAL,
            "public_forms_per_hour": INTERNAL,
            "waiting_days": INTERNAL,
            "founding_size": INTERNAL,
            "backup_days": INTERNAL,
            "founded_at": PUBLIC,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's own settings, for its lifetime."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="one_network"),
            models.CheckConstraint(
                condition=models.Q(approvals_to_join__lte=5), name="approvals_to_join_small"
            ),
            models.CheckConstraint(
                condition=models.Q(lead_retention_days__gte=7, lead_retention_days__lte=730),
                name="lead_retention_days_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(waiting_days__lte=365), name="waiting_days_at_most_a_year"
            ),
            models.CheckConstraint(
                condition=models.Q(public_forms_per_hour__gte=1, public_forms_per_hour__lte=500),
                name="public_forms_per_hour_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(founding_size__gte=1, founding_size__lte=50),
                name="founding_size_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(backup_days__gte=1, backup_days__lte=365),
                name="backup_days_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(evidence_days_after_close__lte=365),
                name="evidence_days_after_close_at_most_a_year",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(_("New network"))

    @property
    def is_named(self) -> bool:
        return bool(self.name)

    def scale_labels(self) -> list[str]:
        """The five steps of the support scale, 1 first: the network's own names where it set
        them, else the usual ones in the reader's language."""
        own = self.support_scale if len(self.support_scale or []) == 5 else []
        return [own[i] if own else str(DEFAULT_SUPPORT_SCALE[i]) for i in range(5)]
