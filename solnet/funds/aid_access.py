"""Who sees and does what with aid requests. The aid pages reach requests and receipts only
through here.

A request is read by its applicant (their own), by the treasurers, and by the members of the
fund's deciding body — but never by a member the applicant declared as a relation (they have
no vote on it and no need to read it). Receipts are downloaded by the treasurers and the
body's members only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from solnet.core.access import deny, get_or_404
from solnet.democracy import access as democracy_access
from solnet.democracy.models import Body
from solnet.funds import aid, aid_payments
from solnet.funds.access import can_keep_books, visible_funds
from solnet.funds.models import AidReceipt, AidRequest, Fund
from solnet.members.access import is_member
from solnet.members.models import Member


def _active(member: Member) -> bool:
    return member.is_active and member.is_approved


def can_ask(member: Member, fund: Fund) -> bool:
    """The member form: an open fund, and a member in good standing (or, for a fund that is
    not for members only, any approved account)."""
    if fund.closed_at is not None or not _active(member):
        return False
    return is_member(member) or not fund.members_only


def get_fund_to_ask_or_404(member: Member, public_id: str) -> Fund:
    fund = get_or_404(visible_funds(member).open(), public_id=public_id)
    if not can_ask(member, fund):
        raise deny()
    return fund


def get_public_fund_or_404(public_id: str) -> Fund:
    """A fund whose public request form is on; the same 404 for any other."""
    return get_or_404(
        Fund.objects.open().filter(public_requests=True, members_only=False),
        public_id=public_id,
    )


def deciding_bodies(member: Member) -> QuerySet[Body]:
    """The funds' deciding bodies in which `member` has a vote."""
    if not _active(member):
        return Body.objects.none()
    bodies = Body.objects.filter(funds__isnull=False).distinct()
    return Body.objects.filter(
        pk__in=[b.pk for b in bodies if democracy_access.electorate_of(b).filter(pk=member.pk)]
    )


def _not_related(member: Member) -> Q:
    return ~Q(relations=member) & ~Q(applicant=member)


def reviewable_requests(member: Member) -> QuerySet[AidRequest]:
    """Requests `member` reviews: every request for a treasurer; for a member of a fund's
    deciding body, that fund's requests but their own and those naming them as a relation."""
    if not _active(member):
        return AidRequest.objects.none()
    if can_keep_books(member):
        return AidRequest.objects.all()
    bodies = deciding_bodies(member)
    return AidRequest.objects.filter(fund__body__in=bodies).filter(_not_related(member)).distinct()


def can_review_any(member: Member) -> bool:
    return can_keep_books(member) or deciding_bodies(member).exists()


def visible_requests(member: Member) -> QuerySet[AidRequest]:
    if not _active(member):
        return AidRequest.objects.none()
    return AidRequest.objects.filter(
        Q(pk__in=reviewable_requests(member).values("pk")) | Q(applicant=member)
    )


def get_request_or_404(member: Member, public_id: str) -> AidRequest:
    return get_or_404(visible_requests(member).select_related("fund"), public_id=public_id)


def get_reviewable_request_or_404(member: Member, public_id: str) -> AidRequest:
    return get_or_404(reviewable_requests(member).select_related("fund"), public_id=public_id)


def can_review(member: Member, request: AidRequest) -> bool:
    return reviewable_requests(member).filter(pk=request.pk).exists()


def get_receipt_or_404(member: Member, public_id: str, receipt_id: str) -> AidReceipt:
    """A receipt, for the treasurers and the deciding body's members only."""
    request = get_reviewable_request_or_404(member, public_id)
    return get_or_404(request.receipts.select_related("file"), public_id=receipt_id)


def can_put_to_vote(member: Member, request: AidRequest) -> bool:
    return aid.may_put_to_vote(member, request)


def can_pay(member: Member, request: AidRequest) -> bool:
    return aid_payments.may_pay(member, request)
