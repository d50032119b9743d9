"""The network's memory of who is who: only what organizing needs (DOMAIN.md §5).

Never modelled, on purpose: immigration status, criminal history, who did anything unlawful.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import BlindIndexField, EncryptedTextField
from solnet.core.data import (
    CONTACT,
    DELETE,
    INTERNAL,
    KEEP,
    PERSONAL,
    SENSITIVE,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id
from solnet.members.models import Tier


class Tag(models.Model):
    """A label organizers put on people ("night shift", "building A")."""

    name = models.CharField(_("name"), max_length=40, unique=True, help_text=_("The tag"))
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was made")

    data_policy = DataPolicy(
        sensitivity={"id": INTERNAL, "name": INTERNAL, "created_at": INTERNAL},
        retention=Retention(action=KEEP, reason="A label, describes nobody by itself."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Notice(models.TextChoices):
    SAME_DAY = "same_day", _("Same day")
    ONE_DAY = "one_day", _("A day")
    SEVERAL_DAYS = "several_days", _("Several days")
    ONE_WEEK = "one_week", _("A week or more")


class Transport(models.TextChoices):
    CAR = "car", _("Has a car")
    TRANSIT = "transit", _("Public transport")
    BIKE_OR_WALK = "bike_walk", _("Bike or on foot")
    NEEDS_RIDE = "needs_ride", _("Needs a ride")


class PersonQuerySet(models.QuerySet):
    def with_lists(self):
        """What list pages show, in a fixed number of queries whatever the page size."""
        return self.select_related("member").prefetch_related("tags")

    def matching(
        self,
        *,
        q="",
        contact="",
        tier=None,
        language="",
        tag=None,
        council=None,
        skill="",
        weekday=None,
        last_contact="",
    ):
        """The people list's filters. Every argument is already validated by a form."""
        people = self
        # A filter through something a person has many of (channels, tags, councils, skills,
        # availability) can find one person several times: only then is DISTINCT needed. It
        # is not free: on a big list it makes the database sort every matching row.
        many = False
        if q:
            people = people.filter(display_name__icontains=q)
        if contact:
            index = ContactChannel._meta.get_field("value_index").lookup_value(contact)
            people = people.filter(channels__value_index=index)
            many = True
        if tier is not None:
            people = people.filter(tier=tier)
        if language:
            # The JSON text holds "es" with its quotes: a match on the whole code, on SQLite
            # (which has no JSON containment) and PostgreSQL alike.
            people = people.filter(languages__icontains=f'"{language}"')
        if tag is not None:
            people = people.filter(tags=tag)
            many = True
        if council is not None:
            people = people.filter(council_memberships__council=council)
            many = True
        if skill:
            people = people.filter(skills__skill=skill)
            many = True
        if weekday is not None:
            people = people.filter(availability__weekday=weekday)
            many = True
        if last_contact:
            people = people.filter(LAST_CONTACT_FILTERS[last_contact]())
        return people.distinct() if many else people


def _days_ago(days: int):
    return timezone.now() - timedelta(days=days)


# The last-contact choices of the people list, each a condition built when it is used.
LAST_CONTACT_FILTERS = {
    "week": lambda: models.Q(last_contact_at__gte=_days_ago(7)),
    "month": lambda: models.Q(last_contact_at__gte=_days_ago(30)),
    "not_month": lambda: (
        models.Q(last_contact_at__lt=_days_ago(30)) | models.Q(last_contact_at__isnull=True)
    ),
    "not_quarter": lambda: (
        models.Q(last_contact_at__lt=_days_ago(91)) | models.Q(last_contact_at__isnull=True)
    ),
    "never": lambda: models.Q(last_contact_at__isnull=True),
}


