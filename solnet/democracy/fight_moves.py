"""A fight proposed to the meeting is put to it: moving a fight to "Proposed to the meeting"
makes the general meeting's proposal to take it on — method, notice and close from the
body's rules — and puts it on the agenda of the next meeting called."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation

from solnet.core import audit
from solnet.democracy import titles
from solnet.democracy.models import (
    AgendaItem,
    AgendaKind,
    Body,
    EffectKind,
    Meeting,
    MeetingStatus,
    Status,
)
from solnet.fights.stages import Stage
from solnet.network.models import Network

# With no meeting called, the vote stays open a week: until the next weekly meeting.
WITHOUT_A_MEETING = timedelta(days=7)
# A vote on a meeting's agenda closes a few hours after the meeting begins, so the meeting
# can close it in session, and those who could not come have voted by then.
AFTER_THE_MEETING = timedelta(hours=3)


def next_meeting(body: Body) -> Meeting | None:
    now = timezone.now()
    return (
        Meeting.objects.filter(
            body=body,
            status__in=[MeetingStatus.CALLED, MeetingStatus.OPEN],
            starts_at__gte=now - timedelta(hours=12),
        )
        .order_by("starts_at")
        .first()
    )


def put_take_on_to_the_meeting(*, fight, move, by) -> None:
    """The move listener (registered in the app's ready())."""
    if move.target != Stage.PROPOSED or by is None:
        return
    if fight.proposals.filter(
        status__in=[Status.DISCUSSION, Status.VOTING],
        effects__kind=EffectKind.MOVE_FIGHT,
        effects__params__to=Stage.ACCEPTED,
    ).exists():
        return
    from solnet.democracy import services

    body = Body.objects.general()
    now = timezone.now()
    meeting = next_meeting(body)
    # The whole notice from when voting opens, with a minute to spare: `open_voting` measures
    # the notice from its own, later, now.
    earliest = now + timedelta(hours=body.notice_hours, minutes=1)
    if meeting is not None:
        closes_at = max(earliest, meeting.starts_at + AFTER_THE_MEETING)
    else:
        closes_at = max(earliest, now + WITHOUT_A_MEETING)
    # Each reader reads the title in their language; the stored words are the network's.
    title_params = {"fight": fight.public_id}
    with translation.override(Network.objects.current().default_language):
        title = titles.render(titles.TAKE_ON, title_params) or fight.title
    try:
        with transaction.atomic():
            proposal = services.propose(
                body=body,
                by=by,
                title=title,
                title_key=titles.TAKE_ON,
                title_params=title_params,
                effects_wanted=[
                    services.EffectRequest(
                        EffectKind.MOVE_FIGHT, {"fight": fight.public_id, "to": Stage.ACCEPTED}
                    )
                ],
                closes_at=closes_at,
            )
            if meeting is not None:
                AgendaItem.objects.create(
                    meeting=meeting,
                    position=meeting.agenda.count() + 1,
                    kind=AgendaKind.PROPOSAL,
                    title=proposal.title,
                    proposal=proposal,
                    fight=fight,
                )
    except (ValidationError, PermissionDenied):
        # The move stands; the proposal is then made from the move page by hand.
        audit.record("democracy.take_on_not_proposed", actor=by, target=fight)
