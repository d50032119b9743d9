"""The seed of a fund's month-end lottery: the commitment published when the month's first
request arrives, and the order anyone can recompute after the draw (see `lottery`). Kept
apart from the draw itself so that asking for aid (which joins the month's draw) does not
import the draw, which grants through `aid`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from solnet.core import audit
from solnet.funds.models import Fund, LotteryDraw


def commitment_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def ticket(secret: str, public_id: str) -> str:
    return hashlib.sha256(f"{secret}:{public_id}".encode()).hexdigest()


def order(secret: str, entrants: list[str]) -> list[str]:
    """The entrants in the order of the draw (see the module)."""
    return sorted(sorted(entrants), key=lambda public_id: ticket(secret, public_id))


def month_end(moment: datetime) -> datetime:
    """The first instant of the month after `moment`, in the network's time zone."""
    local = timezone.localtime(moment)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def current_draw(fund: Fund) -> LotteryDraw:
    """This month's draw of the fund, its commitment made (and so published) the first time
    it is asked for."""
    closes_at = month_end(timezone.now())
    found = LotteryDraw.objects.filter(fund=fund, closes_at=closes_at).first()
    if found is not None:
        return found
    secret = secrets.token_hex(32)
    try:
        with transaction.atomic():
            made = LotteryDraw.objects.create(
                fund=fund,
                closes_at=closes_at,
                commitment=commitment_of(secret),
                sealed_secret=secret,
            )
    except IntegrityError:
        return LotteryDraw.objects.get(fund=fund, closes_at=closes_at)
    audit.record("funds.lottery_committed", target=made, commitment=made.commitment)
    return made
