"""Aid requests granted only by decision: the whole flow, and every way one person tried to
get money the members did not decide — voting on their own request, a relation voting on it,
going round the fund's cap or cooldown, smuggling a grant into another proposal, closing the
same decision many times at once."""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import sign_in
from solnet.core import public_forms, sealed
from solnet.core.models import SealedFile
from solnet.core.retention import purge_expired
from solnet.democracy import access as democracy_access
from solnet.democracy import services as democracy_services
from solnet.democracy import start as democracy_start
from solnet.democracy.models import Ballot, Effect, EffectKind, Proposal, Status
from solnet.funds import aid, aid_payments, ledger
from solnet.funds.models import (
    AidReceipt,
    AidRequest,
    AidStatus,
    Entry,
    EntryKind,
    Fund,
    FundKind,
    Leg,
    Purpose,
)
from solnet.funds.tests.aid_setup import (
    ask,
    deadline_passes,
    granted,
    later,
    make_cast,
    put,
    vote_and_close,
)
from solnet.members import services as member_services
from solnet.members.models import ApiScope

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(network, personas):
    return make_cast(personas)


def grants() -> int:
    return Entry.objects.filter(kind=EntryKind.GRANT).count()


# --- the flow -------------------------------------------------------------------------------


def test_a_request_is_granted_by_the_committees_decision_and_paid(cast):
    request = ask(cast)
    assert request.status == AidStatus.SUBMITTED and grants() == 0
    proposal = put(cast, request)
    request.refresh_from_db()
    assert request.status == AidStatus.VOTING and request.proposal == proposal
    # The proposal names nobody.
    assert "Member" not in proposal.title and request.short_id in proposal.title
    assert proposal.effects.get().params == {"request": request.public_id, "amount": 25000}

    closed = vote_and_close(cast, proposal)

    assert closed.status == Status.PASSED
    request.refresh_from_db()
    assert request.status == AidStatus.GRANTED
    entry = Entry.objects.get(kind=EntryKind.GRANT)
    assert request.grant_entry == entry
    assert entry.decision == proposal.public_id and entry.memo == "Grant for rent"
    legs = {leg.account.code: (leg.amount, leg.fund) for leg in entry.legs.all()}
    assert legs == {
        "Expenses:Grants": (25000, cast.fund),
        "Liabilities:GrantsPayable": (-25000, cast.fund),
    }
    assert request.pay_by == timezone.localdate() + timedelta(days=cast.fund.pay_within_days)

    paid = aid_payments.pay_grant(
        request=request,
        account=ledger.standard_account("Assets:Bank"),
        method="transfer",
        reference="TX-1",
        by=cast.treasurer,
    )
    assert paid.status == AidStatus.PAID
    payment = paid.payment_entry
    assert payment.kind == EntryKind.PAYMENT and payment.decision == proposal.public_id
    payable = ledger.standard_account("Liabilities:GrantsPayable")
    assert ledger.balances([payable]).get(payable.pk, 0) == 0
    assert ledger.trial_balance() == 0
    assert ledger.fund_balance(cast.fund) == 500_000 - 25000


def test_the_grant_is_posted_in_the_closing_transaction(cast):
    """If the close is undone, so is the grant: it is never posted apart from the result."""
    request = ask(cast)
    proposal = put(cast, request)
    for voter in cast.voters:
        democracy_services.cast_ballot(proposal=proposal, voter=voter, choice="yes")
    deadline_passes(proposal)
    with pytest.raises(RuntimeError), transaction.atomic():
        democracy_services.close_proposal(proposal=proposal)
        assert grants() == 1  # inside the closing transaction
        raise RuntimeError("the close fails after the count")
    proposal.refresh_from_db()
    request.refresh_from_db()
    assert grants() == 0 and proposal.status == Status.VOTING
    assert request.status == AidStatus.VOTING and request.grant_entry is None


def test_a_failed_proposal_refuses_the_request(cast, client):
    request = ask(cast)
    vote_and_close(cast, put(cast, request), choice="no")
    assert grants() == 0
    # democracy has no listener on a close: the request follows its proposal when read.
    sign_in(client, cast.applicant)
    response = client.get(reverse("funds:request", args=[request.public_id]))
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == AidStatus.REFUSED


def test_a_withdrawn_proposal_lets_the_request_be_put_again(cast):
    request = ask(cast)
    proposal = put(cast, request)
    democracy_services.withdraw_proposal(proposal=proposal, by=cast.voters[0])
    request = aid.settle(AidRequest.objects.get(pk=request.pk))
    assert request.status == AidStatus.SUBMITTED and request.proposal is None
    put(cast, request)
    request.refresh_from_db()
    assert request.status == AidStatus.VOTING


# --- attacks: who votes ---------------------------------------------------------------------


