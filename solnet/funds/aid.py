"""Aid requests and disbursements: nothing is paid out that the members did not decide.

A member asks through their account (`ask_for_aid`), anyone through a mutual-aid fund's
public form (`ask_publicly`). A treasurer or a member of the fund's deciding body puts the
request to that body (`put_to_vote`) as a proposal carrying the effect `funds.grant`, whose
parameters are the request's public id and the amount, never a name. The applicant and the
members they declared as relations have no vote on it (`Kind.conflicted`). When the proposal
passes, the effect checks the fund's cap and cooldown again and posts the grant — Expenses:Grants
against Liabilities:GrantsPayable, naming the decision — exactly once, in the transaction that
records the result. A treasurer then records the payment (`pay_grant`), which settles the
liability from where the money is; above the network's threshold a second treasurer, never the
one who asked nor the applicant, approves it (the two-person action `funds.pay`).

No function here posts an entry without a decision behind it: the grant is posted only by the
effect of a passed proposal, and a payment only settles such a grant.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit, sealed
from solnet.democracy import access as democracy_access
from solnet.democracy import effects
from solnet.democracy import services as democracy_services
from solnet.democracy.models import Body, EffectKind, Proposal, Status
from solnet.fights import evidence
from solnet.funds import dues, ledger, lottery_seed, money
from solnet.funds.access import can_keep_books
from solnet.funds.models import (
    AidReceipt,
    AidRequest,
    AidStatus,
    Decider,
    EntryKind,
    Fund,
    Method,
    PayTo,
    Purpose,
)
from solnet.funds.models.aid import PURPOSE_MEMO
from solnet.funds.money import LARGEST
from solnet.members.access import is_member
from solnet.members.models import Member

MAX_RELATIONS = 10
# Payment methods a treasurer records by hand (online payments come from the processor).
PAID_BY_HAND = [(value, label) for value, label in Method.choices if value != Method.ONLINE]


def shown(minor: int) -> str:
    """An amount of minor units as the reader's language writes money."""
    return money.shown(minor, None, translation.get_language())


# --- who is who on a request ----------------------------------------------------------------


def conflicted_ids(request: AidRequest) -> set[int]:
    """The applicant and the members they declared a relation with (internal ids): none of
    them votes on, approves or pays the request."""
    ids = set(request.relations.values_list("pk", flat=True))
    if request.applicant_id is not None:
        ids.add(request.applicant_id)
    return ids


def sits_on_body(member: Member, fund: Fund) -> bool:
    """Whether `member` has a vote in the fund's deciding body."""
    if fund.body_id is None or not (member.is_active and member.is_approved):
        return False
    return democracy_access.electorate_of(fund.body).filter(pk=member.pk).exists()


# --- eligibility ----------------------------------------------------------------------------


def last_grant_on(fund: Fund, *, applicant: Member | None, contact_index: str | None, exclude=None):
    """The date of the last grant from `fund` to the same person (by account, or for a
    public request by the blind index of the contact given), or None."""
    if applicant is None and not contact_index:
        return None
    granted = AidRequest.objects.granted().filter(fund=fund)
    if applicant is not None:
        granted = granted.filter(applicant=applicant)
    else:
        granted = granted.filter(contact_index=contact_index)
    if exclude is not None:
        granted = granted.exclude(pk=exclude.pk)
    return granted.aggregate(last=Max("grant_entry__date"))["last"]


def check_eligible(
    fund: Fund,
    *,
    amount: int,
    applicant: Member | None = None,
    contact_index: str | None = None,
    exclude: AidRequest | None = None,
) -> None:
    """The fund's written rules: open, the cap per grant, the cooldown since the same
    person's last grant. Raises a ValidationError that says which rule refuses."""
    if fund.closed_at is not None:
        raise ValidationError(_("This fund is closed."), code="closed")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= LARGEST:
        raise ValidationError({"amount": _("An amount must be more than zero.")})
    if fund.cap is not None and amount > fund.cap:
        raise ValidationError(
            {"amount": _("This fund grants at most %(cap)s at a time.") % {"cap": shown(fund.cap)}},
            code="cap",
        )
    if fund.cooldown_months:
        last = last_grant_on(
            fund, applicant=applicant, contact_index=contact_index, exclude=exclude
        )
        if last is not None:
            again = last + fund.cooldown
            if again > timezone.localdate():
                raise ValidationError(
                    _(
                        "This fund makes one grant per %(months)s months to the same person: "
                        "you can ask again from %(date)s."
                    )
                    % {"months": fund.cooldown_months, "date": again.isoformat()},
                    code="cooldown",
                )


