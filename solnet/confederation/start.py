"""What the start page lists from confederation: allies' requests for turnout that wait for
an answer, for the organizing team (registered in the app's ready())."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from solnet.confederation import access
from solnet.confederation.models import Answer, IncomingRequest
from solnet.core.start import StartList, register
from solnet.members.models import Member


def requests_waiting(member: Member) -> QuerySet:
    """Allies' requests not answered, called off or past, soonest first."""
    if not access.can_manage_peers(member):
        return IncomingRequest.objects.none()
    return (
        IncomingRequest.objects.filter(
            answer=Answer.WAITING, stood_down_at__isnull=True, starts_at__gt=timezone.now()
        )
        .select_related("peer")
        .order_by("starts_at", "pk")
    )


def register_lists() -> None:
    register(
        StartList(
            "allies_requests",
            requests_waiting,
            "confederation/start/requests.html",
            35,
            access.can_manage_peers,
        )
    )
