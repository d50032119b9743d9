"""Actions and what gets people to them (DOMAIN.md §6): shifts and roles to fill, asks and
their answers (RSVP), check-in, call lists worked by callers, and calendar feeds.

An ask for an action is a `people.Commitment` too: every answer and every outcome feeds the
person's reliability there, and nowhere else.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from solnet.core.data import DELETE, INTERNAL, KEEP, PERSONAL, SECRET, DataPolicy, Retention
from solnet.core.models import new_public_id
from solnet.councils.models import Council
from solnet.fights.models import Fight, PlanStep
from solnet.members.models import Tier
from solnet.network import times
from solnet.people.models import Commitment, Person


def default_reminders() -> list[int]:
    """Hours before the start: a day before, and two hours before."""
    return [24, 2]


class ActionQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(ends_at__gt=timezone.now(), cancelled_at__isnull=True)


class Action(models.Model):
    """Something the network does together at a time and place: a picket, a march on the
    boss, a delegation, strike support. It belongs to a fight, a council or the network."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    title = models.CharField(
        _("name"), max_length=120, help_text=_("e.g. “Picket at Acme Property Management”")
    )
    description = models.TextField(
        _("what we will do"),
        blank=True,
        help_text=_("What people need to know: what to bring, where to meet, who to ask for."),
    )
    fight = models.ForeignKey(
        Fight,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("fight"),
        help_text=_("The fight this action is part of, if any"),
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("council"),
        help_text=_("The council holding it, if it is a council's action"),
    )
    plan_step = models.ForeignKey(
        PlanStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("escalation step"),
        help_text=_("The step of the fight's escalation plan this action carries out"),
    )
    starts_at = models.DateTimeField(_("starts"), help_text="")
    ends_at = models.DateTimeField(_("ends"), help_text="")
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Where to meet. Leave it empty to tell people later."),
    )
    tier = models.PositiveSmallIntegerField(
        _("who is asked"),
        choices=Tier.choices,
        default=Tier.PHONE_TREE,
        help_text=_("The least involved tier that is asked to come"),
    )
    turnout_target = models.PositiveIntegerField(
        _("turnout target"), default=10, help_text=_("How many people we need there")
    )
    reminder_hours = models.JSONField(
        _("reminders"),
        default=default_reminders,
        blank=True,
        help_text=_("Hours before the start when those who said yes or maybe are reminded"),
    )
    public_token = models.CharField(
        max_length=43,
        unique=True,
        null=True,
        blank=True,
        help_text="Secret of the public page's address; none while the action is private",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who planned it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was planned")
    cancelled_at = models.DateTimeField(null=True, blank=True, help_text="When it was called off")

    objects = ActionQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "title": INTERNAL,
            "description": INTERNAL,
            "fight": INTERNAL,
            "council": INTERNAL,
            "plan_step": INTERNAL,
            "starts_at": INTERNAL,
            "ends_at": INTERNAL,
            "place": INTERNAL,
            "tier": INTERNAL,
            "turnout_target": INTERNAL,
            "reminder_hours": INTERNAL,
            "public_token": SECRET,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
            "cancelled_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP,
            reason="The network's history of what it did; the asks of people expire on their own.",
        ),
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="action_ends_after"
            ),
            models.CheckConstraint(
                condition=models.Q(fight__isnull=True) | models.Q(council__isnull=True),
                name="action_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def when(self) -> str:
        """From its start to its end, in the reader's language (`network.times`)."""
        return times.span(self.starts_at, self.ends_at)

    @property
    def is_public(self) -> bool:
        return bool(self.public_token)

    @property
    def started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def over(self) -> bool:
        return self.ends_at <= timezone.now()


class Shift(models.Model):
    """A part of a long action (a picket line, strike support) people sign up for."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="shifts", help_text="Whose shift"
    )
    starts_at = models.DateTimeField(_("from"), help_text="")
    ends_at = models.DateTimeField(_("until"), help_text="")
    needed = models.PositiveIntegerField(
        _("people needed"), default=5, help_text=_("How many people this shift needs")
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "action": INTERNAL,
            "starts_at": INTERNAL,
            "ends_at": INTERNAL,
            "needed": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives and goes with its action."),
    )

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after"
            )
        ]

    def __str__(self) -> str:
        return times.span(self.starts_at, self.ends_at)


class ActionRole(models.TextChoices):
    """Roles to fill at an action; check-in, food and calling are non-marching roles for
    people with access needs."""

    MARSHAL = "marshal", _("Marshal")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    LEGAL_OBSERVER = "legal_observer", _("Legal observer")
    MEDIC = "medic", _("Medic")
    INTERPRETER = "interpreter", _("Interpreter")
    DRIVER = "driver", _("Driver")
    CALLER = "caller", _("Caller")
    CHECK_IN = "check_in", _("Check-in")
    FOOD = "food", _("Food")


# The people-side skill that qualifies someone for a role, where there is one.
ROLE_SKILLS = {
    ActionRole.MARSHAL: "marshal",
    ActionRole.POLICE_LIAISON: "police_liaison",
    ActionRole.LEGAL_OBSERVER: "legal_observer",
    ActionRole.MEDIC: "medic",
    ActionRole.INTERPRETER: "interpreter",
    ActionRole.DRIVER: "driver",
    ActionRole.CALLER: "caller",
}


class RoleSlot(models.Model):
    """How many people an action (or one of its shifts) needs in a role."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="roles", help_text="Whose role"
    )
    shift = models.ForeignKey(
        Shift,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("shift"),
        help_text=_("Leave empty for the whole action"),
    )
    role = models.CharField(_("role"), max_length=20, choices=ActionRole.choices, help_text="")
    needed = models.PositiveIntegerField(_("people needed"), default=1, help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "action": INTERNAL,
            "shift": INTERNAL,
            "role": INTERNAL,
            "needed": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives and goes with its action."),
    )

    class Meta:
        verbose_name = _("role to fill")
        verbose_name_plural = _("roles to fill")
        ordering = ["shift__starts_at", "role", "pk"]

    def __str__(self) -> str:
        return self.get_role_display()


