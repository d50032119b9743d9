"""Mobilizing on phones: the organizer plans a picket with two shifts and roles, builds a call
list of 30 and two callers work it side by side, each seeing the confirmed count move as the
other taps; a call-out goes out by email and text, one person answers by the link in her
email (in Spanish), another by replying "Sí" to the text; the reminders a day before arrive
in each person's language; the check-in volunteer marks who came; and a rapid-response alert,
verified by a second person, reaches responders whose answers the dispatcher sees come in.
Every page passes axe, fits the screen, breaks no CSP rule and asks nothing of another
origin."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import Persona, accessibility_violations, make_member
from solnet.councils.tests.test_charting_journey import sign_in_on
from solnet.members.models import Role, Tier
from solnet.mobilize import reminders
from solnet.mobilize.models import Action, AlertResponse, Ask, SmsSender, Zone
from solnet.people.models import ContactChannel, Person, PersonSkill, Tag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://\S+/actions/(?:answer|alert-answer)/[^\s/]+/")


def _look(page, step: str) -> None:
    assert accessibility_violations(page) == [], step
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{step}: the page scrolls sideways"
    assert page.csp_violations == [], step
    assert page.outside_requests == [], step
    assert page.failed_assets == [], step
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"mobilize-{step}.png", full_page=True)


def _submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def _at(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def _persona(name: str, **extra) -> Persona:
    member, secret = make_member(name, **extra)
    return Persona(name, member, secret)


def _people(tag: Tag) -> dict[str, Person]:
    """Thirty tenants of building 2 on the phone tree; three of them reachable otherwise too."""
    now = timezone.now()
    found = {}
    for n in range(30):
        person = Person.objects.create(display_name=f"Tenant {n:02d}", tier=Tier.PHONE_TREE)
        person.tags.add(tag)
        ContactChannel.objects.create(
            person=person, kind="call", value=f"+1 206 555 {n:04d}", consent_at=now
        )
        found[person.display_name] = person
    extra = {
        "Tenant 20": ("email", "tom@example.org", ["en"]),
        "Tenant 21": ("email", "rosa@example.org", ["es"]),
        "Tenant 22": ("text", "+12065550177", ["es"]),
    }
    for name, (kind, value, languages) in extra.items():
        person = found[name]
        person.languages = languages
        person.save()
        ContactChannel.objects.create(person=person, kind=kind, value=value, consent_at=now)
    return found


def _mail_to(inbox, address: str, *, after: int = 0):
    for message in inbox.messages[after:]:
        if message["To"] == address:
            return message
    raise AssertionError(f"no message to {address}")


def _link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return LINK.search(body).group(0)


def test_a_picket_is_mobilized_from_phones(
    phone, live_server, personas, smtp_server, live_sms_gateway
):
    base = live_server.url
    organizer = personas["organizer"]
    caller_one = _persona("caller_one", roles=(Role.VERIFIER,))
    caller_two = _persona("caller_two")
    tag = Tag.objects.create(name="Building 2")
    tenants = _people(tag)
    SmsSender.objects.create(number="+12065550001", kind="long_code", per_second=1, per_day=500)

    # The organizer plans the picket: two shifts, a marshal and a check-in volunteer.
    chief = phone("en")
    sign_in_on(chief, base, organizer)
    chief.goto(f"{base}/actions/new/")
    _look(chief, "new")
    starts = timezone.now() + timedelta(days=2)
    form = chief.locator("main form")
    form.locator("input[name=title]").fill("Picket at Acme Property Management")
    form.locator("input[name=starts_at]").fill(_at(starts))
    form.locator("input[name=ends_at]").fill(_at(starts + timedelta(hours=6)))
    form.locator("input[name=place]").fill("1400 Pine St")
    form.locator("select[name=tier]").select_option(str(Tier.PHONE_TREE))
    form.locator("input[name=turnout_target]").fill("12")
    _submit(chief, form)
    action = Action.objects.get(title="Picket at Acme Property Management")
    assert action.reminder_hours == [24, 2]
    for hours in (0, 3):
        chief.locator("main summary", has_text="Add a shift").click()
        shift_form = chief.locator("main form[action$='/shifts/']")
        shift_form.locator("input[name=starts_at]").fill(_at(starts + timedelta(hours=hours)))
        shift_form.locator("input[name=ends_at]").fill(_at(starts + timedelta(hours=hours + 3)))
        shift_form.locator("input[name=needed]").fill("6")
        _submit(chief, shift_form)
    for role, needed in (("marshal", "2"), ("check_in", "1")):
        chief.locator("main summary", has_text="Add a role to fill").click()
        role_form = chief.locator("main form[action$='/roles/']")
        role_form.locator("select[name=role]").select_option(role)
        role_form.locator("input[name=needed]").fill(needed)
        _submit(chief, role_form)
    assert action.shifts.count() == 2 and action.roles.count() == 2
    _look(chief, "action")

    # A call list of the thirty, split between two callers.
    chief.goto(f"{base}/actions/{action.public_id}/calls/new/")
    form = chief.locator("main form")
    form.locator("input[name=name]").fill("Building 2")
    form.locator("textarea[name=script]").fill("Hi, it's the tenants' network. Can you picket?")
    form.locator("input[name=callers]").fill("caller_one, caller_two")
    form.locator("select[name=tag]").select_option("Building 2")
    _submit(chief, form)
    call_list = action.call_lists.get()
    assert call_list.calls.count() == 30
    assert call_list.calls.filter(caller=caller_one.member).count() == 15
    _look(chief, "call-list-organizer")

    # Two callers work it at once; each sees the other's yes arrive.
    one, two = phone("en"), phone("en")
    sign_in_on(one, base, caller_one)
    sign_in_on(two, base, caller_two)
    url = f"{base}/actions/{action.public_id}/calls/{call_list.public_id}/"
    for page in (one, two):
        page.goto(url)
        assert page.locator("#confirmed-count").inner_text() == "0"
    _look(one, "caller-view")
    first_one = one.locator("main li.call").first
    first_one.locator("button[name=answer][value=yes]").click()
    two.locator("#confirmed-count", has_text="1").wait_for()
    first_two = two.locator("main li.call").first
    first_two.locator("button[name=answer][value=yes]").click()
    one.locator("#confirmed-count", has_text="2").wait_for()
    two.locator("#confirmed-count", has_text="2").wait_for()
    one.locator("main li.call").nth(1).locator("button[name=result][value=voicemail]").click()
    one.locator("main li.call.done").nth(1).wait_for()
    assert Ask.objects.filter(action=action, commitment__answer="yes").count() == 2

    # The check-in volunteer signs up for the role on the action's page.
    two.goto(f"{base}/actions/{action.public_id}/")
    form = two.locator("main form[action$='/answer/']")
    form.locator("input[name=answer][value=yes]").check()
    form.locator("select[name=role]").select_option("check_in")
    _submit(two, form)
    _look(two, "answered")

    # A call-out by email, or text for whoever has no email, to those yet to answer.
    chief.goto(f"{base}/actions/{action.public_id}/call-out/")
    _look(chief, "call-out")
    form = chief.locator("main form")
    form.locator("select[name=channels]").select_option("email,text")
    with chief.expect_navigation():
        form.locator("button[name=preview]").click()
    assert chief.locator("#call-out-preview").is_visible()
    _look(chief, "call-out-preview")
    with chief.expect_navigation():
        chief.locator("main form button[name=send]").click()
    chief.locator("#send-progress, [id^=send]").first.wait_for()
    _look(chief, "send-progress")
    tom = _mail_to(smtp_server, "tom@example.org")
    rosa = _mail_to(smtp_server, "rosa@example.org")
    assert rosa["Subject"].startswith("¿Puedes venir?"), rosa["Subject"]
    assert tom["Subject"].startswith("Can you come?"), tom["Subject"]

    # Rosa answers by the link in her email, on a phone in Spanish; Tom in English.
    reader = phone("es")
    reader.goto(_link_in(rosa))
    _look(reader, "rsvp-link-es")
    with reader.expect_navigation():
        reader.locator("main button[value=maybe]").click()
    reader.locator("#rsvp-answer").wait_for()
    tom_page = phone("en")
    tom_page.goto(_link_in(tom))
    with tom_page.expect_navigation():
        tom_page.locator("main button[value=yes]").click()
    assert Ask.objects.get(action=action, person=tenants["Tenant 20"]).commitment.answer == "yes"
    assert Ask.objects.get(action=action, person=tenants["Tenant 21"]).commitment.answer == "maybe"

    # Ana answers the text message with "Sí".
    text = next(m for m in live_sms_gateway.messages if m.to == "+12065550177")
    live_sms_gateway.send_inbound(from_="+12065550177", to=text.from_, body="Sí")
    ana = Ask.objects.get(action=action, person=tenants["Tenant 22"])
    assert ana.commitment.answer == "yes" and ana.answered_via == "sms"
    chief.goto(f"{base}/actions/{action.public_id}/")
    assert chief.locator("#confirmed-count").inner_text() == "5"  # 2 calls, Tom, Ana, caller

    # A day before: reminders to those who said yes or maybe, each in their language.
    before = len(smtp_server.messages)
    reminders.send_due_reminders(now=action.starts_at - timedelta(hours=23))
    tom_reminder = _mail_to(smtp_server, "tom@example.org", after=before)
    rosa_reminder = _mail_to(smtp_server, "rosa@example.org", after=before)
    assert "Reminder" in tom_reminder["Subject"]
    assert "Recordatorio" in rosa_reminder["Subject"], rosa_reminder["Subject"]
    reminders.send_due_reminders(now=action.starts_at - timedelta(hours=23))
    assert len([m for m in smtp_server.messages if m["To"] == "tom@example.org"]) == 2

    # At the picket: the volunteer checks Tom in.
    two.goto(f"{base}/actions/{action.public_id}/check-in/")
    _look(two, "check-in")
    two.locator("main li", has_text="Tenant 20").locator("button").click()
    two.locator("main li", has_text="Tenant 20").locator(".badge").wait_for()
    tom_ask = Ask.objects.get(action=action, person=tenants["Tenant 20"])
    assert tom_ask.checked_in_at is not None and tom_ask.checked_in_by == caller_two.member

    # A rapid-response alert, verified by a second person, answered live.
    zone = Zone.objects.create(name="Central District")
    responders = []
    for n, address in enumerate(("lo1@example.org", "lo2@example.org")):
        person = Person.objects.create(display_name=f"Observer {n}")
        PersonSkill.objects.create(person=person, skill="legal_observer")
        ContactChannel.objects.create(
            person=person, kind="email", value=address, consent_at=timezone.now()
        )
        zone.people.add(person)
        responders.append(address)
    chief.goto(f"{base}/actions/alerts/")
    _look(chief, "alerts")
    form = chief.locator("main form")
    form.locator("textarea[name=message]").fill("Go to 5th and Pine now, bring phones")
    form.locator("input[name=skills][value=legal_observer]").check()
    form.locator("input[name=zones]").first.check()
    _submit(chief, form)
    assert chief.locator("main .badge", has_text="Waiting for verification").is_visible()
    alert_url = chief.url
    before = len(smtp_server.messages)
    one.goto(alert_url)
    with one.expect_navigation():
        one.locator("main button[name=confirmed][value='1']").click()
    chief.goto(alert_url)
    assert chief.locator("#coming-count").inner_text() == "0"
    _look(chief, "alert-sent")
    observer = phone("en")
    for address, expected in zip(responders, ("1", "2"), strict=True):
        observer.goto(_link_in(_mail_to(smtp_server, address, after=before)))
        with observer.expect_navigation():
            observer.locator("main button[value=coming]").click()
        chief.locator("#coming-count", has_text=expected).wait_for()
    _look(observer, "alert-answered")
    assert AlertResponse.objects.filter(answer="coming").count() == 2
