"""Dues on a sliding scale: pledges, payments, standing, waivers by decision; who is behind
is seen by the treasurers and the member alone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.democracy import access as democracy_access
from solnet.democracy import services as democracy
from solnet.democracy.models import Body, EffectKind
from solnet.democracy.services.decisions import EffectRequest
from solnet.democracy.testing import close_in_meeting
from solnet.funds import dues, ledger
from solnet.funds.dues import Standing, periods_ended
from solnet.funds.models import Account, DuesPledge, Entry
from solnet.members.models import Role, Tier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "since, today, period, ended",
    [
        (date(2026, 1, 15), date(2026, 1, 20), "monthly", 0),
        (date(2026, 1, 15), date(2026, 2, 14), "monthly", 0),
        (date(2026, 1, 15), date(2026, 2, 15), "monthly", 1),
        (date(2026, 1, 31), date(2026, 4, 30), "monthly", 2),
        (date(2025, 3, 1), date(2026, 12, 7), "yearly", 1),
        (date(2025, 3, 1), date(2026, 12, 7), "none", 0),
    ],
)
def test_periods_end_on_the_day_the_pledge_began(since, today, period, ended):
    assert periods_ended(since, today, period) == ended


def _pledged(member, amount=2000, months_ago=3):
    dues.set_pledge(member=member, amount=amount, period="monthly", by=member)
    started = timezone.localdate() - timedelta(days=31 * months_ago)
    DuesPledge.objects.filter(member=member).update(since=started)


def test_a_member_behind_pays_up(personas):
    member, treasurer = personas["member"].member, personas["fund_committee"].member
    _pledged(member)
    account = dues.standing(member)
    assert account.standing == Standing.BEHIND and account.behind_by == 6000
    assert not dues.in_good_standing(member)
    bank = ledger.standard_account("Assets:Bank")
    dues.record_dues_payment(
        member=member, amount=6000, paid_on=timezone.localdate(), where=bank, by=treasurer
    )
    assert dues.standing(member).standing == Standing.PAID_UP
    entry = Entry.objects.get(kind="dues")
    assert {(leg.account.code, leg.fund_id, leg.amount) for leg in entry.legs.all()} == {
        ("Assets:Bank", None, 6000),
        ("Income:Dues", None, -6000),
    }


def test_pledging_nothing_does_not_wipe_what_is_owed(personas):
    """Attack: a member behind on dues pledges nothing just before asking a fund that needs
    good standing."""
    member = personas["member"].member
    _pledged(member)
    dues.set_pledge(member=member, amount=0, period="none", by=member)
    account = dues.standing(member)
    assert account.standing == Standing.BEHIND and account.behind_by == 6000


def test_only_the_member_sets_their_pledge(personas):
    member, organizer = personas["member"].member, personas["organizer"].member
    with pytest.raises(PermissionDenied):
        dues.set_pledge(member=member, amount=100, period="monthly", by=organizer)
    with pytest.raises(ValidationError):
        dues.set_pledge(member=member, amount=0, period="monthly", by=member)


def test_only_a_treasurer_records_a_payment(personas):
    member, organizer = personas["member"].member, personas["organizer"].member
    with pytest.raises(PermissionDenied):
        dues.record_dues_payment(
            member=member,
            amount=100,
            paid_on=timezone.localdate(),
            where=ledger.standard_account("Assets:Cash"),
            by=organizer,
        )


def test_a_waiver_is_decided_by_the_members_and_not_by_the_one_waived(personas):
    member, organizer = personas["member"].member, personas["organizer"].member
    _pledged(member)
    until = (timezone.localdate() + timedelta(days=90)).isoformat()
    proposal = democracy.propose(
        body=Body.objects.general(),
        by=organizer,
        title="Waive a member's dues while they are laid off",
        effects_wanted=[
            EffectRequest(EffectKind.WAIVE_DUES, {"member": member.public_id, "until": until})
        ],
        closes_at=timezone.now() + timedelta(days=3),
    )
    assert not democracy_access.may_vote(member, proposal)
    with pytest.raises(PermissionDenied):
        democracy.cast_ballot(proposal=proposal, voter=member, choice="yes")
    for voter in democracy_access.electorate(proposal):
        democracy.cast_ballot(proposal=proposal, voter=voter, choice="yes")
    close_in_meeting(proposal, by=organizer)
    account = dues.standing(member)
    assert account.standing == Standing.WAIVED and dues.in_good_standing(member)
    assert account.pledge.waived_by == proposal.public_id


def test_who_is_behind_is_for_the_treasurers_and_the_member_alone(personas):
    member = personas["member"].member
    _pledged(member)
    other, _ = make_member("other_member", tier=Tier.MEMBER)
    treasurer = sign_in(Client(), personas["fund_committee"].member)
    page = treasurer.get(reverse("funds:dues") + "?behind=1").content.decode()
    assert member.display_name in page and "$60.00" in page
    own = sign_in(Client(), member).get(reverse("funds:my_dues")).content.decode()
    assert "Behind" in own and "$60.00" in own
    nosy = sign_in(Client(), other)
    assert nosy.get(reverse("funds:dues")).status_code == 404
    assert "$60.00" not in nosy.get(reverse("funds:my_dues")).content.decode()
    organizer = sign_in(Client(), personas["organizer"].member)
    assert organizer.get(reverse("funds:dues")).status_code == 404


def test_a_member_sets_their_pledge_on_their_page(personas):
    member = personas["member"].member
    client = sign_in(Client(), member)
    response = client.post(reverse("funds:my_dues"), {"period": "monthly", "amount": ""})
    assert response.status_code == 422 and not DuesPledge.objects.exists()
    response = client.post(reverse("funds:my_dues"), {"period": "monthly", "amount": "12.50"})
    assert response.status_code == 302
    assert DuesPledge.objects.get(member=member).amount == 1250


def test_a_treasurer_records_a_payment_on_the_page(personas):
    member = personas["member"].member
    _pledged(member, months_ago=1)
    ledger.open_standard_accounts()
    client = sign_in(Client(), personas["fund_committee"].member)
    response = client.post(
        reverse("funds:dues_payment", args=[member.public_id]),
        {
            "amount": "20",
            "where": Account.objects.get(code="Assets:Cash").public_id,
            "paid_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert dues.standing(member).standing == Standing.PAID_UP


def test_a_second_treasurer_role_is_not_needed_to_see_own_dues(personas):
    """Dues are a member's own business: the fund-committee role changes nothing here."""
    treasurer = personas["fund_committee"].member
    assert Role.FUND_COMMITTEE in treasurer.role_set()
    assert sign_in(Client(), treasurer).get(reverse("funds:my_dues")).status_code == 200
