"""Who sees and does what with the network's money. Views and the API reach funds, entries
and donations only through here.

Every member sees every fund and its report (where the money went, never whose). The books
themselves — entries, donations, donors who chose to be named — are kept by the members the
network gave the fund-committee role (its treasurers), who sign in with a second factor.
"""

from __future__ import annotations

from django.db.models import QuerySet

from solnet.core.access import get_or_404
from solnet.funds.models import Account, Donation, Entry, Fund
from solnet.members.access import is_member
from solnet.members.models import Member, Role


def can_see_funds(member: Member) -> bool:
    return is_member(member)


def can_keep_books(member: Member) -> bool:
    """A treasurer: an approved, active member holding the fund-committee role."""
    return member.is_active and member.is_approved and Role.FUND_COMMITTEE in member.role_set()


def visible_funds(member: Member) -> QuerySet[Fund]:
    if can_see_funds(member) or can_keep_books(member):
        return Fund.objects.all()
    return Fund.objects.none()


def get_fund_or_404(member: Member, public_id: str) -> Fund:
    return get_or_404(visible_funds(member), public_id=public_id)


def books_accounts(member: Member) -> QuerySet[Account]:
    return Account.objects.all() if can_keep_books(member) else Account.objects.none()


def get_account_or_404(member: Member, public_id: str) -> Account:
    return get_or_404(books_accounts(member), public_id=public_id)


def books_entries(member: Member) -> QuerySet[Entry]:
    return Entry.objects.all() if can_keep_books(member) else Entry.objects.none()


def get_entry_or_404(member: Member, public_id: str) -> Entry:
    return get_or_404(books_entries(member), public_id=public_id)


def books_donations(member: Member) -> QuerySet[Donation]:
    return Donation.objects.all() if can_keep_books(member) else Donation.objects.none()


def get_donation_or_404(member: Member, public_id: str) -> Donation:
    return get_or_404(books_donations(member), public_id=public_id)


# --- the public donation pages (no account) ---------------------------------------------------


def givable_funds() -> QuerySet[Fund]:
    """Funds anyone may give to online, without an account: open, with a public page."""
    return Fund.objects.taking_donations()


def get_givable_fund_or_404(public_id: str) -> Fund:
    return get_or_404(givable_funds(), public_id=public_id)
