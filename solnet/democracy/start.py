"""What the start page lists from direct democracy: votes waiting for the member's vote, and
the notices about decisions they have not seen (registered in the app's ready())."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from solnet.core.start import StartList, register
from solnet.democracy import access, conflicts, notices
from solnet.democracy.models import Ballot, Participation, Status
from solnet.members.models import Member


def votes_waiting(member: Member) -> QuerySet:
    """Open votes `member` has a say in and has not voted on, closing soonest first: not one
    that is about them (an aid request of theirs or of a relation), where they have no vote."""
    open_votes = (
        access.votable_by(member)
        .filter(status=Status.VOTING, closes_at__gt=timezone.now())
        .exclude(Exists(Ballot.objects.filter(proposal=OuterRef("pk"), voter=member)))
        .exclude(Exists(Participation.objects.filter(proposal=OuterRef("pk"), voter=member)))
    )
    # Only open votes with an effect that can bar anyone are read one by one (few at a time).
    may_bar = open_votes.filter(effects__kind__in=conflicts.kinds()).distinct()
    barred = [
        proposal.pk
        for proposal in may_bar.prefetch_related("effects")
        if member.pk in conflicts.conflicted(proposal)
    ]
    return (
        open_votes.exclude(pk__in=barred)
        # Each card names the body, which is named after its council, fight or committee.
        .select_related("body__council", "body__fight", "body__committee", "fight")
        .order_by("closes_at", "pk")
    )


def register_lists() -> None:
    register(StartList("votes", votes_waiting, "democracy/start/votes.html", 10))
    register(StartList("notices", notices.unread, "democracy/start/notices.html", 90))
