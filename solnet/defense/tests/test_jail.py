"""Jail support: arrests recorded at a confirmed incident, court dates reminded once to the
member supporting the case, family tasks, the bail fund asked like any other request; and the
rules attacked — a date of birth without consent, a member reading a case they do not
support, a reminder sent twice, bail asked twice or of a fund that is not for bail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.defense import jail
from solnet.defense.models import Arrestee, ArresteeStatus, CourtDate, FamilyTask, ReportStatus
from solnet.defense.tests.making import make_report
from solnet.funds.models import AidStatus, Purpose
from solnet.funds.tests.making import make_fund
from solnet.members.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    report = make_report(status=ReportStatus.CONFIRMED)
    dispatcher = personas["dispatcher"].member
    supporter = make_member("case_supporter", email="supporter@example.org")[0]
    arrestee = jail.record_arrest(
        report=report,
        by=dispatcher,
        name="Tomasa Q.",
        held_at="County jail, booking 24-5531",
        charges="Obstruction",
        bail_amount=150000,
        supporter=supporter,
    )
    return {
        "report": report,
        "dispatcher": dispatcher,
        "supporter": supporter,
        "arrestee": arrestee,
    }


def test_a_dispatcher_records_an_arrest_and_the_supporter_follows_it(case):
    arrestee, supporter = case["arrestee"], case["supporter"]
    assert arrestee.supporter == supporter and arrestee.status == ArresteeStatus.HELD
    assert arrestee.forget_at is None  # kept while support lasts
    jail.add_court_date(
        arrestee=arrestee, by=supporter, at=timezone.now() + timedelta(days=3), court="Dept 12"
    )
    jail.add_task(arrestee=arrestee, by=supporter, what="Call her sister about the kids")
    assert arrestee.court_dates.count() == 1 and arrestee.tasks.count() == 1


def test_only_dispatchers_and_the_coordinator_record_arrests(case, personas):
    for persona in ("member", "organizer", "fund_committee"):
        with pytest.raises(PermissionDenied):
            jail.record_arrest(report=case["report"], by=personas[persona].member, name="X")
    coordinator = make_member("coordinator", roles=(Role.LEGAL_OBSERVER_COORDINATOR,))[0]
    jail.record_arrest(report=case["report"], by=coordinator, name="Beto R.")
    assert Arrestee.objects.count() == 2


def test_an_unverified_report_takes_no_arrest(case):
    with pytest.raises(ValidationError):
        jail.record_arrest(report=make_report(), by=case["dispatcher"], name="X")
    assert Arrestee.objects.count() == 1


def test_a_date_of_birth_needs_someones_consent(case):
    kwargs = {"report": case["report"], "by": case["dispatcher"], "name": "Ana"}
    with pytest.raises(ValidationError) as refused:
        jail.record_arrest(**kwargs, born_on=date(1990, 5, 1))
    assert "birth_consent" in refused.value.message_dict
    with pytest.raises(ValidationError):
        jail.record_arrest(**kwargs, born_on=date(1990, 5, 1), birth_consent="nobody")
    with pytest.raises(ValidationError):
        jail.record_arrest(**kwargs, born_on=date(1850, 1, 1), birth_consent="person")
    assert Arrestee.objects.count() == 1
    kept = jail.record_arrest(**kwargs, born_on=date(1990, 5, 1), birth_consent="contact")
    kept.refresh_from_db()
    assert kept.born_on == "1990-05-01" and kept.get_birth_consent_display()


def test_another_member_cannot_read_or_change_a_case_they_do_not_support(case, personas):
    arrestee, member = case["arrestee"], personas["member"].member
    with pytest.raises(PermissionDenied):
        jail.add_task(arrestee=arrestee, by=member, what="snoop")
    with pytest.raises(PermissionDenied):
        jail.set_status(arrestee=arrestee, by=member, status=ArresteeStatus.CLOSED)
    client = sign_in(Client(), member)
    assert client.get(reverse("defense:arrestee", args=[arrestee.public_id])).status_code == 404
    assert "Tomasa" not in client.get(reverse("defense:cases")).content.decode()
    assert not FamilyTask.objects.exists()
    # The supporter reads their case.
    client = sign_in(Client(), case["supporter"])
    page = client.get(reverse("defense:arrestee", args=[arrestee.public_id])).content.decode()
    assert "Tomasa Q." in page and "booking 24-5531" in page


def test_a_court_date_is_reminded_once_to_the_supporter_the_day_before(
    case, django_capture_on_commit_callbacks
):
    arrestee = case["arrestee"]
    now = timezone.now()
    soon = jail.add_court_date(
        arrestee=arrestee, by=case["dispatcher"], at=now + timedelta(hours=20), court="Dept 12"
    )
    jail.add_court_date(arrestee=arrestee, by=case["dispatcher"], at=now + timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert jail.remind_court_dates(now) == 1
        assert jail.remind_court_dates(now) == 0  # a second worker, a second run: nothing
    [message] = mail.outbox
    assert message.to == ["supporter@example.org"]
    assert reverse("defense:arrestee", args=[arrestee.public_id]) in message.body
    # The message names nobody and no court: only the link does.
    assert "Tomasa" not in message.body and "Dept 12" not in message.body
    soon.refresh_from_db()
    assert soon.reminded_at is not None
    # A case whose support is over is not reminded.
    later = jail.add_court_date(
        arrestee=arrestee, by=case["dispatcher"], at=now + timedelta(days=10)
    )
    jail.set_status(arrestee=arrestee, by=case["dispatcher"], status=ArresteeStatus.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        assert jail.remind_court_dates(now + timedelta(days=9, hours=12)) == 0
    later.refresh_from_db()
    assert later.reminded_at is None


def test_bad_court_dates_and_tasks_are_refused(case):
    arrestee, by = case["arrestee"], case["dispatcher"]
    with pytest.raises(ValidationError):
        jail.add_court_date(arrestee=arrestee, by=by, at=timezone.now() + timedelta(days=2000))
    with pytest.raises(ValidationError):
        jail.add_task(arrestee=arrestee, by=by, what="   ")
    jail.set_status(arrestee=arrestee, by=by, status=ArresteeStatus.CLOSED)
    with pytest.raises(ValidationError, match="over"):
        jail.add_court_date(arrestee=arrestee, by=by, at=timezone.now() + timedelta(days=2))
    assert not CourtDate.objects.exists() and not FamilyTask.objects.exists()


def test_bail_is_asked_of_the_bail_fund_as_a_request_to_the_creditor(case):
    arrestee, supporter = case["arrestee"], case["supporter"]
    strike = make_fund("Strike fund")
    bail = make_fund("Bail fund", kind="bail")
    with pytest.raises(ValidationError):
        jail.ask_bail(
            arrestee=arrestee, by=supporter, fund=strike, pay_to_name="Court", pay_to_details="x"
        )
    request = jail.ask_bail(
        arrestee=arrestee,
        by=supporter,
        fund=bail,
        pay_to_name="County Court clerk",
        pay_to_details="Case 24-CR-1187, cashier window 3",
    )
    assert (request.fund, request.amount, request.purpose) == (bail, 150000, Purpose.BAIL)
    assert request.creditor_name == "County Court clerk"
    arrestee.refresh_from_db()
    assert arrestee.bail_request == request
    with pytest.raises(ValidationError, match="asked already"):
        jail.ask_bail(
            arrestee=arrestee, by=supporter, fund=bail, pay_to_name="Court", pay_to_details="x"
        )
    # Once the request is withdrawn, the fund can be asked again.
    type(request).objects.filter(pk=request.pk).update(status=AidStatus.WITHDRAWN)
    arrestee.refresh_from_db()
    assert jail.ask_bail(
        arrestee=arrestee, by=supporter, fund=bail, pay_to_name="Court", pay_to_details="x"
    )


def test_closing_support_starts_the_clock_and_retention_strips_the_details(
    case, monkeypatch, django_capture_on_commit_callbacks
):
    from solnet.core.retention import purge_expired

    arrestee, by = case["arrestee"], case["dispatcher"]
    court = timezone.now() + timedelta(days=40)
    jail.add_court_date(arrestee=arrestee, by=by, at=court, court="Dept 12")
    jail.add_task(arrestee=arrestee, by=by, what="Ride to court")
    jail.set_status(arrestee=arrestee, by=by, status=ArresteeStatus.CLOSED)
    arrestee.refresh_from_db()
    # The hotline's period (30 days) after the last court date, not after the closing.
    assert arrestee.forget_at == court + timedelta(days=30)
    later = court + timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired()
    arrestee.refresh_from_db()
    assert all(getattr(arrestee, name) is None for name in Arrestee.DETAILS)
    assert arrestee.supporter is None and arrestee.bail_amount == 150000
    assert not CourtDate.objects.exists() and not FamilyTask.objects.exists()


def test_the_pages_record_a_case_add_a_court_date_and_refuse_bad_input(case, personas):
    report = case["report"]
    client = sign_in(Client(), case["dispatcher"])
    response = client.post(
        reverse("defense:arrest_new", args=[report.public_id]),
        {"name": "Beto R.", "held_at": "Precinct 4", "bail_amount": "500.00"},
    )
    assert response.status_code == 302
    beto = Arrestee.objects.exclude(pk=case["arrestee"].pk).get()
    assert beto.held_at == "Precinct 4"
    assert beto.bail_amount == 50000 and beto.supporter == case["dispatcher"]
    # A date of birth without consent comes back with its error, nothing saved.
    response = client.post(
        reverse("defense:arrest_new", args=[report.public_id]),
        {"name": "Carla", "born_on": "1991-02-03"},
    )
    assert response.status_code == 422 and "agreed" in response.content.decode()
    assert Arrestee.objects.count() == 2
    response = client.post(
        reverse("defense:court_date_add", args=[beto.public_id]),
        {"at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302 and beto.court_dates.count() == 1
    response = client.post(reverse("defense:court_date_add", args=[beto.public_id]), {"at": ""})
    assert response.status_code == 422 and beto.court_dates.count() == 1
    page = client.get(reverse("defense:arrestee", args=[beto.public_id])).content.decode()
    assert "Beto R." in page and "Precinct 4" in page
