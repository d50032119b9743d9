"""The month-end lottery of a fund whose members chose to decide by lot (`Decider.LOTTERY`).

The draw is auditable by anyone, with nothing to trust but SHA-256:

1. When the month's first request arrives, the server draws a random secret (32 bytes,
   written as 64 hex digits) and publishes its **commitment**, `SHA-256(secret)` in hex, on
   the fund's lottery page. The secret itself stays encrypted until the draw.
2. After the month ends, the draw takes the **entrants**: the public ids of the fund's
   requests made before the month's end and still waiting, sorted as text.
3. The secret is **revealed**. Anyone checks `SHA-256(secret) == commitment`, then gives each
   entrant its **ticket**, `SHA-256(secret + ":" + public_id)` (UTF-8, hex), and orders the
   entrants by ticket, smallest first (`order()` below; ties, which SHA-256 makes
   practically impossible, by public id).
4. In that order, each request is granted if the fund's written rules (cap, cooldown — a
   grant earlier in the same draw counts) allow it and the fund still holds its amount; the
   others are not granted. The grants name the draw as the decision behind them.

Because the commitment is published before any request of the month is taken, the secret
cannot be chosen afterwards to favour one of them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.funds import aid, ledger
from solnet.funds.access import can_keep_books
from solnet.funds.lottery_seed import commitment_of, order
from solnet.funds.models import AidRequest, AidStatus, Decider, Fund, LotteryDraw
from solnet.members.models import Member


@transaction.atomic
def draw_lottery(*, draw: LotteryDraw, by: Member | None = None) -> LotteryDraw:
    """Draws a month's lottery once its month is over: a treasurer, or the worker (`by`
    None). Reveals the secret; grants in the drawn order what the fund's rules and money
    allow; the other entrants are not granted."""
    if by is not None and not can_keep_books(by):
        raise PermissionDenied
    draw = LotteryDraw.objects.select_for_update().select_related("fund").get(pk=draw.pk)
    if draw.drawn_at is not None:
        raise ValidationError(_("This lottery has already been drawn."), code="drawn")
    if timezone.now() < draw.closes_at:
        raise ValidationError(_("The month is not over: the lottery is drawn after it."))
    fund = Fund.objects.select_for_update().get(pk=draw.fund_id)
    if fund.decider != Decider.LOTTERY:
        raise ValidationError(_("This fund's requests are decided by vote."))
    secret = draw.sealed_secret or ""
    if commitment_of(secret) != draw.commitment:
        raise ValidationError(_("The lottery's secret does not match its commitment."))
    waiting = {
        r.public_id: r
        for r in AidRequest.objects.select_for_update().filter(
            fund=fund, status=AidStatus.SUBMITTED, created_at__lt=draw.closes_at
        )
    }
    entrants = sorted(waiting)
    granted: list[str] = []
    for public_id in order(secret, entrants):
        request = waiting[public_id]
        try:
            aid.check_eligible(
                fund,
                amount=request.amount,
                applicant=request.applicant,
                contact_index=request.contact_index,
                exclude=request,
            )
            if ledger.fund_balance(fund) < request.amount:
                raise ValidationError(_("The fund holds less than this."))
        except ValidationError:
            AidRequest.objects.filter(pk=request.pk).update(status=AidStatus.REFUSED)
            continue
        aid.grant(request, fund=fund, decision=draw.public_id)
        granted.append(public_id)
    draw.secret = secret
    draw.sealed_secret = None
    draw.entrants = entrants
    draw.granted = granted
    draw.drawn_at = timezone.now()
    draw.save(update_fields=["secret", "sealed_secret", "entrants", "granted", "drawn_at"])
    audit.record(
        "funds.lottery_drawn", actor=by, target=draw, entrants=len(entrants), granted=len(granted)
    )
    return draw


def draw_due() -> int:
    """The worker's round: every draw whose month is over is drawn."""
    done = 0
    for draw in LotteryDraw.objects.filter(drawn_at__isnull=True, closes_at__lte=timezone.now()):
        try:
            draw_lottery(draw=draw)
        except ValidationError:
            continue
        done += 1
    return done
