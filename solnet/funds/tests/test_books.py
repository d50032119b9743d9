"""The treasurer's pages: setting up a fund with its rules, moving money between funds,
opening balances, corrections, and the rules and settings that change only with a second
treasurer. Bad input is refused in the person's language and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_member, sign_in
from solnet.core import twoperson
from solnet.core.models import ApprovalRequest, AuditEvent
from solnet.councils.models import Committee, Council
from solnet.democracy.models import Body
from solnet.democracy.services.decisions import body_of_committee
from solnet.funds import ledger, services
from solnet.funds.models import Account, Books, Entry, EntryKind, Fund
from solnet.funds.tests.making import give, make_fund
from solnet.members.models import Member, Role
from solnet.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasurer(personas) -> Member:
    return personas["fund_committee"].member


@pytest.fixture
def second_treasurer() -> Member:
    member, _secret = make_member("second_treasurer", roles=(Role.FUND_COMMITTEE,))
    return member


@pytest.fixture
def books(treasurer) -> Client:
    ledger.open_standard_accounts()
    return sign_in(Client(), treasurer)


def _committee(size: int) -> Committee:
    council = Council.objects.create(name="Acme workers", kind="industrial")
    committee = Committee.objects.create(council=council, name="Strike committee")
    for number in range(size):
        member, _ = make_member(f"committee_{size}_{number}")
        committee.members.add(Person.objects.create(display_name=f"C{number}", member=member))
    return committee


FUND = {
    "name": "Strike fund",
    "kind": "strike",
    "purpose": "Rent and food while Acme's warehouse is on strike.",
    "eligibility": "Members doing two picket shifts a week.",
    "body": "general",
    "decider": "body",
    "cap": "300",
    "cooldown_months": "3",
    "pay_within_days": "7",
    "members_only": "on",
    "applicant_days": "183",
}


def test_a_treasurer_sets_up_a_fund_with_a_committee(books):
    committee = _committee(3)
    response = books.post(reverse("funds:fund_new"), {**FUND, "body": committee.public_id})
    fund = Fund.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("funds:fund", args=[fund.public_id])
    assert fund.cap == 30000 and fund.cooldown_months == 3
    assert fund.body == body_of_committee(committee)
    assert fund.balance_account.kind == "equity"
    assert AuditEvent.objects.filter(action="funds.fund_created").count() == 1
    page = books.get(reverse("funds:fund", args=[fund.public_id]))
    assert "Strike committee" in page.content.decode()


@pytest.mark.parametrize("size", [2, 6])
def test_a_committee_of_fewer_than_three_or_more_than_five_is_refused(books, size):
    committee = _committee(size)
    response = books.post(reverse("funds:fund_new"), {**FUND, "body": committee.public_id})
    assert response.status_code == 422
    assert "3 to 5 members" in response.content.decode()
    assert not Fund.objects.exists()


@pytest.mark.parametrize(
    "cap, english, spanish",
    [
        ("12.345", "USD amounts have at most 2 decimals.", "Los montos en USD"),
        ("-5", "An amount cannot be negative.", "no puede ser negativo"),
        ("0", "An amount must be more than zero.", "mayor que cero"),
        ("lots", "Write an amount such as 25 or 25.50.", "Escribe un monto"),
    ],
)
def test_a_bad_amount_is_refused_in_the_persons_language(books, treasurer, cap, english, spanish):
    response = books.post(reverse("funds:fund_new"), {**FUND, "cap": cap})
    assert response.status_code == 422
    assert english in response.content.decode()
    spanish_client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), treasurer)
    spanish_client.cookies["django_language"] = "es"
    response = spanish_client.post(reverse("funds:fund_new"), {**FUND, "cap": cap})
    assert response.status_code == 422
    assert spanish in response.content.decode()
    assert not Fund.objects.exists()


def test_a_member_sees_the_funds_but_not_the_books(personas):
    fund = make_fund()
    give(fund, 4200)
    member = sign_in(Client(), personas["member"].member)
    assert member.get(reverse("funds:home")).status_code == 200
    page = member.get(reverse("funds:fund", args=[fund.public_id]))
    assert page.status_code == 200 and "$42.00" in page.content.decode()
    for name in ("funds:journal", "funds:accounts", "funds:donation_new", "funds:move"):
        assert member.get(reverse(name)).status_code == 404


def test_money_moves_between_funds_and_never_more_than_a_fund_holds(books):
    strike, hardship = make_fund("Strike"), make_fund("Hardship")
    give(strike, 10000)
    bank = Account.objects.get(code="Assets:Bank")
    too_much = {
        "amount": "100.01",
        "where": bank.public_id,
        "source": strike.public_id,
        "target": hardship.public_id,
        "on": "2026-12-07",
    }
    response = books.post(reverse("funds:move"), too_much)
    assert response.status_code == 422
    assert "holds less than that" in response.content.decode()
    assert Entry.objects.count() == 1
    response = books.post(reverse("funds:move"), {**too_much, "amount": "40"})
    assert response.status_code == 302
    assert ledger.fund_balance(strike) == 6000
    assert ledger.fund_balance(hardship) == 4000
    assert ledger.trial_balance() == 0


def test_an_opening_balance_goes_to_the_fund(books):
    fund = make_fund()
    cash = Account.objects.get(code="Assets:Cash")
    response = books.post(
        reverse("funds:opening"),
        {"amount": "250.50", "where": cash.public_id, "fund": fund.public_id, "on": "2026-12-01"},
    )
    assert response.status_code == 302
    assert ledger.fund_balance(fund) == 25050


def test_a_mistake_is_corrected_by_a_reversal_and_a_decision_is_not(books):
    fund = make_fund()
    mistake = give(fund, 999)
    response = books.post(
        reverse("funds:entry", args=[mistake.public_id]),
        {"why": "Typed the wrong amount", "on": "2026-12-07"},
    )
    assert response.status_code == 302
    assert ledger.fund_balance(fund) == 0
    assert Entry.objects.filter(reverses=mistake, kind=EntryKind.REVERSAL).count() == 1
    decided = ledger.post_entry(
        kind=EntryKind.GRANT,
        date=mistake.date,
        decision="someproposal",
        lines=[
            ledger.Line(ledger.standard_account("Expenses:Grants"), 100, fund),
            ledger.Line(ledger.standard_account("Liabilities:GrantsPayable"), -100, fund),
        ],
    )
    response = books.post(
        reverse("funds:entry", args=[decided.public_id]), {"why": "I disagree", "on": "2026-12-07"}
    )
    assert response.status_code == 422
    assert "only a new decision can undo it" in response.content.decode()
    assert not Entry.objects.filter(reverses=decided).exists()


def test_the_threshold_changes_only_with_a_second_treasurer(books, treasurer, second_treasurer):
    """Attack: one treasurer lifts the two-person threshold to pay a large sum alone."""
    response = books.post(
        reverse("funds:settings"),
        {"two_person_above": "1000000", "donor_days": "365"},
    )
    assert response.status_code == 302
    assert Books.current().two_person_above == 50000  # nothing yet
    approval = ApprovalRequest.objects.get(action=services.SETTINGS_ACTION)
    assert not twoperson.may_approve(treasurer, approval)
    twoperson.approve_request(approval=approval, approver=second_treasurer)
    assert Books.current().two_person_above == 100000000


def test_an_account_the_treasurer_brought_in_is_not_their_second(books, treasurer):
    """Attack: a treasurer approves their own rule change with an account they invited."""
    fund = make_fund(cap=30000)
    sock, _ = make_member("sock_puppet", roles=(Role.FUND_COMMITTEE,))
    Member.objects.filter(pk=sock.pk).update(invited_by=treasurer)
    sock.refresh_from_db()
    response = books.post(
        reverse("funds:fund_rules", args=[fund.public_id]),
        {
            "cap": "5000",
            "cooldown_months": "0",
            "pay_within_days": "7",
            "decider": "body",
            "body": "general",
            "members_only": "on",
        },
    )
    assert response.status_code == 302
    approval = ApprovalRequest.objects.get(action=services.RULES_ACTION)
    assert approval.params["changes"] == {"cap": 500000}
    assert not twoperson.may_approve(sock, approval)
    fund.refresh_from_db()
    assert fund.cap == 30000


def test_a_rules_change_to_a_committee_too_small_is_refused(books):
    fund = make_fund(body=Body.objects.general())
    committee = _committee(2)
    response = books.post(
        reverse("funds:fund_rules", args=[fund.public_id]),
        {
            "cooldown_months": "0",
            "pay_within_days": "7",
            "decider": "body",
            "body": committee.public_id,
            "members_only": "on",
        },
    )
    assert response.status_code == 422
    assert not ApprovalRequest.objects.filter(action=services.RULES_ACTION).exists()


def test_the_journal_lists_entries_a_page_at_a_time(books):
    for amount in range(1, 56):
        give(None, amount)
    first = books.get(reverse("funds:journal"))
    assert first.status_code == 200
    assert first.content.decode().count('href="/funds/journal/') == 50
    second = books.get(reverse("funds:journal") + "?page=2")
    assert second.content.decode().count('href="/funds/journal/') == 5
