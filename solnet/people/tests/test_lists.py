"""The people list as a working tool: tags, bulk tagging, the council filter, saved filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.councils.models import Council, CouncilMembership
from solnet.people.models import Person, SavedFilter, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client(personas):
    return sign_in(Client(), personas["organizer"].member)


def test_an_organizer_makes_a_tag_and_puts_it_on_several_people(organizer_client):
    people = [Person.objects.create(display_name=f"P{n}") for n in range(3)]
    response = organizer_client.post(
        reverse("people:tag_new"), {"name": "night shift", "query": "tier=10"}
    )
    assert response["Location"] == reverse("people:list") + "?tier=10"
    response = organizer_client.post(
        reverse("people:bulk_tag"),
        {"people": [p.public_id for p in people[:2]], "tag": "night shift", "query": ""},
    )
    assert response.status_code == 302
    tagged = Tag.objects.get(name="night shift").people.order_by("display_name")
    assert [p.display_name for p in tagged] == ["P0", "P1"]
    again = organizer_client.post(
        reverse("people:bulk_tag"),
        {"people": [p.public_id for p in people], "tag": "night shift"},
    )
    messages = [str(m) for m in organizer_client.get(again["Location"]).context["messages"]]
    assert "1 person newly tagged." in messages


def test_bulk_tagging_nobody_or_an_unknown_tag_changes_nothing(organizer_client):
    person = Person.objects.create(display_name="P")
    Tag.objects.create(name="nights")
    organizer_client.post(reverse("people:bulk_tag"), {"tag": "nights"})
    organizer_client.post(
        reverse("people:bulk_tag"), {"people": [person.public_id], "tag": "no such tag"}
    )
    assert not person.tags.exists()


def test_the_council_filter(organizer_client):
    council = Council.objects.create(name="Greenway", kind="tenant")
    inside = Person.objects.create(display_name="Inside")
    Person.objects.create(display_name="Outside")
    CouncilMembership.objects.create(council=council, person=inside)
    page = organizer_client.get(reverse("people:list"), {"council": council.public_id})
    assert [p.display_name for p in page.context["page"]] == ["Inside"]


def test_a_filter_is_saved_cleaned_and_found_again(organizer_client, personas):
    Person.objects.create(display_name="Lupe", languages=["es"])
    Person.objects.create(display_name="Ann", languages=["en"])
    response = organizer_client.post(
        reverse("people:filter_save"),
        {"name": "Spanish speakers", "query": "language=es&colour=red&tier=notanumber"},
    )
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()  # a filter with mistakes is not saved
    organizer_client.post(
        reverse("people:filter_save"),
        {"name": "Spanish speakers", "query": "language=es&colour=red"},
    )
    saved = SavedFilter.objects.get()
    assert saved.owner == personas["organizer"].member and saved.query == {"language": "es"}
    page = organizer_client.get(reverse("people:list"))
    assert "?language=es" in page.content.decode()
    filtered = organizer_client.get(reverse("people:list") + "?language=es")
    assert [p.display_name for p in filtered.context["page"]] == ["Lupe"]


def test_saved_filters_are_their_owners_alone(organizer_client, personas):
    from conftest import make_member
    from solnet.members.models import Tier

    other, _ = make_member("other_organizer", tier=Tier.ORGANIZING_TEAM)
    theirs = SavedFilter.objects.create(owner=other, name="Theirs", query={"tier": "10"})
    assert "Theirs" not in organizer_client.get(reverse("people:list")).content.decode()
    response = organizer_client.post(reverse("people:filter_delete", args=[theirs.public_id]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def test_the_last_contact_filter(organizer_client, personas):
    from datetime import timedelta

    from django.utils import timezone

    from solnet.people import services

    recent = Person.objects.create(display_name="Recent")
    stale = Person.objects.create(display_name="Stale")
    Person.objects.create(display_name="Never")
    services.log_ask(
        person=recent, ask="Picket Friday", answer="yes", by=personas["organizer"].member
    )
    services.note_contact(person=stale, at=timezone.now() - timedelta(days=45))
    # An older contact never moves "last contact" back.
    services.note_contact(person=recent, at=timezone.now() - timedelta(days=400))

    def names(choice):
        page = organizer_client.get(reverse("people:list"), {"last_contact": choice})
        return sorted(p.display_name for p in page.context["page"])

    assert names("week") == ["Recent"]
    assert names("month") == ["Recent"]
    assert names("not_month") == ["Never", "Stale"]
    assert names("not_quarter") == ["Never"]
    assert names("never") == ["Never"]
    assert "Recent" in names("")
    bad = organizer_client.get(reverse("people:list"), {"last_contact": "yesterday"})
    assert "last_contact" in bad.context["filters"].errors
