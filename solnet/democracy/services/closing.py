"""Closing a vote: before its deadline only in a quorate meeting in session of its body, by
its facilitator (`meeting_to_close`); at its deadline by the worker. The count is recorded and
a passed decision's effects run, each exactly once, in the same transaction — those that stand
in for the two-person rule only with a yes from someone who may be the second person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.democracy import access, counting, effects, notices, sealing, second_person
from solnet.democracy.models import (
    Attendance,
    Ballot,
    Effect,
    Meeting,
    MeetingStatus,
    NoticeKind,
    Participation,
    Proposal,
    Status,
)
from solnet.democracy.services.decisions import _locked
from solnet.members.models import Member

CLOSING_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class InSession:
    """The meeting that closes a vote before its deadline, and who is present at it."""

    meeting: Meeting
    present: int
    needed: int


def meeting_to_close(proposal: Proposal, by: Member) -> InSession:
    """The meeting in session in which `by` may close this vote before its deadline, or a
    ValidationError that says why not. The rule (SECURITY.md): only a meeting of the
    proposal's own body, in session, called with the body's notice, with the proposal on its
    agenda, by its facilitator, and with the body's quorum present — counted from the
    attendance, never from the ballots."""
    meetings = Meeting.objects.filter(
        body=proposal.body,
        status=MeetingStatus.OPEN,
        agenda__proposal=proposal,
        facilitator=by,
    ).select_related("body")
    meeting = meetings.order_by("-opened_at").first()
    if meeting is None:
        raise ValidationError(
            _(
                "A vote closes before its deadline only in a meeting in session of this body, "
                "by its facilitator, with the proposal on the agenda."
            ),
            code="no_meeting",
        )
    if not meeting.gave_notice():
        raise ValidationError(
            _(
                "This meeting was called with less than the body's notice (%(hours)s hours): "
                "it cannot close votes early."
            )
            % {"hours": proposal.body.notice_hours},
            code="short_notice",
        )
    electorate = access.electorate(proposal)
    present = Attendance.objects.filter(meeting=meeting, member__in=electorate.values("pk")).count()
    needed = proposal.body.quorum_needed(electorate.count())
    if present < needed:
        raise ValidationError(
            _(
                "The meeting is not quorate: %(present)s of the %(needed)s needed are marked "
                "present."
            )
            % {"present": present, "needed": needed},
            code="no_quorum",
        )
    return InSession(meeting=meeting, present=present, needed=needed)


@transaction.atomic
def close_proposal(*, proposal: Proposal, by: Member | None = None) -> Proposal:
    """Counts the ballots and records the result; a passed decision's effects run now, each
    exactly once. `by` is the facilitator closing it early in a quorate meeting in session
    (`meeting_to_close`); None when the deadline has come."""
    proposal = _locked(proposal)
    if proposal.status != Status.VOTING:
        raise ValidationError(_("This proposal is not being voted on."), code="not_open")
    session = None
    if by is not None:
        if not (by.is_active and by.is_approved):
            raise PermissionDenied
        session = meeting_to_close(proposal, by)
    elif proposal.closes_at is not None and proposal.closes_at > timezone.now():
        raise ValidationError(_("The vote is still open."), code="still_open")
    if proposal.secret:
        # Opened for the count, in a random order under new keys (undone if the close is).
        sealing.unseal_all(proposal)
    outcome = counting.count(proposal, eligible=access.electorate(proposal).count())
    now = timezone.now()
    status = Status.PASSED if outcome.passed else Status.FAILED
    # The conditional update makes a second close (a racing worker) change nothing.
    changed = Proposal.objects.filter(pk=proposal.pk, status=Status.VOTING).update(
        status=status,
        result=outcome.result,
        turnout=outcome.turnout,
        eligible=outcome.eligible,
        closed_at=now,
        closed_by=by,
        closed_in=session.meeting if session else None,
        present=session.present if session else None,
    )
    if not changed:
        raise ValidationError(_("This proposal has already been decided."), code="closed")
    proposal.refresh_from_db()
    audit.record(
        "democracy.decided",
        actor=by,
        target=proposal,
        result=status,
        turnout=outcome.turnout,
        eligible=outcome.eligible,
        **({"meeting": session.meeting.public_id, "present": session.present} if session else {}),
    )
    if outcome.passed:
        _carry_out(proposal)
    notices.tell(NoticeKind.RESULT, members=access.electorate(proposal), proposal=proposal)
    return proposal


def _carry_out(proposal: Proposal) -> None:
    for effect in proposal.effects.filter(ran_at__isnull=True):
        if not Effect.objects.filter(pk=effect.pk, ran_at__isnull=True).update(
            ran_at=timezone.now()
        ):
            continue
        if not second_person.carried_by_another(proposal, effect):
            # It stands in for the two-person rule, but no yes came from a member who may be
            # the second person: it waits for one, as a two-person request does.
            second_person.wait_for_one(proposal, effect)
            continue
        try:
            with transaction.atomic():
                effects.run(effect.kind, effect.params, proposal)
        except (ValidationError, PermissionDenied) as error:
            message = "; ".join(getattr(error, "messages", [])) or _("It was not allowed.")
            Effect.objects.filter(pk=effect.pk).update(failure=message[:300])
            audit.record("democracy.effect_failed", target=proposal, effect=effect.kind)
        else:
            audit.record("democracy.effect_ran", target=proposal, effect=effect.kind)


def warn_closing_votes() -> int:
    """Those yet to vote on a vote closing within a day are told, once."""
    now = timezone.now()
    warned = 0
    for proposal in Proposal.objects.filter(
        status=Status.VOTING,
        closing_notice_at__isnull=True,
        closes_at__gt=now,
        closes_at__lte=now + CLOSING_SOON,
    ):
        with transaction.atomic():
            if not Proposal.objects.filter(pk=proposal.pk, closing_notice_at__isnull=True).update(
                closing_notice_at=now
            ):
                continue
            voters = access.electorate(proposal)
            rows = Participation if proposal.secret else Ballot
            voted = rows.objects.filter(proposal=proposal).values_list("voter", flat=True)
            notices.tell(
                NoticeKind.CLOSING, members=voters.exclude(pk__in=voted), proposal=proposal
            )
            warned += 1
    return warned


def close_due_proposals() -> int:
    """The worker's round: every vote whose deadline has passed is counted."""
    closed = 0
    for proposal in Proposal.objects.due():
        try:
            close_proposal(proposal=proposal)
        except ValidationError:
            continue
        closed += 1
    return closed
