"""Fights and the leads they grow from (DOMAIN.md §2)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    CONTACT,
    DELETE,
    INTERNAL,
    KEEP,
    PERSONAL,
    SENSITIVE,
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id
from solnet.councils.models import Council
from solnet.fights.stages import Stage, Topic
from solnet.people.models import ChannelKind, Person

# A closed fight keeps its outcome for the statistics; who, what and why go after a year.
CLOSED_FIGHT_KEPT = timedelta(days=365)


class IssueType(models.TextChoices):
    WAGES = "wages", _("Stolen wages")
    DEPOSIT = "deposit", _("Stolen deposit")
    REPAIRS = "repairs", _("Repairs")
    EVICTION = "eviction", _("Eviction")
    RENT_HIKE = "rent_hike", _("Rent hike")
    FIRING = "firing", _("Unfair firing")
    HARASSMENT = "harassment", _("Harassment")
    DISCRIMINATION = "discrimination", _("Discrimination")
    UNSAFE_WORK = "unsafe_work", _("Unsafe work")
    OTHER = "other", _("Something else")


class LeadChannel(models.TextChoices):
    WEB = "web", _("The web form")
    CALL = "call", _("A phone call")
    VOICEMAIL = "voicemail", _("A voicemail")
    EMAIL = "email", _("An email")
    TEXT = "text", _("A text message")
    IN_PERSON = "in_person", _("In person")


class HeardFrom(models.TextChoices):
    POSTER = "poster", _("A poster or sticker")
    WORD_OF_MOUTH = "word_of_mouth", _("Someone told me")
    PAST_FIGHT = "past_fight", _("A fight the network won")
    ONLINE = "online", _("Online")
    EVENT = "event", _("An event or a picket")
    OTHER = "other", _("Another way")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New: call back")
    CONTACTED = "contacted", _("Contacted")
    INTAKE = "intake", _("Intake meeting set")
    TAKEN = "taken", _("Became a fight")
    REFERRED = "referred", _("Referred elsewhere")
    DROPPED = "dropped", _("Dropped")


OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.INTAKE)


class RiskFlag(models.TextChoices):
    """That there is a risk, never the facts behind it (DOMAIN.md §5)."""

    RETALIATION = "retaliation", _("Retaliation against a current worker or tenant")
    IMMIGRATION = "immigration", _("Immigration exposure")
    LAWSUIT = "lawsuit", _("Lawsuit or SLAPP")
    PHYSICAL = "physical", _("Physical danger")


class Lead(models.Model):
    """Someone brought a problem to the network: a call, a voicemail, the web form. Minimal
    until an intake organizer takes it further."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    display_name = models.CharField(
        _("name"), max_length=80, blank=True, help_text=_("A first name or a nickname is enough.")
    )
    contact_kind = models.CharField(
        _("how to reach them"), max_length=10, choices=ChannelKind.choices, help_text=""
    )
    contact = EncryptedTextField(_("address or number"), null=True, blank=True, help_text="")
    language = models.CharField(_("language"), max_length=8, blank=True, help_text="")
    issue_type = models.CharField(
        _("what it is about"), max_length=16, choices=IssueType.choices, help_text=""
    )
    story = EncryptedTextField(
        _("what happened"),
        null=True,
        blank=True,
        help_text=_("In their words, briefly. Never record anyone's immigration status."),
    )
    channel = models.CharField(
        _("came in by"), max_length=10, choices=LeadChannel.choices, help_text=""
    )
    heard_from = models.CharField(
        _("heard of the network through"),
        max_length=16,
        choices=HeardFrom.choices,
        blank=True,
        help_text="",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=LeadStatus.choices,
        default=LeadStatus.NEW,
        help_text="",
    )
    callback_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads_to_call",
        verbose_name=_("who calls back"),
        help_text="",
    )
    fight = models.OneToOneField(
        "Fight",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead",
        help_text="The fight it became",
    )
    stripped_at = models.DateTimeField(
        null=True, blank=True, help_text="When its personal data was removed"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it arrived")
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last change")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "display_name": PERSONAL,
            "contact_kind": PERSONAL,
            "contact": CONTACT,
            "language": PERSONAL,
            "issue_type": INTERNAL,
            "story": SENSITIVE,
            "channel": INTERNAL,
            "heard_from": INTERNAL,
            "status": INTERNAL,
            "callback_owner": PERSONAL,
            "fight": INTERNAL,
            "stripped_at": INTERNAL,
            "created_at": INTERNAL,
            "updated_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="A lead not taken loses who and what after the days the network sets "
            "(Network.lead_retention_days, at most two years); how it came in stays for the "
            "statistics. A lead that becomes a fight is stripped at once: the fight holds it.",
            period=timedelta(days=730),
            basis="updated_at",
            strip={"display_name": "", "contact": None, "story": None, "callback_owner": None},
            purge="solnet.fights.retention.strip_stale_leads",
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.display_name or str(_("Lead (personal data removed)"))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LEAD_STATUSES


class FightQuerySet(models.QuerySet):
    def open(self):
        from solnet.fights.stages import CLOSED

        return self.exclude(stage__in=CLOSED)


class Fight(models.Model):
    """A fight the network considers or takes on for a campaign subject against a target."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    title = models.CharField(
        _("name of the fight"),
        max_length=120,
        help_text=_("Name it after the target, e.g. “Back wages at Joe's Diner”."),
    )
    issue_type = models.CharField(
        _("what it is about"), max_length=16, choices=IssueType.choices, help_text=""
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, help_text=""
    )
    subject_council = models.ForeignKey(
        Council,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fights",
        verbose_name=_("council bringing it"),
        help_text=_("When the subject is a group: a building's tenants, a workplace."),
    )
    language = models.CharField(_("language of the fight"), max_length=8, blank=True, help_text="")
    facts = EncryptedTextField(
        _("facts"),
        null=True,
        blank=True,
        help_text=_(
            "What happened, amounts and dates, the documents they have. Never record "
            "immigration status, criminal history or who did anything unlawful."
        ),
    )
    goals = EncryptedTextField(
        _("what they want"), null=True, blank=True, help_text=_("In their words.")
    )
    pod = EncryptedTextField(
        _("their pod"),
        null=True,
        blank=True,
        help_text=_("Coworkers, neighbours, family who can help, and how."),
    )
    risk_flags = EncryptedTextField(
        _("risks"),
        null=True,
        blank=True,
        help_text="Comma-separated RiskFlag codes: that there is a risk, never why",
    )
    amount_claimed = models.DecimalField(
        _("amount claimed"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Money owed, if it is about money."),
    )
    amount_recovered = models.DecimalField(
        _("amount recovered"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Money won back, when it is over."),
    )
    targets = models.ManyToManyField(
        "fights.Target", blank=True, related_name="fights", help_text="Whom the fight is against"
    )
    lessons = EncryptedTextField(
        _("lessons"),
        null=True,
        blank=True,
        help_text=_("What the network learned, for the next fight."),
    )
    watch_until = models.DateField(
        _("watch for retaliation until"),
        null=True,
        blank=True,
        help_text=_("After a win, bosses and landlords sometimes strike back: keep in touch."),
    )
    deadline = models.DateField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_("The date the demand letter gives the target, usually two weeks on."),
    )
    deadline_reminded = models.DateField(
        null=True, blank=True, help_text="The day the last deadline reminder went out"
    )
    opened_at = models.DateTimeField(default=timezone.now, help_text="When intake began")
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it reached an outcome (or ended otherwise)"
    )
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last change")

    objects = FightQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "title": PERSONAL,
            "issue_type": INTERNAL,
            "stage": INTERNAL,
            "subject_council": PERSONAL,
            "language": PERSONAL,
            "facts": SENSITIVE,
            "goals": SENSITIVE,
            "pod": SENSITIVE,
            "risk_flags": SENSITIVE,
            "amount_claimed": INTERNAL,
            "amount_recovered": INTERNAL,
            "targets": INTERNAL,
            "deadline": INTERNAL,
            "lessons": SENSITIVE,
            "watch_until": INTERNAL,
            "deadline_reminded": INTERNAL,
            "opened_at": INTERNAL,
            "closed_at": INTERNAL,
            "updated_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="A year after a fight closes its story goes; the stage, amounts and dates "
            "stay for the network's statistics.",
            period=CLOSED_FIGHT_KEPT,
            basis="closed_at",
            strip={
                "title": "",
                "subject_council": None,
                "language": "",
                "facts": None,
                "goals": None,
                "pod": None,
                "risk_flags": None,
                "lessons": None,
            },
        ),
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="fight_stage_known"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_claimed__isnull=True) | models.Q(amount_claimed__gte=0),
                name="fight_amount_claimed_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_recovered__isnull=True)
                | models.Q(amount_recovered__gte=0),
                name="fight_amount_recovered_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Archived fight"))

    @property
    def risks(self) -> list[str]:
        return [code for code in (self.risk_flags or "").split(",") if code in RiskFlag.values]

    def risk_labels(self) -> list[str]:
        return [str(RiskFlag(code).label) for code in self.risks]


def _closed_fight_policy(**sensitivity: str) -> dict[str, str]:
    return {"id": INTERNAL, "fight": INTERNAL, **sensitivity}


class FightTeamMember(models.Model):
    """A member working on a fight: the fight team sees everything about it."""

    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="team", help_text="Which fight"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="fight_teams",
        help_text="Who",
    )
    is_point_person = models.BooleanField(
        _("point person"), default=False, help_text=_("Leads the fight day to day.")
    )
    added_at = models.DateTimeField(default=timezone.now, help_text="Since when")

    data_policy = DataPolicy(
        sensitivity=_closed_fight_policy(
            member=PERSONAL, is_point_person=PERSONAL, added_at=INTERNAL
        ),
        retention=Retention(
            action=DELETE,
            reason="Who worked on a fight is kept while it is open and a year after.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
        ),
    )

    class Meta:
        ordering = ["-is_point_person", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fight", "member"], name="one_seat_per_fight"),
            models.UniqueConstraint(
                fields=["fight"],
                condition=models.Q(is_point_person=True),
                name="one_point_person_per_fight",
            ),
        ]

    def __str__(self) -> str:
        return str(self.member)


class FightSubject(models.Model):
    """A person who brought the fight: they take part and have a voice in it."""

    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="subjects", help_text="Which fight"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="fights_brought", help_text="Who"
    )
    added_at = models.DateTimeField(default=timezone.now, help_text="Since when")

    data_policy = DataPolicy(
        sensitivity=_closed_fight_policy(person=PERSONAL, added_at=INTERNAL),
        retention=Retention(
            action=DELETE,
            reason="Who brought a fight is kept while it is open and a year after.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
        ),
    )

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fight", "person"], name="one_subject_row_per_person")
        ]

    def __str__(self) -> str:
        return str(self.person)


class DecisionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Did not pass")


class FightDecision(models.Model):
    """A decision a fight's move points to: a meeting's vote (the passed proposal it is, by
    `proposal_ref`), or the campaign subject's own choice."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="decisions", help_text="Which fight"
    )
    topic = models.CharField(_("about"), max_length=16, choices=Topic.choices, help_text="")
    by_subject = models.BooleanField(
        default=False, help_text="Taken by the campaign subject, not by a meeting"
    )
    decided_on = models.DateField(_("decided on"), default=timezone.localdate, help_text="")
    motion = EncryptedTextField(
        _("motion"),
        null=True,
        blank=True,
        help_text=_("What was decided, e.g. “fight for 30 weeks of back wages ($6,710)”."),
    )
    result = models.CharField(
        _("result"),
        max_length=8,
        choices=DecisionResult.choices,
        default=DecisionResult.PASSED,
        help_text="",
    )
    present = models.PositiveSmallIntegerField(
        _("people present"), null=True, blank=True, help_text=""
    )
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True, help_text="")
    votes_against = models.PositiveSmallIntegerField(
        _("against"), null=True, blank=True, help_text=""
    )
    abstentions = models.PositiveSmallIntegerField(
        _("abstentions"), null=True, blank=True, help_text=""
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who recorded it (the subject themself for a subject's decision made here)",
    )
    recorded_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded")
    proposal_ref = models.CharField(
        max_length=24,
        blank=True,
        help_text="The public id of the passed proposal this decision is (empty: recorded)",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "topic": INTERNAL,
            "by_subject": INTERNAL,
            "proposal_ref": INTERNAL,
            "decided_on": INTERNAL,
            "motion": SENSITIVE,
            "result": INTERNAL,
            "present": INTERNAL,
            "votes_for": INTERNAL,
            "votes_against": INTERNAL,
            "abstentions": INTERNAL,
            "recorded_by": PERSONAL,
            "recorded_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The record of how the network decided stays; the motion's words and who "
            "wrote it down go a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"motion": None, "recorded_by": None},
        ),
    )

    class Meta:
        ordering = ["decided_on", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(by_subject=True)
                | (models.Q(votes_for__isnull=False) & models.Q(votes_against__isnull=False)),
                name="meeting_decision_has_its_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.get_result_display()})"


class FightMove(models.Model):
    """One step of a fight through its stages: who, when, and the decision behind it."""

    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="moves", help_text="Which fight"
    )
    source = models.CharField(max_length=20, choices=Stage.choices, help_text="From stage")
    target = models.CharField(max_length=20, choices=Stage.choices, help_text="To stage")
    decision = models.OneToOneField(
        FightDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="move",
        help_text="The decision it carries out (every move after the proposal has one)",
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who made the move",
    )
    moved_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity=_closed_fight_policy(
            source=INTERNAL,
            target=INTERNAL,
            decision=INTERNAL,
            moved_by=PERSONAL,
            moved_at=INTERNAL,
        ),
        retention=Retention(
            action=STRIP,
            reason="The stages and their dates stay for the statistics (how long fights take); "
            "who moved them goes a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"moved_by": None},
        ),
    )

    class Meta:
        ordering = ["moved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class Evidence(models.Model):
    """A document or photo of a fight (a pay stub, a lease, texts): sealed on disk under its
    own key, EXIF/GPS removed from photos, readable by the fight team only."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="evidence", help_text="Which fight"
    )
    file = models.OneToOneField(
        "core.SealedFile",
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text="The sealed bytes; deleted with the evidence",
    )
    label = EncryptedTextField(
        _("what it is"), help_text=_("e.g. “Pay stub, March”. The file's own name is not kept.")
    )
    content_type = models.CharField(max_length=40, help_text="Media type found in the bytes")
    size = models.PositiveIntegerField(help_text="Bytes as stored (after metadata removal)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who added it",
    )
    uploaded_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "file": INTERNAL,
            "label": SENSITIVE,
            "content_type": INTERNAL,
            "size": INTERNAL,
            "uploaded_by": PERSONAL,
            "uploaded_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Evidence goes the days the network sets after its fight closes "
            "(Network.evidence_days_after_close, at most a year), with its key and bytes; the "
            "team can hand it to the network's legal contact before then.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            purge="solnet.fights.retention.purge_closed_fight_evidence",
        ),
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.label


# --- targets and research -------------------------------------------------------------------


class TargetKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")
    LLC = "llc", _("LLC or holding company")
    PROPERTY = "property", _("Property")
    WORKPLACE = "workplace", _("Workplace")
    MANAGER = "manager", _("Manager or property manager")


class LinkKind(models.TextChoices):
    OWNS = "owns", _("owns")
    MANAGES = "manages", _("manages")
    OFFICER_OF = "officer_of", _("is an officer of")
    SAME_ADDRESS = "same_address", _("shares an address with")
    PARTNER_OF = "partner_of", _("does business with")


class PressureKind(models.TextChoices):
    CUSTOMERS = "customers", _("Storefront and customers")
    LISTINGS = "listings", _("Rental listings and prospective tenants")
    PARTNERS = "partners", _("Partners and suppliers")
    FUNDERS = "funders", _("Funders, lenders, board")
    REPUTATION = "reputation", _("Reputation")
    HOME = "home", _("Home neighbourhood")
    REGULATORS = "regulators", _("Regulators and inspectors")
    OTHER = "other", _("Something else")


class Target(models.Model):
    """A boss, a landlord, a company, a property: whoever a fight makes give in. Research is
    kept per target and shared by every fight against it."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    name = models.CharField(_("name"), max_length=160, help_text="")
    kind = models.CharField(_("kind"), max_length=12, choices=TargetKind.choices, help_text="")
    address = models.CharField(
        _("address"),
        max_length=200,
        blank=True,
        help_text=_("Business or registered address. Targets that share one are grouped."),
    )
    name_key = models.CharField(
        max_length=160, db_index=True, help_text="The name normalized, for grouping and lookup"
    )
    address_key = models.CharField(
        max_length=200, db_index=True, blank=True, help_text="The address normalized"
    )
    portfolio = models.PositiveIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Its portfolio: the smallest id among the targets linked to it by shared "
        "names, addresses or links (recomputed on every change)",
    )
    notes = EncryptedTextField(_("research notes"), null=True, blank=True, help_text="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who recorded it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "name": PERSONAL,
            "kind": INTERNAL,
            "address": PERSONAL,
            "name_key": PERSONAL,
            "address_key": PERSONAL,
            "portfolio": INTERNAL,
            "notes": SENSITIVE,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="Research on bosses and landlords serves every later fight against them "
            "and their portfolio; the organizing team deletes a target that is no longer one.",
        ),
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class TargetLink(models.Model):
    """One target related to another: owns, manages, is an officer of, shares an address."""

    source = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="links_out", help_text="Who"
    )
    kind = models.CharField(max_length=16, choices=LinkKind.choices, help_text="How")
    other = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="links_in", help_text="To whom"
    )
    found_in = models.CharField(
        _("found in"),
        max_length=200,
        blank=True,
        help_text=_("Where this was found, e.g. the state business registry."),
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "source": INTERNAL,
            "kind": INTERNAL,
            "other": INTERNAL,
            "found_in": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives as long as both its targets."),
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "other"], name="one_link_of_a_kind"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("other")), name="no_link_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.other}"


