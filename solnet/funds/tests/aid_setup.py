"""What the aid tests share: a hardship fund decided by a committee of four (the applicant
among them, to show they get no vote), two treasurers, and money in the bank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from conftest import make_member
from solnet.councils.models import Committee, Council
from solnet.democracy import services as democracy_services
from solnet.democracy.models import Proposal
from solnet.funds import aid, ledger
from solnet.funds import services as books
from solnet.funds.models import AidRequest, EntryKind, Fund, FundKind, Purpose
from solnet.members.models import Member, Role
from solnet.people.services import own_record


@dataclass
class Cast:
    fund: Fund
    applicant: Member
    relation: Member
    voters: list[Member]
    treasurer: Member
    second_treasurer: Member


def later(hours: int = 49):
    return timezone.now() + timedelta(hours=hours)


def make_cast(personas, *, cap: int | None = 30000, cooldown_months: int = 3) -> Cast:
    applicant = personas["member"].member
    treasurer = personas["fund_committee"].member
    second, _ = make_member("second_treasurer", roles=(Role.FUND_COMMITTEE,))
    ana, _ = make_member("ana")
    ben, _ = make_member("ben")
    relation, _ = make_member("rel")
    council = Council.objects.create(name="Greenway Tenants", kind="tenant")
    committee = Committee.objects.create(council=council, name="Hardship committee")
    committee.members.add(*(own_record(member=m) for m in (applicant, ana, ben, relation)))
    fund = books.create_fund(
        by=treasurer,
        name="Hardship fund",
        kind=FundKind.HARDSHIP,
        members_only=True,
        cap=cap,
        cooldown_months=cooldown_months,
        body=democracy_services.body_of_committee(committee),
    )
    bank = ledger.standard_account("Assets:Bank")
    ledger.post_entry(
        kind=EntryKind.DONATION,
        date=date.today(),
        lines=[
            ledger.Line(bank, 500_000, fund),
            ledger.Line(ledger.standard_account("Income:Donations"), -500_000, fund),
        ],
    )
    return Cast(fund, applicant, relation, [ana, ben], treasurer, second)


def ask(cast: Cast, *, amount: int = 25000, **extra) -> AidRequest:
    return aid.ask_for_aid(
        fund=cast.fund,
        by=cast.applicant,
        amount=amount,
        purpose=Purpose.RENT,
        details="Behind on rent since the strike began",
        relations=[cast.relation],
        **extra,
    )


def put(cast: Cast, request: AidRequest, *, by: Member | None = None) -> Proposal:
    return aid.put_to_vote(request=request, by=by or cast.voters[0], closes_at=later())


def deadline_passes(proposal: Proposal) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now() - timedelta(seconds=1))


def vote_and_close(cast: Cast, proposal: Proposal, choice: str = "yes") -> Proposal:
    for voter in cast.voters:
        democracy_services.cast_ballot(proposal=proposal, voter=voter, choice=choice)
    deadline_passes(proposal)
    return democracy_services.close_proposal(proposal=proposal)


def granted(cast: Cast, **extra) -> AidRequest:
    request = ask(cast, **extra)
    vote_and_close(cast, put(cast, request))
    request.refresh_from_db()
    return request
