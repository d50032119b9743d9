"""After-action: an incident that is over gets how it ended, a debrief and the follow-up for
the family; and the figures every member sees — counts, how incidents ended, and two medians
that appear only over enough incidents to describe no one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.defense import figures, reports
from solnet.defense.models import Finding, Outcome, Report, ReportStatus, Verification
from solnet.defense.tests.making import make_report
from solnet.mobilize.models import Alert, AlertAnswer, AlertResponse, AlertStatus
from solnet.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_after_action_comes_once_the_incident_is_over(personas):
    dispatcher = personas["dispatcher"].member
    report = make_report(status=ReportStatus.CONFIRMED)
    kwargs = {"outcome": Outcome.ARRESTS, "debrief": "Two LOs were late", "follow_up": "Call Ana"}
    with pytest.raises(ValidationError, match="over"):
        reports.after_action(report=report, by=dispatcher, **kwargs)
    reports.close_report(report=report, status=ReportStatus.CLOSED, note="Over.", by=dispatcher)
    with pytest.raises(PermissionDenied):
        reports.after_action(report=report, by=personas["member"].member, **kwargs)
    with pytest.raises(ValidationError):
        reports.after_action(report=report, by=dispatcher, **{**kwargs, "outcome": "won"})
    false_alarm = make_report()
    reports.close_report(
        report=false_alarm, status=ReportStatus.FALSE_ALARM, note="Film crew", by=dispatcher
    )
    with pytest.raises(ValidationError):
        reports.after_action(report=false_alarm, by=dispatcher, **kwargs)
    reports.after_action(report=report, by=dispatcher, **kwargs)
    report.refresh_from_db()
    assert (report.outcome, report.debrief, report.follow_up) == (
        Outcome.ARRESTS,
        "Two LOs were late",
        "Call Ana",
    )
    client = sign_in(Client(), dispatcher)
    response = client.post(
        reverse("defense:report_after", args=[report.public_id]), {"outcome": "", "debrief": "x"}
    )
    assert response.status_code == 422
    report.refresh_from_db()
    assert report.outcome == Outcome.ARRESTS


def _incident(now, *, to_confirm: int, to_coming: int | None, outcome: str = "") -> Report:
    """An incident reported at `now`, confirmed `to_confirm` minutes later, and the first
    responder coming `to_coming` minutes after that."""
    verifier = make_member(f"v{Report.objects.count()}")[0]
    report = make_report(status=ReportStatus.CLOSED, outcome=outcome)
    Report.objects.filter(pk=report.pk).update(created_at=now)
    confirmed = now + timedelta(minutes=to_confirm)
    Verification.objects.create(
        report=report, verifier=verifier, finding=Finding.CONFIRMED, answered_at=confirmed
    )
    if to_coming is not None:
        alert = Alert.objects.create(message="Go", status=AlertStatus.SENT)
        Report.objects.filter(pk=report.pk).update(alert=alert)
        AlertResponse.objects.create(
            alert=alert,
            person=Person.objects.create(display_name="R"),
            answer=AlertAnswer.COMING,
            answered_at=confirmed + timedelta(minutes=to_coming),
        )
    return report


def test_the_figures_show_medians_only_over_enough_incidents(personas):
    now = timezone.now() - timedelta(days=2)
    _incident(now, to_confirm=10, to_coming=4, outcome=Outcome.STOPPED)
    _incident(now, to_confirm=20, to_coming=6, outcome=Outcome.STOPPED)
    shown = figures.figures_since(90)
    assert shown.incidents == 2 and shown.to_verification is None  # too few: no median
    _incident(now, to_confirm=30, to_coming=None, outcome=Outcome.ARRESTS)
    shown = figures.figures_since(90)
    assert (shown.incidents, shown.to_verification) == (3, 20.0)
    assert shown.to_first_responder is None  # only two alerts had someone coming
    assert dict(shown.outcomes)[Outcome.STOPPED.label] == 2
    _incident(now, to_confirm=5, to_coming=8)
    assert figures.figures_since(90).to_first_responder == 6.0
    page = sign_in(Client(), personas["member"].member).get(reverse("defense:figures"))
    assert page.status_code == 200
    text = page.content.decode()
    # Medians over the four (15 and 6 minutes), and no one's name.
    assert "15.0" in text and "6.0" in text and "V0" not in text
