"""Meetings of a body: the agenda, who came (in person or remote), the facilitator and the
note-taker, the speakers' list, the minutes; and what members are told (notices)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import DELETE, INTERNAL, PERSONAL, SENSITIVE, STRIP, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.democracy.models.decisions import DECIDED_KEPT, Body, Proposal
from solnet.fights.models import Fight


class MeetingStatus(models.TextChoices):
    CALLED = "called", _("Called")
    OPEN = "open", _("In session")
    CLOSED = "closed", pgettext_lazy("a meeting", "Closed")


class MeetingQuerySet(models.QuerySet):
    def upcoming(self):
        return self.exclude(status=MeetingStatus.CLOSED)


class Meeting(models.Model):
    """A meeting of a body, called with the body's notice."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="meetings", help_text="Whose meeting"
    )
    title = models.CharField(
        _("title"), max_length=120, help_text=_("e.g. “Weekly meeting” or “Strike assembly”.")
    )
    starts_at = models.DateTimeField(_("starts at"), help_text="")
    place = models.CharField(
        _("where"),
        max_length=200,
        blank=True,
        help_text=_("A place, or how to join from afar. Not an address of anyone's home."),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=MeetingStatus.choices,
        default=MeetingStatus.CALLED,
        help_text="",
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who called it",
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
        help_text=_("Keeps the agenda and the speakers' list, and closes votes."),
    )
    note_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("note-taker"),
        help_text=_("Writes the minutes."),
    )
    minutes = EncryptedTextField(_("minutes"), null=True, blank=True, help_text="")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was called")
    opened_at = models.DateTimeField(null=True, blank=True, help_text="When it began")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it ended")

    objects = MeetingQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "body": INTERNAL,
            "title": INTERNAL,
            "starts_at": INTERNAL,
            "place": INTERNAL,
            "status": INTERNAL,
            "called_by": PERSONAL,
            "facilitator": PERSONAL,
            "note_taker": PERSONAL,
            "minutes": SENSITIVE,
            "created_at": INTERNAL,
            "opened_at": INTERNAL,
            "closed_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="That a meeting was held stays; its minutes and who held its roles go two "
            "years after it closed.",
            period=DECIDED_KEPT,
            basis="closed_at",
            strip={"minutes": None, "called_by": None, "facilitator": None, "note_taker": None},
        ),
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def notice_given(self) -> timedelta:
        """How long before it began the meeting was called."""
        return self.starts_at - self.created_at

    def gave_notice(self) -> bool:
        """Whether it was called with at least its body's notice (as the body's rules are
        now): a meeting called at shorter notice decides nothing its rules require notice
        for."""
        return self.notice_given >= timedelta(hours=self.body.notice_hours)


class AgendaKind(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    PROPOSAL = "proposal", _("A proposal")
    FIGHT = "fight", _("A fight")
    REPORT = "report", _("A report")


class AgendaItem(models.Model):
    """One item of a meeting's agenda, perhaps a proposal or a fight, with what was said."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", help_text="Of which meeting"
    )
    position = models.PositiveSmallIntegerField(help_text="Its place in the agenda, from 1")
    kind = models.CharField(_("kind"), max_length=12, choices=AgendaKind.choices, help_text="")
    title = EncryptedTextField(_("item"), help_text=_("What is discussed."))
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        help_text="The proposal decided under this item",
    )
    fight = models.ForeignKey(
        Fight,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        help_text="The fight this item is about",
    )
    notes = EncryptedTextField(_("what was said and decided"), null=True, blank=True, help_text="")
    done_at = models.DateTimeField(null=True, blank=True, help_text="When it was dealt with")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "meeting": INTERNAL,
            "position": INTERNAL,
            "kind": INTERNAL,
            "title": SENSITIVE,
            "proposal": INTERNAL,
            "fight": INTERNAL,
            "notes": SENSITIVE,
            "done_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="The agenda's notes go with the minutes, two years after the meeting.",
            period=DECIDED_KEPT,
            basis="meeting__closed_at",
            strip={"notes": None},
        ),
    )

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="democracy_agenda_place_once"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The item in the reader's language where it is a proposal's title the app wrote
        (copied when the item was made); anything typed reads as typed."""
        proposal = self.proposal
        if proposal is not None and proposal.title_key and self.title == proposal.title:
            return proposal.display_title
        return self.title


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    REMOTE = "remote", _("Remote")


class Attendance(models.Model):
    """Who came to a meeting, and how."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", help_text="Which meeting"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", help_text="Who"
    )
    mode = models.CharField(_("how"), max_length=10, choices=AttendanceMode.choices, help_text="")
    arrived_at = models.DateTimeField(default=timezone.now, help_text="When they were marked")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The facilitator who marked them (empty: they marked themselves)",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "meeting": INTERNAL,
            "member": PERSONAL,
            "mode": INTERNAL,
            "arrived_at": INTERNAL,
            "recorded_by": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Who came to a meeting is a list a boss would like; it goes two years on.",
            period=DECIDED_KEPT,
            basis="meeting__closed_at",
        ),
    )

    class Meta:
        ordering = ["meeting", "arrived_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="democracy_attends_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} at {self.meeting_id}"


class SpeakerRequest(models.Model):
    """A hand up on the speakers' list, and when its turn came."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="speakers", help_text="Which meeting"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", help_text="Who"
    )
    asked_at = models.DateTimeField(default=timezone.now, help_text="When they asked")
    spoke_at = models.DateTimeField(null=True, blank=True, help_text="When their turn came")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "meeting": INTERNAL,
            "member": PERSONAL,
            "asked_at": INTERNAL,
            "spoke_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="The speakers' list matters only during the meeting.",
            period=timedelta(days=1),
            basis="meeting__closed_at",
        ),
    )

    class Meta:
        ordering = ["meeting", "asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=models.Q(spoke_at__isnull=True),
                name="democracy_one_hand_up_each",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} asks to speak"


class NoticeKind(models.TextChoices):
    OPENED = "opened", _("A vote is open")
    CLOSING = "closing", _("A vote closes soon")
    RESULT = "result", _("A decision was taken")
    MEETING = "meeting", _("A meeting is called")
    APPROVED = "approved", _("A dangerous action was approved")


class Notice(models.Model):
    """What a member is told in the app (and, if they have an email, by email)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="decision_notices",
        help_text="Who is told",
    )
    kind = models.CharField(max_length=8, choices=NoticeKind.choices, help_text="Of what")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="+", help_text=""
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="+", help_text=""
    )
    approval = models.ForeignKey(
        "core.ApprovalRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="A two-person action carried out, told to every organizer",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When")
    read_at = models.DateTimeField(null=True, blank=True, help_text="When it was seen")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "member": PERSONAL,
            "kind": INTERNAL,
            "proposal": INTERNAL,
            "meeting": INTERNAL,
            "approval": INTERNAL,
            "created_at": INTERNAL,
            "read_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A notice is news for a while; it goes after 90 days.",
            period=timedelta(days=90),
            basis="created_at",
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
