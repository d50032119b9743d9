"""Donor-to-striker matching: verification by someone else than the striker and those they
brought in, deterministic rounds that can be run again without matching twice, what each side
sees, confirmations, the public pledge, K identical pledges at once, and retention."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.public_forms import SALT
from solnet.core.retention import purge_expired
from solnet.funds import matching
from solnet.funds.models import Entry, Match, MatchPledge, MatchRound, Recipient
from solnet.funds.tests.making import make_fund
from solnet.members.models import Member


def _donor() -> Member:
    """A member who gives (the phone-tree persona sees no funds: members do)."""
    found = Member.objects.filter(username="pat_giver").first()
    return found or make_member("pat_giver")[0]


def _started() -> str:
    return signing.dumps(timezone.now().timestamp() - 10, salt=SALT)


@pytest.fixture
def fund(network):
    return make_fund("Acme strike fund", kind="strike", public_donations=True)


@pytest.fixture
def treasurer(personas):
    return personas["fund_committee"].member


def _striker(fund, member, need, name, handle="@pay-" + "x"):
    return matching.ask_to_receive(
        fund=fund, by=member, shown_name=name, payment_handle=handle, need=need
    )


def _verified(fund, member, need, name, by):
    recipient = _striker(fund, member, need, name, handle=f"@{name.lower()}")
    return matching.verify_recipient(recipient=recipient, by=by, verified=True)


# --- verification -----------------------------------------------------------------------------


def test_a_striker_cannot_verify_themself_nor_be_verified_by_their_invitee(fund, personas):
    organizer = personas["organizer"].member
    striker = organizer  # an organizer may verify others, never themself
    recipient = _striker(fund, striker, 30000, "Sam")
    with pytest.raises(ValidationError):
        matching.verify_recipient(recipient=recipient, by=organizer, verified=True)
    invitee, _ = make_member("invitee", roles=("fund_committee",))
    Member.objects.filter(pk=invitee.pk).update(invited_by=striker)
    invitee.refresh_from_db()
    assert not matching.may_verify(invitee, recipient)
    with pytest.raises(ValidationError):
        matching.verify_recipient(recipient=recipient, by=invitee, verified=True)
    with pytest.raises(PermissionDenied):  # a plain member is no delegate
        matching.verify_recipient(recipient=recipient, by=personas["member"].member, verified=True)
    done = matching.verify_recipient(
        recipient=recipient, by=personas["fund_committee"].member, verified=True
    )
    assert done.status == "verified" and done.verified_by == personas["fund_committee"].member


def test_a_member_asks_once_to_receive(fund, personas):
    _striker(fund, personas["member"].member, 1000, "Ana")
    with pytest.raises(ValidationError):
        _striker(fund, personas["member"].member, 2000, "Ana")


def test_matching_is_only_for_strike_funds(network, personas):
    hardship = make_fund("Hardship", kind="hardship")
    with pytest.raises(ValidationError):
        _striker(hardship, personas["member"].member, 1000, "Ana")


# --- rounds -----------------------------------------------------------------------------------


def _cast(fund, personas, treasurer):
    """Three strikers (needs 300, 200, 100) and pledges of 250, 100, 200 (oldest first)."""
    organizer = personas["organizer"].member
    strikers = [
        _verified(fund, personas["member"].member, 30000, "Ana", organizer),
        _verified(fund, personas["dispatcher"].member, 20000, "Ben", organizer),
        _verified(fund, personas["fight_team"].member, 10000, "Cy", organizer),
    ]
    donor = _donor()
    pledges = []
    for i, amount in enumerate((25000, 10000, 20000)):
        pledge = matching.pledge(fund=fund, by=donor, amount=amount, key=f"k{i}")
        MatchPledge.objects.filter(pk=pledge.pk).update(
            created_at=timezone.now() - timedelta(minutes=10 - i)
        )
        pledges.append(pledge)
    return strikers, pledges


def test_a_round_matches_largest_need_first_splitting_pledges(fund, personas, treasurer):
    (ana, ben, cy), (p1, p2, p3) = _cast(fund, personas, treasurer)
    done = matching.run_round(fund=fund, by=treasurer)
    got = [(m.pledge_id, m.recipient_id, m.amount) for m in Match.objects.order_by("pk")]
    # p1 (250): Ana 300 → 50 left. p2 (100): Ben 200 → 100. p3 (200): Ben 100, Cy 100, Ana 0?
    # After p1 Ana has 50, Ben 200, Cy 100: p2 goes to Ben (100 left); p3 to Ben 100 (ties by
    # verified order: Ben before Cy), then Cy 100.
    assert got == [
        (p1.pk, ana.pk, 25000),
        (p2.pk, ben.pk, 10000),
        (p3.pk, ben.pk, 10000),
        (p3.pk, cy.pk, 10000),
    ]
    assert done.number == 1
    # Nothing new: a second run matches nothing and makes no round.
    with pytest.raises(ValidationError):
        matching.run_round(fund=fund, by=treasurer)
    assert MatchRound.objects.count() == 1 and Match.objects.count() == 4
    # A new pledge: the next round gives Ana the 50 she still needs, nothing twice.
    matching.pledge(fund=fund, by=_donor(), amount=9000, key="k9")
    second = matching.run_round(fund=fund, by=treasurer)
    assert [(m.recipient_id, m.amount) for m in second.matches.all()] == [(ana.pk, 5000)]
    assert Entry.objects.count() == 0  # the network holds no money


def test_the_same_rows_plan_the_same_round(fund, personas, treasurer):
    _cast(fund, personas, treasurer)
    first = [(p.pk, r.pk, a) for p, r, a in matching.plan_round(fund)]
    assert first == [(p.pk, r.pk, a) for p, r, a in matching.plan_round(fund)]


def test_only_a_treasurer_runs_a_round(fund, personas, treasurer):
    _cast(fund, personas, treasurer)
    with pytest.raises(PermissionDenied):
        matching.run_round(fund=fund, by=personas["organizer"].member)


@pytest.mark.django_db(transaction=True)
def test_concurrent_rounds_match_once(network):
    fund = make_fund("Strike", kind="strike")
    treasurers = [make_member(f"t{i}", roles=("fund_committee",))[0] for i in range(4)]
    striker = make_member("striker")[0]
    recipient = _striker(fund, striker, 10000, "Sam")
    matching.verify_recipient(recipient=recipient, by=treasurers[0], verified=True)
    matching.pledge(fund=fund, by=treasurers[1], amount=10000, key="a")
    barrier = threading.Barrier(len(treasurers))
    outcomes: list[str] = []

    def attempt(treasurer) -> None:
        try:
            barrier.wait()
            matching.run_round(fund=fund, by=treasurer)
            outcomes.append("ran")
        except ValidationError:
            outcomes.append("nothing")
        except Exception as error:  # counted below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(t,)) for t in treasurers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["nothing"] * 3 + ["ran"], outcomes
    assert Match.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_public_pledges_give_one_pledge(network, figures):
    fund = make_fund("Strike", kind="strike", public_donations=True)
    k = 6
    url = reverse("funds:match_public", args=[fund.public_id])
    data = {
        "amount": "25",
        "email": "donor@example.org",
        "key": "one-form",
        "started": _started(),
    }
    clients = [Client(raise_request_exception=False) for _ in range(k)]
    barrier = threading.Barrier(k)
    statuses: list[int] = []

    def attempt(client) -> None:
        try:
            barrier.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count = MatchPledge.objects.filter(fund=fund).count()
    figures("R-4.duplicate_match_pledges", count - 1, unit="pledges", target="0", ok=count == 1)
    assert all(status == 302 for status in statuses), statuses
    assert count == 1


# --- what each side sees ----------------------------------------------------------------------


def test_each_side_sees_only_what_the_other_chose(
    client, fund, personas, treasurer, django_capture_on_commit_callbacks
):
    striker = make_member("rosalind_striker", email="rosalind@example.org")[0]
    recipient = _striker(fund, striker, 10000, "Ana", handle="@ana-pays")
    matching.verify_recipient(recipient=recipient, by=personas["organizer"].member, verified=True)
    donor = _donor()
    matching.pledge(fund=fund, by=donor, amount=4000, key="a")
    matching.pledge(
        fund=fund,
        by=personas["dispatcher"].member,
        amount=3000,
        key="b",
        named=True,
        donor_name="Dee",
    )
    matching.pledge_publicly(fund=fund, amount=2000, email="pub@example.org", key="c")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        matching.run_round(fund=fund, by=treasurer)

    sign_in(client, donor)
    page = client.get(reverse("funds:matching", args=[fund.public_id])).content.decode()
    assert "Ana" in page and "@ana-pays" in page
    assert striker.display_name not in page and striker.email not in page

    sign_in(client, striker)
    page = client.get(reverse("funds:matching", args=[fund.public_id])).content.decode()
    assert "a supporter" in page and "Dee" in page
    assert donor.display_name not in page and "pub@example.org" not in page

    # The public donor's notice carries what the striker shared and a link to confirm.
    [notice] = [m for m in mail.outbox if m.to == ["pub@example.org"]]
    assert "Ana" in notice.body and "@ana-pays" in notice.body
    assert striker.display_name not in notice.body
    token = notice.body.rstrip().rsplit("/", 2)[-2]
    client.logout()
    link = reverse("funds:match_donor", args=[token])
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert client.get(reverse("funds:match_donor", args=["made-up"])).status_code == 404
    # The email went with the round.
    assert MatchPledge.objects.get(key="c").donor_email is None


def test_both_sides_confirm_and_a_late_match_shows(client, fund, personas, treasurer):
    striker = personas["member"].member
    recipient = _striker(fund, striker, 10000, "Ana")
    matching.verify_recipient(recipient=recipient, by=personas["organizer"].member, verified=True)
    donor = _donor()
    matching.pledge(fund=fund, by=donor, amount=4000, key="a")
    matching.run_round(fund=fund, by=treasurer, confirm_days=3)
    match = Match.objects.get()
    sign_in(client, striker)
    assert client.post(reverse("funds:match_sent", args=[match.public_id])).status_code == 404
    sign_in(client, donor)
    assert client.post(reverse("funds:match_sent", args=[match.public_id])).status_code == 302
    assert matching.totals(fund)["sent_count"] == 1
    MatchRound.objects.update(run_at=timezone.now() - timedelta(days=4))
    match.refresh_from_db()
    assert match.overdue
    assert matching.totals(fund)["overdue_count"] == 1
    sign_in(client, striker)
    assert client.post(reverse("funds:match_received", args=[match.public_id])).status_code == 302
    match.refresh_from_db()
    assert match.confirmed and not match.overdue
    figures = matching.totals(fund)
    assert (figures["matched_count"], figures["matched_sum"]) == (1, 4000)
    assert (figures["confirmed_count"], figures["confirmed_sum"]) == (1, 4000)


def test_pages_verify_and_run_rounds(client, fund, personas, treasurer):
    striker = personas["member"].member
    sign_in(client, striker)
    response = client.post(
        reverse("funds:match_receive", args=[fund.public_id]),
        {"shown_name": "Ana", "payment_handle": "@ana", "need": "100"},
    )
    assert response.status_code == 302
    recipient = Recipient.objects.get()
    assert recipient.need == 10000
    # The striker cannot reach the verifying page at all.
    verify = reverse("funds:match_verify", args=[recipient.public_id])
    assert client.post(verify, {"decision": "verify"}).status_code == 404
    sign_in(client, treasurer)
    assert client.get(reverse("funds:match_recipients", args=[fund.public_id])).status_code == 200
    assert client.post(verify, {"decision": "verify"}).status_code == 302
    round_url = reverse("funds:match_round", args=[fund.public_id])
    assert client.post(round_url, {"confirm_days": "7"}).status_code == 422  # no pledges
    sign_in(client, _donor())
    pledge_url = reverse("funds:match_pledge", args=[fund.public_id])
    assert client.post(pledge_url, {"amount": "40", "key": "f1"}).status_code == 302
    assert client.post(pledge_url, {"amount": "-4", "key": "f2"}).status_code == 422
    sign_in(client, treasurer)
    assert client.post(round_url, {"confirm_days": "7"}).status_code == 302
    assert Match.objects.get().amount == 4000


def test_the_public_page_needs_the_fund_public(client, network):
    private = make_fund("Quiet strike", kind="strike")
    assert client.get(reverse("funds:match_public", args=[private.public_id])).status_code == 404


# --- retention --------------------------------------------------------------------------------


def test_who_gave_and_who_received_go_and_the_sums_stay(fund, personas, treasurer):
    recipient = _striker(fund, personas["member"].member, 10000, "Ana", handle="@ana")
    matching.verify_recipient(recipient=recipient, by=personas["organizer"].member, verified=True)
    matching.pledge(fund=fund, by=_donor(), amount=4000, key="a", named=True, donor_name="Pat")
    matching.pledge_publicly(fund=fund, amount=1000, email="x@example.org", key="b")
    matching.run_round(fund=fund, by=treasurer)
    past = timezone.now() - timedelta(days=1)
    Recipient.objects.update(forget_at=past)
    MatchPledge.objects.update(forget_at=past)
    purge_expired()
    recipient.refresh_from_db()
    assert (recipient.member, recipient.shown_name, recipient.payment_handle) == (None, "", None)
    for pledge in MatchPledge.objects.all():
        assert (pledge.donor, pledge.donor_name, pledge.named, pledge.donor_email) == (
            None,
            None,
            False,
            None,
        )
    assert matching.totals(fund)["matched_sum"] == 5000
