"""People and the ways to reach them: tags, the person's record with the people list's filters,
and contact channels."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core import phones
from solnet.core.crypto import BlindIndexField, EncryptedTextField
from solnet.core.data import CONTACT, INTERNAL, KEEP, PERSONAL, SENSITIVE, DataPolicy, Retention
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
        """What list pages show, in a fixed number of queries whatever the page size. The tags
        come as a plain list (`Person.shown_tags`): prefetched into `person.tags` instead,
        Django builds a filtered queryset per person to hold them, a third of the people
        list's time."""
        return self.select_related("member").prefetch_related(
            models.Prefetch("tags", to_attr="_listed_tags")
        )

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

    @property
    def shown_tags(self) -> list[Tag]:
        """The person's tags: read with the row where `with_lists` made the query, else now."""
        listed = getattr(self, "_listed_tags", None)
        return list(self.tags.all()) if listed is None else listed


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

    @property
    def unreadable_number(self) -> bool:
        """A number kept as it was written because it does not read as a phone number (typed
        before numbers were read with the library): flagged on the person's page until fixed."""
        return self.kind != ChannelKind.EMAIL and phones.read_phone(self.value) is None

    @staticmethod
    def stored_value(kind: str, value: str) -> str:
        """How an address or number is kept: an email address as written, a number in E.164
        when it reads as one (forms refuse one that does not; older records keep theirs)."""
        value = value.strip()
        if kind == ChannelKind.EMAIL:
            return value
        return phones.read_phone(value) or value
