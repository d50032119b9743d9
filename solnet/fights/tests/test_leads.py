"""Leads: the public "bring us your fight" page, calls written down by organizers, calling
back, taking a lead on as a fight, and stripping the leads that were not taken."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.core import public_forms
from solnet.core.models import AuditEvent
from solnet.core.retention import purge_expired
from solnet.fights.models import Fight, FightSubject, FightTeamMember, Lead, LeadStatus
from solnet.network.models import Network
from solnet.people.models import ContactChannel, Person

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "display_name": "Antonio",
        "contact_kind": "call",
        "contact": "+1 206 555 0144",
        "language": "es",
        "issue_type": "wages",
        "story": "My boss owes me six weeks of wages.",
        "heard_from": "poster",
        "consent": "on",
        "website": "",
        "started": signing.dumps(time.time() - 20, salt=public_forms.SALT),
    }
    data.update(changes)
    return data


def test_a_lead_arrives_through_the_public_page_and_becomes_a_fight(network, personas):
    response = Client().post(reverse("fight_back"), _form())
    assert response.status_code == 302 and response["Location"] == reverse("fight_back_thanks")
    lead = Lead.objects.get()
    assert (lead.channel, lead.heard_from, lead.status) == ("web", "poster", LeadStatus.NEW)
    assert lead.contact == "+12065550144"  # read in the network's country, kept in E.164
    assert AuditEvent.objects.filter(action="lead.received").exists()

    organizer = personas["organizer"].member
    client = sign_in(Client(), organizer)
    page = client.get(reverse("fights:leads")).content.decode()
    assert "Antonio" in page
    detail = client.get(reverse("fights:lead", args=[lead.public_id])).content.decode()
    assert "My boss owes me six weeks of wages." in detail and "(206) 555-0144" in detail

    response = client.post(
        reverse("fights:lead_take", args=[lead.public_id]), {"title": "Back wages at Joe's"}
    )
    fight = Fight.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("fights:detail", args=[fight.public_id])
    assert (fight.stage, fight.issue_type, fight.language) == ("intake", "wages", "es")
    assert fight.facts == "My boss owes me six weeks of wages."
    subject = FightSubject.objects.get(fight=fight).person
    channel = ContactChannel.objects.get(person=subject)
    assert subject.display_name == "Antonio" and channel.value == "+12065550144"
    assert channel.usable  # they asked to be called back this way
    seat = FightTeamMember.objects.get(fight=fight)
    assert seat.member == organizer and seat.is_point_person
    lead.refresh_from_db()
    # The lead keeps how it came in, for the statistics; the fight holds the rest.
    assert (lead.status, lead.fight, lead.channel) == (LeadStatus.TAKEN, fight, "web")
    assert lead.display_name == "" and lead.contact is None and lead.story is None
    assert lead.stripped_at is not None
    again = client.post(reverse("fights:lead_take", args=[lead.public_id]), {"title": "Twice"})
    assert again.status_code == 422 and Fight.objects.count() == 1


def test_the_page_speaks_spanish(network):
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("fight_back"))
    assert page.status_code == 200 and page["Content-Language"] == "es"
    assert "Tráenos tu lucha" in page.content.decode()


def test_bad_input_gets_errors_and_changes_nothing(network):
    response = Client().post(reverse("fight_back"), _form(consent="", contact="call me"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "consent" in errors and "contact" in errors
    email = Client().post(reverse("fight_back"), _form(contact_kind="email", contact="a@b"))
    assert "contact" in email.context["form"].errors
    assert not Lead.objects.exists()


def test_spam_is_held_back(network):
    bot = Client().post(reverse("fight_back"), _form(website="http://spam.example"))
    assert bot.status_code == 302 and not Lead.objects.exists()
    quick = signing.dumps(time.time(), salt=public_forms.SALT)
    assert Client().post(reverse("fight_back"), _form(started=quick)).status_code == 422
    assert not Lead.objects.exists()
    client = Client(REMOTE_ADDR="198.51.100.20")
    for n in range(public_forms.PER_HOUR):
        assert client.post(reverse("fight_back"), _form(display_name=f"P{n}")).status_code == 302
    assert client.post(reverse("fight_back"), _form()).status_code == 429
    assert Lead.objects.count() == public_forms.PER_HOUR


def test_a_clinic_on_one_tablet_gets_the_limit_the_network_sets(network):
    """The per-address limit is the network's: a legal clinic raises it, the spam checks
    stay."""
    Network.objects.update(public_forms_per_hour=12)
    client = Client(REMOTE_ADDR="198.51.100.21")
    for n in range(12):
        assert client.post(reverse("fight_back"), _form(display_name=f"T{n}")).status_code == 302
    assert client.post(reverse("fight_back"), _form()).status_code == 429
    bot = client.post(reverse("fight_back"), _form(website="http://spam.example"))
    assert Lead.objects.count() == 12 and bot.status_code in (302, 429)


def test_an_organizer_writes_down_a_call_and_hands_the_callback_on(network, personas):
    organizer = personas["organizer"].member
    client = sign_in(Client(), organizer)
    response = client.post(
        reverse("fights:lead_new"),
        {
            "display_name": "Mei",
            "contact_kind": "text",
            "contact": "+1 206 555 0155",
            "language": "en",
            "issue_type": "deposit",
            "story": "Landlord kept the deposit",
            "channel": "voicemail",
            "heard_from": "",
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert (lead.channel, lead.callback_owner) == ("voicemail", organizer)
    bad = client.post(reverse("fights:lead_new"), {"display_name": "", "contact": "x"})
    assert bad.status_code == 422 and Lead.objects.count() == 1

    dispatcher = personas["dispatcher"].member  # reads contacts, but is not an organizer
    refused = client.post(
        reverse("fights:lead", args=[lead.public_id]),
        {"status": "contacted", "callback_owner": dispatcher.public_id},
    )
    assert refused.status_code == 422
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW

    client.post(reverse("fights:lead", args=[lead.public_id]), {"status": "referred"})
    lead.refresh_from_db()
    # Referred elsewhere: closed, and nothing personal is kept.
    assert lead.status == LeadStatus.REFERRED and lead.contact is None and lead.display_name == ""
    closed = client.post(reverse("fights:lead", args=[lead.public_id]), {"status": "new"})
    assert closed.status_code == 422


def test_leads_are_the_organizing_teams_alone(network, personas):
    lead = Lead.objects.create(
        display_name="X", contact_kind="call", contact="+1 206 555 0101", issue_type="other"
    )
    for persona in ("member", "dispatcher", "fund_committee", "supporter", "fight_team"):
        client = sign_in(Client(), personas[persona].member)
        assert client.get(reverse("fights:leads")).status_code == 404
        assert client.get(reverse("fights:lead", args=[lead.public_id])).status_code == 404


def test_leads_not_taken_are_stripped_after_the_networks_days(network):
    network.lead_retention_days = 30
    network.save()
    old, fresh = timezone.now() - timedelta(days=31), timezone.now() - timedelta(days=29)

    def lead(name: str, when, status=LeadStatus.NEW) -> Lead:
        return Lead.objects.create(
            display_name=name,
            contact_kind="email",
            contact=f"{name.lower()}@example.org",
            story="Something happened",
            issue_type="repairs",
            channel="email",
            heard_from="online",
            status=status,
            created_at=when,
            updated_at=when,
        )

    stale, recent = lead("Stale", old), lead("Recent", fresh)
    results = purge_expired()
    assert results["fights.Lead"] == 1
    stale.refresh_from_db()
    recent.refresh_from_db()
    assert (stale.display_name, stale.contact, stale.story) == ("", None, None)
    assert (stale.status, stale.channel, stale.heard_from) == ("dropped", "email", "online")
    assert recent.display_name == "Recent" and recent.contact == "recent@example.org"
    assert "fights.Lead" not in purge_expired()  # stripped once


def test_taking_a_lead_on_finds_the_person_the_network_already_knows_by_their_number(
    network, personas
):
    # The network met Antonio at a meeting and wrote his number without the country code.
    antonio = Person.objects.create(display_name="Antonio R.", languages=["en"])
    known = ContactChannel.objects.create(person=antonio, kind="call", value="+12065550144")
    ContactChannel.objects.filter(pk=known.pk).update(opted_out_at=timezone.now())
    Client().post(reverse("fight_back"), _form(contact="(206) 555-0144"))
    lead = Lead.objects.get()
    client = sign_in(Client(), personas["organizer"].member)
    people_before = Person.objects.count()

    client.post(reverse("fights:lead_take", args=[lead.public_id]), {"title": "Back wages"})

    fight = Fight.objects.get()
    assert Person.objects.count() == people_before  # no second Antonio
    assert FightSubject.objects.get(fight=fight).person == antonio
    antonio.refresh_from_db()
    assert antonio.languages == ["en", "es"]
    [channel] = antonio.channels.all()
    # Asking to be called back is a consent newer than his earlier opt-out.
    assert channel.usable and channel.consent_at == lead.created_at


def test_taking_a_lead_on_with_a_new_number_records_a_new_person(network, personas):
    Person.objects.create(display_name="Antonio")  # the same name is not the same person
    Client().post(reverse("fight_back"), _form())
    lead = Lead.objects.get()
    client = sign_in(Client(), personas["organizer"].member)
    client.post(reverse("fights:lead_take", args=[lead.public_id]), {"title": "Back wages"})
    subject = FightSubject.objects.get().person
    assert subject.channels.get().value == "+12065550144"
    assert Person.objects.filter(display_name="Antonio").count() == 2
