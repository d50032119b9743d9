"""Merging two records of one person: the chosen values, the rules for the others, and every
relation of the removed record surviving — including those other apps add later."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.members.models import Tier
from solnet.people import merging
from solnet.people.models import (
    Availability,
    Commitment,
    ContactChannel,
    Person,
    PersonFlag,
    PersonSkill,
    Tag,
)

pytestmark = pytest.mark.django_db

Check = Callable[[Person], None]


def _channels(keep: Person, remove: Person) -> Check:
    ContactChannel.objects.create(
        person=keep, kind="email", value="same@example.org", consent_at=timezone.now()
    )
    opted_out = timezone.now()
    ContactChannel.objects.create(
        person=remove, kind="email", value=" SAME@example.org", opted_out_at=opted_out
    )
    phone = ContactChannel.objects.create(person=remove, kind="text", value="206 555 0199")

    def check(merged: Person) -> None:
        channels = {c.kind: c for c in merged.channels.all()}
        assert set(channels) == {"email", "text"} and merged.channels.count() == 2
        # One address, one channel; the opt-out on the removed record stays in force.
        assert channels["email"].value == "same@example.org"
        assert channels["email"].opted_out_at == opted_out and not channels["email"].usable
        assert channels["text"].pk == phone.pk

    return check


def _commitments(keep: Person, remove: Person) -> Check:
    ask = Commitment.objects.create(person=remove, ask="Picket on Friday", answer="yes")
    return lambda merged: assert_moved(ask, merged)


def _skills(keep: Person, remove: Person) -> Check:
    PersonSkill.objects.create(person=keep, skill="medic", trained_on=datetime.date(2024, 5, 1))
    PersonSkill.objects.create(person=remove, skill="medic", trained_on=datetime.date(2023, 1, 9))
    driver = PersonSkill.objects.create(person=remove, skill="driver")

    def check(merged: Person) -> None:
        held = {s.skill: s for s in merged.skills.all()}
        assert set(held) == {"medic", "driver"}
        assert held["medic"].trained_on == datetime.date(2023, 1, 9)  # the earlier training
        assert held["driver"].pk == driver.pk

    return check


def _flags(keep: Person, remove: Person) -> Check:
    flag = PersonFlag.objects.create(
        person=remove, field="phone", problem="phone_invalid", value="12"
    )
    return lambda merged: assert_moved(flag, merged)


def _availability(keep: Person, remove: Person) -> Check:
    window = Availability.objects.create(person=remove, weekday=2, starts="18:00", ends="21:00")
    return lambda merged: assert_moved(window, merged)


def _council_memberships(keep: Person, remove: Person) -> Check:
    Council = apps.get_model("councils", "Council")
    Site = apps.get_model("councils", "Site")
    Membership = apps.get_model("councils", "CouncilMembership")
    shared = Council.objects.create(name="Greenway Tenants", kind="tenant")
    site = Site.objects.create(council=shared, name="1400 Pine St", kind="building")
    other = Council.objects.create(name="Bakery Workers", kind="industrial")
    kept = Membership.objects.create(council=shared, person=keep, since=datetime.date(2024, 1, 1))
    Membership.objects.create(
        council=shared, person=remove, site=site, since=datetime.date(2022, 6, 1)
    )
    moved = Membership.objects.create(council=other, person=remove)

    def check(merged: Person) -> None:
        rows = {m.council_id: m for m in Membership.objects.filter(person=merged)}
        assert set(rows) == {shared.pk, other.pk}
        # The kept person's row stays, with the earlier start and the site it lacked.
        assert rows[shared.pk].pk == kept.pk
        assert rows[shared.pk].since == datetime.date(2022, 6, 1)
        assert rows[shared.pk].site_id == site.pk
        assert rows[other.pk].pk == moved.pk

    return check


def _committees(keep: Person, remove: Person) -> Check:
    Council = apps.get_model("councils", "Council")
    Committee = apps.get_model("councils", "Committee")
    council = Council.objects.create(name="Elm Street Tenants", kind="tenant")
    both = Committee.objects.create(council=council, name="Building committee")
    only_removed = Committee.objects.create(council=council, name="Repairs committee")
    both.members.add(keep, remove)
    only_removed.members.add(remove)

    def check(merged: Person) -> None:
        assert set(merged.committees.all()) == {both, only_removed}
        assert both.members.filter(pk=merged.pk).count() == 1

    return check


def _assessments(keep: Person, remove: Person) -> Check:
    Council = apps.get_model("councils", "Council")
    Assessment = apps.get_model("councils", "Assessment")
    council = Council.objects.create(name="Oak Tenants", kind="tenant")
    assessment = Assessment.objects.create(council=council, person=remove, level="2")
    return lambda merged: assert_moved(assessment, merged)


def _one_on_ones(keep: Person, remove: Person) -> Check:
    Council = apps.get_model("councils", "Council")
    OneOnOne = apps.get_model("councils", "OneOnOne")
    council = Council.objects.create(name="Pine Tenants", kind="tenant")
    talk = OneOnOne.objects.create(council=council, person=remove, notes="Wants repairs")
    return lambda merged: assert_moved(talk, merged)


def _fights_brought(keep: Person, remove: Person) -> Check:
    Fight = apps.get_model("fights", "Fight")
    FightSubject = apps.get_model("fights", "FightSubject")
    theirs = Fight.objects.create(title="Deposit at Oak St", issue_type="deposit")
    both = Fight.objects.create(title="Repairs at Elm St", issue_type="repairs")
    moved = FightSubject.objects.create(fight=theirs, person=remove)
    FightSubject.objects.create(fight=both, person=keep)
    FightSubject.objects.create(fight=both, person=remove)

    def check(merged: Person) -> None:
        assert_moved(moved, merged)
        assert list(both.subjects.values_list("person", flat=True)) == [merged.pk]

    return check


def _mobilize_action():
    from datetime import timedelta

    Action = apps.get_model("mobilize", "Action")
    starts = timezone.now() + timedelta(days=1)
    return Action.objects.create(
        title="Picket", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )


def _action_asks(keep: Person, remove: Person) -> Check:
    from solnet.mobilize.services import _new_ask

    theirs, both = _mobilize_action(), _mobilize_action()
    moved = _new_ask(theirs, remove, shift=None, by=None)
    kept = _new_ask(both, keep, shift=None, by=None)
    _new_ask(both, remove, shift=None, by=None)

    def check(merged: Person) -> None:
        assert_moved(moved, merged)
        # One ask per person per action: the kept person's stays.
        assert list(both.asks.values_list("pk", flat=True)) == [kept.pk]

    return check


def _zones(keep: Person, remove: Person) -> Check:
    Zone = apps.get_model("mobilize", "Zone")
    both, only_removed = Zone.objects.create(name="Central"), Zone.objects.create(name="North")
    both.people.add(keep, remove)
    only_removed.people.add(remove)

    def check(merged: Person) -> None:
        assert set(merged.zones.all()) == {both, only_removed}
        assert both.people.filter(pk=merged.pk).count() == 1

    return check


def _alert_responses(keep: Person, remove: Person) -> Check:
    Alert = apps.get_model("mobilize", "Alert")
    AlertResponse = apps.get_model("mobilize", "AlertResponse")
    alert = Alert.objects.create(message="5th and Pine", status="sent")
    response = AlertResponse.objects.create(alert=alert, person=remove, answer="coming")
    return lambda merged: assert_moved(response, merged)


def _deliveries(keep: Person, remove: Person) -> Check:
    Send = apps.get_model("mobilize", "Send")
    Delivery = apps.get_model("mobilize", "Delivery")
    send, both = Send.objects.create(kind="news"), Send.objects.create(kind="news")
    moved = Delivery.objects.create(send=send, person=remove, channel="email", language="en")
    kept = Delivery.objects.create(send=both, person=keep, channel="email", language="en")
    Delivery.objects.create(send=both, person=remove, channel="email", language="en")

    def check(merged: Person) -> None:
        assert_moved(moved, merged)
        # Never two of the same message to one person, merged or not.
        assert list(both.deliveries.values_list("pk", flat=True)) == [kept.pk]

    return check


def assert_moved(row, merged: Person) -> None:
    row.refresh_from_db()
    assert row.person_id == merged.pk


# Every relation that points at a person, and how the test makes a row of it. A model another
# app adds later makes `test_every_relation_of_the_removed_record_survives` fail until its
# relation gets a line here: so merges are tested for it.
RELATIONS: dict[str, Callable[[Person, Person], Check]] = {
    "people.contactchannel.person": _channels,
    "people.commitment.person": _commitments,
    "people.personskill.person": _skills,
    "people.availability.person": _availability,
    "people.personflag.person": _flags,
    "councils.councilmembership.person": _council_memberships,
    "councils.committee.members": _committees,
    "councils.assessment.person": _assessments,
    "councils.oneonone.person": _one_on_ones,
    "fights.fightsubject.person": _fights_brought,
    "mobilize.ask.person": _action_asks,
    "mobilize.zone.people": _zones,
    "mobilize.alertresponse.person": _alert_responses,
    "mobilize.delivery.person": _deliveries,
}


def _key(relation) -> str:
    return f"{relation.related_model._meta.label_lower}.{relation.field.name}"


def test_every_relation_of_the_removed_record_survives(organizer):
    keep = Person.objects.create(display_name="Rosa")
    remove = Person.objects.create(display_name="Rosa D.")
    relations = [_key(r) for r in Person._meta.related_objects]
    missing = [key for key in relations if key not in RELATIONS]
    assert missing == [], f"relations to Person without a merge test object: {missing}"
    checks = [RELATIONS[key](keep, remove) for key in relations]
    night, drivers = Tag.objects.create(name="night shift"), Tag.objects.create(name="drivers")
    keep.tags.add(night)
    remove.tags.add(night, drivers)
    merged = merging.merge_people(keep=keep, remove=remove, take_from_other=[], by=organizer)
    assert not Person.objects.filter(pk=remove.pk).exists()
    for check in checks:
        check(merged)
    assert set(merged.tags.all()) == {night, drivers}
    event = AuditEvent.objects.get(action="people.merged")
    assert event.target == f"people.person:{keep.public_id}"
    assert event.data["removed"] == f"people.person:{remove.public_id}"
    assert "Rosa" not in str(event.data)


def test_chosen_values_and_the_rules_for_the_rest(organizer):
    earlier, later = timezone.now() - datetime.timedelta(days=40), timezone.now()
    keep = Person.objects.create(
        display_name="R.",
        tier=Tier.SUPPORTER,
        joined_on=datetime.date(2024, 5, 1),
        languages=["en"],
        notes="Met at the picket.",
        last_contact_at=earlier,
        transport="",
    )
    remove = Person.objects.create(
        display_name="Rosa Delgado",
        tier=Tier.PHONE_TREE,
        joined_on=datetime.date(2021, 3, 2),
        languages=["es", "en"],
        notes="Has a car.",
        last_contact_at=later,
        transport="car",
        interpreter_needed=True,
    )
    defaults = merging.default_choices(keep, remove)
    # The non-empty value by default; the kept record's when both have one.
    assert defaults["display_name"] == "this" and defaults["tier"] == "this"
    assert defaults["transport"] == "other" and defaults["interpreter_needed"] == "other"
    merged = merging.merge_people(
        keep=keep,
        remove=remove,
        take_from_other=["display_name", "transport", "interpreter_needed"],
        by=organizer,
    )
    merged.refresh_from_db()
    assert merged.display_name == "Rosa Delgado" and merged.tier == Tier.SUPPORTER
    assert merged.transport == "car" and merged.interpreter_needed
    assert merged.joined_on == datetime.date(2021, 3, 2)
    assert merged.last_contact_at == later
    assert merged.languages == ["en", "es"]
    assert merged.notes == "Met at the picket.\n\nHas a car."


def test_the_account_follows_the_record_and_two_accounts_are_refused(organizer, personas):
    member = personas["member"].member
    supporter = personas["supporter"].member
    keep = Person.objects.create(display_name="Lupe")
    remove = Person.objects.create(display_name="Lupe G.", member=member)
    merged = merging.merge_people(keep=keep, remove=remove, take_from_other=[], by=organizer)
    merged.refresh_from_db()
    assert merged.member == member
    other = Person.objects.create(display_name="Sup", member=supporter)
    with pytest.raises(merging.ValidationError, match="Both records belong to members"):
        merging.merge_people(keep=merged, remove=other, take_from_other=[], by=organizer)
    assert Person.objects.filter(pk=other.pk, member=supporter).exists()
    with pytest.raises(merging.ValidationError):
        merging.merge_people(keep=merged, remove=merged, take_from_other=[], by=organizer)


def test_only_those_who_may_merge_can(personas):
    keep = Person.objects.create(display_name="A")
    remove = Person.objects.create(display_name="B")
    with pytest.raises(merging.PermissionDenied):
        merging.merge_people(
            keep=keep, remove=remove, take_from_other=[], by=personas["member"].member
        )
    assert Person.objects.count() == 2


@pytest.fixture
def organizer_client(personas):
    return sign_in(Client(), personas["organizer"].member)


def test_an_organizer_finds_the_other_record_and_merges_it_in_the_page(organizer_client):
    keep = Person.objects.create(display_name="Sam Okafor")
    remove = Person.objects.create(display_name="Sam O.", transport="bike_walk")
    ContactChannel.objects.create(person=remove, kind="email", value="sam@example.org")
    Person.objects.create(display_name="Samuel Other")
    pick = reverse("people:merge_pick", args=[keep.public_id])
    found = organizer_client.get(pick, {"contact": " SAM@example.org"})
    assert [p.display_name for p in found.context["page"]] == ["Sam O."]
    found = organizer_client.get(pick, {"q": "Sam"})
    assert [p.display_name for p in found.context["page"]] == ["Sam O.", "Samuel Other"]
    url = reverse("people:merge", args=[keep.public_id, remove.public_id])
    assert url in found.content.decode()
    page = organizer_client.get(url)
    content = page.content.decode()
    assert page.status_code == 200
    assert "sam@example.org" in content and 'id="merge-other-record"' in content
    assert page.context["form"].initial["transport"] == "other"
    choices = dict.fromkeys(merging.CHOSEN_FIELDS, "this") | {"transport": "other"}
    response = organizer_client.post(url, choices)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[keep.public_id])
    keep.refresh_from_db()
    assert keep.transport == "bike_walk" and keep.channels.get().value == "sam@example.org"
    assert organizer_client.get(url).status_code == 404  # the other record is gone


def test_the_page_refuses_two_accounts(organizer_client, personas):
    keep = Person.objects.create(display_name="M", member=personas["member"].member)
    remove = Person.objects.create(display_name="S", member=personas["supporter"].member)
    url = reverse("people:merge", args=[keep.public_id, remove.public_id])
    page = organizer_client.get(url)
    assert 'id="merge-refused"' in page.content.decode()
    assert 'id="merge-form"' not in page.content.decode()
    response = organizer_client.post(url, dict.fromkeys(merging.CHOSEN_FIELDS, "this"))
    assert response.status_code == 422 and Person.objects.count() == 2


@pytest.mark.parametrize("persona", ["supporter", "member", "dispatcher"])
def test_others_get_404_from_the_merge_pages(personas, persona):
    keep = Person.objects.create(display_name="A")
    remove = Person.objects.create(display_name="B")
    client = sign_in(Client(), personas[persona].member)
    assert client.get(reverse("people:merge_pick", args=[keep.public_id])).status_code == 404
    url = reverse("people:merge", args=[keep.public_id, remove.public_id])
    assert client.post(url, dict.fromkeys(merging.CHOSEN_FIELDS, "this")).status_code == 404
    assert Person.objects.count() == 2


def test_a_second_organizer_can_merge_too(network):
    second, _secret = make_member("second_organizer", tier=Tier.ORGANIZING_TEAM)
    keep = Person.objects.create(display_name="A")
    remove = Person.objects.create(display_name="B")
    merging.merge_people(keep=keep, remove=remove, take_from_other=[], by=second)
    assert Person.objects.count() == 1
