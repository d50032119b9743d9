"""The legal hand-off (DOMAIN.md §8): one person asks to hand an incident to the network's
legal contact, a second approves (the two-person rule: never the asker, nor someone they
invited, nor a newcomer), and the worker makes one **sealed bundle** — a PDF summary, the
field notes as data with their seals, and the photos and videos — encrypted on disk under its
own key. The legal contact gets a link by email (the secret is kept only as a hash); the link
expires after `bundles.LINK_DAYS` days, and a dispatcher or the LO coordinator can send a fresh one.

From the approval on, the incident is **held**: its report, field notes and photos are kept
past the hotline's period until the legal contact closes the hand-off, which deletes the
bundle (key and bytes) and lifts the hold. Every step goes to the audit log.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit, sealed, twoperson
from solnet.core.models import ApprovalRequest
from solnet.defense import access, bundle_tasks, bundles
from solnet.defense.models import (
    FieldEntry,
    Hotline,
    LegalHandoff,
    Report,
    ReportStatus,
)
from solnet.members.models import Member

log = logging.getLogger(__name__)

ACTION = "defense.legal_handoff"
CONTACT_ACTION = "defense.legal_contact"


def _describe(params: dict[str, Any]) -> str:
    report = Report.objects.filter(public_id=params.get("report")).first()
    entries = FieldEntry.objects.filter(report=report).count() if report else 0
    return _(
        "Hand the incident of %(when)s (%(entries)s field-note entries, with its photos and "
        "arrests) to the legal contact %(email)s, as a sealed bundle"
    ) % {
        "when": timezone.localtime(report.seen_at).strftime("%Y-%m-%d %H:%M") if report else "?",
        "entries": entries,
        "email": params.get("recipient", "?"),
    }


def pending(report: Report) -> LegalHandoff | None:
    """The hand-off waiting for its second person, or open with the legal contact."""
    now = timezone.now()
    for handoff in LegalHandoff.objects.filter(
        report=report, closed_at__isnull=True
    ).select_related("approval"):
        approval = handoff.approval
        if approval is None:
            continue
        if approval.status == ApprovalRequest.Status.DONE or (
            approval.status == ApprovalRequest.Status.PENDING and approval.expires_at > now
        ):
            return handoff
    return None


@transaction.atomic
def request_handoff(*, report: Report, by: Member) -> LegalHandoff:
    """Asks to hand the incident to the legal contact; a second person must approve."""
    if not access.reads_all_field_notes(by):
        raise PermissionDenied
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status in (ReportStatus.UNVERIFIED, ReportStatus.FALSE_ALARM):
        raise ValidationError(_("Only a confirmed incident is handed to the legal contact."))
    recipient = (Hotline.current().legal_contact or "").strip()
    if not recipient:
        raise ValidationError(
            _("Give the network's legal contact first, on the hotline's settings page.")
        )
    if pending(report) is not None:
        raise ValidationError(_("This incident is already being handed to the legal contact."))
    approval = twoperson.request_action(
        name=ACTION, params={"report": report.public_id, "recipient": recipient}, requested_by=by
    )
    handoff = LegalHandoff.objects.create(
        report=report, approval=approval, requested_by=by, recipient=recipient
    )
    audit.record("defense.handoff_requested", actor=by, target=report, handoff=handoff.public_id)
    return handoff


def _approve(params: dict[str, Any], approval: ApprovalRequest) -> None:
    """Runs inside the approval's transaction: the incident is held, an empty sealed file
    waits, and the worker makes the bundle once this commits."""
    handoff = LegalHandoff.objects.select_related("report").get(approval=approval)
    report = Report.objects.select_for_update().get(pk=handoff.report_id)
    if report.legal_hold_at is None:
        report.legal_hold_at = timezone.now()
        report.save(update_fields=["legal_hold_at"])
    owner = approval.requested_by or approval.approved_by
    handoff.file = sealed.create_sealed_file(
        owner=owner,
        purpose=ACTION,
        filename=f"incident-{report.seen_at:%Y-%m-%d}.zip",
        content_type="application/zip",
        total=FieldEntry.objects.filter(report=report).count() + 1,
        lifetime=None,
    )
    handoff.save(update_fields=["file"])
    audit.record("defense.handoff_approved", actor=approval.approved_by, target=report, held=True)
    transaction.on_commit(lambda: bundle_tasks.produce_bundle(handoff.pk))


def can_approve(member: Member, params: dict[str, Any]) -> bool:
    return access.reads_all_field_notes(member)


def _describe_contact(params: dict[str, Any]) -> str:
    return _("Send incident bundles to %(email)s (now: %(was)s)") % {
        "email": params.get("email") or "?",
        "was": params.get("was") or _("nobody"),
    }


@transaction.atomic
def request_contact_change(*, email: str, by: Member) -> ApprovalRequest:
    """Where bundles go changes only with a second dispatcher: someone who could point it at
    themselves would receive every incident handed over afterwards."""
    if not access.is_dispatcher(by):
        raise PermissionDenied
    email = (email or "").strip()
    current = Hotline.current().legal_contact or ""
    if email == current:
        raise ValidationError({"legal_contact": _("That is the legal contact already.")})
    return twoperson.request_action(
        name=CONTACT_ACTION, params={"email": email, "was": current}, requested_by=by
    )


def _apply_contact(params: dict[str, Any], approval: ApprovalRequest) -> None:
    hotline = Hotline.objects.select_for_update().get(pk=Hotline.current().pk)
    hotline.legal_contact = params.get("email") or None
    hotline.save(update_fields=["legal_contact"])
    audit.record("defense.legal_contact_changed", actor=approval.approved_by)


def register() -> None:
    twoperson.register(
        twoperson.TwoPersonAction(
            name=CONTACT_ACTION,
            run=_apply_contact,
            describe=_describe_contact,
            can_request=access.is_dispatcher,
            can_approve=lambda member, params: access.is_dispatcher(member),
        )
    )
    twoperson.register(
        twoperson.TwoPersonAction(
            name=ACTION,
            run=_approve,
            describe=_describe,
            can_request=access.reads_all_field_notes,
            can_approve=can_approve,
        )
    )


@transaction.atomic
def send_new_link(*, handoff: LegalHandoff, by: Member) -> None:
    """A fresh link to the same legal contact, for a bundle already approved (the old link
    stops at once)."""
    if not access.reads_all_field_notes(by):
        raise PermissionDenied
    handoff = LegalHandoff.objects.select_for_update().get(pk=handoff.pk)
    if handoff.closed_at is not None or handoff.ready_at is None:
        raise ValidationError(_("This hand-off has no bundle to send."))
    bundles.send_link(handoff)
    audit.record("defense.handoff_link_sent", actor=by, target=handoff.report)


def handoff_of_link(token: str) -> LegalHandoff | None:
    """The open hand-off whose link this is, while it has not expired."""
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    handoff = (
        LegalHandoff.objects.select_related("report__zone", "file")
        .filter(token_hash=digest, closed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if handoff is None or not sealed.downloadable(handoff.file):
        return None
    return handoff


def read_bundle(handoff: LegalHandoff):
    LegalHandoff.objects.filter(pk=handoff.pk).update(downloads=handoff.downloads + 1)
    audit.record("defense.handoff_downloaded", target=handoff.report, handoff=handoff.public_id)
    return sealed.read_chunks(handoff.file)  # type: ignore[arg-type]


@transaction.atomic
def close_handoff(handoff: LegalHandoff) -> None:
    """The legal contact no longer needs it kept: the bundle goes (key and bytes) and, with no
    other hand-off open, the incident's hold lifts (retention takes it from there)."""
    handoff = LegalHandoff.objects.select_for_update().get(pk=handoff.pk)
    if handoff.closed_at is not None:
        return
    handoff.closed_at = timezone.now()
    file = handoff.file
    handoff.file = None
    handoff.token_hash = ""
    handoff.save(update_fields=["closed_at", "file", "token_hash"])
    if file is not None:
        sealed.delete_sealed_file(file)
    still_open = LegalHandoff.objects.filter(report=handoff.report_id, closed_at__isnull=True)
    if not still_open.exists():
        Report.objects.filter(pk=handoff.report_id).update(legal_hold_at=None)
    audit.record("defense.handoff_closed", target=handoff.report, handoff=handoff.public_id)
