"""Phone numbers kept in E.164: a STOP from the gateway's "+1…" form reaches a record whose
number was typed any other way, the "exact email or phone" filter finds it however it is
written, and the migration that put older numbers in E.164 (mixed formats, one unreadable)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from conftest import make_member, sign_in
from solnet.core import crypto
from solnet.core.phones import digits_form
from solnet.members.models import Tier
from solnet.mobilize.models import Delivery, DeliveryStatus, Send, SendKind, SmsOptOut
from solnet.mobilize.sending import sms
from solnet.people import services as people_services
from solnet.people.imports import services as import_services
from solnet.people.models import ContactChannel, JoinRequest, Person
from solnet.people.tests import importing

pytestmark = pytest.mark.django_db

OUR_NUMBER = "+12065550199"
PERSON = {
    "display_name": "Lupe",
    "tier": Tier.PHONE_TREE,
    "languages": ["es"],
    "email": "",
    "phone": "(206) 555-0100",
    "consent": "on",
    "notice_needed": "one_day",
    "transport": "needs_ride",
}
migration = importlib.import_module("solnet.people.migrations.0010_phone_numbers_e164")


@pytest.fixture
def organizer_client(personas):
    return sign_in(Client(), personas["organizer"].member)


def _index(value: str) -> str:
    return ContactChannel._meta.get_field("value_index").lookup_value(value)


def test_a_number_typed_in_a_form_is_kept_in_e164_and_shown_nationally(organizer_client):
    response = organizer_client.post(reverse("people:new"), PERSON)
    assert response.status_code == 302
    channel = ContactChannel.objects.get(person__display_name="Lupe")
    assert channel.value == "+12065550100" and not channel.unreadable_number
    page = organizer_client.get(response["Location"]).content.decode()
    assert "(206) 555-0100" in page and "+12065550100" not in page
    edit = organizer_client.get(response["Location"] + "edit/").content.decode()
    assert 'value="(206) 555-0100"' in edit


def test_a_number_that_does_not_exist_is_refused_and_nothing_is_recorded(organizer_client):
    for bad in ("000000", "555-0100", "12"):
        response = organizer_client.post(reverse("people:new"), {**PERSON, "phone": bad})
        assert response.status_code == 422
        assert "Write a phone number that exists" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.parametrize("filter_by", ["+12065550100", "206.555.0100", "1 (206) 555-0100"])
def test_the_exact_contact_filter_finds_the_number_however_it_is_written(
    organizer_client, filter_by
):
    organizer_client.post(reverse("people:new"), PERSON)
    page = organizer_client.get(reverse("people:list"), {"contact": filter_by})
    assert [p.display_name for p in page.context["page"]] == ["Lupe"]


def test_a_stop_from_the_gateways_form_reaches_a_number_typed_nationally(personas, sms_gateway):
    # Lupe asked to join on the public form, typing her number as people do.
    request = JoinRequest.objects.create(
        display_name="Lupe", kind="text", value="(206) 555-0100", language="es"
    )
    lupe = people_services.accept_join_request(
        join_request=request, by=personas["organizer"].member
    )
    assert lupe.channels.get().usable
    send = Send.objects.create(kind=SendKind.NEWS, channels=["text"])
    queued = Delivery.objects.create(
        send=send, person=lupe, language="es", channel="text", address_index=_index("206-555-0100")
    )

    response = sms_gateway.signed_inbound("+12065550100", OUR_NUMBER, "STOP").post(Client())

    assert response.status_code == 200
    assert SmsOptOut.objects.get().number_index == _index("(206) 555-0100")
    assert not lupe.channels.get().usable
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.CANCELLED
    with pytest.raises(sms.OptedOut):
        sms.send_text(to="(206) 555-0100", sender=OUR_NUMBER, body="Picket Friday")
    assert sms_gateway.messages == []


# --- the migration ------------------------------------------------------------------------


def _as_before(channel: ContactChannel, written: str) -> str:
    """Puts a channel back as numbers were kept before: as typed, indexed on its digits."""
    old = crypto.keyed_digest(
        "index", f"people.contactchannel.value\x00{digits_form(written)}".encode()
    )[:40]
    ContactChannel.objects.filter(pk=channel.pk).update(value=written, value_index=old)
    return old


def test_the_migration_puts_mixed_formats_in_e164_and_follows_their_digests(network):
    ana = Person.objects.create(display_name="Ana")
    written = ["(253) 555-2155", "253.555.2157", "1-253-555-2159", "+1 253 555 2160", "12"]
    old = {}
    for value in written:
        channel = ContactChannel.objects.create(person=ana, kind="text", value=value)
        old[value] = _as_before(channel, value)
    email = ContactChannel.objects.create(person=ana, kind="email", value="Ana@Example.org")
    member, _secret = make_member("bo")
    type(member).objects.filter(pk=member.pk).update(phone="206 555 0100")
    JoinRequest.objects.create(
        display_name="Cy", kind="call", value="(206) 555-0142", language="en"
    )
    send = Send.objects.create(kind=SendKind.NEWS, channels=["text"])
    queued = Delivery.objects.create(
        send=send, person=ana, language="en", channel="text", address_index=old["253.555.2157"]
    )
    # A STOP the gateway sent as "+1…" before: the old digest of an E.164 number is its own.
    SmsOptOut.objects.create(number_index=old["1-253-555-2159"])
    said: list[str] = []

    migration.numbers_to_e164(apps, None, say=said.append)

    values = {c.value for c in ana.channels.filter(kind="text")}
    assert values == {"+12535552155", "+12535552157", "+12535552159", "+12535552160", "12"}
    for channel in ana.channels.filter(kind="text"):
        assert channel.value_index == _index(channel.value)
    unreadable = [c for c in ana.channels.all() if c.unreadable_number]
    assert [c.value for c in unreadable] == ["12"]
    email.refresh_from_db()
    assert email.value == "Ana@Example.org"
    member.refresh_from_db()
    assert member.phone == "+12065550100"
    assert JoinRequest.objects.get().value == "+12065550142"
    queued.refresh_from_db()
    assert queued.address_index == _index("+12535552157")
    assert sms.is_opted_out("+12535552159")
    report = "\n".join(said)
    assert "contact channels: 4 written again in E.164, 1 could not be read" in report
    assert f"to check: the person {ana.public_id}" in report
    assert "12" not in report.replace("E.164", "")  # never the number itself
    # A second run finds nothing more to write, and the unreadable number still to check.
    said.clear()
    migration.numbers_to_e164(apps, None, say=said.append)
    again = "\n".join(said)
    assert "contact channels: 0 written again in E.164, 1 could not be read" in again
    assert "members:" not in again and "requests to join:" not in again


def test_a_number_the_migration_could_not_read_is_flagged_on_the_persons_page(
    organizer_client,
):
    ana = Person.objects.create(display_name="Ana")
    channel = ContactChannel.objects.create(person=ana, kind="call", value="12")
    _as_before(channel, "12")
    page = organizer_client.get(reverse("people:detail", args=[ana.public_id])).content.decode()
    assert "not a number we can read: check it and correct it" in page


IMPORTED = {
    "Ann": "(253) 555-2155",
    "Ben": "253.555.2157",
    "Cal": "1-253-555-2159",
    "Dot": "555-2158",  # written without its area code: the import is told 253
}


def test_a_stop_reaches_numbers_imported_however_they_were_written(
    personas, sms_gateway, django_capture_on_commit_callbacks
):
    organizer = personas["organizer"].member
    rows = "".join(f"{name},{number}\n" for name, number in IMPORTED.items())
    person_import = importing.checked(
        importing.upload("Name,Phone\n" + rows, by=organizer),
        by=organizer,
        phone_kind="text",
        consent=True,
        area_code="253",
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_services.start_import(
            person_import=person_import, default="add", rows={}, skip_errors=True, by=organizer
        )
    for name, e164 in zip(
        IMPORTED, ["+12535552155", "+12535552157", "+12535552159", "+12535552158"], strict=True
    ):
        person = Person.objects.get(display_name=name)
        assert person.channels.get().usable
        sms_gateway.signed_inbound(e164, OUR_NUMBER, "STOP").post(Client())
        assert not person.channels.get().usable, name
