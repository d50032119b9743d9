"""Leads: someone brought a problem to the network, and how it came in."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import CONTACT, INTERNAL, PERSONAL, SENSITIVE, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.people.models import ChannelKind


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
