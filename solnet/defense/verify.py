"""Verify before broadcasting (DOMAIN.md §8): the dispatcher sends one or two verifiers near
the report's zone to go and look; each answers on their own page (the link in the message
they get): confirmed, not seen, or a false alarm. A verifier's confirmation makes the report
confirmed, and only a confirmed report becomes a rapid-response alert to responders.

Verifiers are members with the verifier skill in the report's zone (anywhere, for a report
with no zone), never whoever wrote the report nor the dispatcher who asks: a confirmation is
another person's eyes. The message they get names the zone, never what the report says.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit, tasks
from solnet.defense import rota
from solnet.defense.models import Finding, Report, ReportStatus, Verification
from solnet.members.models import Member
from solnet.mobilize import alerts
from solnet.mobilize.models import Zone
from solnet.people.models import Skill

MOST_VERIFIERS = 2


def candidates(report: Report) -> QuerySet[Member]:
    """Who may be sent to look: members with the verifier skill in the report's zone, but the
    one who wrote it."""
    members = Member.objects.active().filter(person__skills__skill=Skill.VERIFIER)
    if report.zone_id:
        members = members.filter(person__zones=report.zone_id)
    if report.written_by_id:
        members = members.exclude(pk=report.written_by_id)
    return members.distinct().order_by("display_name", "pk")


def _message(verification: Verification) -> tuple[str, str]:
    report = verification.report
    link = settings.BASE_URL + reverse("defense:verify", args=[verification.public_id])
    with translation.override(verification.verifier.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Please verify a report")
        where = report.zone.name if report.zone else _("no zone given")
        body = _(
            "The hotline asks you to go and look before anyone is called out (%(zone)s). "
            "What the report says and where, and your answer: %(link)s"
        ) % {"zone": where, "link": link}
    return subject, body


@transaction.atomic
def ask(*, report: Report, verifiers: list[Member], by: Member) -> list[Verification]:
    """A dispatcher sends one or two verifiers to look at an unverified report."""
    rota.check_on_duty(by)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.UNVERIFIED:
        raise ValidationError(_("Only a report not verified yet is sent to verifiers."))
    if not 1 <= len(verifiers) <= MOST_VERIFIERS:
        raise ValidationError({"verifiers": _("Choose one or two verifiers.")})
    allowed = set(candidates(report).values_list("pk", flat=True))
    for verifier in verifiers:
        if verifier.pk == by.pk:
            raise ValidationError(
                {"verifiers": _("Someone other than the dispatcher must go and look.")}
            )
        if verifier.pk not in allowed:
            raise ValidationError(
                {"verifiers": _("Choose verifiers from the list: those near the report's zone.")}
            )
    asked = []
    for verifier in verifiers:
        try:
            with transaction.atomic():
                verification = Verification.objects.create(
                    report=report, verifier=verifier, asked_by=by
                )
        except IntegrityError:
            continue  # asked already: not asked twice
        subject, body = _message(verification)
        if verifier.email:
            tasks.queue_mail(to=verifier.email, subject=subject, body=body)
        audit.record("defense.verifier_asked", actor=by, target=report)
        asked.append(verification)
    return asked


def visible_verification(member: Member, public_id: str) -> Verification:
    """A verifier's own ask; anyone else's is not there."""
    from solnet.core.access import get_or_404

    return get_or_404(
        Verification.objects.select_related("report__zone").filter(verifier=member),
        public_id=public_id,
    )


@transaction.atomic
def answer(*, verification: Verification, finding: str, details: str, by: Member) -> Verification:
    """The verifier says what they found, once, while the report is open."""
    verification = Verification.objects.select_for_update().get(pk=verification.pk)
    if verification.verifier_id != by.pk:
        raise PermissionDenied
    if finding not in Finding.values:
        raise ValidationError({"finding": _("Choose what you found.")})
    details = (details or "").strip()
    if len(details) > 1000:
        raise ValidationError({"details": _("Keep it under 1,000 characters.")})
    if verification.answered_at is not None:
        raise ValidationError(_("You have answered already."))
    report = Report.objects.select_for_update().get(pk=verification.report_id)
    if not report.is_open:
        raise ValidationError(_("This report is closed: no answer is needed any more."))
    if finding == Finding.CONFIRMED and not details:
        raise ValidationError(
            {"details": _("Say what you saw: agency, how many, what is happening.")}
        )
    verification.finding = finding
    verification.details = details or None
    verification.answered_at = timezone.now()
    verification.save(update_fields=["finding", "details", "answered_at"])
    if finding == Finding.CONFIRMED and report.status == ReportStatus.UNVERIFIED:
        report.status = ReportStatus.CONFIRMED
        report.save(update_fields=["status"])
    audit.record("defense.verified", actor=by, target=report, finding=finding)
    return verification


@transaction.atomic
def alert_responders(
    *, report: Report, message: str, skills: list[str], zones: list[Zone], by: Member
):
    """A confirmed report becomes a rapid-response alert (mobilize's) to responders with the
    skills in the zones; nothing else becomes one."""
    rota.check_on_duty(by)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.CONFIRMED:
        raise ValidationError(_("Only a report a verifier confirmed can call responders out."))
    if report.alert_id is not None:
        raise ValidationError(_("Responders were alerted already for this report."))
    # A verifier confirmed it: the alert needs no second verification.
    alert = alerts.create_alert(
        by=by, message=message, skills=skills, zones=zones, needs_verification=False
    )
    report.alert = alert
    report.save(update_fields=["alert"])
    audit.record("defense.alerted", actor=by, target=report)
    return alert
