"""Direct democracy (DOMAIN.md §1): the bodies that decide, their proposals and the options of
a choice. The ballots cast on them are in `ballots`, what a passed decision does in `effects`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from fractions import Fraction
from typing import cast

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import EncryptedTextField
from solnet.core.data import (
    INTERNAL,
    KEEP,
    PERSONAL,
    SENSITIVE,
    STRIP,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id
from solnet.councils.models import Committee, Council
from solnet.fights.models import Fight
from solnet.members.models import Tier

# The record of how the network decided stays; the words of a proposal and who cast which
# open ballot go two years after the close.
DECIDED_KEPT = timedelta(days=730)


class BodyKind(models.TextChoices):
    GENERAL = "general", _("General meeting")
    COUNCIL = "council", _("Council")
    FIGHT = "fight", _("Fight")
    COMMITTEE = "committee", _("Committee")


class Method(models.TextChoices):
    MAJORITY = "majority", _("Simple majority")
    SUPERMAJORITY = "supermajority", _("Supermajority")
    CONSENT = "consent", _("Consent (an objection stops it)")
    CONSENSUS = "consensus", _("Consensus (stand aside or block)")
    APPROVAL = "approval", _("Approval (choose any you accept)")
    SCORE = "score", _("Score (rate every option)")
    RANKED = "ranked", _("Ranked choice (run-off; several seats: STV)")


# Methods that decide a yes-or-no question, and those that choose among options.
MOTION_METHODS = (Method.MAJORITY, Method.SUPERMAJORITY, Method.CONSENT, Method.CONSENSUS)
CHOICE_METHODS = (Method.APPROVAL, Method.SCORE, Method.RANKED)


class Position(models.TextChoices):
    """What a ballot on a yes-or-no question says, by method."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")
    CONSENT = "consent", _("I consent")
    CONCERN = "concern", _("I consent, with a concern")
    OBJECT = "object", _("I object")
    AGREE = "agree", _("I agree")
    STAND_ASIDE = "stand_aside", _("I stand aside")
    BLOCK = "block", _("I block")


POSITIONS = {
    Method.MAJORITY: (Position.YES, Position.NO, Position.ABSTAIN),
    Method.SUPERMAJORITY: (Position.YES, Position.NO, Position.ABSTAIN),
    Method.CONSENT: (Position.CONSENT, Position.CONCERN, Position.OBJECT),
    Method.CONSENSUS: (Position.AGREE, Position.STAND_ASIDE, Position.BLOCK),
}
# Positions that stop a proposal and therefore must say why.
NEEDS_REASON = (Position.OBJECT, Position.BLOCK)


class BodyQuerySet(models.QuerySet):
    def general(self) -> Body:
        body, _created = self.get_or_create(kind=BodyKind.GENERAL)
        return cast("Body", body)


