"""The hotline on a phone, in English and in Spanish: a dispatcher puts themself on the rota,
a neighbour sends a report through the public form at its secret address, a member sends one
from the app, the dispatcher takes a SALUTE report from a call and sends a verifier, who
confirms it from their phone; only then the dispatcher alerts the legal observers in the
zone; the dispatcher reads the reports on the desk and closes a false alarm. Each page is
checked with axe, for sideways scroll and for its CSP."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import accessibility_violations, make_member, totp_code
from solnet.defense.models import Report, ReportStatus, Slot, Source, Verification
from solnet.defense.tests.making import open_public_form
from solnet.members.models import Role
from solnet.mobilize.models import Zone
from solnet.people.models import PersonSkill, Skill
from solnet.people.services import own_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def _look(page, language: str, step: str) -> None:
    assert accessibility_violations(page) == [], f"{language} {step}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{language} {step}: the page scrolls sideways"
    assert page.csp_violations == [], f"{language} {step}: {page.csp_violations}"
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"defense-{language}-{step}.png", full_page=True)


def _sign_in(page, base: str, member, secret: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", member.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def _send(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_hotline_desk_on_a_phone(phone, live_server, language):
    base = live_server.url
    dispatcher, dispatcher_secret = make_member(f"{language}_dispatcher", roles=(Role.DISPATCHER,))
    member, member_secret = make_member(f"{language}_neighbour")
    verifier, verifier_secret = make_member(f"{language}_verifier")
    zone = Zone.objects.create(name=f"Eastside {language}")
    for someone, skill in ((verifier, Skill.VERIFIER), (member, Skill.LEGAL_OBSERVER)):
        person = own_record(member=someone)
        PersonSkill.objects.create(person=person, skill=skill)
        zone.people.add(person)

    # The dispatcher puts a shift on the rota, with themself as primary.
    desk = phone(language)
    _sign_in(desk, base, dispatcher, dispatcher_secret)
    desk.goto(f"{base}/defense/rota/")
    form = desk.locator("main form").first
    form.locator("select[name=weekday]").select_option("2")
    form.locator("input[name=starts]").fill("18:00")
    form.locator("select[name=primary]").select_option(str(dispatcher.pk))
    _look(desk, language, "rota")
    _send(desk, form)
    assert Slot.objects.get().primary == dispatcher
    _look(desk, language, "rota-saved")

    # A neighbour uses the public form at its secret address.
    address = open_public_form()
    public = phone(language)
    public.goto(f"{base}/defense/tell/{address}/")
    _look(public, language, "public-form")
    form = public.locator("main form")
    form.locator("textarea[name=activity]").fill("Agents at the door of 3B")
    form.locator("textarea[name=location]").fill("1420 Alder Street")
    public.wait_for_timeout(3200)  # a person takes a few seconds (the form's bot guard)
    _send(public, form)
    _look(public, language, "public-thanks")
    assert Report.objects.get(source=Source.PUBLIC).location == "1420 Alder Street"

    # A member sends an ALERTA report from the app.
    app = phone(language)
    _sign_in(app, base, member, member_secret)
    app.goto(f"{base}/defense/")
    _look(app, language, "member-home")
    app.goto(f"{base}/defense/reports/new/?form=alerta")
    form = app.locator("main form")
    form.locator("textarea[name=activity]").fill("Two unmarked vans")
    form.locator("textarea[name=location]").fill("Corner of 14th and Alder")
    _look(app, language, "member-report")
    _send(app, form)
    _look(app, language, "member-sent")
    assert Report.objects.get(source=Source.MEMBER).written_by == member

    # The dispatcher takes a SALUTE report from a call, in the verifier's zone.
    desk.goto(f"{base}/defense/reports/new/?form=salute")
    form = desk.locator("main form")
    form.locator("textarea[name=size]").fill("six agents")
    form.locator("textarea[name=activity]").fill("knocking on doors")
    form.locator("textarea[name=location]").fill("Alder Street, building B")
    form.locator("select[name=zone]").select_option(str(zone.pk))
    _look(desk, language, "salute")
    _send(desk, form)
    _look(desk, language, "report")

    # A verifier near there is sent to look, and confirms it from their phone.
    form = desk.locator("main form[action$='/verify/']")
    form.locator(f"input[name=verifiers][value='{verifier.pk}']").check()
    _send(desk, form)
    salute = Report.objects.get(source=Source.CALL)
    asked = Verification.objects.get(report=salute)
    eyes = phone(language)
    _sign_in(eyes, base, verifier, verifier_secret)
    eyes.goto(f"{base}/defense/verify/{asked.public_id}/")
    _look(eyes, language, "verify")
    form = eyes.locator("main form")
    form.locator("input[value=confirmed]").check()
    form.locator("textarea[name=details]").fill("Six agents, two vans")
    _send(eyes, form)
    salute.refresh_from_db()
    assert salute.status == ReportStatus.CONFIRMED

    # Only now can the dispatcher alert the legal observers in the zone.
    desk.goto(f"{base}/defense/reports/{salute.public_id}/")
    form = desk.locator("main form[action$='/alert/']")
    form.locator("textarea[name=message]").fill("Legal observers to Alder St and 14th")
    _look(desk, language, "alert")
    _send(desk, form)
    _look(desk, language, "alerted")
    salute.refresh_from_db()
    assert salute.alert is not None and salute.alert.status == "sent"
    desk.goto(f"{base}/defense/")
    _look(desk, language, "desk")
    # Open reports: the public one and the member's (the confirmed one is open too).
    assert desk.locator("main ul.list li a[href*='/defense/reports/']").count() == 3
    public_report = Report.objects.get(source=Source.PUBLIC)
    desk.goto(f"{base}/defense/reports/{public_report.public_id}/")
    form = desk.locator("main form[action$='/close/']")
    form.locator("input[value=false_alarm]").check()
    form.locator("textarea[name=note]").fill("A film crew")
    _send(desk, form)
    _look(desk, language, "closed")
    public_report.refresh_from_db()
    assert public_report.status == ReportStatus.FALSE_ALARM