class Person(models.Model):
    """Someone the network knows: a list supporter, a phone-tree contact, a member."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("A first name or a nickname is enough."),
    )
    legal_name = EncryptedTextField(
        _("legal name"),
        null=True,
        blank=True,
        help_text=_("Only where something needs it, such as a payment. Usually leave it empty."),
    )
    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The account of this person, if they have one",
    )
    tier = models.PositiveSmallIntegerField(
        _("tier"), choices=Tier.choices, default=Tier.SUPPORTER, help_text=_("How involved")
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate, help_text=_("Since"))
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Languages they prefer")
    )
    interpreter_needed = models.BooleanField(
        _("needs an interpreter"), default=False, help_text=_("At meetings and actions")
    )
    notice_needed = models.CharField(
        _("notice needed"),
        max_length=20,
        choices=Notice.choices,
        blank=True,
        help_text=_("How much notice they need to come to something"),
    )
    transport = models.CharField(
        _("transport"), max_length=20, choices=Transport.choices, blank=True, help_text=""
    )
    notes = EncryptedTextField(
        _("notes"),
        blank=True,
        null=True,
        help_text=_(
            "Only what organizing needs. Never write down immigration status, criminal "
            "history, or who did anything unlawful."
        ),
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="people", verbose_name=_("tags"), help_text=""
    )
    last_contact_at = models.DateTimeField(
        _("last contact"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When someone last asked them something or had a one-on-one with them"),
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded")
    updated_at = models.DateTimeField(auto_now=True, help_text="Last change")

    objects = PersonQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "display_name": PERSONAL,
            "legal_name": SENSITIVE,
            "member": PERSONAL,
            "tier": PERSONAL,
            "joined_on": PERSONAL,
            "languages": PERSONAL,
            "interpreter_needed": PERSONAL,
            "notice_needed": PERSONAL,
            "transport": PERSONAL,
            "notes": SENSITIVE,
            "tags": PERSONAL,
            "last_contact_at": PERSONAL,
            "created_at": INTERNAL,
            "updated_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="Kept while the person is involved; their own deletion request (or an "
            "organizer's) erases the record and its contact channels.",
        ),
    )

    class Meta:
        ordering = ["display_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tier__in=[t.value for t in Tier]), name="person_tier_valid"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    CALL = "call", _("Phone calls")
    TEXT = "text", _("Text messages")
    SIGNAL = "signal", _("Signal")


class ContactChannel(models.Model):
    """One way to reach a person, with its own consent and opt-out."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="channels", help_text="Whose"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ChannelKind.choices, help_text=_("How to reach them")
    )
    value = EncryptedTextField(_("address or number"), help_text=_("Stored encrypted"))
    value_index = BlindIndexField(source="value", normalizer="contact")
    consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When they agreed to be reached this way"
    )
    opted_out_at = models.DateTimeField(
        null=True, blank=True, help_text="When they asked not to be reached this way any more"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "person": PERSONAL,
            "kind": PERSONAL,
            "value": CONTACT,
            "value_index": CONTACT,
            "consent_at": PERSONAL,
            "opted_out_at": PERSONAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Deleted with the person or on request."),
    )

    class Meta:
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def usable(self) -> bool:
        return self.consent_at is not None and self.opted_out_at is None


class Answer(models.TextChoices):
    WAITING = "waiting", _("No answer yet")
    YES = "yes", _("Yes")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No")


class Outcome(models.TextChoices):
    OPEN = "open", _("Not yet known")
    SHOWED = "showed", _("Showed up / did it")
    NO_SHOW = "no_show", _("Did not show / did not do it")


class CommitmentQuerySet(models.QuerySet):
    def counted(self):
        """Asks that say something about reliability: a yes whose outcome is known."""
        return self.filter(answer=Answer.YES).exclude(outcome=Outcome.OPEN)


