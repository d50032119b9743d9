"""Test helpers: a meeting in session, as a body would hold one, to close votes early in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from solnet.democracy import access, services
from solnet.democracy.models import (
    AgendaItem,
    AgendaKind,
    Attendance,
    Meeting,
    MeetingStatus,
    Proposal,
)
from solnet.members.models import Member


def meeting_in_session(
    proposal: Proposal, *, facilitator: Member, present: Iterable[Member] | None = None
) -> Meeting:
    """A meeting of the proposal's body, called with the body's notice and now in session,
    with the proposal on its agenda and `present` (everyone with a vote, by default) marked
    present. Made directly in the database: it stands for a meeting held days after it was
    called, which a test cannot wait for."""
    body = proposal.body
    now = timezone.now()
    meeting = Meeting.objects.filter(
        body=body, status=MeetingStatus.OPEN, facilitator=facilitator
    ).first()
    if meeting is None:
        starts = now - timedelta(minutes=5)
        meeting = Meeting.objects.create(
            body=body,
            title="Weekly meeting",
            starts_at=starts,
            created_at=starts - timedelta(hours=body.notice_hours, minutes=1),
            called_by=facilitator,
            facilitator=facilitator,
            status=MeetingStatus.OPEN,
            opened_at=now,
        )
    if not meeting.agenda.filter(proposal=proposal).exists():
        AgendaItem.objects.create(
            meeting=meeting,
            position=meeting.agenda.count() + 1,
            kind=AgendaKind.PROPOSAL,
            title=proposal.title,
            proposal=proposal,
        )
    people = list(access.electorate(proposal)) if present is None else list(present)
    for member in people:
        Attendance.objects.get_or_create(meeting=meeting, member=member)
    return meeting


def close_in_meeting(
    proposal: Proposal, *, by: Member, present: Iterable[Member] | None = None
) -> Proposal:
    """Closes the vote early the only way there is: in a quorate meeting in session, by its
    facilitator."""
    meeting_in_session(proposal, facilitator=by, present=present)
    return services.close_proposal(proposal=proposal, by=by)


def time_until_it_starts(meeting: Meeting) -> Meeting:
    """The days until a called meeting pass: its call and its start move back together, so
    the notice it was called with is kept and it may now open."""
    wait = meeting.starts_at - timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        created_at=meeting.created_at - wait, starts_at=meeting.starts_at - wait
    )
    meeting.refresh_from_db()
    return meeting
