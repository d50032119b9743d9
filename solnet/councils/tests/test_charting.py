"""Charting a workplace or building: units, departments and shifts; committees; support
assessments on the network's scale; the one-on-one log and its follow-ups; the chart page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.councils import services
from solnet.councils.models import (
    Assessment,
    Committee,
    Council,
    CouncilMembership,
    OneOnOne,
    Role,
    Section,
    Site,
)
from solnet.members.models import Tier
from solnet.network.models import Network
from solnet.people.models import Person
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(personas):
    return personas["organizer"].member


@pytest.fixture
def organizer_client(organizer):
    return sign_in(Client(), organizer)


@pytest.fixture
def bakery():
    council = Council.objects.create(name="Bakery Workers", kind="industrial")
    site = Site.objects.create(council=council, name="Central Bakery", kind="workplace")
    return council, site


def _join(council, site, name, **place):
    person = Person.objects.create(display_name=name)
    return CouncilMembership.objects.create(council=council, person=person, site=site, **place)


def test_a_building_has_units_and_a_workplace_departments_and_shifts(organizer, bakery):
    council, workplace = bakery
    building = Site.objects.create(council=council, name="1400 Pine", kind="building")
    services.add_section(site=building, kind="unit", name="4B", by=organizer)
    services.add_section(site=workplace, kind="department", name="Packing", by=organizer)
    services.add_section(site=workplace, kind="shift", name="Nights", by=organizer)
    with pytest.raises(services.ValidationError):
        services.add_section(site=building, kind="shift", name="Nights", by=organizer)
    with pytest.raises(services.ValidationError):
        services.add_section(site=workplace, kind="unit", name="4B", by=organizer)
    with pytest.raises(services.ValidationError):
        services.add_section(site=workplace, kind="department", name="packing", by=organizer)
    assert sorted(Section.objects.values_list("name", flat=True)) == ["4B", "Nights", "Packing"]


def test_the_section_form_offers_only_what_fits_the_site(organizer_client, bakery):
    council, workplace = bakery
    response = organizer_client.post(
        reverse("councils:section_add", args=[council.public_id, workplace.public_id]),
        {"kind": "unit", "name": "4B"},
    )
    assert response.status_code == 302
    assert not Section.objects.exists()
    messages = [str(m) for m in organizer_client.get(response["Location"]).context["messages"]]
    assert messages == ["Give it a name and a kind from the list."]


def test_placing_someone_checks_the_sections_belong_to_the_site(organizer, bakery):
    council, workplace = bakery
    other = Site.objects.create(council=council, name="Eastside Bakery", kind="workplace")
    packing = Section.objects.create(site=workplace, kind="department", name="Packing")
    nights = Section.objects.create(site=workplace, kind="shift", name="Nights")
    elsewhere = Section.objects.create(site=other, kind="department", name="Ovens")
    membership = _join(council, None, "Lupe")
    services.place_member(
        membership=membership, site=workplace, section=packing, shift=nights, by=organizer
    )
    membership.refresh_from_db()
    assert (membership.site, membership.section, membership.shift) == (workplace, packing, nights)
    for section, shift in ((elsewhere, None), (nights, None), (None, packing)):
        with pytest.raises(services.ValidationError):
            services.place_member(
                membership=membership, site=workplace, section=section, shift=shift, by=organizer
            )
    membership.refresh_from_db()
    assert (membership.section, membership.shift) == (packing, nights)


def test_committees_hold_council_members_only(organizer_client, organizer, bakery):
    council, workplace = bakery
    lupe = _join(council, workplace, "Lupe").person
    outsider = Person.objects.create(display_name="Not In The Council")
    response = organizer_client.post(
        reverse("councils:committee_new", args=[council.public_id]),
        {"name": "Workplace committee", "purpose": "Runs the campaign at Central"},
    )
    committee = Committee.objects.get()
    assert response["Location"] == reverse(
        "councils:committee", args=[council.public_id, committee.public_id]
    )
    add = reverse("councils:committee_member_add", args=[council.public_id, committee.public_id])
    organizer_client.post(add, {"person": lupe.public_id})
    organizer_client.post(add, {"person": outsider.public_id})
    assert list(committee.members.all()) == [lupe]
    with pytest.raises(services.ValidationError):
        services.add_to_committee(committee=committee, person=outsider, by=organizer)
    again = organizer_client.post(
        reverse("councils:committee_new", args=[council.public_id]),
        {"name": "workplace committee"},
    )
    assert Committee.objects.count() == 1
    messages = [str(m) for m in organizer_client.get(again["Location"]).context["messages"]]
    assert "already has a committee" in messages[-1]
    organizer_client.post(
        reverse(
            "councils:committee_member_remove",
            args=[council.public_id, committee.public_id, lupe.public_id],
        )
    )
    assert not committee.members.exists()


def test_a_council_member_sees_committees_but_cannot_chart_or_shape(personas, bakery):
    council, workplace = bakery
    member = personas["member"].member
    CouncilMembership.objects.create(council=council, person=own_record(member=member))
    lupe = _join(council, workplace, "Lupe")
    committee = Committee.objects.create(council=council, name="Workplace committee")
    committee.members.add(lupe.person)
    client = sign_in(Client(), member)
    page = client.get(reverse("councils:committee", args=[council.public_id, committee.public_id]))
    assert page.status_code == 200 and "Lupe" in page.content.decode()
    assert "Take Lupe off" not in page.content.decode()
    for name, args, method in (
        ("councils:chart", [council.public_id, workplace.public_id], "get"),
        ("councils:membership", [council.public_id, lupe.person.public_id], "get"),
        ("councils:membership_assess", [council.public_id, lupe.person.public_id], "post"),
        ("councils:one_on_one_log", [council.public_id, lupe.person.public_id], "post"),
        ("councils:committee_new", [council.public_id], "post"),
        ("councils:section_add", [council.public_id, workplace.public_id], "post"),
    ):
        response = getattr(client, method)(reverse(name, args=args), {"level": 1, "name": "x"})
        assert response.status_code == 404, name
    assert not Assessment.objects.exists() and Committee.objects.count() == 1
    detail = client.get(reverse("councils:detail", args=[council.public_id])).content.decode()
    assert reverse("councils:chart", args=[council.public_id, workplace.public_id]) not in detail


def test_the_councils_organizing_team_charts_it(bakery):
    council, workplace = bakery
    lead, _ = make_member("council_lead", tier=Tier.MEMBER)
    CouncilMembership.objects.create(
        council=council, person=own_record(member=lead), role=Role.ORGANIZING
    )
    lupe = _join(council, workplace, "Lupe")
    client = sign_in(Client(), lead)
    assert client.get(reverse("councils:chart", args=[council.public_id, workplace.public_id]))
    response = client.post(
        reverse("councils:membership_assess", args=[council.public_id, lupe.person.public_id]),
        {"level": 2},
    )
    assert response.status_code == 302
    assert Assessment.objects.get().assessed_by == lead
    other = Council.objects.create(name="Other", kind="tenant")
    stranger = CouncilMembership.objects.create(
        council=other, person=Person.objects.create(display_name="Elsewhere")
    )
    assert (
        client.get(
            reverse("councils:membership", args=[other.public_id, stranger.person.public_id])
        ).status_code
        == 404
    )


def test_assessments_are_on_the_scale_and_stored_encrypted(organizer_client, organizer, bakery):
    council, workplace = bakery
    lupe = _join(council, workplace, "Lupe")
    path = reverse("councils:membership_assess", args=[council.public_id, lupe.person.public_id])
    for bad in ("0", "6", "two", ""):
        response = organizer_client.post(path, {"level": bad})
        assert response.status_code == 422
    assert not Assessment.objects.exists()
    organizer_client.post(path, {"level": "3"})
    assessment = Assessment.objects.get()
    assert assessment.score == 3
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT level FROM {Assessment._meta.db_table}")
        (raw,) = cursor.fetchone()
    assert raw != "3" and len(raw) > 20
    assert AuditEvent.objects.filter(action="council.assessed").exists()


def test_the_networks_own_scale_names_show(organizer_client, bakery):
    council, workplace = bakery
    network = Network.objects.current()
    network.support_scale = ["Organizer", "Solid", "On the fence", "Cold", "Boss's friend"]
    network.save()
    lupe = _join(council, workplace, "Lupe")
    Assessment.objects.create(council=council, person=lupe.person, level="5")
    chart = organizer_client.get(
        reverse("councils:chart", args=[council.public_id, workplace.public_id])
    ).content.decode()
    assert "5 — Boss&#x27;s friend" in chart
    page = organizer_client.get(
        reverse("councils:membership", args=[council.public_id, lupe.person.public_id])
    ).content.decode()
    assert "1 — Organizer" in page


def test_the_network_sets_all_five_names_or_none(organizer_client):
    base = {
        "name": "Eastside",
        "city_region": "Eastside",
        "languages": ["en"],
        "default_language": "en",
        "approvals_to_join": 1,
        "second_factor_for_all": "on",
    }
    response = organizer_client.post(reverse("network:setup"), {**base, "scale_1": "Organizer"})
    assert response.status_code == 422
    assert Network.objects.current().support_scale == []
    names = {f"scale_{i}": name for i, name in enumerate("ABCDE", 1)}
    organizer_client.post(reverse("network:setup"), {**base, **names})
    assert Network.objects.current().scale_labels() == list("ABCDE")


def test_logging_a_one_on_one(organizer_client, organizer, bakery):
    council, workplace = bakery
    lupe = _join(council, workplace, "Lupe")
    path = reverse("councils:one_on_one_log", args=[council.public_id, lupe.person.public_id])
    today = timezone.localdate()
    bad = [
        {"held_on": (today + timedelta(days=1)).isoformat()},
        {"held_on": today.isoformat(), "follow_up_on": today.isoformat()},
        {
            "held_on": today.isoformat(),
            "follow_up": "Call back",
            "follow_up_on": (today - timedelta(days=3)).isoformat(),
        },
        {"held_on": "yesterday"},
    ]
    for data in bad:
        response = organizer_client.post(path, data)
        assert response.status_code == 422, data
        assert response.context["talk_form"].errors
    assert not OneOnOne.objects.exists()
    response = organizer_client.post(
        path,
        {
            "held_on": today.isoformat(),
            "good": "on",
            "notes": "Short-staffed on nights; wants the heat fixed.",
            "follow_up": "Bring her to Thursday's meeting",
            "follow_up_on": (today + timedelta(days=2)).isoformat(),
            "level": "2",
        },
    )
    assert response.status_code == 302
    talk = OneOnOne.objects.get()
    assert talk.held_by == organizer and talk.good and talk.notes.startswith("Short-staffed")
    assert Assessment.objects.get().score == 2
    lupe.person.refresh_from_db()
    assert lupe.person.last_contact_at is not None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT notes FROM {OneOnOne._meta.db_table}")
        assert "Short-staffed" not in cursor.fetchone()[0]
    organizer_client.post(
        reverse(
            "councils:follow_up_done",
            args=[council.public_id, lupe.person.public_id, talk.public_id],
        ),
        {"next": "https://evil.example/"},
    )
    talk.refresh_from_db()
    assert talk.follow_up_done_at is not None


def test_the_chart_groups_people_and_shows_what_an_organizer_needs(
    organizer_client, organizer, bakery
):
    council, workplace = bakery
    packing = Section.objects.create(site=workplace, kind="department", name="Packing")
    ovens = Section.objects.create(site=workplace, kind="department", name="Ovens")
    nights = Section.objects.create(site=workplace, kind="shift", name="Nights")
    lupe = _join(council, workplace, "Lupe", section=packing, shift=nights)
    ana = _join(council, workplace, "Ana", section=ovens)
    _join(council, workplace, "Bo", section=packing)
    _join(council, None, "Not Charted Here")
    services.assess(membership=lupe, level=4, by=organizer)
    services.assess(membership=lupe, level=1, by=organizer)  # the latest counts
    yesterday = timezone.localdate() - timedelta(days=1)
    services.log_one_on_one(
        membership=ana,
        held_on=yesterday - timedelta(days=5),
        good=True,
        notes="",
        follow_up="Ask her to sign the petition",
        follow_up_on=yesterday,
        level=3,
        by=organizer,
    )
    response = organizer_client.get(
        reverse("councils:chart", args=[council.public_id, workplace.public_id])
    )
    chart = response.context["chart"]
    assert [
        (g.section.name, [r.membership.person.display_name for r in g.rows]) for g in chart.groups
    ] == [
        ("Ovens", ["Ana"]),
        ("Packing", ["Bo", "Lupe"]),
    ]
    totals = chart.totals
    assert totals.people == 3 and totals.unassessed == 1
    assert [count for _step, _label, count in totals.by_level] == [1, 0, 1, 0, 0]
    assert totals.good_one_on_ones == 1 and totals.follow_ups_due == 1
    html = response.content.decode()
    assert "1 — Leader" in html and "3 — Undecided" in html
    assert "Ask her to sign the petition" in html
    assert "Not Charted Here" not in html
    by_shift = organizer_client.get(
        reverse("councils:chart", args=[council.public_id, workplace.public_id]), {"by": "shift"}
    ).context["chart"]
    assert [(g.section and g.section.name) for g in by_shift.groups] == ["Nights", None]


def test_the_chart_costs_the_same_queries_whatever_its_size(organizer_client, organizer, bakery):
    council, workplace = bakery
    packing = Section.objects.create(site=workplace, kind="department", name="Packing")
    path = reverse("councils:chart", args=[council.public_id, workplace.public_id])

    def add(count):
        for i in range(count):
            membership = _join(council, workplace, f"Worker {i}-{count}", section=packing)
            services.assess(membership=membership, level=1 + i % 5, by=organizer)
            services.log_one_on_one(
                membership=membership,
                held_on=timezone.localdate(),
                good=bool(i % 2),
                notes="",
                follow_up="Call",
                follow_up_on=timezone.localdate(),
                level=None,
                by=organizer,
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert organizer_client.get(path).status_code == 200
        return len(captured)

    add(3)
    small = queries()
    add(30)
    assert queries() == small


def _token(member, scopes=("councils:read", "councils:assess")):
    from solnet.members import services as member_services

    _t, secret = member_services.create_api_token(
        member=member, name="t", scopes=list(scopes), days=1
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_api_gives_councils_rosters_and_assessments_under_the_same_rules(
    personas, organizer, bakery
):
    from solnet.people.models import ContactChannel

    council, workplace = bakery
    Section.objects.create(site=workplace, kind="shift", name="Nights")
    member = personas["member"].member
    CouncilMembership.objects.create(council=council, person=own_record(member=member))
    lupe = _join(council, workplace, "Lupe")
    ContactChannel.objects.create(
        person=lupe.person, kind="email", value="lupe@example.org", consent_at=timezone.now()
    )
    client = Client()
    as_organizer, as_member = _token(organizer), _token(member)
    base = f"/api/councils/{council.public_id}"

    detail = client.get(base, **as_member).json()
    assert detail["sites"][0]["sections"][0]["name"] == "Nights"
    roster = client.get(f"{base}/members", **as_member).json()["items"]
    assert {row["display_name"]: row["contacts"] for row in roster}["Lupe"] == []
    roster = client.get(f"{base}/members", **as_organizer).json()["items"]
    assert {row["display_name"]: row["contacts"] for row in roster}["Lupe"] == [
        {"kind": "email", "value": "lupe@example.org"}
    ]

    assert client.get(f"{base}/assessments", **as_member).status_code == 404
    post = {"person_id": lupe.person.public_id, "level": 2}
    assert (
        client.post(f"{base}/assessments", post, content_type="application/json", **as_member)
    ).status_code == 404
    for bad in ({**post, "level": 6}, {**post, "person_id": "nobody"}, {**post, "extra": 1}):
        response = client.post(
            f"{base}/assessments", bad, content_type="application/json", **as_organizer
        )
        assert response.status_code == 422, bad
    response = client.post(
        f"{base}/assessments", post, content_type="application/json", **as_organizer
    )
    assert response.status_code == 201 and response.json()["label"] == "Supporter"
    listed = client.get(f"{base}/assessments", **as_organizer).json()["items"]
    assert [(a["person_id"], a["level"]) for a in listed] == [(lupe.person.public_id, 2)]
    read_only = _token(organizer, scopes=("councils:read",))
    response = client.post(
        f"{base}/assessments", post, content_type="application/json", **read_only
    )
    assert response.status_code == 403
    assert Assessment.objects.count() == 1


def test_sites_committees_and_sections_are_paginated(organizer_client, bakery):
    from solnet.councils.views import PAGE_SIZE

    council, workplace = bakery
    for n in range(PAGE_SIZE + 1):
        Site.objects.create(council=council, name=f"Shop {n:03d}", kind="workplace")
        Committee.objects.create(council=council, name=f"Committee {n:03d}")
        Section.objects.create(site=workplace, kind="department", name=f"Dept {n:03d}")
    detail = reverse("councils:detail", args=[council.public_id])
    first = organizer_client.get(detail)
    assert len(first.context["sites"].object_list) == PAGE_SIZE
    assert len(first.context["committees"].object_list) == PAGE_SIZE
    assert "?sites=2" in first.content.decode() and "?committees=2" in first.content.decode()
    second = organizer_client.get(detail, {"committees": 2})
    assert [c.name for c in second.context["committees"]] == [f"Committee {PAGE_SIZE:03d}"]
    chart = reverse("councils:chart", args=[council.public_id, workplace.public_id])
    assert len(organizer_client.get(chart).context["sections"].object_list) == PAGE_SIZE
    assert len(organizer_client.get(chart, {"sections": 2}).context["sections"].object_list) == 1
