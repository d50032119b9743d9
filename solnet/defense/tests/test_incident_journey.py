"""An incident from a text to its close, on phones, in English and in Spanish: a text reaches
the hotline; the dispatcher on shift writes a SALUTE report from it and asks two verifiers,
one of whom confirms; the dispatcher alerts the legal observers in the zone and two of them
answer "I'm coming" from the message's link, which the report's count shows; one checks in
and logs three entries, one with a photo, whose sealed chain the dispatcher sees hold; the
dispatcher records an arrest with a court date, whose reminder goes out; the legal bundle is
asked for, approved by a second dispatcher and opened by the legal contact; the incident is
closed and its after-action written. Each page is checked with axe, for sideways scroll and
for its CSP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_member
from solnet.defense import jail
from solnet.defense.models import (
    Arrestee,
    FieldEntry,
    Hotline,
    Outcome,
    Report,
    ReportStatus,
    Verification,
)
from solnet.defense.tests.conftest import CALLER, LINE
from solnet.defense.tests.making import tiny_photo
from solnet.defense.tests.test_desk_journey import PASSWORD, _look, _send, _sign_in
from solnet.members.models import Role
from solnet.mobilize.models import AlertAnswer, AlertResponse, Zone
from solnet.people.models import ContactChannel, PersonSkill, Skill
from solnet.people.services import own_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAWYER = "intake@peoples-law.example.org"


def _with_skill(member, skill: str, zone: Zone):
    person = own_record(member=member)
    PersonSkill.objects.create(person=person, skill=skill)
    zone.people.add(person)
    ContactChannel.objects.create(
        person=person, kind="email", value=member.email, consent_at=timezone.now()
    )
    return member


def _mail_to(smtp_server, address: str):
    return [m for m in smtp_server.messages if m["To"] == address]


def _local(base: str, link: str) -> str:
    """A link from a message, on the live server under test."""
    return base + re.sub(r"^https?://[^/]+", "", link)


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_incident_from_a_text_to_its_close(
    phone, live_server, phone_line, personas, smtp_server, language
):
    base = live_server.url
    zone = Zone.objects.create(name=f"Eastside {language}")
    dispatcher = phone_line.primary
    dispatcher.email = f"{language}.desk@example.org"
    dispatcher.save()
    pairs = [
        make_member(f"{language}_v{n}", email=f"{language}.v{n}@example.org") for n in range(2)
    ]
    verifiers = [_with_skill(member, Skill.VERIFIER, zone) for member, _secret in pairs]
    observer, observer_secret = make_member(f"{language}_lo", email=f"{language}.lo@example.org")
    observers = [
        _with_skill(observer, Skill.LEGAL_OBSERVER, zone),
        _with_skill(
            make_member(f"{language}_lo2", email=f"{language}.lo2@example.org")[0],
            Skill.LEGAL_OBSERVER,
            zone,
        ),
    ]
    hotline = Hotline.current()
    hotline.legal_contact = LAWYER
    hotline.save()

    # A text reaches the hotline; the dispatcher on shift writes a SALUTE report from it.
    phone_line.gateway.signed_inbound(CALLER, LINE, "ICE at 1420 Alder St, two vans").post(Client())
    desk = phone(language)
    _sign_in(desk, base, dispatcher, personas["dispatcher"].totp_secret)
    desk.goto(f"{base}/defense/")
    with desk.expect_navigation():
        desk.locator("main section[aria-labelledby=line-title] a").first.click()
    with desk.expect_navigation():
        desk.locator("main a.button").first.click()
    form = desk.locator("main form")
    form.locator("textarea[name=size]").fill("two vans, six agents")
    form.locator("textarea[name=activity]").fill("agents at the door of 3B")
    form.locator("textarea[name=location]").fill("1420 Alder Street")
    form.locator("select[name=zone]").select_option(str(zone.pk))
    _send(desk, form)
    report = Report.objects.get()
    _look(desk, language, "incident-report")

    # Two verifiers are asked; one confirms from their phone.
    form = desk.locator("main form[action$='/verify/']")
    for verifier in verifiers:
        form.locator(f"input[name=verifiers][value='{verifier.pk}']").check()
    _send(desk, form)
    assert Verification.objects.filter(report=report).count() == 2
    asked = Verification.objects.get(report=report, verifier=verifiers[0])
    eyes = phone(language)
    _sign_in(eyes, base, verifiers[0], pairs[0][1])
    eyes.goto(f"{base}/defense/verify/{asked.public_id}/")
    form = eyes.locator("main form")
    form.locator("input[value=confirmed]").check()
    form.locator("textarea[name=details]").fill("Six agents, two vans, ICE vests")
    _send(eyes, form)
    report.refresh_from_db()
    assert report.status == ReportStatus.CONFIRMED

    # The dispatcher alerts the legal observers in the zone; two answer from the message.
    desk.goto(f"{base}/defense/reports/{report.public_id}/")
    form = desk.locator("main form[action$='/alert/']")
    form.locator("textarea[name=message]").fill("Legal observers to Alder St and 14th")
    _send(desk, form)
    for member in observers:
        [message] = _mail_to(smtp_server, member.email)
        link = re.search(r"https?://\S+/alert-answer/\S+/", message.get_content()).group(0)
        responder = phone(language)
        responder.goto(_local(base, link))
        _look(responder, language, "incident-alert-answer")
        _send(responder, responder.locator("main form"))
    assert AlertResponse.objects.filter(answer=AlertAnswer.COMING).count() == 2
    desk.reload()
    counted = desk.locator("main section[aria-labelledby=count-title] .big").inner_text()
    assert counted.startswith("2")
    _look(desk, language, "incident-coming")

    # A legal observer checks in and logs three entries, one with a photo.
    lo = phone(language)
    _sign_in(lo, base, observer, observer_secret)
    lo.goto(f"{base}/defense/incidents/{report.public_id}/")
    _send(lo, lo.locator("main form[action$='/check-in/']"))
    for kind, what, photo in (
        ("agencies", "ICE and city police, two vans", False),
        ("warning", "Order to clear the sidewalk", False),
        ("arrest", "A man taken from the door of 3B", True),
    ):
        form = lo.locator("main form[action$='/entries/']")
        form.locator("select[name=kind]").select_option(kind)
        form.locator("textarea[name=what]").fill(what)
        if photo:
            form.locator("input[name=media]").set_input_files(
                {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": tiny_photo()}
            )
        _send(lo, form)
    _look(lo, language, "incident-notes")
    assert FieldEntry.objects.filter(report=report).count() == 3
    desk.goto(f"{base}/defense/incidents/{report.public_id}/")
    assert desk.locator("main section.panel.ok").count() == 1  # the sealed chain holds
    _look(desk, language, "incident-chain")

    # An arrest is recorded with a court date; its reminder goes out.
    desk.goto(f"{base}/defense/incidents/{report.public_id}/arrests/new/")
    form = desk.locator("main form")
    form.locator("input[name=name]").fill("Beto R.")
    form.locator("textarea[name=held_at]").fill("County jail, booking 24-5531")
    _send(desk, form)
    court = desk.locator("main section[aria-labelledby=court-title]")
    court.locator("summary").click()
    tomorrow = timezone.localtime() + timedelta(hours=20)
    court.locator("input[name=at]").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    _send(desk, court.locator("form"))
    assert jail.remind_court_dates() == 1
    assert _mail_to(smtp_server, dispatcher.email)
    assert Arrestee.objects.get().court_dates.get().reminded_at is not None

    # The legal bundle: asked, approved by a second dispatcher, opened by the legal contact.
    desk.goto(f"{base}/defense/incidents/{report.public_id}/")
    _send(desk, desk.locator("main form[action$='/handoff/']"))
    second, second_secret = make_member(f"{language}_second", roles=(Role.DISPATCHER,))
    approver = phone(language)
    _sign_in(approver, base, second, second_secret)
    approver.goto(f"{base}/approvals/")
    _send(approver, approver.locator("main form[action$='/approve/']"))
    approver.fill("main input[name=password]", PASSWORD)
    _send(approver, approver.locator("main form"))
    [sent] = _mail_to(smtp_server, LAWYER)
    link = re.search(r"https?://\S+/defense/legal/[\w-]+/", sent.get_content()).group(0)
    lawyer = phone(language)
    lawyer.goto(_local(base, link))
    _look(lawyer, language, "incident-legal")
    download = lawyer.request.get(_local(base, link) + "bundle.zip")
    assert download.ok and download.body().startswith(b"PK")

    # The incident is closed, everyone alerted told to stand down; then its after-action.
    desk.goto(f"{base}/defense/reports/{report.public_id}/")
    form = desk.locator("main form[action$='/close/']")
    form.locator("input[value=closed]").check()
    form.locator("textarea[name=note]").fill("They left with one person; support goes on.")
    _send(desk, form)
    form = desk.locator("main form[action$='/after/']")
    form.locator(f"input[value={Outcome.ARRESTS}]").check()
    form.locator("textarea[name=debrief]").fill("Verifier there in 12 minutes")
    _send(desk, form)
    _look(desk, language, "incident-closed")
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.outcome == Outcome.ARRESTS
    assert report.legal_hold_at is not None
