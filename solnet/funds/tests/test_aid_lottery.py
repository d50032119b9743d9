"""The month-end lottery: its commitment is published before the month's requests are taken,
its secret revealed at the draw, and anyone can recompute the order — these tests do, with
hashlib alone, from what the page shows."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.democracy.models import Body
from solnet.funds import aid, aid_payments, ledger, lottery, lottery_seed
from solnet.funds import services as books
from solnet.funds.models import AidStatus, Entry, EntryKind, LotteryDraw, Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(network, personas):
    made = books.create_fund(
        by=personas["fund_committee"].member,
        name="Neighbours' lottery",
        kind="mutual_aid",
        body=Body.objects.general(),
        decider="lottery",
        cap=20000,
        cooldown_months=3,
    )
    ledger.post_entry(
        kind=EntryKind.DONATION,
        date=date.today(),
        lines=[
            ledger.Line(ledger.standard_account("Assets:Bank"), 25000, made),
            ledger.Line(ledger.standard_account("Income:Donations"), -25000, made),
        ],
    )
    return made


def _three_ask(fund):
    return [
        aid.ask_for_aid(
            fund=fund, by=make_member(f"asker_{n}")[0], amount=10000, purpose=Purpose.FOOD
        )
        for n in range(3)
    ]


def _after_the_month(monkeypatch, draw):
    moved = draw.closes_at + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_the_commitment_is_published_before_the_months_first_request(fund, member):
    assert not LotteryDraw.objects.exists()
    request = aid.ask_for_aid(fund=fund, by=member, amount=5000, purpose=Purpose.RENT)
    draw = LotteryDraw.objects.get()
    assert draw.created_at <= request.created_at
    assert len(draw.commitment) == 64 and draw.secret == ""
    page = sign_in(Client(), member).get(reverse("funds:lottery", args=[fund.public_id]))
    assert page.status_code == 200
    assert draw.commitment in page.content.decode()
    assert draw.sealed_secret not in page.content.decode()


def test_the_lottery_is_not_drawn_before_the_month_ends(fund, member):
    aid.ask_for_aid(fund=fund, by=member, amount=5000, purpose=Purpose.RENT)
    with pytest.raises(ValidationError):
        lottery.draw_lottery(draw=LotteryDraw.objects.get())


def test_anyone_recomputes_the_draw_from_the_revealed_secret(fund, monkeypatch):
    requests = _three_ask(fund)
    draw = LotteryDraw.objects.get()
    commitment = draw.commitment
    _after_the_month(monkeypatch, draw)
    drawn = lottery.draw_lottery(draw=draw)
    monkeypatch.undo()

    # What anyone checks, with nothing but SHA-256 and the published values:
    secret = drawn.secret
    assert hashlib.sha256(secret.encode()).hexdigest() == commitment
    entrants = sorted(r.public_id for r in requests)
    assert drawn.entrants == entrants
    expected = sorted(
        entrants, key=lambda pid: hashlib.sha256(f"{secret}:{pid}".encode()).hexdigest()
    )
    # The fund holds 250: the first two in the drawn order get their 100 each.
    assert drawn.granted == expected[:2]
    statuses = {r.public_id: r.status for r in (r.__class__.objects.get(pk=r.pk) for r in requests)}
    assert [statuses[pid] for pid in expected] == [
        AidStatus.GRANTED,
        AidStatus.GRANTED,
        AidStatus.REFUSED,
    ]
    grants = Entry.objects.filter(kind=EntryKind.GRANT)
    assert grants.count() == 2 and set(grants.values_list("decision", flat=True)) == {
        drawn.public_id
    }
    assert drawn.sealed_secret is None
    with pytest.raises(ValidationError):
        lottery.draw_lottery(draw=drawn)
    assert Entry.objects.filter(kind=EntryKind.GRANT).count() == 2


def test_the_page_shows_the_order_to_check_after_the_draw(fund, monkeypatch, member):
    _three_ask(fund)
    draw = LotteryDraw.objects.get()
    _after_the_month(monkeypatch, draw)
    drawn = lottery.draw_lottery(draw=draw)
    monkeypatch.undo()
    page = sign_in(Client(), member).get(reverse("funds:lottery", args=[fund.public_id]))
    text = page.content.decode()
    assert drawn.secret in text
    positions = [text.index(pid) for pid in lottery_seed.order(drawn.secret, drawn.entrants)]
    assert positions == sorted(positions)


def test_a_lottery_grant_is_paid_naming_the_draw(fund, monkeypatch, personas):
    requests = _three_ask(fund)
    draw = LotteryDraw.objects.get()
    _after_the_month(monkeypatch, draw)
    drawn = lottery.draw_lottery(draw=draw)
    monkeypatch.undo()
    first = next(r for r in requests if r.public_id == drawn.granted[0])
    first.refresh_from_db()
    paid = aid_payments.pay_grant(
        request=first,
        account=ledger.standard_account("Assets:Bank"),
        method="cash",
        by=personas["fund_committee"].member,
    )
    assert paid.payment_entry.decision == drawn.public_id


def test_a_lottery_funds_requests_are_not_put_to_the_vote(fund, member, organizer):
    request = aid.ask_for_aid(fund=fund, by=member, amount=5000, purpose=Purpose.RENT)
    with pytest.raises(ValidationError):
        aid.put_to_vote(
            request=request, by=organizer, closes_at=timezone.now() + timedelta(hours=49)
        )


def test_only_a_treasurer_draws(fund, member, monkeypatch):
    from django.core.exceptions import PermissionDenied

    aid.ask_for_aid(fund=fund, by=member, amount=5000, purpose=Purpose.RENT)
    draw = LotteryDraw.objects.get()
    _after_the_month(monkeypatch, draw)
    with pytest.raises(PermissionDenied):
        lottery.draw_lottery(draw=draw, by=member)
