"""Shift and action times read as each reader's language writes them, the same way on the
pages, in the forms and in the messages."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conftest import make_member, sign_in
from solnet.members.models import Tier
from solnet.mobilize import services
from solnet.mobilize.models import SendKind
from solnet.mobilize.sending import render as rendering
from solnet.mobilize.sending import sends
from solnet.network import times
from solnet.people.models import ContactChannel, Person

pytestmark = pytest.mark.django_db

DASH = "\u2013"
ENGLISH_WORDS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Dec", "AM", "PM")


def next_december_thursday() -> datetime:
    """A Thursday in December, at noon in the network's time zone, from tomorrow on."""
    day = timezone.localdate() + timedelta(days=1)
    while not (day.month == 12 and day.weekday() == 3):
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def labels(noon: datetime) -> dict[str, str]:
    year = "" if noon.year == timezone.localdate().year else f" {noon.year}"
    english_year = f", {noon.year}" if year else ""
    return {
        "en": f"Thu, Dec {noon.day}{english_year}, 12:00 {DASH} 1:00 PM",
        "es": f"jue, {noon.day} dic{year}, 12:00 {DASH} 1:00 p.m.",
    }


@pytest.fixture
def picket(network):
    organizer = make_member("org", tier=Tier.ORGANIZING_TEAM)[0]
    noon = next_december_thursday()
    action = services.plan_action(
        by=organizer,
        title="Picket at Acme",
        starts_at=noon - timedelta(hours=2),
        ends_at=noon + timedelta(hours=4),
        place="1400 Pine St",
        tier=Tier.MEMBER,
    )
    shift = services.add_shift(
        action=action, starts_at=noon, ends_at=noon + timedelta(hours=1), needed=5, by=organizer
    )
    return action, shift, noon


def test_a_shift_reads_in_spanish_with_spanish_day_and_month(picket):
    _action, shift, noon = picket
    with translation.override("es"):
        label = str(shift)
    assert label == labels(noon)["es"]
    assert "jue" in label and "dic" in label
    assert not any(word in label for word in ENGLISH_WORDS)


def test_a_shift_reads_naturally_in_english(picket):
    _action, shift, noon = picket
    with translation.override("en"):
        assert str(shift) == labels(noon)["en"]


def test_a_spanish_speaker_sees_the_shift_and_the_action_in_spanish(picket):
    action, _shift, noon = picket
    lupe = make_member("lupe")[0]
    lupe.preferred_language = "es"
    lupe.save(update_fields=["preferred_language"])
    page = sign_in(Client(), lupe).get(reverse("mobilize:action", args=[action.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    # On the list of shifts and in the answer form's choices.
    assert html.count(labels(noon)["es"]) >= 2
    with translation.override("es"):
        assert action.when in html
    assert "Thu, " not in html and f"Dec {noon.day}" not in html
    english = sign_in(Client(), make_member("ann")[0]).get(
        reverse("mobilize:action", args=[action.public_id])
    )
    assert labels(noon)["en"] in english.content.decode()


def test_the_message_says_when_in_the_persons_language(picket):
    action, _shift, _noon = picket
    texts = {
        "en": {"subject": "", "body": "{action} starts {when}"},
        "es": {"subject": "", "body": "{action} empieza {when}"},
    }
    people = []
    for name, language in (("Ann", "en"), ("Lupe", "es")):
        person = Person.objects.create(display_name=name, languages=[language])
        ContactChannel.objects.create(
            person=person, kind="email", value=f"{name}@example.org", consent_at=timezone.now()
        )
        people.append(person)
    send = sends.create_send(
        kind=SendKind.CALL_OUT,
        people=Person.objects.filter(pk__in=[p.pk for p in people]),
        texts=texts,
        channels=["email"],
        action=action,
    )
    bodies = {d.language: rendering.render(d)[1] for d in send.deliveries.all()}
    assert bodies["en"] == f"Picket at Acme starts {times.moment(action.starts_at, 'en')}"
    assert bodies["es"] == f"Picket at Acme empieza {times.moment(action.starts_at, 'es')}"
    assert "jue" in bodies["es"] and "dic" in bodies["es"] and "10:00 a.m." in bodies["es"]
    assert "Thu, Dec" in bodies["en"] and "10:00 AM" in bodies["en"]


def test_a_span_over_midnight_names_both_days():
    start = timezone.make_aware(datetime(2031, 12, 11, 22, 0))
    with translation.override("es"):
        assert times.span(start, start + timedelta(hours=4)) == (
            f"jue, 11 dic 2031, 10:00 p.m. {DASH} vie, 12 dic 2031, 2:00 a.m."
        )
    with translation.override("en"):
        assert times.span(start, start + timedelta(hours=4)) == (
            f"Thu, Dec 11, 2031, 10:00 PM {DASH} Fri, Dec 12, 2031, 2:00 AM"
        )