class PressurePoint(models.Model):
    """Where a target can be made to feel it, and where we learned it."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="pressure_points", help_text="Whose"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PressureKind.choices, help_text="")
    description = EncryptedTextField(
        _("what and where"),
        help_text=_("e.g. “Lunch rush, noon to two, at the Pike St restaurant”."),
    )
    source = EncryptedTextField(
        _("source"), null=True, blank=True, help_text=_("Where it was found out.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who found it",
    )
    added_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "target": INTERNAL,
            "kind": INTERNAL,
            "description": SENSITIVE,
            "source": SENSITIVE,
            "added_by": PERSONAL,
            "added_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives as long as its target."),
    )

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- the winnability sheet ------------------------------------------------------------------

# The sheet of DOMAIN.md §3, as every network starts with it: (key, name, question, must-have).
BUILTIN_CRITERIA = [
    ("concrete_demand", _("Concrete demand"),
     _("Can the win be checked off: an amount, an act, a date?"), True),
    ("target_can_grant", _("Target can grant it"),
     _("Does this target actually have the power to do it?"), True),
    ("subject_commitment", _("Subject commitment"),
     _("Will the person take part in actions and decisions and bring their pod?"), True),
    ("sympathy", _("Sympathy"), _("Would a passer-by agree it is wrong?"), False),
    ("evidence", _("Evidence"), _("Pay stubs, lease, texts, cheques, witnesses?"), False),
    ("leverage", _("Leverage"),
     _("Pressure points: storefront, customers, listings, partners, funders, reputation, "
       "home neighbourhood, regulators?"), False),
    ("cost_vs_pressure", _("Cost against pressure"),
     _("Is the demand small next to the damage the network can do?"), False),
    ("capacity", _("Capacity"),
     _("Point people free; expected turnout against what the tactics need; fights already "
       "open?"), False),
    ("duration", _("Duration"), _("Likely won within about two months?"), False),
    ("risk", _("Risk"),
     _("Retaliation, immigration exposure, a lawsuit, physical danger: is it manageable? "
       "(2 = low risk)"), False),
    ("strategic_value", _("Strategic value"),
     _("Brings in coworkers or neighbours; could grow into a council; a good story?"), False),
]  # fmt: skip


class WinnabilityCriterion(models.Model):
    """One question of the network's winnability sheet. The built-in ones speak the reader's
    language until the network rewrites them."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    builtin = models.CharField(
        max_length=24,
        blank=True,
        help_text="Key of a built-in criterion; empty for the network's own",
    )
    name = models.CharField(
        _("name"), max_length=80, blank=True, help_text=_("Empty keeps the built-in name.")
    )
    question = models.CharField(
        _("question"), max_length=300, blank=True, help_text=_("Empty keeps the built-in question.")
    )
    must_have = models.BooleanField(
        _("must-have"),
        default=False,
        help_text=_("A 0 here means decline, refer or research more."),
    )
    active = models.BooleanField(_("in use"), default=True, help_text="")
    order = models.PositiveSmallIntegerField(default=100, help_text="Place on the sheet")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "builtin": INTERNAL,
            "name": INTERNAL,
            "question": INTERNAL,
            "must_have": INTERNAL,
            "active": INTERNAL,
            "order": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's own sheet, for its lifetime."),
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    def _builtin(self):
        return next((c for c in BUILTIN_CRITERIA if c[0] == self.builtin), None)

    @property
    def label(self) -> str:
        builtin = self._builtin()
        return self.name or (str(builtin[1]) if builtin else "")

    @property
    def text(self) -> str:
        builtin = self._builtin()
        return self.question or (str(builtin[2]) if builtin else "")


