"""The hotline's period — how long what reports, field notes and conversations say is kept —
changes only under the two-person rule: shortening it would destroy what families and lawyers
may need, lengthening it keeps words about people longer. One dispatcher asks; another (never
the asker, nor someone they invited, nor a newcomer) approves on Approvals. The new period
counts for what comes in from then on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from solnet.core import audit, twoperson
from solnet.core.models import ApprovalRequest
from solnet.defense import access
from solnet.defense.models import Hotline
from solnet.members.models import Member

ACTION = "defense.report_days"
SHORTEST, LONGEST = 1, 365


def _describe(params: dict[str, Any]) -> str:
    return _(
        "Keep what reports, field notes and the phone line say for %(days)s days (now %(was)s)"
    ) % {"days": params.get("days", "?"), "was": params.get("was", "?")}


def _check(days: Any) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or not SHORTEST <= days <= LONGEST:
        raise ValidationError({"report_days": _("Choose between 1 and 365 days.")})
    return days


@transaction.atomic
def request_change(*, days: int, by: Member) -> ApprovalRequest:
    if not access.is_dispatcher(by):
        raise PermissionDenied
    days = _check(days)
    current = Hotline.current().report_days
    if days == current:
        raise ValidationError({"report_days": _("That is the period already.")})
    return twoperson.request_action(
        name=ACTION, params={"days": days, "was": current}, requested_by=by
    )


def _apply(params: dict[str, Any], approval: ApprovalRequest) -> None:
    days = _check(params.get("days"))
    hotline = Hotline.objects.select_for_update().get(pk=Hotline.current().pk)
    hotline.report_days = days
    hotline.save(update_fields=["report_days"])
    audit.record("defense.report_days_changed", actor=approval.approved_by, days=days)


def register() -> None:
    twoperson.register(
        twoperson.TwoPersonAction(
            name=ACTION,
            run=_apply,
            describe=_describe,
            can_request=access.is_dispatcher,
            can_approve=lambda member, params: access.is_dispatcher(member),
        )
    )
