"""Rapid-response alerts: who hears one (skill and zone), verification by another person
before anything goes out, one-tap answers by link, page and text reply, the live count."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import make_member, sign_in
from solnet.members.models import Role
from solnet.mobilize import alerts, links, replies
from solnet.mobilize.models import AlertResponse, AlertStatus, Delivery, Send, Zone
from solnet.people.models import ContactChannel, Person, PersonSkill
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


def _responder(name: str, *, skill: str, zone: Zone | None, email: str | None = None):
    person = Person.objects.create(display_name=name)
    PersonSkill.objects.create(person=person, skill=skill)
    if zone is not None:
        zone.people.add(person)
    if email:
        from django.utils import timezone

        ContactChannel.objects.create(
            person=person, kind="email", value=email, consent_at=timezone.now()
        )
    return person


@pytest.fixture
def dispatcher(personas):
    return personas["dispatcher"].member


@pytest.fixture
def verifier(network):
    return make_member("verifier", roles=(Role.VERIFIER,))[0]


@pytest.fixture
def central():
    return Zone.objects.create(name="Central District")


def test_an_alert_reaches_only_the_skills_in_the_zones(
    dispatcher, central, smtp_server, django_capture_on_commit_callbacks
):
    north = Zone.objects.create(name="North")
    observer = _responder("Observer", skill="legal_observer", zone=central, email="lo@example.org")
    _responder("Far observer", skill="legal_observer", zone=north, email="far@example.org")
    _responder("Driver", skill="driver", zone=central, email="driver@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        alert = alerts.create_alert(
            by=dispatcher,
            message="Go to 5th and Pine, bring phones",
            skills=["legal_observer", "copwatch"],
            zones=[central],
            needs_verification=False,
        )
    assert alert.status == AlertStatus.SENT
    send = Send.objects.get(alert=alert)
    assert list(send.deliveries.values_list("person", flat=True)) == [observer.pk]
    assert [m["To"] for m in smtp_server.messages] == ["lo@example.org"]
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "Go to 5th and Pine, bring phones" in body
    assert "/actions/alert-answer/" in body


def test_nobody_to_hear_it_is_an_error_that_keeps_nothing(dispatcher, central):
    with pytest.raises(ValidationError):
        alerts.create_alert(
            by=dispatcher, message="x", skills=["medic"], zones=[central], needs_verification=True
        )
    assert not alerts.Alert.objects.exists()


def test_verification_comes_from_another_person_before_anything_goes_out(
    dispatcher, verifier, central, django_capture_on_commit_callbacks, smtp_server
):
    _responder("Observer", skill="legal_observer", zone=central, email="lo@example.org")
    alert = alerts.create_alert(
        by=dispatcher,
        message="Checkpoint reported at 5th and Pine",
        skills=["legal_observer"],
        zones=[central],
        needs_verification=True,
    )
    assert alert.status == AlertStatus.VERIFYING
    assert not Send.objects.filter(alert=alert).exists()
    with pytest.raises(PermissionDenied):
        alerts.verify_alert(alert=alert, by=dispatcher, confirmed=True)  # not a verifier
    both = make_member("both", roles=(Role.DISPATCHER, Role.VERIFIER))[0]
    own = alerts.create_alert(
        by=both, message="x", skills=["legal_observer"], zones=[central], needs_verification=True
    )
    with pytest.raises(ValidationError):
        alerts.verify_alert(alert=own, by=both, confirmed=True)  # not by its own writer
    with pytest.raises(PermissionDenied):
        alerts.verify_alert(alert=alert, by=make_member("plain")[0], confirmed=True)
    # Not confirmed: it is never sent.
    rejected = alerts.verify_alert(alert=alert, by=verifier, confirmed=False)
    assert rejected.status == AlertStatus.REJECTED
    assert not Send.objects.filter(alert=alert).exists() and smtp_server.messages == []
    second = alerts.create_alert(
        by=dispatcher,
        message="Checkpoint reported at 5th and Pine",
        skills=["legal_observer"],
        zones=[central],
        needs_verification=True,
    )
    page = sign_in(Client(), verifier).get(reverse("mobilize:alert", args=[second.public_id]))
    assert "It is real: send it" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(Client(), verifier).post(
            reverse("mobilize:alert_verify", args=[second.public_id]), {"confirmed": "1"}
        )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == AlertStatus.SENT and second.verified_by == verifier
    assert len(smtp_server.messages) == 1


def test_answers_by_link_page_and_text_count_once_each_and_show_live(
    dispatcher, personas, central, django_capture_on_commit_callbacks
):
    member = personas["member"].member
    mine = own_record(member=member)
    PersonSkill.objects.create(person=mine, skill="copwatch")
    central.people.add(mine)
    other = _responder("Observer", skill="copwatch", zone=central, email="lo@example.org")
    texter = _responder("Texter", skill="copwatch", zone=central)
    with django_capture_on_commit_callbacks(execute=True):
        alert = alerts.create_alert(
            by=dispatcher,
            message="Go to 5th and Pine",
            skills=["copwatch"],
            zones=[central],
            needs_verification=False,
        )
    deliveries = {d.person_id: d for d in Delivery.objects.filter(send__alert=alert)}
    # By link, without signing in: opening it answers nothing; the button does.
    link = urlparse(links.alert_link(deliveries[other.pk])).path
    anonymous = Client()
    assert anonymous.get(link).status_code == 200
    assert not AlertResponse.objects.exists()
    assert anonymous.post(link, {"answer": "coming"}).status_code == 200
    assert anonymous.post(link, {"answer": "coming"}).status_code == 200  # again: still one
    assert anonymous.post(link, {"answer": "perhaps"}).status_code == 422
    assert anonymous.get(link[:-3] + "xx/").status_code == 404
    # By the page, signed in.
    sign_in(Client(), member).post(
        reverse("mobilize:alert_respond", args=[alert.public_id]), {"answer": "cant"}
    )
    # By a text reply.
    assert replies.apply_answer(deliveries[texter.pk], "yes")
    counts = alerts.counts(alert)
    assert (counts["coming"], counts["cant"]) == (2, 1)
    assert AlertResponse.objects.count() == 3
    fragment = sign_in(Client(), dispatcher).get(
        reverse("mobilize:alert_counts", args=[alert.public_id]), HTTP_HX_REQUEST="true"
    )
    assert 'id="coming-count">2<' in fragment.content.decode()
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    # Closed, it takes no more answers.
    alerts.close_alert(alert=alert, by=dispatcher)
    assert anonymous.post(link, {"answer": "cant"}).status_code == 422
    assert AlertResponse.objects.get(person=other).answer == "coming"