class WinnabilityAssessment(models.Model):
    """The sheet filled in for a fight: advice for the vote. A fight that drags on is
    assessed again; every assessment is kept."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="assessments", help_text="Which fight"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who filled it in",
    )
    made_at = models.DateTimeField(default=timezone.now, help_text="When")
    summary = EncryptedTextField(_("summary"), null=True, blank=True, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "made_by": PERSONAL,
            "made_at": INTERNAL,
            "summary": SENSITIVE,
        },
        retention=Retention(
            action=STRIP,
            reason="The scores stay with the fight's statistics; the words go a year after "
            "it closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"summary": None, "made_by": None},
        ),
    )

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.fight} {self.made_at:%Y-%m-%d}"


class WinnabilityScore(models.Model):
    assessment = models.ForeignKey(
        WinnabilityAssessment, on_delete=models.CASCADE, related_name="scores", help_text="Of"
    )
    criterion = models.ForeignKey(
        WinnabilityCriterion, on_delete=models.PROTECT, related_name="+", help_text="Which"
    )
    score = models.PositiveSmallIntegerField(help_text="0 no or unknown, 1 partly, 2 yes")
    note = EncryptedTextField(null=True, blank=True, help_text="Why this score")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "assessment": INTERNAL,
            "criterion": INTERNAL,
            "score": INTERNAL,
            "note": SENSITIVE,
        },
        retention=Retention(
            action=STRIP,
            reason="The score stays; the note goes a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="assessment__fight__closed_at",
            strip={"note": None},
        ),
    )

    class Meta:
        ordering = ["criterion__order", "criterion__pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=2), name="score_0_to_2"),
            models.UniqueConstraint(fields=["assessment", "criterion"], name="one_score_each"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


# --- demands and letters --------------------------------------------------------------------


class DemandKind(models.TextChoices):
    AMOUNT = "amount", _("Money owed")
    REPAIR = "repair", _("A repair")
    ACT = "act", _("Something to do or stop doing")
    REINSTATEMENT = "reinstatement", _("Reinstatement or back pay")
    NO_RETALIATION = "no_retaliation", _("No retaliation")


class Demand(models.Model):
    """One exact, checkable item of a fight's demand: an amount, a repair, an act."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="demands", help_text="Which fight"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DemandKind.choices, help_text="")
    text = EncryptedTextField(
        _("the demand"),
        null=True,
        blank=True,
        help_text=_("Exact and checkable, e.g. “Pay the 30 weeks of wages owed: $6,710”."),
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        help_text="The language its words are written in (empty: not recorded, taken as the "
        "network's): a letter in another language warns while they are printed as written",
    )
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=""
    )
    due_on = models.DateField(_("due by"), null=True, blank=True, help_text="")
    met_on = models.DateField(
        _("met on"), null=True, blank=True, help_text=_("When the target did it.")
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "kind": INTERNAL,
            "text": SENSITIVE,
            "language": INTERNAL,
            "amount": INTERNAL,
            "due_on": INTERNAL,
            "met_on": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="What was won stays for the statistics; the words go a year after the "
            "fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"text": None},
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="demand_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.text or self.get_kind_display()


class DemandLetter(models.Model):
    """A version of the demand letter in one language. Every save is a new version."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="letters", help_text="Which fight"
    )
    language = models.CharField(_("language"), max_length=8, help_text="")
    version = models.PositiveSmallIntegerField(help_text="1, 2, 3… per fight and language")
    body = EncryptedTextField(_("letter"), help_text="")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who saved this version",
    )
    written_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "language": INTERNAL,
            "version": INTERNAL,
            "body": SENSITIVE,
            "written_by": PERSONAL,
            "written_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Letters go a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
        ),
    )

    class Meta:
        ordering = ["language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["fight", "language", "version"], name="one_letter_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language} v{self.version}"


# --- the escalation plan --------------------------------------------------------------------


class Tier(models.TextChoices):
    T0 = "T0", _("T0 Demand delivery")
    T1 = "T1", _("T1 Low-intensity publicity")
    T2 = "T2", _("T2 Economic pressure")
    T3 = "T3", _("T3 Third-party pressure")
    T4 = "T4", _("T4 Social pressure")
    T5 = "T5", _("T5 Peak and public")
    SIDE = "side", _("Side track: regulators, inspections, small claims")


TIER_HEIGHT = {"side": 0, "T0": 0, "T1": 1, "T2": 2, "T3": 3, "T4": 4, "T5": 5}


class TacticKind(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    REPUTATIONAL = "reputational", _("Reputational")
    NUISANCE = "nuisance", _("Nuisance")
    THIRD_PARTY = "third_party", _("Third-party")
    LEGAL = "legal", _("Legal or regulatory")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High: arrests or legal action possible")


# DOMAIN.md §4 as every network starts: key, name, tier, kind, minimum and ideal turnout.
BUILTIN_TACTICS = [
    ("delivery", _("Crowd delivery of the demand letter"), "T0", "reputational", 20, 40),
    ("voicemail", _("Demand read out onto voicemail"), "T0", "reputational", 2, 10),
    ("posters", _("Posters and flyers near the business or home"), "T1", "reputational", 2, 10),
    ("call_in", _("Call-in and email campaign"), "T1", "nuisance", 5, 30),
    ("story", _("The story published, with evidence"), "T1", "reputational", 1, 3),
    ("picket", _("Informational picket"), "T2", "economic", 10, 30),
    ("dont_shop", _("“Don't shop / don't rent here” leafleting"), "T2", "economic", 10, 30),
    ("third_party", _("Letters or visits to partners, suppliers, funders"), "T3", "third_party",
     2, 20),
    ("home_flyering", _("Flyering the target's home neighbourhood"), "T4", "reputational", 10, 40),
    ("peak_picket", _("Picket at peak hours"), "T5", "economic", 20, 40),
    ("regulator", _("Regulator complaint or code inspection"), "side", "legal", 1, 3),
]  # fmt: skip


class Tactic(models.Model):
    """An entry of the network's tactics catalogue."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    builtin = models.CharField(
        max_length=24, blank=True, help_text="Key of a built-in tactic; empty for the network's own"
    )
    name = models.CharField(
        _("name"), max_length=120, blank=True, help_text=_("Empty keeps the built-in name.")
    )
    tier = models.CharField(_("tier"), max_length=4, choices=Tier.choices, help_text="")
    kind = models.CharField(_("kind"), max_length=12, choices=TacticKind.choices, help_text="")
    min_turnout = models.PositiveSmallIntegerField(_("fewest people"), default=1, help_text="")
    ideal_turnout = models.PositiveSmallIntegerField(_("ideal turnout"), default=1, help_text="")
    roles = models.CharField(
        _("roles needed"),
        max_length=300,
        blank=True,
        help_text=_("e.g. point person, marshals, police liaison, flyerers."),
    )
    risk = models.CharField(
        _("legal or arrest risk"),
        max_length=8,
        choices=RiskLevel.choices,
        default=RiskLevel.LOW,
        help_text="",
    )
    needs_research = models.CharField(
        _("research it needs"),
        max_length=300,
        blank=True,
        help_text=_("e.g. the owner's home address."),
    )
    script = models.TextField(_("script or template"), blank=True, help_text="")
    active = models.BooleanField(_("in use"), default=True, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "builtin": INTERNAL,
            "name": INTERNAL,
            "tier": INTERNAL,
            "kind": INTERNAL,
            "min_turnout": INTERNAL,
            "ideal_turnout": INTERNAL,
            "roles": INTERNAL,
            "risk": INTERNAL,
            "needs_research": INTERNAL,
            "script": INTERNAL,
            "active": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="The network's own catalogue, for its lifetime."),
    )

    class Meta:
        ordering = ["tier", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        builtin = next((t for t in BUILTIN_TACTICS if t[0] == self.builtin), None)
        return str(builtin[1]) if builtin else ""


class PlanStep(models.Model):
    """A step of a fight's escalation plan and, once done, the action it became: planned
    against actual tier and turnout, and how the target reacted."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="plan", help_text="Which fight"
    )
    tactic = models.ForeignKey(
        Tactic, on_delete=models.PROTECT, related_name="+", verbose_name=_("tactic"), help_text=""
    )
    planned_on = models.DateField(_("planned for"), help_text="")
    tier = models.CharField(_("tier"), max_length=4, choices=Tier.choices, help_text="")
    turnout_needed = models.PositiveSmallIntegerField(_("people needed"), help_text="")
    roles = models.CharField(_("roles"), max_length=300, blank=True, help_text="")
    done_on = models.DateField(_("done on"), null=True, blank=True, help_text="")
    turnout = models.PositiveSmallIntegerField(
        _("people who came"), null=True, blank=True, help_text=""
    )
    tier_done = models.CharField(
        _("tier reached"), max_length=4, choices=Tier.choices, blank=True, help_text=""
    )
    reaction = EncryptedTextField(_("what the target did"), null=True, blank=True, help_text="")
    police_contact = models.BooleanField(_("police came"), default=False, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "tactic": INTERNAL,
            "planned_on": INTERNAL,
            "tier": INTERNAL,
            "turnout_needed": INTERNAL,
            "roles": INTERNAL,
            "done_on": INTERNAL,
            "turnout": INTERNAL,
            "tier_done": INTERNAL,
            "reaction": SENSITIVE,
            "police_contact": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="Actions, tiers and turnout stay for the statistics; what the target did "
            "goes a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"reaction": None},
        ),
    )

    class Meta:
        ordering = ["planned_on", "pk"]

    def __str__(self) -> str:
        return f"{self.tactic} {self.planned_on}"


class ResponseKind(models.TextChoices):
    PROMISE = "promise", _("A promise or a call")
    OFFER = "offer", _("An offer")
    REFUSAL = "refusal", _("A refusal")
    LAWYER = "lawyer", _("A letter from a lawyer or a legal threat")
    LAWSUIT = "lawsuit", _("A lawsuit or an injunction")
    POLICE = "police", _("Police called")
    INTIMIDATION = "intimidation", _("Intimidation or violence")
    RETALIATION = "retaliation", _("Retaliation against the subject")
    OTHER = "other", _("Something else")


COUNTER_MOVES = (
    ResponseKind.LAWYER,
    ResponseKind.LAWSUIT,
    ResponseKind.POLICE,
    ResponseKind.INTIMIDATION,
    ResponseKind.RETALIATION,
)


class TargetResponse(models.Model):
    """What the target did: promises, offers, refusals, and counter-moves."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="responses", help_text="Which fight"
    )
    kind = models.CharField(_("what"), max_length=14, choices=ResponseKind.choices, help_text="")
    happened_on = models.DateField(_("when"), default=timezone.localdate, help_text="")
    amount = models.DecimalField(
        _("amount offered"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=""
    )
    note = EncryptedTextField(_("details"), null=True, blank=True, help_text="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who wrote it down",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "kind": INTERNAL,
            "happened_on": INTERNAL,
            "amount": INTERNAL,
            "note": SENSITIVE,
            "recorded_by": PERSONAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The kind of counter-move stays for the network's statistics; the details "
            "go a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
            strip={"note": None, "recorded_by": None},
        ),
    )

    class Meta:
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class FollowUp(models.Model):
    """A task after a fight: invite the subject to meetings, check for retaliation, pay back
    the strike fund…"""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    fight = models.ForeignKey(
        Fight, on_delete=models.CASCADE, related_name="follow_ups", help_text="Which fight"
    )
    task = EncryptedTextField(_("task"), help_text="")
    due_on = models.DateField(_("due by"), null=True, blank=True, help_text="")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who does it"),
        help_text="",
    )
    done_at = models.DateTimeField(null=True, blank=True, help_text="When it was done")
    created_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "fight": INTERNAL,
            "task": SENSITIVE,
            "due_on": INTERNAL,
            "assigned_to": PERSONAL,
            "done_at": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Follow-up tasks go a year after the fight closes.",
            period=CLOSED_FIGHT_KEPT,
            basis="fight__closed_at",
        ),
    )

    class Meta:
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return self.task