class Commitment(models.Model):
    """An ask (come to X, do Y), the person's answer, and what happened."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="commitments", help_text="Who was asked"
    )
    ask = models.CharField(
        _("the ask"), max_length=200, help_text=_("What they were asked, e.g. “picket Friday 5pm”.")
    )
    asked_at = models.DateTimeField(default=timezone.now, help_text="When")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked",
    )
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.WAITING, help_text=""
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN, help_text=""
    )

    objects = CommitmentQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "person": PERSONAL,
            "ask": PERSONAL,
            "asked_at": PERSONAL,
            "asked_by": PERSONAL,
            "answer": PERSONAL,
            "outcome": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Reliability looks at recent asks only; two years of history is plenty.",
            period=timedelta(days=730),
            basis="asked_at",
        ),
    )

    class Meta:
        verbose_name = _("ask")
        verbose_name_plural = _("asks")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="open") | models.Q(answer__in=["yes", "maybe"]),
                name="outcome_only_after_yes_or_maybe",
            )
        ]

    def __str__(self) -> str:
        return self.ask


RELIABILITY_WINDOW = 10


def reliability(person: Person, *, window: int = RELIABILITY_WINDOW) -> tuple[int, int] | None:
    """(showed, counted) over the person's last `window` yeses with a known outcome; None when
    there is nothing to count yet. Derived each time, never stored, never a public score."""
    recent = list(person.commitments.counted().values_list("outcome", flat=True)[:window])
    if not recent:
        return None
    return sum(1 for outcome in recent if outcome == Outcome.SHOWED), len(recent)


class JoinRequest(models.Model):
    """Someone asked to join through the public page; an organizer takes it from here."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    display_name = models.CharField(_("your name"), max_length=80, help_text="")
    kind = models.CharField(
        _("how to reach you"), max_length=10, choices=ChannelKind.choices, help_text=""
    )
    value = EncryptedTextField(_("address or number"), help_text="")
    value_index = BlindIndexField(source="value", normalizer="contact")
    language = models.CharField(_("language"), max_length=8, blank=True, help_text="")
    message = EncryptedTextField(
        _("anything you want to tell us"), blank=True, null=True, help_text=""
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it arrived")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "display_name": PERSONAL,
            "kind": PERSONAL,
            "value": CONTACT,
            "value_index": CONTACT,
            "language": PERSONAL,
            "message": SENSITIVE,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A request nobody took up in 60 days is dropped; an accepted one becomes a "
            "person's record and the request is deleted at once.",
            period=timedelta(days=60),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.display_name


class SavedFilter(models.Model):
    """A filter of the people list an organizer keeps under a name ("Spanish speakers on
    nights")."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_people_filters",
        help_text="Whose",
    )
    name = models.CharField(_("name"), max_length=60, help_text="")
    query = models.JSONField(default=dict, help_text="The filter's fields, validated again on use")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was saved")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "owner": PERSONAL,
            "name": INTERNAL,
            "query": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Kept until its owner deletes it or leaves."),
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="one_filter_name_each")
        ]

    def __str__(self) -> str:
        return self.name


class Skill(models.TextChoices):
    """Skills and trainings the network counts on (DOMAIN.md §5)."""

    MARSHAL = "marshal", _("Marshal")
    MARSHAL_CAPTAIN = "marshal_captain", _("Marshal captain")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    LEGAL_OBSERVER = "legal_observer", _("Legal observer")
    COPWATCH = "copwatch", _("Copwatch")
    MEDIC = "medic", _("Medic")
    INTERPRETER = "interpreter", _("Interpreter")
    DRIVER = "driver", _("Driver")
    RESEARCHER = "researcher", _("Researcher")
    POSTER_CREW = "poster_crew", _("Poster crew")
    CALLER = "caller", _("Caller")
    FACILITATOR = "facilitator", _("Facilitator")
    NOTE_TAKER = "note_taker", _("Note-taker")
    DISPATCHER = "dispatcher", _("Hotline dispatcher")
    VERIFIER = "verifier", _("Verifier")


class PersonSkill(models.Model):
    """Someone has a skill, maybe with a training and its date."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="skills", help_text="Who"
    )
    skill = models.CharField(_("skill"), max_length=20, choices=Skill.choices, help_text="")
    trained_on = models.DateField(
        _("trained on"), null=True, blank=True, help_text=_("Date of the training, if any")
    )

    data_policy = DataPolicy(
        sensitivity={"id": INTERNAL, "person": PERSONAL, "skill": PERSONAL, "trained_on": PERSONAL},
        retention=Retention(action=KEEP, reason="Part of the person's record."),
    )

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["skill"]
        constraints = [models.UniqueConstraint(fields=["person", "skill"], name="one_skill_each")]

    def __str__(self) -> str:
        return self.get_skill_display()


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Availability(models.Model):
    """A weekly window when someone can usually come."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="availability", help_text="Who"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices, help_text="")
    starts = models.TimeField(_("from"), help_text="")
    ends = models.TimeField(_("until"), help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "person": PERSONAL,
            "weekday": PERSONAL,
            "starts": PERSONAL,
            "ends": PERSONAL,
        },
        retention=Retention(action=KEEP, reason="Part of the person's record."),
    )

    class Meta:
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")),
                name="availability_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M} - {self.ends:%H:%M}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Choose the columns")
    CHECK_QUEUED = "check_queued", _("Waiting to be checked")
    CHECKING = "checking", _("Being checked")
    READY = "ready", _("Ready to import")
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class PersonImport(models.Model):
    """A CSV file of people an organizer uploaded, on its way into the network's memory.

    The file itself lives encrypted in `PersonImportChunk` rows until the import ends (then it
    is deleted at once) or its retention runs out. What the check found and the organizer's
    fixes hold names and addresses, so they are encrypted too; the column mapping, the choices
    about duplicates and the counts describe nobody."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The organizer who uploaded the file; nobody else sees the import",
    )
    status = models.CharField(
        max_length=12,
        choices=ImportStatus.choices,
        default=ImportStatus.UPLOADED,
        help_text="Where the import stands",
    )
    preset = models.CharField(
        max_length=20, blank=True, help_text="The export format the columns were matched with"
    )
    mapping = models.JSONField(
        default=dict,
        blank=True,
        help_text="Which Person field each column goes to, the kind of the phone numbers and "
        "whether the people agreed to be contacted",
    )
    total_rows = models.PositiveIntegerField(default=0, help_text="Rows of people in the file")
    findings = EncryptedTextField(
        null=True,
        blank=True,
        help_text="What the last check found: the first rows, rows with problems, duplicates",
    )
    fixes = EncryptedTextField(
        null=True, blank=True, help_text="Rows the organizer corrected on the preview page"
    )
    decisions = models.JSONField(
        default=dict,
        blank=True,
        help_text="What to do with each duplicate, by row number, and with rows with problems",
    )
    result = models.JSONField(
        default=dict, blank=True, help_text="Counts of the finished import and its new records"
    )
    failure = models.CharField(
        max_length=20, blank=True, help_text="Why the last run stopped, as a code"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was uploaded")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the last run began")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it was imported")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "created_by": PERSONAL,
            "status": INTERNAL,
            "preset": INTERNAL,
            "mapping": INTERNAL,
            "total_rows": INTERNAL,
            "findings": CONTACT,
            "fixes": CONTACT,
            "decisions": INTERNAL,
            "result": INTERNAL,
            "failure": INTERNAL,
            "created_at": INTERNAL,
            "started_at": INTERNAL,
            "finished_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="The people it brought in are in their own records and the counts are in "
            "the audit log; the import itself is only worth a look for a month.",
            period=timedelta(days=30),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ImportStatus]),
                name="person_import_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"import {self.public_id} ({self.status})"


class PersonImportChunk(models.Model):
    """A run of rows of an uploaded file, encrypted; the file is read back one chunk at a
    time so that no import ever holds the whole file in memory."""

    person_import = models.ForeignKey(
        PersonImport, on_delete=models.CASCADE, related_name="chunks", help_text="Whose file"
    )
    seq = models.PositiveIntegerField(help_text="Position of the chunk in the file")
    rows = EncryptedTextField(help_text="The rows, as a JSON list of lists of cells")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was uploaded")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "person_import": INTERNAL,
            "seq": INTERNAL,
            "rows": CONTACT,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="An uploaded file is deleted when its import ends; one never imported goes "
            "after a week.",
            period=timedelta(days=7),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["person_import", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["person_import", "seq"], name="one_chunk_per_place")
        ]

    def __str__(self) -> str:
        return f"chunk {self.seq}"
