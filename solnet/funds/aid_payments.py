"""Paying a grant the members decided: a treasurer records the payment (to the person or
directly to the creditor) with its method and reference; above the network's threshold a
second treasurer approves it first — never the one who asked, never the applicant."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit, twoperson
from solnet.core.models import ApprovalRequest
from solnet.funds import ledger
from solnet.funds.access import can_keep_books
from solnet.funds.aid import PAID_BY_HAND, conflicted_ids, shown
from solnet.funds.models import (
    Account,
    AccountKind,
    AidRequest,
    AidStatus,
    Books,
    EntryKind,
    Purpose,
)
from solnet.funds.models.aid import PURPOSE_MEMO
from solnet.members.models import Member

PAY_ACTION = "funds.pay"


def may_pay(member: Member, request: AidRequest) -> bool:
    """A treasurer who is neither the applicant nor one of their declared relations."""
    return can_keep_books(member) and member.pk not in conflicted_ids(request)


@transaction.atomic
def pay_grant(
    *, request: AidRequest, account: Account, method: str, reference: str = "", by: Member
) -> AidRequest | ApprovalRequest:
    """A treasurer records the payment of a granted request, to the person or to their
    creditor. Above the network's threshold it waits for a second treasurer (the two-person
    action `funds.pay`) and the waiting request is returned."""
    request = AidRequest.objects.select_for_update().select_related("fund").get(pk=request.pk)
    if not may_pay(by, request):
        raise PermissionDenied
    _check_payable(request, account=account, method=method, reference=reference)
    if request.amount > Books.current().two_person_above:
        waiting = request.payment_approval
        if (
            waiting is not None
            and waiting.status == ApprovalRequest.Status.PENDING
            and waiting.expires_at > timezone.now()
        ):
            raise ValidationError(
                _("This payment is already waiting for a second treasurer."), code="waiting"
            )
        approval = twoperson.request_action(
            name=PAY_ACTION,
            params={
                "request": request.public_id,
                "account": account.public_id,
                "method": method,
                "reference": reference.strip()[:80],
                "applicant_id": request.applicant_id,
                "relation_ids": sorted(request.relations.values_list("pk", flat=True)),
            },
            requested_by=by,
        )
        request.payment_approval = approval
        request.save(update_fields=["payment_approval"])
        return approval
    return _record_payment(request, account=account, method=method, reference=reference, by=by)


def _check_payable(request: AidRequest, *, account: Account, method: str, reference: str) -> None:
    if request.status != AidStatus.GRANTED or request.grant_entry_id is None:
        raise ValidationError(_("Only a granted request is paid."), code="not_granted")
    if request.payment_entry_id is not None:
        raise ValidationError(_("This request has already been paid."), code="paid")
    errors: dict[str, str] = {}
    if account.kind != AccountKind.ASSET or account.closed_at is not None:
        errors["account"] = _("Choose where the money is paid from.")
    if method not in dict(PAID_BY_HAND):
        errors["method"] = _("Choose how it was paid.")
    if len(reference.strip()) > 80:
        errors["reference"] = _("A reference is at most 80 characters.")
    if errors:
        raise ValidationError(errors)


def _record_payment(
    request: AidRequest, *, account: Account, method: str, reference: str, by: Member | None
) -> AidRequest:
    # The payment names the decision the grant rests on (a proposal, or a lottery draw).
    decision = request.grant_entry.decision
    entry = ledger.post_entry(
        kind=EntryKind.PAYMENT,
        date=timezone.localdate(),
        lines=[
            ledger.Line(
                ledger.standard_account("Liabilities:GrantsPayable"), request.amount, request.fund
            ),
            ledger.Line(account, -request.amount, request.fund),
        ],
        by=by,
        memo=f"Payment of a grant for {PURPOSE_MEMO[Purpose(request.purpose)]}",
        reference=reference,
        decision=decision,
    )
    request.status = AidStatus.PAID
    request.payment_entry = entry
    request.paid_method = method
    request.paid_reference = reference.strip()[:80]
    request.save(update_fields=["status", "payment_entry", "paid_method", "paid_reference"])
    audit.record("funds.aid_paid", actor=by, target=request, method=method)
    return request


def _run_pay(params: dict[str, Any], approval: ApprovalRequest) -> None:
    request = (
        AidRequest.objects.select_for_update()
        .select_related("fund")
        .get(public_id=params["request"])
    )
    account = Account.objects.get(public_id=params["account"])
    _check_payable(request, account=account, method=params["method"], reference=params["reference"])
    _record_payment(
        request,
        account=account,
        method=params["method"],
        reference=params["reference"],
        by=approval.approved_by,
    )


def _describe_pay(params: dict[str, Any]) -> str:
    request = AidRequest.objects.filter(public_id=str(params.get("request", ""))).first()
    if request is None:
        return _("Pay an aid grant (the request is gone)")
    return _("Pay %(amount)s granted from “%(fund)s” (aid request %(id)s)") % {
        "amount": shown(request.amount),
        "fund": request.fund,
        "id": request.short_id,
    }


def _can_approve_pay(member: Member, params: dict[str, Any]) -> bool:
    return can_keep_books(member) and member.pk not in set(params.get("relation_ids") or [])


def register() -> None:
    twoperson.register(
        twoperson.TwoPersonAction(
            name=PAY_ACTION,
            run=_run_pay,
            describe=_describe_pay,
            can_request=can_keep_books,
            can_approve=_can_approve_pay,
            beneficiary_keys=("applicant_id",),
        )
    )
