"""Skills with their trainings, and the weekly times people are usually free."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.people.models import Availability, Person, PersonSkill

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client(personas):
    return sign_in(Client(), personas["organizer"].member)


def test_an_organizer_notes_skills_and_usual_times(organizer_client):
    lupe = Person.objects.create(display_name="Lupe")
    organizer_client.post(
        reverse("people:skill_add", args=[lupe.public_id]),
        {"skill-skill": "legal_observer", "skill-trained_on": "2026-03-14"},
    )
    organizer_client.post(
        reverse("people:availability_add", args=[lupe.public_id]),
        {"available-weekday": 5, "available-starts": "09:00", "available-ends": "13:00"},
    )
    held = PersonSkill.objects.get(person=lupe)
    assert (held.skill, held.trained_on) == ("legal_observer", datetime.date(2026, 3, 14))
    window = Availability.objects.get(person=lupe)
    assert (window.weekday, str(window.starts), str(window.ends)) == (5, "09:00:00", "13:00:00")
    page = organizer_client.get(reverse("people:detail", args=[lupe.public_id])).content.decode()
    assert "Legal observer" in page and "Saturday 09:00 - 13:00" in page


def test_times_that_end_before_they_start_are_refused(organizer_client):
    lupe = Person.objects.create(display_name="Lupe")
    organizer_client.post(
        reverse("people:availability_add", args=[lupe.public_id]),
        {"available-weekday": 1, "available-starts": "18:00", "available-ends": "09:00"},
    )
    assert not Availability.objects.exists()


def test_the_list_filters_by_skill_and_by_day(organizer_client):
    medic = Person.objects.create(display_name="Medic")
    PersonSkill.objects.create(person=medic, skill="medic")
    Availability.objects.create(person=medic, weekday=2, starts="18:00", ends="21:00")
    Person.objects.create(display_name="Other")
    by_skill = organizer_client.get(reverse("people:list"), {"skill": "medic"})
    assert [p.display_name for p in by_skill.context["page"]] == ["Medic"]
    by_day = organizer_client.get(reverse("people:list"), {"weekday": 2})
    assert [p.display_name for p in by_day.context["page"]] == ["Medic"]
    nobody = organizer_client.get(reverse("people:list"), {"weekday": 3})
    assert list(nobody.context["page"]) == []


def test_members_cannot_change_someone_elses_skills(personas):
    lupe = Person.objects.create(display_name="Lupe")
    client = sign_in(Client(), personas["member"].member)
    response = client.post(
        reverse("people:skill_add", args=[lupe.public_id]), {"skill-skill": "medic"}
    )
    assert response.status_code == 404
    assert not PersonSkill.objects.exists()
