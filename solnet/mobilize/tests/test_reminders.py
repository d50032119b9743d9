"""Reminders before an action: to whom (yes and maybe, nobody else), when (at the configured
times, the latest only when several came at once, never once it began or was called off), how
often (once per time, even with two workers at it), in which words and language, and that
they reach a real mail server."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from conftest import make_member
from solnet.members.models import Tier
from solnet.mobilize import reminders, services, tasks
from solnet.mobilize.models import (
    Action,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
    Send,
    SendStatus,
    Shift,
    SmsSender,
)
from solnet.people.models import ContactChannel, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(network):
    """An organizer to ask people and note their answers (without the nine personas)."""
    return make_member("planner", tier=Tier.ORGANIZING_TEAM)[0]


def make_action(*, hours_ahead: float = 30, reminder_hours=(24, 2), place="Acme, 100 Main St"):
    starts = timezone.now() + timedelta(hours=hours_ahead)
    return Action.objects.create(
        title="Picket at Acme",
        place=place,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        tier=Tier.MEMBER,
        reminder_hours=list(reminder_hours),
    )


def person(name: str, *, languages=("en",), email: str | None = None) -> Person:
    someone = Person.objects.create(display_name=name, languages=list(languages))
    if email:
        ContactChannel.objects.create(
            person=someone, kind="email", value=email, consent_at=timezone.now()
        )
    return someone


def ask(action: Action, someone: Person, answer: str, planner, shift: Shift | None = None):
    services.ask_people(
        action=action, people=Person.objects.filter(pk=someone.pk), by=planner, shift=shift
    )
    found = services.ask_of(action, someone, shift)
    if answer != "waiting":
        services.answer_for(ask=found, answer=answer, via="call", by=planner)
    return found


def at(action: Action, hours_before: float):
    return action.starts_at - timedelta(hours=hours_before)


def reminder_sends(action: Action):
    return Send.objects.filter(action=action, kind="reminder").order_by("reminder_hours")


# --- when ----------------------------------------------------------------------------------


def test_reminder_times_come_at_the_configured_hours_and_never_after_the_start(network):
    action = make_action(hours_ahead=30)
    assert reminders.due_hours(action, at(action, 30)) == []
    assert reminders.due_hours(action, at(action, 24.01)) == []
    assert reminders.due_hours(action, at(action, 24)) == [24]
    assert reminders.due_hours(action, at(action, 3)) == [24]
    assert reminders.due_hours(action, at(action, 2)) == [2, 24]
    assert reminders.due_hours(action, at(action, 0.01)) == [2, 24]
    assert reminders.due_hours(action, at(action, 0)) == []
    assert reminders.due_hours(action, at(action, -1)) == []


def test_a_called_off_action_has_no_reminder_times(network):
    action = make_action()
    action.cancelled_at = timezone.now()
    assert reminders.due_hours(action, at(action, 1)) == []


def test_nonsense_in_the_reminder_hours_is_ignored(network):
    action = make_action(reminder_hours=[24, "2", 0, -3, True, None, 24])
    assert reminders.due_hours(action, at(action, 1)) == [24]


# --- to whom -------------------------------------------------------------------------------


def test_only_those_who_said_yes_or_maybe_are_reminded(network, planner):
    action = make_action()
    shift = Shift.objects.create(action=action, starts_at=action.starts_at, ends_at=action.ends_at)
    yes, maybe, no, waiting = (person(n) for n in ("Yes", "Maybe", "No", "Waiting"))
    on_shift = person("On shift")
    ask(action, yes, "yes", planner)
    ask(action, maybe, "maybe", planner)
    ask(action, no, "no", planner)
    ask(action, waiting, "waiting", planner)
    ask(action, on_shift, "yes", planner, shift=shift)
    ask(action, on_shift, "no", planner)  # said no to the whole day, yes to one shift
    person("Never asked")
    assert set(reminders.reminded_people(action)) == {yes, maybe, on_shift}
    assert reminders.reminded_people(action).count() == 3


# --- in which words ------------------------------------------------------------------------


def test_the_reminder_is_written_in_every_language_of_the_network(network):
    action = make_action()
    texts = reminders.reminder_texts(action)
    assert set(texts) == {"en", "es"}
    assert texts["en"]["subject"] == "Reminder: {action}"
    body = texts["en"]["body"]
    for placeholder in ("{name}", "{action}", "{when}", "{place}", "{link}"):
        assert placeholder in body
    # Each language's wording is SolNet's default rendered in that language.
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("es"):
        assert texts["es"]["subject"] == gettext("Reminder: {action}")


def test_without_a_place_the_reminder_does_not_name_one(network):
    texts = reminders.reminder_texts(make_action(place=""))
    assert "{place}" not in texts["en"]["body"]
    assert "{when}" in texts["en"]["body"] and "{link}" in texts["en"]["body"]


def test_the_networks_own_reminder_template_is_used_where_it_wrote_one(network):
    MessageTemplate.objects.create(
        name="reminder",
        kind="reminder",
        language="es",
        subject="Recordatorio: {action}",
        body="Hola {name}: {action} es {when} en {place}. ¿Puedes venir? {link}",
    )
    MessageTemplate.objects.create(
        name="call-out", kind="call_out", language="en", subject="Come!", body="Come {name}"
    )
    texts = reminders.reminder_texts(make_action())
    assert texts["es"] == {
        "subject": "Recordatorio: {action}",
        "body": "Hola {name}: {action} es {when} en {place}. ¿Puedes venir? {link}",
    }
    assert texts["en"]["subject"] == "Reminder: {action}"


SPANISH = {
    "subject": "Recordatorio: {action}",
    "body": "Hola {name}: {action} empieza {when} en {place}. ¿Todavía puedes venir? {link}",
}


def spanish_template():
    return MessageTemplate.objects.create(
        name="reminder", kind="reminder", language="es", **SPANISH
    )


def run(capture, now) -> int:
    """The periodic look, with the sending it starts run at commit (huey is immediate)."""
    with capture(execute=True):
        return reminders.send_due_reminders(now=now)


def mail_to(smtp_server) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in smtp_server.messages:
        found.setdefault(str(message["To"]), []).append(message)
    return found


# --- end to end, through the real sending and a real mail server ---------------------------


def test_reminders_reach_yes_and_maybe_people_in_their_language(
    network, planner, smtp_server, django_capture_on_commit_callbacks
):
    spanish_template()
    action = make_action(hours_ahead=30)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    ask(action, person("Beto", languages=["es", "en"], email="beto@example.org"), "maybe", planner)
    ask(action, person("Cy", email="cy@example.org"), "no", planner)
    ask(action, person("Di", email="di@example.org"), "waiting", planner)
    person("Ed", email="ed@example.org")
    assert run(django_capture_on_commit_callbacks, at(action, 24)) == 1
    mail = mail_to(smtp_server)
    assert set(mail) == {"ann@example.org", "beto@example.org"}
    ann, beto = mail["ann@example.org"][0], mail["beto@example.org"][0]
    assert ann["Subject"] == "Reminder: Picket at Acme"
    body = ann.get_content()
    assert body.startswith("Hi Ann, a reminder: Picket at Acme starts ")
    assert " at Acme, 100 Main St. Can you still come? " in body
    assert "/actions/answer/" in body  # her own answer link, to say she cannot come
    assert beto["Subject"] == "Recordatorio: Picket at Acme"
    assert beto.get_content().startswith("Hola Beto: Picket at Acme empieza ")
    assert "/actions/answer/" in beto.get_content()
    send = reminder_sends(action).get()
    assert send.reminder_hours == 24 and send.created_by is None
    assert send.texts["es"] == SPANISH
    assert set(send.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert dict(send.deliveries.values_list("person__display_name", "language")) == {
        "Ann": "en",
        "Beto": "es",
    }


def test_the_built_in_reminder_is_spanish_for_spanish_speakers(network):
    texts = reminders.reminder_texts(make_action())
    assert texts["es"]["subject"] != texts["en"]["subject"]
    assert texts["es"]["body"] != texts["en"]["body"]
    assert "{link}" in texts["es"]["body"] and "{when}" in texts["es"]["body"]


def test_each_reminder_goes_once_at_its_time(
    network, planner, smtp_server, django_capture_on_commit_callbacks
):
    action = make_action(hours_ahead=30)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    timeline = [(30, 0), (24.5, 0), (24, 1), (23.9, 0), (12, 0), (2, 1), (1.5, 0), (0.1, 0)]
    for hours_before, made in timeline:
        assert run(django_capture_on_commit_callbacks, at(action, hours_before)) == made, (
            hours_before
        )
    assert list(reminder_sends(action).values_list("reminder_hours", "status")) == [
        (2, SendStatus.DONE),
        (24, SendStatus.DONE),
    ]
    assert len(mail_to(smtp_server)["ann@example.org"]) == 2


def test_nothing_is_reminded_once_the_action_has_begun(
    network, planner, smtp_server, django_capture_on_commit_callbacks
):
    action = make_action(hours_ahead=30)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    # The worker was down for both reminder times and comes back as it starts, and after.
    for moment in (at(action, 0), at(action, -0.5), action.ends_at):
        assert run(django_capture_on_commit_callbacks, moment) == 0
    assert not reminder_sends(action).exists()
    assert smtp_server.messages == []


def test_a_called_off_action_gets_no_reminder(
    network, planner, smtp_server, django_capture_on_commit_callbacks
):
    action = make_action(hours_ahead=30)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    services.cancel_action(action=action, by=planner)
    assert run(django_capture_on_commit_callbacks, at(action, 2)) == 0
    assert not reminder_sends(action).exists()
    assert smtp_server.messages == []


def test_a_late_action_gets_only_the_latest_reminder_and_never_the_skipped_ones(
    network, planner, smtp_server, django_capture_on_commit_callbacks
):
    action = make_action(hours_ahead=10, reminder_hours=[72, 48, 24, 2])
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    assert run(django_capture_on_commit_callbacks, at(action, 10)) == 1
    sends = {s.reminder_hours: s for s in reminder_sends(action)}
    assert set(sends) == {24, 48, 72}
    assert sends[24].status == SendStatus.DONE and sends[24].deliveries.count() == 1
    for skipped in (48, 72):
        assert sends[skipped].status == SendStatus.CANCELLED
        assert sends[skipped].plan["skipped"]
        assert not sends[skipped].deliveries.exists()
    assert len(smtp_server.messages) == 1
    assert run(django_capture_on_commit_callbacks, at(action, 5)) == 0
    assert run(django_capture_on_commit_callbacks, at(action, 2)) == 1
    assert run(django_capture_on_commit_callbacks, at(action, 1)) == 0
    assert len(smtp_server.messages) == 2
    assert reminder_sends(action).count() == 4


def test_running_twice_reminds_once(
    network, planner, smtp_server, django_capture_on_commit_callbacks
):
    action = make_action(hours_ahead=30)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    moment = at(action, 2)
    assert run(django_capture_on_commit_callbacks, moment) == 1
    assert run(django_capture_on_commit_callbacks, moment) == 0
    assert reminder_sends(action).filter(status=SendStatus.DONE).count() == 1
    assert len(smtp_server.messages) == 1


def test_another_workers_reminder_made_meanwhile_is_not_made_again(
    network, planner, monkeypatch, caplog
):
    """The moment between looking and writing: another worker's reminder lands there, and
    the database's uniqueness turns this one's attempt into nothing."""
    action = make_action(hours_ahead=30)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    real = reminders._taken

    def looked_then_other_worker_wrote(action_, hours):
        found = real(action_, hours)
        Send.objects.create(kind="reminder", action=action_, reminder_hours=24)
        return found

    monkeypatch.setattr(reminders, "_taken", looked_then_other_worker_wrote)
    assert reminders.send_due_reminders(now=at(action, 3)) == 0
    assert reminder_sends(action).count() == 1
    assert not Delivery.objects.exists()
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "not an expected loss"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_remind_once(network, monkeypatch, caplog):
    planner = make_member("planner", tier=Tier.ORGANIZING_TEAM)[0]
    action = make_action(hours_ahead=30)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    ask(action, person("Bo", email="bo@example.org"), "maybe", planner)
    real = reminders._taken
    both_looked = threading.Barrier(2, timeout=20)

    def look_together(action_, hours):
        found = real(action_, hours)
        both_looked.wait()  # both have seen no reminder yet; now both try to make it
        return found

    monkeypatch.setattr(reminders, "_taken", look_together)
    moment = at(action, 2)
    made, errors = [], []

    def worker():
        try:
            made.append(reminders.send_due_reminders(now=moment))
        except Exception as error:  # reported below: a test thread must not die silently
            errors.append(error)
        finally:
            connections.close_all()

    from django.core import mail

    mail.outbox = []
    threads = [threading.Thread(target=worker) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # The loser lost to the uniqueness of the reminder, not to an error it logged.
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert sorted(made) == [0, 1]
    assert reminder_sends(action).count() == 2  # the 2-hour one, and the 24-hour one skipped
    send = reminder_sends(action).get(status=SendStatus.DONE)
    assert send.reminder_hours == 2
    assert send.deliveries.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bo@example.org"]


def test_nobody_to_remind_is_recorded_once(network, planner):
    action = make_action(hours_ahead=30)
    ask(action, person("Cy", email="cy@example.org"), "no", planner)
    assert reminders.send_due_reminders(now=at(action, 24)) == 1
    send = reminder_sends(action).get()
    assert not send.deliveries.exists()
    assert reminders.send_due_reminders(now=at(action, 23)) == 0
    assert reminder_sends(action).count() == 1


def test_a_reminder_is_texted_first_to_whoever_has_a_number(
    network, planner, sms_gateway, smtp_server, django_capture_on_commit_callbacks
):
    SmsSender.objects.create(number="+12065550000", per_second=1, per_day=1000)
    action = make_action(hours_ahead=30)
    texter = person("Tess", email="tess@example.org")
    ContactChannel.objects.create(
        person=texter, kind="text", value="+1 206 555 0142", consent_at=timezone.now()
    )
    ask(action, texter, "yes", planner)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    assert run(django_capture_on_commit_callbacks, at(action, 2)) == 1
    assert [m.to for m in sms_gateway.messages] == ["+12065550142"]
    assert sms_gateway.messages[0].body.startswith("Hi Tess, a reminder: Picket at Acme")
    assert list(mail_to(smtp_server)) == ["ann@example.org"]


def test_the_worker_looks_for_due_reminders_every_five_minutes(
    network, planner, django_capture_on_commit_callbacks
):
    from datetime import datetime

    from huey.contrib.djhuey import HUEY

    # The worker imports each app's `tasks` module, which brings the reminders' task in.
    task = tasks.remind_coming_actions
    assert task is reminders.remind_coming_actions
    assert task.s().name in {t.name for t in HUEY._registry.periodic_tasks}
    check = task.s().validate_datetime
    minutes = [m for m in range(60) if check(datetime(2030, 1, 1, 9, m))]
    assert minutes == list(range(0, 60, 5))
    action = make_action(hours_ahead=1)
    ask(action, person("Ann", email="ann@example.org"), "yes", planner)
    with django_capture_on_commit_callbacks(execute=True):
        task.call_local()
    assert reminder_sends(action).filter(reminder_hours=2).count() == 1