class AnsweredVia(models.TextChoices):
    APP = "app", _("In SolNet")
    CALL = "call", _("On a call")
    EMAIL = "email", _("By email link")
    SMS = "sms", _("By text message")
    PUBLIC = "public", _("On the public page")
    CHECK_IN = "check_in", _("Checked in at the action")


class AskQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(commitment__answer="yes")


class Ask(models.Model):
    """Someone asked to come to an action (to one shift, in one role if they take one): the
    person's answer and what happened are their commitment's."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="asks", help_text="To what"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="action_asks", help_text="Who"
    )
    shift = models.ForeignKey(
        Shift,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="asks",
        verbose_name=_("shift"),
        help_text="",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=ActionRole.choices, blank=True, help_text=""
    )
    commitment = models.OneToOneField(
        Commitment, on_delete=models.CASCADE, related_name="action_ask", help_text="The ask"
    )
    answered_via = models.CharField(
        max_length=10, choices=AnsweredVia.choices, blank=True, help_text="How they answered"
    )
    answered_at = models.DateTimeField(null=True, blank=True, help_text="When they answered")
    checked_in_at = models.DateTimeField(
        null=True, blank=True, help_text="When they were checked in at the action"
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The check-in volunteer",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When they were asked")

    objects = AskQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "action": PERSONAL,
            "person": PERSONAL,
            "shift": PERSONAL,
            "role": PERSONAL,
            "commitment": PERSONAL,
            "answered_via": PERSONAL,
            "answered_at": PERSONAL,
            "checked_in_at": PERSONAL,
            "checked_in_by": PERSONAL,
            "created_at": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Goes with its commitment: two years of asks is plenty for reliability.",
            period=timedelta(days=730),
            basis="created_at",
        ),
    )

    class Meta:
        verbose_name = _("ask")
        verbose_name_plural = _("asks")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "person"],
                condition=models.Q(shift__isnull=True),
                name="one_ask_per_action",
            ),
            models.UniqueConstraint(
                fields=["action", "person", "shift"],
                condition=models.Q(shift__isnull=False),
                name="one_ask_per_shift",
            ),
        ]
        indexes = [models.Index(fields=["action", "shift"], name="ask_action_shift")]

    def __str__(self) -> str:
        return f"{self.person} → {self.action}"


class RsvpLink(models.Model):
    """A personal answer link sent by email: whoever holds it answers for that one ask. It
    expires when the action ends and can be revoked."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="links", help_text="")
    token_digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the link's secret; the secret is not kept"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was sent")
    expires_at = models.DateTimeField(help_text="After this the link no longer works")
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="When it was revoked")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "ask": PERSONAL,
            "token_digest": SECRET,
            "created_at": INTERNAL,
            "expires_at": INTERNAL,
            "revoked_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="An answer link is useless once its action is over.",
            period=timedelta(days=7),
            basis="expires_at",
        ),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link {self.pk}"

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class CallList(models.Model):
    """People to phone about an action, built from a filter and split among callers."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="call_lists", help_text="For what"
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("e.g. “Building 2 tenants”"))
    script = models.TextField(
        _("script"),
        blank=True,
        help_text=_("What callers say: who you are, what the action is, the ask for a yes."),
    )
    filters = models.JSONField(
        default=dict, blank=True, help_text="The people filter the list was built from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who built it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was built")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "action": INTERNAL,
            "name": INTERNAL,
            "script": INTERNAL,
            "filters": INTERNAL,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
        },
        retention=Retention(action=KEEP, reason="Lives and goes with its action."),
    )

    class Meta:
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class CallResult(models.TextChoices):
    WAITING = "waiting", _("Not called yet")
    REACHED = "reached", _("Reached")
    VOICEMAIL = "voicemail", _("Voicemail")
    NO_ANSWER = "no_answer", pgettext_lazy("a phone call", "No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class Call(models.Model):
    """One person on a call list: who calls them, how the last call went, when to call back."""

    call_list = models.ForeignKey(
        CallList, on_delete=models.CASCADE, related_name="calls", help_text="Which list"
    )
    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="calls", help_text="")
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls_to_make",
        help_text="Who calls them",
    )
    result = models.CharField(
        _("how the call went"),
        max_length=15,
        choices=CallResult.choices,
        default=CallResult.WAITING,
        help_text="",
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Calls made so far")
    called_at = models.DateTimeField(null=True, blank=True, help_text="The last call")
    callback_at = models.DateTimeField(
        _("call back"), null=True, blank=True, help_text=_("When to call them again")
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "call_list": INTERNAL,
            "ask": PERSONAL,
            "caller": PERSONAL,
            "result": PERSONAL,
            "attempts": PERSONAL,
            "called_at": PERSONAL,
            "callback_at": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Call notes matter until the action; a year later they describe no plan.",
            period=timedelta(days=365),
            basis="call_list__created_at",
        ),
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["call_list", "ask"], name="one_call_per_list")
        ]
        indexes = [models.Index(fields=["call_list", "caller"], name="call_list_caller")]

    def __str__(self) -> str:
        return f"call {self.pk}"
