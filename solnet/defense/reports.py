"""Reports to the hotline: written by a dispatcher taking a call or a text, sent by a member
from the app, or sent by anyone through the public form at its secret address. Each starts
unverified and is read by dispatchers alone; a dispatcher closes it with a reason (a false
alarm, or the end of what happened).

Nothing here publishes, posts or sends a report anywhere: the field rule (DOMAIN.md §8) is
that raid information never goes online. A stand-down says only that, and the network's name.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.defense import access, line, rota
from solnet.defense.models import Hotline, Outcome, Report, ReportForm, ReportStatus, Source
from solnet.members.models import Member
from solnet.mobilize import alerts
from solnet.mobilize.models import SendKind, Zone
from solnet.mobilize.sending import sends
from solnet.network.models import Network
from solnet.people.models import Person

# What each form asks, in its own order (SALUTE: Size, Activity, Location, Uniform, Time,
# Equipment; ALERTA: Activity, Location, Equipment, Request aid, Time and date, Appearance).
FIELDS = {
    ReportForm.SALUTE: ("size", "activity", "location", "uniform", "seen_at", "equipment"),
    ReportForm.ALERTA: ("activity", "location", "equipment", "help_asked", "seen_at", "uniform"),
}
LONGEST = 1000
# Words written once the report is closed, not when it is filed.
AFTER_WORDS = ("close_note", "debrief", "follow_up")
# A report about something more than a day ahead, or a month past, is a mistake in the time.
PAST = timedelta(days=31)
AHEAD = timedelta(hours=1)
# How a dispatcher took a report.
TAKEN_BY_DISPATCHER = (Source.CALL, Source.TEXT, Source.DISPATCHER)


def _clean_words(words: dict[str, Any]) -> dict[str, str | None]:
    cleaned: dict[str, str | None] = {}
    for name in Report.WORDS:
        if name in AFTER_WORDS:
            continue
        value = (words.get(name) or "").strip()
        if len(value) > LONGEST:
            raise ValidationError({name: _("Keep it under 1,000 characters.")})
        cleaned[name] = value or None
    return cleaned


@transaction.atomic
def file_report(
    *,
    form: str,
    source: str,
    seen_at: datetime,
    words: dict[str, Any],
    zone: Zone | None = None,
    by: Member | None = None,
) -> Report:
    """A new, unverified report. `by` is the dispatcher or member who wrote it (None for the
    public form); `words` the form's answers."""
    if form not in ReportForm.values:
        raise ValidationError({"form": _("Choose SALUTE or ALERTA.")})
    if source == Source.PUBLIC:
        if by is not None:
            raise PermissionDenied
    elif (
        by is None
        or not access.can_file_report(by)
        or (source in TAKEN_BY_DISPATCHER and not access.is_dispatcher(by))
    ):
        raise PermissionDenied
    elif source not in TAKEN_BY_DISPATCHER and source != Source.MEMBER:
        raise ValidationError({"source": _("Choose how the report came.")})
    if source in TAKEN_BY_DISPATCHER:
        assert by is not None
        rota.check_on_duty(by)
    now = timezone.now()
    if not now - PAST <= seen_at <= now + AHEAD:
        raise ValidationError({"seen_at": _("Give when it happened: within the last month.")})
    cleaned = _clean_words(words)
    if not cleaned["activity"] or not cleaned["location"]:
        raise ValidationError(
            {
                name: _("Say what is happening and where.")
                for name in ("activity", "location")
                if not cleaned[name]
            }
        )
    report = Report.objects.create(
        form=form,
        source=source,
        seen_at=seen_at,
        zone=zone,
        written_by=by,
        forget_at=now + timedelta(days=Hotline.current().report_days),
        **cleaned,
    )
    audit.record("defense.report_filed", actor=by, target=report, source=source)
    return report


CLOSINGS = (ReportStatus.FALSE_ALARM, ReportStatus.CLOSED)


def _stand_down_texts(status: str) -> dict[str, dict[str, str]]:
    network = Network.objects.current()
    texts = {}
    for language in network.languages or [settings.LANGUAGE_CODE]:
        with translation.override(language):
            why = (
                _("it was a false alarm") if status == ReportStatus.FALSE_ALARM else _("it is over")
            )
            texts[language] = {
                "subject": _("Stand down"),
                "body": _("Stand down from %(network)s: %(why)s. Thank you for answering.")
                % {"network": network.name, "why": why},
            }
    return texts


def _stand_down(report: Report, status: str, by: Member) -> int:
    """Closes the report's alert, and tells everyone it reached not to come."""
    alert = report.alert
    alerts.close_alert(alert=alert, by=by)
    told = Person.objects.filter(deliveries__send__alert=alert).distinct()
    count = told.count()
    if count:
        sends.create_send(
            kind=SendKind.NEWS,
            people=told,
            texts=_stand_down_texts(status),
            channels=["text", "email"],
            by=by,
        )
    audit.record("defense.stood_down", actor=by, target=report, told=count)
    return count


@transaction.atomic
def close_report(
    *, report: Report, status: str, note: str, by: Member, stand_down: bool = True
) -> Report:
    """A dispatcher closes a report: a false alarm, or over. The reason is kept with it. If
    responders were alerted, their alert closes (nobody can still answer "I'm coming"), and
    with `stand_down` everyone it reached is told not to come."""
    rota.check_on_duty(by)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not report.is_open:
        raise ValidationError(_("This report is closed already."))
    if status not in CLOSINGS:
        raise ValidationError({"status": _("Choose how it ended.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why it is closed.")})
    if len(note) > LONGEST:
        raise ValidationError({"note": _("Keep it under 1,000 characters.")})
    report.status = status
    report.close_note = note
    report.closed_at = timezone.now()
    report.save(update_fields=["status", "close_note", "closed_at"])
    audit.record("defense.report_closed", actor=by, target=report, status=status)
    line.close_with_report(report)
    if report.alert_id is not None:
        if stand_down:
            _stand_down(report, status, by)
        else:
            alerts.close_alert(alert=report.alert, by=by)
    return report


def open_reports(viewer: Member):
    return access.visible_reports(viewer).filter(
        status__in=(ReportStatus.UNVERIFIED, ReportStatus.CONFIRMED)
    )


@transaction.atomic
def after_action(*, report: Report, by: Member, outcome: str, debrief: str, follow_up: str):
    """Once an incident is over, a dispatcher records how it ended, the debrief and the
    follow-up for the family. A false alarm has none."""
    if not access.is_dispatcher(by):
        raise PermissionDenied
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.CLOSED:
        raise ValidationError(_("The after-action comes once an incident is over."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose how it ended.")})
    words = {"debrief": (debrief or "").strip(), "follow_up": (follow_up or "").strip()}
    for name, value in words.items():
        if len(value) > LONGEST:
            raise ValidationError({name: _("Keep it under 1,000 characters.")})
    report.outcome = outcome
    report.debrief = words["debrief"] or None
    report.follow_up = words["follow_up"] or None
    report.save(update_fields=["outcome", "debrief", "follow_up"])
    audit.record("defense.after_action", actor=by, target=report, outcome=outcome)
    return report
