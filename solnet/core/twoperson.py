"""The two-person rule: dangerous actions run only once a second member (or a passed decision)
approves them.

An app registers each such action once::

    register(TwoPersonAction(
        name="members.grant_role",
        run=_grant_role,                 # run(params, approval) -> None, inside the transaction
        describe=_describe_grant,        # describe(params) -> text shown to the approver
        can_request=can_manage_roles,    # can_request(member) -> bool
        can_approve=can_approve_roles,   # can_approve(member, params) -> bool
    ))

then asks for it with `request_action(...)`. The action runs exactly once, in the same
transaction as the approval, and both steps go to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.core.models import ApprovalRequest

APPROVAL_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class TwoPersonAction:
    name: str
    run: Callable[[dict[str, Any], ApprovalRequest], None]
    describe: Callable[[dict[str, Any]], str]
    can_request: Callable[[Any], bool]
    can_approve: Callable[[Any, dict[str, Any]], bool]
    # Internal ids in params of people who must not approve their own benefit.
    beneficiary_keys: tuple[str, ...] = ("member_id",)


_REGISTRY: dict[str, TwoPersonAction] = {}
# Rules every second person must pass, whatever the action: guard(member, approval) -> bool.
# The members app adds the one that refuses the requester's own invitees and newcomers.
_GUARDS: list[Callable[[Any, ApprovalRequest], bool]] = []
# Called after the commit of every completed request: listener(approval) -> None.
_LISTENERS: list[Callable[[ApprovalRequest], None]] = []


def register(action: TwoPersonAction) -> None:
    _REGISTRY[action.name] = action


def add_guard(guard: Callable[[Any, ApprovalRequest], bool]) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def add_listener(listener: Callable[[ApprovalRequest], None]) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def beneficiaries(approval: ApprovalRequest) -> list[Any]:
    """Internal ids of the people a request benefits (who must not approve it)."""
    action = _REGISTRY.get(approval.action)
    keys = action.beneficiary_keys if action else ("member_id",)
    return [approval.params.get(key) for key in keys if approval.params.get(key) is not None]


def action_for(request: ApprovalRequest) -> TwoPersonAction:
    return _REGISTRY[request.action]


def describe(request: ApprovalRequest) -> str:
    action = _REGISTRY.get(request.action)
    return action.describe(request.params) if action else request.action


@transaction.atomic
def request_action(*, name: str, params: dict[str, Any], requested_by: Any) -> ApprovalRequest:
    """Records the wish to run a dangerous action; nothing happens until it is approved."""
    action = _REGISTRY[name]
    if not action.can_request(requested_by):
        raise PermissionDenied
    approval = ApprovalRequest.objects.create(
        action=name,
        params=params,
        requested_by=requested_by,
        expires_at=timezone.now() + APPROVAL_WINDOW,
    )
    audit.record("twoperson.requested", actor=requested_by, target=approval, action_name=name)
    return approval


def may_approve(member: Any, approval: ApprovalRequest) -> bool:
    action = _REGISTRY.get(approval.action)
    if action is None or approval.status != ApprovalRequest.Status.PENDING:
        return False
    if approval.requested_by_id == member.pk:
        return False
    if any(approval.params.get(key) == member.pk for key in action.beneficiary_keys):
        return False
    if not all(guard(member, approval) for guard in _GUARDS):
        return False
    return action.can_approve(member, approval.params)


@transaction.atomic
def approve_request(*, approval: ApprovalRequest, approver: Any) -> ApprovalRequest:
    """A second member approves: the action runs now, exactly once."""
    if not may_approve(approver, approval):
        raise PermissionDenied
    return _carry_out(approval, approver=approver, decision_ref="")


@transaction.atomic
def approve_by_decision(*, approval: ApprovalRequest, decision_ref: str) -> ApprovalRequest:
    """A passed decision of the membership stands in for the second member."""
    if not decision_ref:
        raise ValidationError(_("A decision is needed."))
    return _carry_out(approval, approver=None, decision_ref=decision_ref)


def _carry_out(approval: ApprovalRequest, *, approver: Any, decision_ref: str) -> ApprovalRequest:
    now = timezone.now()
    if approval.expires_at <= now:
        ApprovalRequest.objects.filter(pk=approval.pk, status="pending").update(status="expired")
        raise ValidationError(_("This request has expired; ask again."))
    # The conditional update is the lock: of two racing approvals only one changes a row.
    changed = ApprovalRequest.objects.filter(
        pk=approval.pk, status=ApprovalRequest.Status.PENDING
    ).update(
        status=ApprovalRequest.Status.DONE,
        approved_by=approver,
        decision_ref=decision_ref,
        decided_at=now,
    )
    if not changed:
        raise ValidationError(_("This request has already been decided."))
    approval.refresh_from_db()
    _REGISTRY[approval.action].run(approval.params, approval)
    audit.record(
        "twoperson.approved",
        actor=approver,
        target=approval,
        action_name=approval.action,
        by_decision=bool(decision_ref),
    )
    for listener in _LISTENERS:
        transaction.on_commit(partial(listener, approval))
    return approval


@transaction.atomic
def reject_request(*, approval: ApprovalRequest, member: Any) -> ApprovalRequest:
    """The second member says no (or the requester withdraws their own request)."""
    own = approval.requested_by_id == member.pk
    if not own and not may_approve(member, approval):
        raise PermissionDenied
    status = ApprovalRequest.Status.CANCELLED if own else ApprovalRequest.Status.REJECTED
    changed = ApprovalRequest.objects.filter(
        pk=approval.pk, status=ApprovalRequest.Status.PENDING
    ).update(status=status, approved_by=None if own else member, decided_at=timezone.now())
    if not changed:
        raise ValidationError(_("This request has already been decided."))
    audit.record(f"twoperson.{status}", actor=member, target=approval, action_name=approval.action)
    approval.refresh_from_db()
    return approval


def pending_for(member: Any):
    """Requests waiting that `member` could approve (not their own)."""
    pending = ApprovalRequest.objects.filter(
        status=ApprovalRequest.Status.PENDING, expires_at__gt=timezone.now()
    ).exclude(requested_by=member)
    allowed = [a.pk for a in pending if may_approve(member, a)]
    return ApprovalRequest.objects.filter(pk__in=allowed)


def visible_requests(member: Any):
    """Requests a member may see: ones they could approve and ones they made."""
    from django.db.models import Q

    return ApprovalRequest.objects.filter(
        Q(pk__in=pending_for(member).values("pk")) | Q(requested_by=member)
    )
