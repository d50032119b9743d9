"""Call-outs: what one will take is shown before it goes (by email, by text, nobody, and when
the last text goes out over the sending numbers); texts are paced under every number's cap;
whoever a text cannot reach in time gets an email, or is left for the call list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.members.models import Tier
from solnet.mobilize import callouts, services
from solnet.mobilize.models import Delivery, DeliveryStatus, SmsSender
from solnet.people.models import ContactChannel, Person

pytestmark = pytest.mark.django_db


def _picket(organizer):
    starts = timezone.now() + timedelta(days=1)
    return services.plan_action(
        by=organizer,
        title="Picket at Acme",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="1400 Pine St",
        tier=Tier.PHONE_TREE,
    )


def _asked(action, organizer, *, texts: int, emails: int, both: int, none: int):
    now = timezone.now()
    made = []

    def person(name, *channels):
        p = Person.objects.create(display_name=name, tier=Tier.PHONE_TREE)
        for kind, value in channels:
            ContactChannel.objects.create(person=p, kind=kind, value=value, consent_at=now)
        made.append(p)

    for n in range(texts):
        person(f"Texter {n}", ("text", f"+1206555{n:04d}"))
    for n in range(emails):
        person(f"Mailer {n}", ("email", f"mailer{n}@example.org"))
    for n in range(both):
        person(f"Both {n}", ("text", f"+1206556{n:04d}"), ("email", f"both{n}@example.org"))
    for n in range(none):
        person(f"Nobody {n}")
    services.ask_people(
        action=action, people=Person.objects.filter(pk__in=[p.pk for p in made]), by=organizer
    )
    return made


def test_the_page_shows_what_it_will_take_before_it_goes(organizer):
    action = _picket(organizer)
    _asked(action, organizer, texts=6, emails=3, both=2, none=1)
    SmsSender.objects.create(number="+12065550001", kind="long_code", per_second=1, per_day=500)
    SmsSender.objects.create(number="+18005550002", kind="toll_free", per_second=3, per_day=500)
    client = sign_in(Client(), organizer)
    url = reverse("mobilize:call_out", args=[action.public_id])
    form = client.get(url)
    assert "{link}" in form.content.decode()  # the network's words, with the link in them
    data = {
        "audience": "waiting",
        "channels": "text,email",
        "subject_en": "Can you come? {action}",
        "body_en": "Hi {name}! {action} {when}. Answer: {link}",
        "subject_es": "¿Puedes venir? {action}",
        "body_es": "¡Hola {name}! {action} {when}. Responde: {link}",
        "preview": "1",
    }
    page = client.post(url, data)
    assert page.status_code == 200
    preview = page.context["preview"]
    # Eight texts (six texters and two with both) at four a second over the two numbers.
    assert (preview["text"], preview["email"], preview["none"]) == (8, 3, 1)
    assert preview["eta_seconds"] == 1.0
    assert 'id="sms-eta"' in page.content.decode()
    assert not Delivery.objects.exists()  # nothing is written before sending
    with pytest.raises(KeyError):
        page.context["send"]


def test_texts_are_paced_and_those_too_late_go_by_email(
    organizer, sms_gateway, smtp_server, django_capture_on_commit_callbacks
):
    action = _picket(organizer)
    _asked(action, organizer, texts=3, emails=0, both=4, none=0)
    SmsSender.objects.create(number="+12065550001", kind="long_code", per_second=1, per_day=500)
    with django_capture_on_commit_callbacks(execute=True):
        send = callouts.send_call_out(
            action=action,
            which="waiting",
            channels=["text", "email"],
            texts={"en": {"subject": "Come {name}", "body": "{action}: {link}"}},
            within_seconds=2,
            by=organizer,
        )
    send.refresh_from_db()
    # One number at one a second within two seconds: three texts (at 0, 1 and 2 s).
    assert send.plan["unreachable_in_time"] == 4
    deliveries = list(send.deliveries.select_related("person").order_by("pk"))
    texts = [d for d in deliveries if d.channel == "text" and d.status != "unreachable"]
    assert len(texts) == 3 and all(d.sender == "+12065550001" for d in texts)
    due = sorted((d.due_at - send.created_at).total_seconds() for d in texts)
    assert [round(x) for x in due] == [0, 1, 2]
    emailed = [d for d in deliveries if d.channel == "email"]
    left = [d for d in deliveries if d.status == DeliveryStatus.UNREACHABLE]
    assert send.plan["fell_back"] == {"email": len(emailed), "call_list": len(left)}
    assert len(emailed) + len(left) == 4
    # Email for whoever has an address; the call list for the others.
    assert all(d.person.display_name.startswith("Both") for d in emailed)
    assert all(d.person.display_name.startswith("Texter") for d in left)
    assert all(d.error == "no time for SMS; call them" for d in left)
    assert len(smtp_server.messages) == len(emailed)
    assert len(sms_gateway.messages) == 3
    assert sms_gateway.max_in_window("+12065550001") <= 1


def test_whoever_no_message_reached_goes_to_a_call_list(
    personas, organizer, smtp_server, django_capture_on_commit_callbacks
):
    action = _picket(organizer)
    made = _asked(action, organizer, texts=0, emails=2, both=0, none=3)
    with django_capture_on_commit_callbacks(execute=True):
        send = callouts.send_call_out(
            action=action,
            which="waiting",
            channels=["email"],
            texts={"en": {"subject": "Come", "body": "{link}"}},
            by=organizer,
        )
    client = sign_in(Client(), organizer)
    url = (
        reverse("mobilize:call_list_new", args=[action.public_id]) + f"?unreached={send.public_id}"
    )
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "Unreached", "callers": "member", "waiting_only": "on", "q": "Mailer"}
    )
    assert response.status_code == 302
    call_list = action.call_lists.get()
    called = set(call_list.calls.values_list("ask__person__display_name", flat=True))
    assert called == {p.display_name for p in made if p.display_name.startswith("Nobody")}
    # Another action's send cannot be used here.
    other = _picket(organizer)
    bad = reverse("mobilize:call_list_new", args=[other.public_id]) + f"?unreached={send.public_id}"
    assert client.get(bad).status_code == 404
