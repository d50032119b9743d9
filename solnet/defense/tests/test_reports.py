"""Reports to the hotline: written by a dispatcher (SALUTE, ALERTA), sent by a member or
through the public form; unverified, read by dispatchers alone, closed with a reason, their
words gone after the hotline's period — and, the field rule, never on any page, feed, API
answer or outbound request but the dispatchers' own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.core import public_forms
from solnet.core.models import AuditEvent
from solnet.core.retention import purge_expired
from solnet.defense import reports
from solnet.defense.models import Hotline, Report, ReportStatus, Source
from solnet.defense.tests.making import make_report, open_public_form
from solnet.mobilize.models import Zone

pytestmark = pytest.mark.django_db


def _when(minutes_ago: int = 5) -> str:
    return (timezone.localtime() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def _salute(**changes) -> dict:
    data = {
        "size": "two vans, six agents",
        "activity": "knocking on doors, asking for Mr. Ortega",
        "location": "1420 Alder Street, building B",
        "uniform": "vests marked POLICE, no names",
        "seen_at": _when(),
        "equipment": "unmarked white vans",
        "help_asked": "",
        "zone": "",
        "reached_at": "",
        "source": "call",
    }
    data.update(changes)
    return data


def test_a_dispatcher_takes_a_salute_report_on_the_phone(personas):
    dispatcher = personas["dispatcher"].member
    zone = Zone.objects.create(name="Eastside")
    client = sign_in(Client(), dispatcher)
    form = client.get(reverse("defense:report_new") + "?form=salute")
    html = form.content.decode()
    assert form.status_code == 200
    # SALUTE's own order: Size, Activity, Location, Uniform, Time, Equipment.
    order = [html.index(f'name="{name}"') for name in ("size", "activity", "location")]
    assert order == sorted(order)
    response = client.post(
        reverse("defense:report_new") + "?form=salute", _salute(zone=zone.pk, source="text")
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("defense:report", args=[report.public_id])
    assert (report.form, report.source, report.status, report.zone) == (
        "salute",
        Source.TEXT,
        ReportStatus.UNVERIFIED,
        zone,
    )
    assert report.written_by == dispatcher and report.location == "1420 Alder Street, building B"
    assert abs(report.forget_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    page = client.get(reverse("defense:report", args=[report.public_id])).content.decode()
    assert "1420 Alder Street" in page and "Not verified" in page
    assert AuditEvent.objects.filter(action="defense.report_read", actor_id=dispatcher.pk).exists()


def test_the_alerta_form_asks_in_its_own_order_and_in_spanish(personas):
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), personas["dispatcher"].member)
    html = client.get(reverse("defense:report_new") + "?form=alerta").content.decode()
    names = ("activity", "location", "equipment", "help_asked", "seen_at", "uniform")
    order = [html.index(f'name="{name}"') for name in names]
    assert order == sorted(order)
    assert "Actividad" in html and "Requerimiento de ayuda" in html and "Apariencia" in html


def test_a_member_sends_a_report_and_reads_no_report_afterwards(personas):
    member = personas["member"].member
    client = sign_in(Client(), member)
    # Every member finds the hotline in the menu; a list supporter does not.
    assert f'href="{reverse("defense:home")}"' in client.get(reverse("home")).content.decode()
    supporter = sign_in(Client(), personas["supporter"].member).get(reverse("home"))
    assert f'href="{reverse("defense:home")}"' not in supporter.content.decode()
    response = client.post(
        reverse("defense:report_new") + "?form=alerta",
        # A member cannot pass their report off as a dispatcher's call.
        _salute(source="call", help_asked="accompaniment for a family"),
    )
    assert response.status_code == 200 and "dispatcher on shift has it" in response.content.decode()
    report = Report.objects.get()
    assert (report.form, report.source, report.written_by) == ("alerta", Source.MEMBER, member)
    assert client.get(reverse("defense:report", args=[report.public_id])).status_code == 404
    home = client.get(reverse("defense:home")).content.decode()
    assert "Alder" not in home and "Report to the hotline" in home


@pytest.mark.parametrize(
    "changes, english, spanish",
    [
        ({"activity": ""}, "Say what is happening and where.", "Di qué está pasando y dónde."),
        ({"location": " "}, "Say what is happening and where.", "Di qué está pasando y dónde."),
        (
            {"seen_at": (timezone.localtime() - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")},
            "within the last month",
            "del último mes",
        ),
        ({"seen_at": "yesterday"}, "Enter a valid date/time.", "fecha/hora válida"),
        ({"activity": "x" * 1001}, "1000 characters", "1000 caracteres"),
    ],
)
def test_a_report_that_cannot_be_is_refused_in_the_persons_language(
    personas, changes, english, spanish
):
    for language, expected in (("en", english), ("es", spanish)):
        client = sign_in(Client(HTTP_ACCEPT_LANGUAGE=language), personas["dispatcher"].member)
        response = client.post(reverse("defense:report_new"), _salute(**changes))
        assert response.status_code == 422
        assert expected in response.content.decode()
    assert (
        not Report.objects.exists()
        and not AuditEvent.objects.filter(action="defense.report_filed").exists()
    )


def test_only_members_send_reports_and_only_dispatchers_say_how_they_came(personas):
    supporter = personas["supporter"].member
    with pytest.raises(PermissionDenied):
        reports.file_report(
            form="salute", source=Source.MEMBER, seen_at=timezone.now(), words={}, by=supporter
        )
    with pytest.raises(PermissionDenied):
        reports.file_report(
            form="salute",
            source=Source.CALL,
            seen_at=timezone.now(),
            words={"activity": "a", "location": "b"},
            by=personas["member"].member,
        )
    assert not Report.objects.exists()


def test_a_dispatcher_closes_a_false_alarm_with_its_reason(personas):
    dispatcher = personas["dispatcher"].member
    report = make_report()
    client = sign_in(Client(), dispatcher)
    url = reverse("defense:report_close", args=[report.public_id])
    assert client.post(url, {"status": "false_alarm", "note": ""}).status_code == 422
    response = client.post(url, {"status": "false_alarm", "note": "A film crew, not agents."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FALSE_ALARM and report.closed_at is not None
    assert report.close_note == "A film crew, not agents."
    again = client.post(url, {"status": "closed", "note": "again"})
    assert again.status_code == 422 and "closed already" in again.content.decode()
    with pytest.raises(PermissionDenied):
        reports.close_report(
            report=make_report(), status="closed", note="x", by=personas["organizer"].member
        )


def test_the_desk_lists_open_reports_and_filters_by_status(personas):
    open_one = make_report(location="Open street")
    closed = make_report(location="Closed street", status=ReportStatus.FALSE_ALARM)
    client = sign_in(Client(), personas["dispatcher"].member)
    desk = client.get(reverse("defense:home")).content.decode()
    assert reverse("defense:report", args=[open_one.public_id]) in desk
    assert reverse("defense:report", args=[closed.public_id]) not in desk
    false_alarms = client.get(reverse("defense:home") + "?status=false_alarm").content.decode()
    assert reverse("defense:report", args=[closed.public_id]) in false_alarms


def test_the_desk_is_paginated(personas):
    for _ in range(30):
        make_report()
        make_report(status=ReportStatus.FALSE_ALARM)
    client = sign_in(Client(), personas["dispatcher"].member)
    first = client.get(reverse("defense:home")).content.decode()
    second = client.get(reverse("defense:home") + "?page=2").content.decode()
    assert first.count("/defense/reports/") - first.count("/defense/reports/new") == 25
    assert second.count("/defense/reports/") - second.count("/defense/reports/new") == 5
    # A filtered list keeps its filter from page to page.
    false_alarms = client.get(reverse("defense:home") + "?status=false_alarm").content.decode()
    assert "?status=false_alarm&amp;page=2" in false_alarms


# --- the public form ---------------------------------------------------------------------------


def _public(**changes) -> dict:
    data = _salute()
    data.pop("source")
    data.update(
        website="", started=signing.dumps(timezone.now().timestamp() - 20, salt=public_forms.SALT)
    )
    data.update(changes)
    return data


def test_the_public_form_takes_a_report_from_anyone_with_its_address():
    address = open_public_form()
    url = reverse("defense:public_report", args=[address])
    page = Client().get(url)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    assert 'name="help_asked"' in page.content.decode()
    response = Client().post(url, _public(reached_at="+1 360 555 0199"))
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    report = Report.objects.get()
    assert (report.form, report.source, report.written_by) == ("alerta", Source.PUBLIC, None)
    assert report.reached_at == "+1 360 555 0199"


def test_the_public_form_is_closed_or_moved_and_then_nothing_is_there(personas):
    address = open_public_form()
    assert (
        Client().get(reverse("defense:public_report", args=["x" + address[1:]])).status_code == 404
    )
    client = sign_in(Client(), personas["dispatcher"].member)
    settings = {"ring_seconds": "20"}
    opened = {**settings, "public_form": "on", "new_address": "on"}
    assert client.post(reverse("defense:hotline"), opened).status_code == 302
    moved = Hotline.current().address
    assert moved != address
    assert Client().get(reverse("defense:public_report", args=[address])).status_code == 404
    assert Client().get(reverse("defense:public_report", args=[moved])).status_code == 200
    assert client.post(reverse("defense:hotline"), settings).status_code == 302
    assert Client().get(reverse("defense:public_report", args=[moved])).status_code == 404
    assert (
        Client().post(reverse("defense:public_report", args=[moved]), _public()).status_code == 404
    )
    assert not Report.objects.exists()


def test_a_bot_on_the_public_form_is_thanked_and_nothing_is_written():
    address = open_public_form()
    response = Client().post(
        reverse("defense:public_report", args=[address]), _public(website="http://spam")
    )
    assert response.status_code == 200 and not Report.objects.exists()


# --- what stays, and where a report never goes --------------------------------------------------


def test_a_reports_words_go_after_the_hotlines_period_and_the_facts_stay(personas):
    zone = Zone.objects.create(name="Eastside")
    report = reports.file_report(
        form="alerta",
        source=Source.CALL,
        seen_at=timezone.now(),
        zone=zone,
        words={"activity": "an arrest", "location": "Alder St", "reached_at": "+1 360 555 0199"},
        by=personas["dispatcher"].member,
    )
    Hotline.objects.filter(pk=1).update(report_days=10)
    purge_expired()
    report.refresh_from_db()
    assert report.activity == "an arrest"  # not yet: 30 days were set when it came in
    Report.objects.filter(pk=report.pk).update(forget_at=timezone.now() - timedelta(seconds=1))
    purge_expired()
    report.refresh_from_db()
    assert [getattr(report, name) for name in Report.WORDS] == [None] * len(Report.WORDS)
    assert report.written_by is None
    assert (report.zone, report.form, report.status) == (zone, "alerta", "unverified")
    page = sign_in(Client(), personas["dispatcher"].member).get(
        reverse("defense:report", args=[report.public_id])
    )
    assert "was deleted after the hotline's period" in page.content.decode()