def _vote_on_page(member, proposal) -> int:
    client = sign_in(Client(), member)
    return client.post(
        reverse("democracy:vote", args=[proposal.public_id]), {"choice": "yes"}
    ).status_code


def _vote_by_api(member, proposal) -> int:
    _token, secret = member_services.create_api_token(
        member=member, name="phone", scopes=[ApiScope.DECISIONS_VOTE], days=1
    )
    return (
        Client()
        .post(
            f"/api/decisions/proposals/{proposal.public_id}/ballot",
            json.dumps({"position": "yes"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        .status_code
    )


@pytest.mark.parametrize("who", ["applicant", "relation"])
@pytest.mark.parametrize("how", [_vote_on_page, _vote_by_api])
def test_the_applicant_and_their_relations_cannot_vote_on_the_request(cast, who, how):
    """Both sit on the deciding committee; neither has a vote on this request, through the
    page or the API. Another member of the committee votes the same way (the control)."""
    request = ask(cast)
    proposal = put(cast, request)
    barred = cast.applicant if who == "applicant" else cast.relation
    status = how(barred, proposal)
    assert status in (403, 404)
    assert not Ballot.objects.filter(proposal=proposal, voter=barred).exists()
    assert not democracy_access.may_vote(barred, proposal)
    assert barred not in democracy_access.electorate(proposal)
    with pytest.raises(PermissionDenied):
        democracy_services.cast_ballot(proposal=proposal, voter=barred, choice="yes")
    # The control: the same request from someone with a vote is counted.
    assert how(cast.voters[0], proposal) in (200, 302)
    assert Ballot.objects.filter(proposal=proposal, voter=cast.voters[0]).exists()


@pytest.mark.parametrize("who", ["applicant", "relation"])
def test_the_start_page_does_not_ask_the_applicant_to_vote_on_their_request(cast, who):
    """The start page lists open votes waiting for the member: not one they have no vote on."""
    proposal = put(cast, ask(cast))
    barred = cast.applicant if who == "applicant" else cast.relation
    assert proposal not in democracy_start.votes_waiting(barred)
    assert proposal in democracy_start.votes_waiting(cast.voters[0])  # the control
    client = sign_in(Client(), barred)
    assert proposal.public_id not in client.get(reverse("home")).content.decode()
    control = sign_in(Client(), cast.voters[0]).get(reverse("home")).content.decode()
    assert proposal.public_id in control


@pytest.mark.parametrize("who", ["applicant", "relation"])
def test_the_applicant_and_their_relations_cannot_put_it_to_the_vote(cast, who):
    """Whoever proposes may also facilitate the vote (and enter ballots given by phone)."""
    request = ask(cast)
    barred = cast.applicant if who == "applicant" else cast.relation
    with pytest.raises(PermissionDenied):
        aid.put_to_vote(request=request, by=barred, closes_at=later())
    response = sign_in(Client(), barred).post(
        reverse("funds:request_vote", args=[request.public_id]),
        {"closes_at": later().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == AidStatus.SUBMITTED and not Proposal.objects.exists()


def test_a_grant_put_into_another_proposal_grants_nothing(cast):
    """A committee member proposes the grant through democracy's own form of proposing,
    not through the request: when it passes, no money is granted."""
    request = ask(cast)
    proposal = democracy_services.propose(
        body=cast.fund.body,
        by=cast.voters[0],
        title="Something else",
        effects_wanted=[
            democracy_services.EffectRequest(
                EffectKind.FUND_GRANT, {"request": request.public_id, "amount": request.amount}
            )
        ],
        closes_at=later(),
    )
    vote_and_close(cast, proposal)
    assert grants() == 0
    assert Effect.objects.get(proposal=proposal).failure


def test_a_grant_for_more_than_the_request_cannot_be_proposed(cast):
    request = ask(cast)
    with pytest.raises(ValidationError):
        democracy_services.propose(
            body=cast.fund.body,
            by=cast.voters[0],
            title="More",
            effects_wanted=[
                democracy_services.EffectRequest(
                    EffectKind.FUND_GRANT, {"request": request.public_id, "amount": 30000}
                )
            ],
        )


def test_another_body_cannot_grant_from_the_fund(cast, organizer):
    from solnet.democracy.models import Body

    request = ask(cast)
    with pytest.raises(ValidationError):
        democracy_services.propose(
            body=Body.objects.general(),
            by=organizer,
            title="From the general meeting",
            effects_wanted=[
                democracy_services.EffectRequest(
                    EffectKind.FUND_GRANT, {"request": request.public_id, "amount": 25000}
                )
            ],
        )


def test_a_treasurer_outside_the_committee_is_told_to_ask_its_members(cast):
    request = ask(cast)
    with pytest.raises(ValidationError) as refused:
        aid.put_to_vote(request=request, by=cast.treasurer, closes_at=later())
    assert "Hardship committee" in " ".join(refused.value.messages)


# --- attacks: the fund's rules --------------------------------------------------------------


def test_more_than_the_cap_is_refused_when_asked(cast, client):
    with pytest.raises(ValidationError) as refused:
        ask(cast, amount=30001)
    assert "at most" in str(refused.value)
    sign_in(client, cast.applicant)
    response = client.post(
        reverse("funds:ask", args=[cast.fund.public_id]),
        {"amount": "300.01", "purpose": "rent", "pay_to": "person"},
    )
    assert response.status_code == 422 and not AidRequest.objects.exists()


def test_a_cap_lowered_before_the_close_is_checked_again(cast):
    request = ask(cast)
    proposal = put(cast, request)
    Fund.objects.filter(pk=cast.fund.pk).update(cap=20000)
    vote_and_close(cast, proposal)
    assert grants() == 0
    assert "at most" in Effect.objects.get(proposal=proposal).failure
    request = aid.settle(AidRequest.objects.get(pk=request.pk))
    assert request.status == AidStatus.REFUSED


def test_a_second_grant_within_the_cooldown_is_refused_when_asked(cast):
    first = granted(cast)
    assert first.status == AidStatus.GRANTED
    with pytest.raises(ValidationError) as refused:
        ask(cast, amount=1000)
    assert "one grant per 3 months" in str(refused.value)


def test_the_cooldown_is_checked_again_at_the_close(cast):
    Fund.objects.filter(pk=cast.fund.pk).update(cooldown_months=0)
    cast.fund.refresh_from_db()
    granted(cast)
    second = ask(cast, amount=1000)
    proposal = put(cast, second)
    Fund.objects.filter(pk=cast.fund.pk).update(cooldown_months=3)
    vote_and_close(cast, proposal)
    assert grants() == 1
    assert "one grant per 3 months" in Effect.objects.get(proposal=proposal).failure


def test_a_closed_fund_takes_no_requests(cast):
    Fund.objects.filter(pk=cast.fund.pk).update(closed_at=timezone.now())
    cast.fund.refresh_from_db()
    with pytest.raises(ValidationError):
        ask(cast)


def test_a_supporter_cannot_ask_a_members_only_fund(cast, personas, client):
    supporter = personas["supporter"].member
    with pytest.raises(ValidationError):
        aid.ask_for_aid(fund=cast.fund, by=supporter, amount=1000, purpose=Purpose.FOOD)
    sign_in(client, supporter)
    assert client.get(reverse("funds:ask", args=[cast.fund.public_id])).status_code == 404


# --- K closes at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_closes_of_the_same_decision_grant_once(network, personas):
    cast = make_cast(personas)
    request = ask(cast)
    proposal = put(cast, request)
    for voter in cast.voters:
        democracy_services.cast_ballot(proposal=proposal, voter=voter, choice="yes")
    deadline_passes(proposal)
    k = 6
    barrier = threading.Barrier(k)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            democracy_services.close_proposal(proposal=Proposal.objects.get(pk=proposal.pk))
            outcomes.append("closed")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # any other failure is what the test counts
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(k)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("closed") == 1, outcomes
    assert outcomes.count("refused") == k - 1, outcomes
    assert grants() == 1
    request.refresh_from_db()
    assert request.status == AidStatus.GRANTED
    assert Leg.objects.filter(account__code="Expenses:Grants").count() == 1


# --- the public form ------------------------------------------------------------------------


@pytest.fixture
def mutual_aid(network, personas):
    from solnet.democracy.models import Body
    from solnet.funds import services as books

    return books.create_fund(
        by=personas["fund_committee"].member,
        name="Neighbours' fund",
        kind=FundKind.MUTUAL_AID,
        members_only=False,
        public_requests=True,
        cap=10000,
        cooldown_months=3,
        body=Body.objects.general(),
    )


def _public_post(client, fund, **overrides):
    data = {
        "chosen_name": "Rosa",
        "contact": "+1 206 555 0142",
        "amount": "80",
        "purpose": "food",
        "pay_to": "person",
        "details": "Two kids, no pay this week",
        "website": "",
        "started": signing.dumps(time.time() - 30, salt=public_forms.SALT),
        **overrides,
    }
    return client.post(reverse("funds:ask_public", args=[fund.public_id]), data)


def test_anyone_asks_a_mutual_aid_fund_without_an_account(mutual_aid, client):
    assert client.get(reverse("funds:ask_public", args=[mutual_aid.public_id])).status_code == 200
    response = _public_post(client, mutual_aid)
    assert response.status_code == 302
    request = AidRequest.objects.get()
    assert request.applicant is None and request.chosen_name == "Rosa"
    assert request.contact == "+1 206 555 0142" and request.contact_index
    # The contact is encrypted in the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM funds_aidrequest")
        assert "555" not in cursor.fetchone()[0]


def test_the_public_form_holds_the_cooldown_by_contact(mutual_aid, client, organizer):
    _public_post(client, mutual_aid)
    first = AidRequest.objects.get()
    # Granted straight in the books (as the general meeting's decision would).
    entry = ledger.post_entry(
        kind=EntryKind.GRANT,
        date=timezone.localdate(),
        lines=[
            ledger.Line(ledger.standard_account("Expenses:Grants"), 8000, mutual_aid),
            ledger.Line(ledger.standard_account("Liabilities:GrantsPayable"), -8000, mutual_aid),
        ],
        decision="test",
    )
    AidRequest.objects.filter(pk=first.pk).update(status=AidStatus.GRANTED, grant_entry=entry)
    response = _public_post(client, mutual_aid, contact="+12065550142", chosen_name="R.")
    assert response.status_code == 422
    assert AidRequest.objects.count() == 1
    assert "one grant per 3 months" in response.content.decode()


def test_the_public_form_is_only_for_funds_that_open_it(cast, client):
    assert client.get(reverse("funds:ask_public", args=[cast.fund.public_id])).status_code == 404


# --- receipts -------------------------------------------------------------------------------


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (8, 6), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (47.0, 36.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_receipts_are_sealed_without_metadata_and_read_only_by_reviewers(cast, client):
    photo = _photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif()  # the upload carries EXIF and GPS
    sign_in(client, cast.applicant)
    upload = io.BytesIO(photo)
    upload.name = "Rosa_Perez_eviction.jpg"
    response = client.post(
        reverse("funds:ask", args=[cast.fund.public_id]),
        {
            "amount": "250",
            "purpose": "rent",
            "pay_to": "creditor",
            "creditor_name": "Acme Property LLC",
            "creditor_details": "Account 12345, ref unit 4B",
            "relations": "rel",
            "receipt": upload,
        },
    )
    assert response.status_code == 302
    request = AidRequest.objects.get()
    assert list(request.relations.all()) == [cast.relation]
    receipt = AidReceipt.objects.get()
    assert receipt.file.filename.startswith("receipt-")  # the upload's name is not kept
    on_disk = sealed.path_of(receipt.file).read_bytes()
    assert b"PhoneMaker" not in on_disk and photo[:64] not in on_disk
    url = reverse("funds:request_receipt", args=[request.public_id, receipt.public_id])
    # Not the applicant, nor a relation: the committee and the treasurers.
    assert client.get(url).status_code == 404
    assert sign_in(Client(), cast.relation).get(url).status_code == 404
    for reviewer in (cast.voters[0], cast.treasurer):
        response = sign_in(Client(), reviewer).get(url)
        assert response.status_code == 200
        kept = b"".join(response.streaming_content)
        assert b"PhoneMaker" not in kept
        assert not Image.open(io.BytesIO(kept)).getexif()


# --- retention ------------------------------------------------------------------------------


def test_retention_strips_the_applicant_and_keeps_the_books(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    photo = _photo_with_gps()
    request = granted(
        cast,
        pay_to="creditor",
        creditor_name="Acme Property LLC",
        creditor_details="Account 12345",
        eviction_notice=True,
        receipts=[photo],
    )
    receipt = AidReceipt.objects.get()
    path = sealed.path_of(receipt.file)
    assert path.exists()
    assert purge_expired().get("funds.AidRequest") is None  # not yet
    real_now = timezone.now
    days = cast.fund.applicant_days
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=days, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        results = purge_expired()
    monkeypatch.undo()
    assert results["funds.AidRequest"] == 1
    request.refresh_from_db()
    assert request.applicant is None and request.chosen_name == "" and request.contact is None
    assert request.details is None and request.creditor_name is None
    assert request.creditor_details is None and not request.eviction_notice
    assert request.stripped_at is not None
    assert not request.relations.exists()
    assert not AidReceipt.objects.exists() and not SealedFile.objects.exists()
    # The books stay: the amount, the purpose, the dates, the grant.
    assert request.amount == 25000 and request.purpose == Purpose.RENT
    assert request.status == AidStatus.GRANTED and request.grant_entry is not None
    assert Entry.objects.filter(kind=EntryKind.GRANT).count() == 1
    assert not path.exists()  # key and bytes gone with the row
    assert purge_expired().get("funds.AidRequest") is None  # nothing left to strip


def test_a_vote_cannot_outlast_the_applicants_details(cast):
    """Once the applicant is forgotten, nothing would keep them from voting on it."""
    Fund.objects.filter(pk=cast.fund.pk).update(applicant_days=30)
    cast.fund.refresh_from_db()
    request = ask(cast)
    with pytest.raises(ValidationError):
        aid.put_to_vote(
            request=request,
            by=cast.voters[0],
            closes_at=request.forget_at + timedelta(hours=1),
        )
