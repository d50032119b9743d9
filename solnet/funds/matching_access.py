"""Who sees and does what in donor-to-striker matching. The matching pages reach strike
funds, strikers, pledges and matches only through here.

Every member sees a strike fund's matching page and its totals; a member may ask to receive
and may pledge. Strikers are verified by a delegate (the organizing team) or a treasurer —
never by themselves nor by someone they brought in (`matching.may_verify`). Rounds are run by
a treasurer. A donor sees their own matches (what the striker chose to share), a striker
theirs ("a supporter" unless the donor chose to be named). A public donor reaches their match
only through the secret link in their notice.
"""

from __future__ import annotations

from django.db.models import QuerySet

from solnet.core.access import get_or_404
from solnet.funds.access import can_keep_books, visible_funds
from solnet.funds.models import Fund, FundKind, Match, MatchPledge, Recipient
from solnet.members.access import is_member, is_organizer
from solnet.members.models import Member


def strike_funds(member: Member) -> QuerySet[Fund]:
    return visible_funds(member).filter(kind=FundKind.STRIKE)


def get_strike_fund_or_404(member: Member, public_id: str) -> Fund:
    return get_or_404(strike_funds(member), public_id=public_id)


def can_ask_to_receive(member: Member, fund: Fund) -> bool:
    return is_member(member) and fund.closed_at is None


def can_pledge(member: Member, fund: Fund) -> bool:
    return is_member(member) and fund.closed_at is None


def can_verify(member: Member) -> bool:
    """A delegate (the organizing team) or a treasurer."""
    return is_organizer(member) or can_keep_books(member)


def can_run_rounds(member: Member) -> bool:
    return can_keep_books(member)


def reviewable_recipients(member: Member, fund: Fund) -> QuerySet[Recipient]:
    if not can_verify(member):
        return Recipient.objects.none()
    return Recipient.objects.filter(fund=fund)


def get_recipient_or_404(member: Member, public_id: str) -> Recipient:
    if not can_verify(member):
        return get_or_404(Recipient.objects.none(), pk=0)
    return get_or_404(
        Recipient.objects.filter(fund__in=strike_funds(member)).select_related("fund"),
        public_id=public_id,
    )


def own_recipient(member: Member, fund: Fund) -> Recipient | None:
    return Recipient.objects.filter(fund=fund, member=member).order_by("-created_at", "-pk").first()


def get_own_recipient_or_404(member: Member, public_id: str) -> Recipient:
    return get_or_404(Recipient.objects.filter(member=member), public_id=public_id)


def own_pledges(member: Member, fund: Fund) -> QuerySet[MatchPledge]:
    return MatchPledge.objects.filter(fund=fund, donor=member)


def get_own_pledge_or_404(member: Member, public_id: str) -> MatchPledge:
    return get_or_404(MatchPledge.objects.filter(donor=member), public_id=public_id)


def matches_as_donor(member: Member, fund: Fund) -> QuerySet[Match]:
    return Match.objects.filter(pledge__donor=member, round__fund=fund).select_related(
        "recipient", "round"
    )


def matches_as_recipient(member: Member, fund: Fund) -> QuerySet[Match]:
    return Match.objects.filter(recipient__member=member, round__fund=fund).select_related(
        "pledge", "round"
    )


def get_donor_match_or_404(member: Member, public_id: str) -> Match:
    return get_or_404(
        Match.objects.filter(pledge__donor=member).select_related("round__fund"),
        public_id=public_id,
    )


def get_recipient_match_or_404(member: Member, public_id: str) -> Match:
    return get_or_404(
        Match.objects.filter(recipient__member=member).select_related("round__fund"),
        public_id=public_id,
    )


# --- the public pledge page ---------------------------------------------------------------


def public_pledges_open(fund: Fund) -> bool:
    return fund.kind == FundKind.STRIKE and fund.closed_at is None and fund.public_donations


def get_public_strike_fund_or_404(public_id: str) -> Fund:
    """An open strike fund whose public page is on; the same 404 for any other."""
    return get_or_404(
        Fund.objects.taking_donations().filter(kind=FundKind.STRIKE), public_id=public_id
    )
