"""Who may vouch for whom: the rules that keep one person with accounts they brought in from
acting as two (SECURITY.md, "No single point of betrayal").

- The person who invited a joiner never approves their joining, nor does anyone that person
  invited or approved.
- The second person of the two-person rule is never the requester, nor the one who benefits,
  nor someone the requester invited or approved, nor a member admitted less than the
  network's waiting period ago.
- A member admitted less than the waiting period ago does not vote where a body says so.

While the network has fewer active members than its founding size, the founding members are
not held to the waiting period, so a new network can decide from its first day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from solnet.members.models import JoinApproval, Member
from solnet.network.models import Network


def _active() -> Q:
    return Q(is_active=True, status=Member.Status.ACTIVE)


def in_founding_phase(network: Network | None = None) -> bool:
    network = network or Network.objects.current()
    return Member.objects.filter(_active()).count() < network.founding_size


def settled_cutoff(network: Network | None = None) -> datetime | None:
    """Members admitted at or before this moment have served the waiting period; None while
    nobody is held to it (the founding phase, or a waiting period of 0)."""
    network = network or Network.objects.current()
    if network.waiting_days == 0 or in_founding_phase(network):
        return None
    return timezone.now() - timedelta(days=network.waiting_days)


def settled() -> Q:
    """Members past the waiting period, as a filter on members."""
    cutoff = settled_cutoff()
    if cutoff is None:
        return Q()
    return Q(approved_at__lte=cutoff) | Q(approved_at__isnull=True, joined_at__lte=cutoff)


def is_settled(member: Member) -> bool:
    cutoff = settled_cutoff()
    if cutoff is None:
        return True
    return (member.approved_at or member.joined_at) <= cutoff


def brought_in_by(member_ids: Iterable[int]) -> set[int]:
    """Everyone the given members invited or approved to join: accounts they may control."""
    ids = [pk for pk in member_ids if pk is not None]
    if not ids:
        return set()
    invited = Member.objects.filter(invited_by__in=ids).values_list("pk", flat=True)
    approved = JoinApproval.objects.filter(approver__in=ids).values_list("joiner", flat=True)
    return set(invited) | set(approved)


def may_approve_joiner(approver: Member, joiner: Member) -> bool:
    """The inviter never approves their own invitee, nor does anyone they brought in."""
    if approver.pk == joiner.pk:
        return False
    inviter = joiner.invited_by_id
    if inviter is None:
        return True
    return approver.pk != inviter and approver.pk not in brought_in_by([inviter])


def disqualified_seconds(
    *, requester_ids: Iterable[int], beneficiary_ids: Iterable[int]
) -> set[int]:
    """Members who may not be the second person for this request: the requesters, the
    beneficiaries, and everyone the requesters brought in."""
    requesters = {pk for pk in requester_ids if pk is not None}
    return requesters | {pk for pk in beneficiary_ids if pk is not None} | brought_in_by(requesters)


def may_be_second_person(
    candidate: Member, *, requester_ids: Iterable[int], beneficiary_ids: Iterable[int] = ()
) -> bool:
    if candidate.pk in disqualified_seconds(
        requester_ids=requester_ids, beneficiary_ids=beneficiary_ids
    ):
        return False
    return is_settled(candidate)
