"""Disbursements: a payment only settles a grant the members decided, and above the network's
threshold a second treasurer — never the one who asked, never the applicant nor a relation
they declared — approves it. No route or service posts an expense without a decision."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import make_member, sign_in
from solnet.core import twoperson
from solnet.core.models import ApprovalRequest, AuditEvent
from solnet.democracy.models import Body, Proposal, Status
from solnet.funds import aid_payments, ledger
from solnet.funds.models import (
    AccountKind,
    AidRequest,
    AidStatus,
    Books,
    Entry,
    EntryKind,
    Fund,
    Leg,
)
from solnet.funds.tests.aid_setup import ask, granted, make_cast, put, vote_and_close
from solnet.members.models import Role, RoleGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(network, personas):
    return make_cast(personas, cap=200_000)


def bank():
    return ledger.standard_account("Assets:Bank")


def payments() -> int:
    return Entry.objects.filter(kind=EntryKind.PAYMENT).count()


def pay(request, by, **extra):
    return aid_payments.pay_grant(
        request=request, account=bank(), method="cheque", reference="CHQ 101", by=by, **extra
    )


def test_a_treasurer_records_a_payment_on_the_page(cast):
    request = granted(cast)
    client = sign_in(Client(), cast.treasurer)
    url = reverse("funds:request", args=[request.public_id])
    assert "Record the payment" in client.get(url).content.decode()
    response = client.post(
        reverse("funds:request_pay", args=[request.public_id]),
        {"account": bank().public_id, "method": "transfer", "reference": "TX 9"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AidStatus.PAID and payments() == 1
    assert request.payment_entry.reference == "TX 9"
    assert AuditEvent.objects.filter(action="funds.aid_paid", actor_id=cast.treasurer.pk).exists()


def test_only_a_granted_request_is_paid(cast):
    request = ask(cast)
    with pytest.raises(ValidationError):
        pay(request, cast.treasurer)
    response = sign_in(Client(), cast.treasurer).post(
        reverse("funds:request_pay", args=[request.public_id]),
        {"account": bank().public_id, "method": "cash"},
    )
    assert response.status_code == 422 and payments() == 0


def test_a_grant_is_paid_once(cast):
    request = granted(cast)
    pay(request, cast.treasurer)
    with pytest.raises(ValidationError):
        pay(request, cast.second_treasurer)
    assert payments() == 1


def test_a_payment_above_the_threshold_waits_for_a_second_treasurer(cast):
    Books.objects.update_or_create(id=1, defaults={"two_person_above": 50000})
    request = granted(cast, amount=60000)
    approval = pay(request, cast.treasurer)
    assert isinstance(approval, ApprovalRequest) and approval.action == aid_payments.PAY_ACTION
    assert payments() == 0
    request.refresh_from_db()
    assert request.status == AidStatus.GRANTED and request.payment_approval == approval
    # The treasurer who asked cannot be the second.
    assert not twoperson.may_approve(cast.treasurer, approval)
    with pytest.raises(PermissionDenied):
        twoperson.approve_request(approval=approval, approver=cast.treasurer)
    # Nor a member who is no treasurer.
    assert not twoperson.may_approve(cast.voters[0], approval)
    # Asking again while it waits is refused.
    with pytest.raises(ValidationError):
        pay(request, cast.treasurer)
    twoperson.approve_request(approval=approval, approver=cast.second_treasurer)
    request.refresh_from_db()
    assert request.status == AidStatus.PAID and payments() == 1
    assert Entry.objects.get(kind=EntryKind.PAYMENT).decision == request.proposal.public_id
    with pytest.raises((ValidationError, PermissionDenied)):
        twoperson.approve_request(approval=approval, approver=cast.second_treasurer)
    assert payments() == 1


@pytest.mark.parametrize("who", ["applicant", "relation"])
def test_the_applicant_and_their_relations_never_approve_nor_pay(cast, who):
    """The applicant (and then a relation) are treasurers too: they neither record the
    payment of the request nor approve it as the second person."""
    Books.objects.update_or_create(id=1, defaults={"two_person_above": 50000})
    barred = cast.applicant if who == "applicant" else cast.relation
    RoleGrant.objects.create(member=barred, role=Role.FUND_COMMITTEE)
    request = granted(cast, amount=60000)
    with pytest.raises(PermissionDenied):
        pay(request, barred)
    response = sign_in(Client(), barred).post(
        reverse("funds:request_pay", args=[request.public_id]),
        {"account": bank().public_id, "method": "cash"},
    )
    assert response.status_code == 404
    approval = pay(request, cast.treasurer)
    assert not twoperson.may_approve(barred, approval)
    with pytest.raises(PermissionDenied):
        twoperson.approve_request(approval=approval, approver=barred)
    assert payments() == 0


def test_below_the_threshold_one_treasurer_pays(cast):
    Books.objects.update_or_create(id=1, defaults={"two_person_above": 50000})
    request = granted(cast, amount=50000)
    assert isinstance(pay(request, cast.treasurer), AidRequest)
    assert payments() == 1


# --- no expense without a decision ----------------------------------------------------------


def _expense_legs_without_a_passed_decision() -> list[Leg]:
    passed = set(Proposal.objects.filter(status=Status.PASSED).values_list("public_id", flat=True))
    return [
        leg
        for leg in Leg.objects.filter(
            account__kind=AccountKind.EXPENSE, fund__isnull=False
        ).select_related("entry")
        if leg.entry.decision not in passed
    ]


def test_every_fund_expense_rests_on_a_passed_decision(cast):
    """After a grant, a refusal, a payment and the treasurers' own services (moving money,
    an opening balance, a correction), every expense of a fund rests on a passed decision."""
    from solnet.funds import services as books

    paid = granted(cast)
    pay(paid, cast.treasurer)
    Fund.objects.filter(pk=cast.fund.pk).update(cooldown_months=0)
    refused = ask(cast, amount=1000)
    vote_and_close(cast, put(cast, refused), choice="no")
    other = books.create_fund(
        by=cast.treasurer, name="Strike fund", kind="strike", body=Body.objects.general()
    )
    books.move_money(
        by=cast.treasurer,
        amount=1000,
        where=bank(),
        source=cast.fund,
        target=other,
        on=date.today(),
    )
    books.record_opening_balance(
        by=cast.treasurer, amount=5000, where=bank(), fund=other, on=date.today()
    )
    # A grant carried out by a decision is not undone by one treasurer.
    with pytest.raises(ValidationError):
        books.correct_entry(by=cast.treasurer, entry=paid.grant_entry, on=date.today(), why="x")
    assert _expense_legs_without_a_passed_decision() == []
    assert Leg.objects.filter(account__kind=AccountKind.EXPENSE).count() == 1


def test_no_aid_service_posts_without_a_decision(cast):
    """Every entry the aid services wrote names the decision behind it."""
    request = granted(cast)
    pay(request, cast.treasurer)
    aid_entries = Entry.objects.filter(kind__in=[EntryKind.GRANT, EntryKind.PAYMENT])
    assert aid_entries.count() == 2
    assert set(aid_entries.values_list("decision", flat=True)) == {request.proposal.public_id}


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_of_one_grant_pay_once(network, personas):
    cast = make_cast(personas, cap=200_000)
    request = granted(cast)
    third, _ = make_member("third_treasurer", roles=(Role.FUND_COMMITTEE,))
    treasurers = [cast.treasurer, cast.second_treasurer, third] * 2
    barrier = threading.Barrier(len(treasurers))
    outcomes: list[str] = []

    def attempt(treasurer) -> None:
        try:
            barrier.wait()
            pay(AidRequest.objects.get(pk=request.pk), treasurer)
            outcomes.append("paid")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # any other failure is what the test counts
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(t,)) for t in treasurers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("paid") == 1, outcomes
    assert payments() == 1