def _check_fields(
    *, purpose: str, pay_to: str, creditor_name: str, creditor_details: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("Choose what it is for from the list.")
    if pay_to not in PayTo.values:
        errors["pay_to"] = _("Choose whom to pay.")
    elif pay_to == PayTo.CREDITOR:
        if not creditor_name.strip():
            errors["creditor_name"] = _("Say whom we should pay.")
        if not creditor_details.strip():
            errors["creditor_details"] = _("Give their payment details and the reference.")
    return errors


def _open_request_exists(fund: Fund, **who: Any) -> bool:
    return AidRequest.objects.open().filter(fund=fund, **who).exists()


# --- asking ---------------------------------------------------------------------------------


@transaction.atomic
def ask_for_aid(
    *,
    fund: Fund,
    by: Member,
    amount: int,
    purpose: str,
    details: str = "",
    pay_to: str = PayTo.PERSON,
    creditor_name: str = "",
    creditor_details: str = "",
    dependants: bool = False,
    eviction_notice: bool = False,
    utility_shutoff: bool = False,
    relations: Iterable[Member] = (),
    receipts: Sequence[bytes] = (),
) -> AidRequest:
    """A member asks a fund for help. Refused, with the reason, when the fund is closed,
    when the fund is for members only and `by` is not an approved active member, above the
    fund's cap, and within its cooldown since the member's last grant."""
    if not (by.is_active and by.is_approved):
        raise PermissionDenied
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if fund.members_only and not is_member(by):
        raise ValidationError(_("Only members may ask this fund."), code="members_only")
    if fund.good_standing and not dues.in_good_standing(by):
        raise ValidationError(
            _(
                "Only members whose dues are paid up (or waived) may ask this fund. "
                "Your dues page says what is owed."
            ),
            code="standing",
        )
    errors = _check_fields(
        purpose=purpose,
        pay_to=pay_to,
        creditor_name=creditor_name,
        creditor_details=creditor_details,
    )
    related = {m.pk: m for m in relations if m.pk != by.pk}
    if len(related) > MAX_RELATIONS:
        errors["relations"] = _("Name at most %(count)s people.") % {"count": MAX_RELATIONS}
    if errors:
        raise ValidationError(errors)
    check_eligible(fund, amount=amount, applicant=by)
    if _open_request_exists(fund, applicant=by):
        raise ValidationError(
            _("You already have a request waiting at this fund."), code="duplicate"
        )
    _join_the_draw(fund)
    request = _create(
        fund=fund,
        applicant=by,
        amount=amount,
        purpose=purpose,
        details=details,
        pay_to=pay_to,
        creditor_name=creditor_name,
        creditor_details=creditor_details,
        dependants=dependants,
        eviction_notice=eviction_notice,
        utility_shutoff=utility_shutoff,
    )
    request.relations.set(list(related.values()))
    for data in receipts:
        add_receipt(request=request, data=data, by=by)
    audit.record("funds.aid_asked", actor=by, target=request, fund=fund.public_id)
    return request


@transaction.atomic
def ask_publicly(
    *,
    fund: Fund,
    chosen_name: str,
    contact: str,
    amount: int,
    purpose: str,
    details: str = "",
    pay_to: str = PayTo.PERSON,
    creditor_name: str = "",
    creditor_details: str = "",
    dependants: bool = False,
    eviction_notice: bool = False,
    utility_shutoff: bool = False,
) -> AidRequest:
    """Anyone asks a mutual-aid fund with a public form: a name they choose and a way to
    reach them, no account and no legal name. The cooldown follows the contact given (its
    blind index)."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if not fund.public_requests or fund.closed_at is not None:
        raise PermissionDenied
    errors = _check_fields(
        purpose=purpose,
        pay_to=pay_to,
        creditor_name=creditor_name,
        creditor_details=creditor_details,
    )
    if not chosen_name.strip():
        errors["chosen_name"] = _("Tell us what to call you (any name will do).")
    if not contact.strip():
        errors["contact"] = _("Tell us how to reach you.")
    if errors:
        raise ValidationError(errors)
    index = AidRequest._meta.get_field("contact_index").lookup_value(contact.strip())
    check_eligible(fund, amount=amount, contact_index=index)
    if _open_request_exists(fund, contact_index=index):
        raise ValidationError(
            _("A request from this contact is already waiting at this fund."), code="duplicate"
        )
    _join_the_draw(fund)
    request = _create(
        fund=fund,
        applicant=None,
        chosen_name=chosen_name.strip()[:80],
        contact=contact.strip(),
        amount=amount,
        purpose=purpose,
        details=details,
        pay_to=pay_to,
        creditor_name=creditor_name,
        creditor_details=creditor_details,
        dependants=dependants,
        eviction_notice=eviction_notice,
        utility_shutoff=utility_shutoff,
    )
    audit.record("funds.aid_asked_publicly", target=request, fund=fund.public_id)
    return request


def _join_the_draw(fund: Fund) -> None:
    """A fund that decides by lot publishes the month's commitment before it takes the
    month's first request."""
    if fund.decider == Decider.LOTTERY:
        lottery_seed.current_draw(fund)


def _create(
    *,
    fund: Fund,
    pay_to: str,
    creditor_name: str,
    creditor_details: str,
    details: str,
    **fields: Any,
) -> AidRequest:
    now = timezone.now()
    to_creditor = pay_to == PayTo.CREDITOR
    return AidRequest.objects.create(
        fund=fund,
        pay_to=pay_to,
        creditor_name=creditor_name.strip() if to_creditor else None,
        creditor_details=creditor_details.strip() if to_creditor else None,
        details=details.strip() or None,
        created_at=now,
        forget_at=now + timedelta(days=fund.applicant_days),
        **fields,
    )


def add_receipt(*, request: AidRequest, data: bytes, by: Member | None) -> AidReceipt:
    """Seals a receipt, bill or notice with the request, as a fight's evidence is sealed
    (`solnet.fights.evidence`: kind from the bytes, photos without their metadata)."""
    kept, content_type = evidence.clean(data)
    extension = evidence.KINDS[content_type][1]
    file = sealed.create_sealed_file(
        owner=by,
        purpose="funds.aid_receipt",
        filename=f"receipt-{secrets.token_hex(8)}.{extension}",
        content_type=content_type,
        total=1,
        lifetime=None,
    )
    with sealed.writing(file) as writer:
        writer.write(kept)
    sealed.mark_ready(file, size=writer.size, done=1)
    receipt = AidReceipt.objects.create(
        request=request, file=file, content_type=content_type, size=len(kept)
    )
    audit.record("funds.aid_receipt_added", actor=by, target=request, receipt=receipt.public_id)
    return receipt


# --- the decision ---------------------------------------------------------------------------


def may_put_to_vote(member: Member, request: AidRequest) -> bool:
    """A treasurer or a member of the fund's deciding body; never the applicant nor a relation
    they declared (whoever proposes may also facilitate the vote)."""
    if not (member.is_active and member.is_approved):
        return False
    if member.pk in conflicted_ids(request):
        return False
    return can_keep_books(member) or sits_on_body(member, request.fund)


def title_for(request: AidRequest) -> str:
    return _("Aid request %(id)s: %(amount)s for %(purpose)s") % {
        "id": request.short_id,
        "amount": shown(request.amount),
        "purpose": request.get_purpose_display().lower(),
    }


@transaction.atomic
def put_to_vote(*, request: AidRequest, by: Member, closes_at: datetime) -> Proposal:
    """Puts the request to the fund's deciding body, its vote open at once until `closes_at`
    (at least the body's notice). The proposal names nobody: its effect holds the request's
    public id and the amount."""
    request = AidRequest.objects.select_for_update().select_related("fund").get(pk=request.pk)
    settle(request)
    if not may_put_to_vote(by, request):
        raise PermissionDenied
    fund = request.fund
    if request.status != AidStatus.SUBMITTED:
        raise ValidationError(_("This request is not waiting for a vote."), code="not_waiting")
    if fund.decider != Decider.BODY or fund.body_id is None:
        raise ValidationError(
            _("This fund has no deciding body: set one in the fund's rules first."),
            code="no_body",
        )
    if closes_at >= request.forget_at:
        raise ValidationError(
            {
                "closes_at": _("The applicant's details go on %(date)s: close the vote before.")
                % {"date": timezone.localtime(request.forget_at).date().isoformat()}
            }
        )
    check_eligible(
        fund,
        amount=request.amount,
        applicant=request.applicant,
        contact_index=request.contact_index,
        exclude=request,
    )
    if not democracy_access.can_propose(by, fund.body):
        raise ValidationError(
            _(
                "Only someone with a vote in “%(body)s” can put a proposal to it: ask one of "
                "its members."
            )
            % {"body": fund.body},
            code="no_vote",
        )
    proposal = democracy_services.propose(
        body=fund.body,
        by=by,
        title=title_for(request),
        text=_("The request, its receipts and the fund's rules are on the funds pages."),
        effects_wanted=[
            democracy_services.EffectRequest(
                EffectKind.FUND_GRANT, {"request": request.public_id, "amount": request.amount}
            )
        ],
        closes_at=closes_at,
    )
    request.status = AidStatus.VOTING
    request.proposal = proposal
    request.save(update_fields=["status", "proposal"])
    audit.record("funds.aid_put_to_vote", actor=by, target=request, proposal=proposal.public_id)
    return proposal


def settle(request: AidRequest) -> AidRequest:
    """What the decision's close means for a request being voted on: democracy has no
    listener on a close, so the request follows its proposal whenever it is read or acted
    on. A failed proposal, or a passed one whose grant could not be made (the world changed
    before the close), refuses the request; a withdrawn proposal lets it be put again."""
    if request.status != AidStatus.VOTING or request.proposal_id is None:
        return request
    proposal = Proposal.objects.get(pk=request.proposal_id)
    if not proposal.is_closed:
        return request
    if proposal.status == Status.WITHDRAWN:
        changes = {"status": AidStatus.SUBMITTED, "proposal": None}
    elif proposal.status == Status.PASSED and (
        request.grant_entry_id is not None
        # Standing in for a two-person rule, it could wait for a second person.
        or proposal.effects.filter(kind=EffectKind.FUND_GRANT, waiting=True).exists()
    ):
        return request
    else:
        changes = {"status": AidStatus.REFUSED}
    if AidRequest.objects.filter(pk=request.pk, status=AidStatus.VOTING).update(**changes):
        audit.record("funds.aid_settled", target=request, status=changes["status"])
    request.refresh_from_db()
    return request


def _request_of(params: dict[str, Any]) -> AidRequest:
    request = AidRequest.objects.filter(public_id=str(params.get("request", ""))).first()
    if request is None:
        raise ValidationError(_("That aid request is gone."), code="invalid_effect")
    return request


def _prepare_grant(params: dict[str, Any], body: Body, by: Member) -> effects.Prepared:
    request = _request_of(params)
    if request.status != AidStatus.SUBMITTED or request.proposal_id is not None:
        raise ValidationError(
            _("This aid request is not waiting for a vote."), code="invalid_effect"
        )
    if request.fund.body_id != body.pk:
        raise ValidationError(
            _("Only the fund's deciding body grants from it."), code="invalid_effect"
        )
    if not may_put_to_vote(by, request):
        raise PermissionDenied
    if params.get("amount") != request.amount:
        raise ValidationError(_("The amount is the request's."), code="invalid_effect")
    return effects.Prepared(params={"request": request.public_id, "amount": request.amount})


def _describe_grant(params: dict[str, Any]) -> str:
    request = AidRequest.objects.filter(public_id=str(params.get("request", ""))).first()
    return _("Grant %(amount)s from “%(fund)s” (aid request %(id)s)") % {
        "amount": shown(int(params.get("amount", 0))),
        "fund": request.fund if request else "?",
        "id": str(params.get("request", ""))[:6],
    }


def _run_grant(params: dict[str, Any], proposal: Proposal) -> None:
    """The decision passed: the grant is posted once, in the closing transaction, after the
    fund's rules are checked again (the cap may have changed, another grant may have come
    first)."""
    request = (
        AidRequest.objects.select_for_update().select_related("fund").get(pk=_request_of(params).pk)
    )
    if request.proposal_id != proposal.pk or request.status != AidStatus.VOTING:
        raise ValidationError(_("This aid request is not waiting for this decision."))
    if request.grant_entry_id is not None:
        raise ValidationError(_("This aid request has already been granted."))
    if params.get("amount") != request.amount:
        raise ValidationError(_("The amount is the request's."))
    fund = Fund.objects.select_for_update().get(pk=request.fund_id)
    check_eligible(
        fund,
        amount=request.amount,
        applicant=request.applicant,
        contact_index=request.contact_index,
        exclude=request,
    )
    grant(request, fund=fund, decision=proposal.public_id)


def grant(request: AidRequest, *, fund: Fund, decision: str) -> AidRequest:
    """Posts the grant of a request a decision (a passed proposal, or a lottery draw the
    fund's rules call for) made, and marks it granted. The caller holds the request's lock
    and has checked the fund's rules."""
    today = timezone.localdate()
    payable = ledger.standard_account("Liabilities:GrantsPayable")
    entry = ledger.post_entry(
        kind=EntryKind.GRANT,
        date=today,
        lines=[
            ledger.Line(ledger.standard_account("Expenses:Grants"), request.amount, fund),
            ledger.Line(payable, -request.amount, fund),
        ],
        memo=f"Grant for {PURPOSE_MEMO[Purpose(request.purpose)]}",
        decision=decision,
    )
    request.status = AidStatus.GRANTED
    request.grant_entry = entry
    request.pay_by = today + timedelta(days=fund.pay_within_days)
    request.save(update_fields=["status", "grant_entry", "pay_by"])
    audit.record("funds.aid_granted", target=request, decision=decision)
    return request


def _conflicted(params: dict[str, Any]) -> set[int]:
    request = AidRequest.objects.filter(public_id=str(params.get("request", ""))).first()
    return conflicted_ids(request) if request is not None else set()


# --- retention ------------------------------------------------------------------------------


def _delete_receipts(receipts) -> int:
    gone = 0
    for receipt in receipts.select_related("file"):
        file = receipt.file
        receipt.delete()
        sealed.delete_sealed_file(file)
        gone += 1
    return gone


def delete_expired_receipts(cutoff) -> int:
    """Receipts of requests past their applicant period go: row, key and bytes."""
    return _delete_receipts(AidReceipt.objects.filter(request__forget_at__lt=cutoff))


def strip_expired_requests(cutoff) -> int:
    """Requests past their applicant period lose who asked, how to reach them, their story,
    whom to pay, their declared relations and their receipts; the amount, the purpose, the
    dates and the entries stay. One still waiting for a vote is withdrawn."""
    rows = AidRequest.objects.filter(forget_at__lt=cutoff, stripped_at__isnull=True)
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    AidRequest.relations.through.objects.filter(aidrequest_id__in=ids).delete()
    _delete_receipts(AidReceipt.objects.filter(request_id__in=ids))
    AidRequest.objects.filter(pk__in=ids, status=AidStatus.SUBMITTED).update(
        status=AidStatus.WITHDRAWN
    )
    strip = dict(AidRequest.data_policy.retention.strip)
    return AidRequest.objects.filter(pk__in=ids).update(**strip, stripped_at=timezone.now())


# --- registration ---------------------------------------------------------------------------


def register() -> None:
    """Called once from the app's ready(): the effect a decision carries. (The two-person
    action of a payment above the threshold is `aid_payments.register`.)"""
    effects.register(
        EffectKind.FUND_GRANT,
        effects.Kind(
            prepare=_prepare_grant,
            describe=_describe_grant,
            run=_run_grant,
            conflicted=_conflicted,
        ),
    )
