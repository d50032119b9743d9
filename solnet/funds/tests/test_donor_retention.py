"""Donors' details go after the network's period; the amount, the date and the ledger entry
stay for the books."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from solnet.core.retention import purge_expired
from solnet.funds.models import Donation
from solnet.funds.tests.making import give, make_fund

pytestmark = pytest.mark.django_db


def _donation(fund, *, forget_in: timedelta) -> Donation:
    return Donation.objects.create(
        fund=fund,
        amount=2000,
        method="online",
        status="received",
        entry=give(fund, 2000),
        donor_name="Esperanza",
        named=True,
        donor_email="esperanza@example.org",
        forget_at=timezone.now() + forget_in,
    )


def test_the_purge_strips_donors_past_their_time_and_keeps_the_money():
    fund = make_fund()
    old = _donation(fund, forget_in=-timedelta(minutes=1))
    recent = _donation(fund, forget_in=timedelta(days=30))
    results = purge_expired()
    assert results["funds.Donation"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.donor_name, old.named, old.donor_email) == (None, False, None)
    assert (old.amount, old.status, old.entry_id) == (2000, "received", old.entry_id)
    assert old.entry.legs.count() == 2
    assert recent.donor_email == "esperanza@example.org" and recent.named
    assert purge_expired().get("funds.Donation") is None  # nothing left to strip
