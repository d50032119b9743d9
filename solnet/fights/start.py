"""What the start page lists from the fights: the deadlines of the member's fights, and for
the organizing team the leads waiting for a call back (registered in the app's ready())."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from solnet.core.start import StartList, register
from solnet.fights import access
from solnet.fights.models import Fight, LeadStatus
from solnet.members.access import is_organizer
from solnet.members.models import Member

DEADLINES_AHEAD = timedelta(days=14)


def fight_deadlines(member: Member) -> QuerySet:
    """Deadlines of the open fights `member` is on the team of or brought, passed or within
    two weeks."""
    until = timezone.localdate() + DEADLINES_AHEAD
    mine = Fight.objects.filter(Q(team__member=member) | Q(subjects__person__member=member))
    return (
        Fight.objects.open()
        .filter(pk__in=mine.values("pk"), deadline__isnull=False, deadline__lte=until)
        .order_by("deadline", "pk")
    )


def leads_to_call(member: Member) -> QuerySet:
    """New leads nobody has called back yet: the member's own first, then nobody's, oldest
    first (someone who called for help should not wait)."""
    return (
        access.visible_leads(member)
        .filter(status=LeadStatus.NEW)
        .filter(Q(callback_owner=member) | Q(callback_owner__isnull=True))
        .order_by("callback_owner", "created_at", "pk")
    )


def register_lists() -> None:
    register(StartList("deadlines", fight_deadlines, "fights/start/deadlines.html", 50))
    register(StartList("leads", leads_to_call, "fights/start/leads.html", 60, is_organizer))