class Body(models.Model):
    """A body that decides: the network's general meeting, a council, a fight (everyone
    involved in it), or a committee. Its rules are changed only by its own decisions."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=BodyKind.choices, help_text="What sort of body"
    )
    council = models.OneToOneField(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="body",
        help_text="The council this body is",
    )
    fight = models.OneToOneField(
        Fight,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="body",
        help_text="The fight whose people this body is",
    )
    committee = models.OneToOneField(
        Committee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="body",
        help_text="The committee this body is",
    )
    voter_tier = models.PositiveSmallIntegerField(
        _("who may vote"),
        choices=Tier.choices,
        default=Tier.MEMBER,
        help_text=_(
            "For the general meeting: the tier from which people vote. Councils, fights and "
            "committees: their own people vote."
        ),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (%)"),
        default=0,
        help_text=_("Share of those who may vote who must take part; 0 for none."),
    )
    quorum_minimum = models.PositiveSmallIntegerField(
        _("quorum (people)"),
        default=2,
        help_text=_(
            "At least this many must take part (or everyone, where fewer may vote). A vote is "
            "closed early only in a meeting with this many present."
        ),
    )
    newcomers_wait = models.BooleanField(
        _("new members vote after the waiting period"),
        default=True,
        help_text=_(
            "Someone admitted less than the network's waiting period ago does not vote here "
            "yet. Campaign subjects always vote on their own fight."
        ),
    )
    default_method = models.CharField(
        _("usual method"),
        max_length=16,
        choices=Method.choices,
        default=Method.MAJORITY,
        help_text=_("How proposals are decided unless the proposal says otherwise."),
    )
    threshold_num = models.PositiveSmallIntegerField(
        _("supermajority: numerator"), default=2, help_text=_("2 for two thirds")
    )
    threshold_den = models.PositiveSmallIntegerField(
        _("supermajority: denominator"), default=3, help_text=_("3 for two thirds")
    )
    notice_hours = models.PositiveSmallIntegerField(
        _("notice (hours)"),
        default=48,
        help_text=_("The shortest time a vote stays open, unless a meeting closes it."),
    )
    allow_proxies = models.BooleanField(
        _("proxy votes allowed"),
        default=False,
        help_text=_("Whether a member may give their vote to another."),
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was made")

    objects = BodyQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "kind": INTERNAL,
            "council": INTERNAL,
            "fight": INTERNAL,
            "committee": INTERNAL,
            "voter_tier": INTERNAL,
            "quorum_percent": INTERNAL,
            "quorum_minimum": INTERNAL,
            "newcomers_wait": INTERNAL,
            "default_method": INTERNAL,
            "threshold_num": INTERNAL,
            "threshold_den": INTERNAL,
            "notice_hours": INTERNAL,
            "allow_proxies": INTERNAL,
            "created_at": INTERNAL,
        },
        retention=Retention(
            action=KEEP, reason="A body lives as long as the network, council, fight it is."
        ),
    )

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="general"),
                name="democracy_one_general_meeting",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="general",
                        council__isnull=True,
                        fight__isnull=True,
                        committee__isnull=True,
                    )
                    | models.Q(
                        kind="council",
                        council__isnull=False,
                        fight__isnull=True,
                        committee__isnull=True,
                    )
                    | models.Q(
                        kind="fight",
                        council__isnull=True,
                        fight__isnull=False,
                        committee__isnull=True,
                    )
                    | models.Q(
                        kind="committee",
                        council__isnull=True,
                        fight__isnull=True,
                        committee__isnull=False,
                    )
                ),
                name="democracy_body_links_its_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_percent__lte=100),
                name="democracy_quorum_a_percentage",
            ),
            models.CheckConstraint(
                condition=models.Q(threshold_den__gt=0)
                & models.Q(threshold_num__lte=models.F("threshold_den"))
                & models.Q(threshold_num__gt=0),
                name="democracy_threshold_a_fraction",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == BodyKind.COUNCIL and self.council_id:
            return str(self.council)
        if self.kind == BodyKind.FIGHT and self.fight_id:
            return str(self.fight)
        if self.kind == BodyKind.COMMITTEE and self.committee_id:
            return str(self.committee)
        return str(_("General meeting"))

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.threshold_num, self.threshold_den)

    def quorum_needed(self, eligible: int) -> int:
        """How many must take part (or be present) of `eligible`: the share and the minimum
        count, whichever is more — but never more than all of them."""
        share = -(-self.quorum_percent * eligible // 100)  # ceiling
        return min(eligible, max(share, self.quorum_minimum))


class Status(models.TextChoices):
    DISCUSSION = "discussion", _("Under discussion")
    VOTING = "voting", _("Voting")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Not passed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLOSED = (Status.PASSED, Status.FAILED, Status.WITHDRAWN)


class ProposalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[Status.DISCUSSION, Status.VOTING])

    def due(self):
        return self.filter(status=Status.VOTING, closes_at__lte=timezone.now())


class Proposal(models.Model):
    """A proposal put to a body: discussed, then voted on until its deadline (or closed by
    the meeting), then passed or not — and when it passes, its effects run, once."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="proposals", help_text="Who decides"
    )
    title = EncryptedTextField(
        _("title"),
        help_text=_("One line, e.g. “Take on the fight for Antonio's back wages ($6,710)”."),
    )
    title_key = models.CharField(
        max_length=40,
        blank=True,
        default="",
        help_text="A title the app wrote: which of `democracy.titles.TITLES` it is, rendered "
        "in each reader's language; empty for a title someone typed",
    )
    title_params = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the app's title is made of: public ids and values, never personal data",
    )
    text = EncryptedTextField(
        _("the proposal"), null=True, blank=True, help_text=_("What is proposed and why.")
    )
    method = models.CharField(
        _("method"), max_length=16, choices=Method.choices, help_text=_("How it is decided")
    )
    threshold_num = models.PositiveSmallIntegerField(
        default=1, help_text="Share of yes among yes and no needed (supermajority)"
    )
    threshold_den = models.PositiveSmallIntegerField(default=2, help_text="Its denominator")
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=1, help_text=_("How many options win (delegates, a committee).")
    )
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=5, help_text=_("Score voting: scores go from 0 to this.")
    )
    secret = models.BooleanField(
        _("secret ballot"),
        default=False,
        help_text=_(
            "Who voted how is never kept: each ballot is sealed until the count and names no "
            "voter; each voter gets a receipt."
        ),
    )
    fight = models.ForeignKey(
        Fight,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
        help_text="The fight it is about: everyone involved in it has voice and vote",
    )
    subject_decides = models.BooleanField(
        default=False,
        help_text="Only the fight's campaign subjects vote: a decision the network gives them",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.DISCUSSION,
        help_text="",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who put it forward",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was put forward")
    voting_opened_at = models.DateTimeField(null=True, blank=True, help_text="When voting began")
    closes_at = models.DateTimeField(
        _("voting closes"), null=True, blank=True, help_text=_("When the vote ends by itself.")
    )
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was decided")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who closed the vote in a meeting (empty: its deadline did)",
    )
    closed_in = models.ForeignKey(
        "democracy.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The meeting in session that closed the vote early (its attendance is who "
        "was present)",
    )
    present = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How many were present at the meeting that closed it (from the attendance)",
    )
    eligible = models.PositiveIntegerField(
        default=0, help_text="How many could vote when it closed"
    )
    turnout = models.PositiveIntegerField(default=0, help_text="How many voted")
    result = models.JSONField(
        default=dict, blank=True, help_text="The tally: counts, rounds, winners (never voters)"
    )
    closing_notice_at = models.DateTimeField(
        null=True, blank=True, help_text="When those yet to vote were told it closes soon"
    )

    objects = ProposalQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "body": INTERNAL,
            "title": SENSITIVE,
            "title_key": INTERNAL,
            "title_params": INTERNAL,
            "text": SENSITIVE,
            "method": INTERNAL,
            "threshold_num": INTERNAL,
            "threshold_den": INTERNAL,
            "seats": INTERNAL,
            "max_score": INTERNAL,
            "secret": INTERNAL,
            "fight": INTERNAL,
            "subject_decides": INTERNAL,
            "status": INTERNAL,
            "proposed_by": PERSONAL,
            "created_at": INTERNAL,
            "voting_opened_at": INTERNAL,
            "closes_at": INTERNAL,
            "closed_at": INTERNAL,
            "closed_by": PERSONAL,
            "closed_in": INTERNAL,
            "present": INTERNAL,
            "eligible": INTERNAL,
            "turnout": INTERNAL,
            "result": INTERNAL,
            "closing_notice_at": INTERNAL,
        },
        retention=Retention(
            action=STRIP,
            reason="How the network decided stays; the proposal's words and who put it forward "
            "go two years after the close.",
            period=DECIDED_KEPT,
            basis="closed_at",
            strip={"text": None, "proposed_by": None, "closed_by": None},
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="democracy_at_least_one_seat"
            ),
            models.CheckConstraint(
                condition=models.Q(threshold_den__gt=0)
                & models.Q(threshold_num__gt=0)
                & models.Q(threshold_num__lte=models.F("threshold_den")),
                name="democracy_proposal_threshold_a_fraction",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="voting") | models.Q(closes_at__isnull=False),
                name="democracy_voting_has_a_close",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the reader's (the current) language: a title the app wrote is
        rendered afresh; one someone typed reads as typed."""
        if self.title_key:
            from solnet.democracy import titles

            rendered = titles.render(self.title_key, self.title_params, self)
            if rendered is not None:
                return rendered
        return self.title

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.threshold_num, self.threshold_den)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    @property
    def chooses(self) -> bool:
        """Whether it chooses among options (an election) rather than says yes or no."""
        return self.method in CHOICE_METHODS


class Option(models.Model):
    """One of the options of an election or a choice: a candidate, a date, a plan."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="options", help_text="Of which"
    )
    number = models.PositiveSmallIntegerField(help_text="Its number on the ballot, from 1")
    label = models.CharField(_("option"), max_length=200, help_text=_("A name or a choice"))
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member this option stands for, in an election",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "proposal": INTERNAL,
            "number": INTERNAL,
            "label": PERSONAL,
            "member": PERSONAL,
        },
        retention=Retention(
            action=STRIP,
            reason="Who stood goes with the proposal's words; the counts stay.",
            period=DECIDED_KEPT,
            basis="proposal__closed_at",
            strip={"member": None},
        ),
    )

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="democracy_option_number_once"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="democracy_option_numbered_from_one"
            ),
        ]

    def __str__(self) -> str:
        return self.label


def random_ballot_id() -> int:
    """Ballots get random keys, so that the order of the rows says nothing about when (and
    so by whom, beside the participation list) a secret ballot was cast."""
    return secrets.randbelow(2**62) + 1
