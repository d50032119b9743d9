"""Verify before broadcasting: the dispatcher sends verifiers near the report's zone; each
answers on their own page; only a confirmed report becomes an alert to responders — and each
rule is attacked the way someone inside the network acting in bad faith would."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.defense import verify
from solnet.defense.models import Finding, Report, ReportStatus, Verification
from solnet.defense.tests.making import make_report
from solnet.members.models import Role
from solnet.mobilize import alerts
from solnet.mobilize.models import Alert, AlertStatus, Delivery, Send, SendKind, Zone
from solnet.people.models import ContactChannel, Person, PersonSkill, Skill
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


def _with_skills(member, *skills, zone=None):
    person = own_record(member=member)
    for skill in skills:
        PersonSkill.objects.create(person=person, skill=skill)
    if zone is not None:
        zone.people.add(person)
    if member.email:
        ContactChannel.objects.create(
            person=person, kind="email", value=member.email, consent_at=timezone.now()
        )
    return member


@pytest.fixture
def scene(personas):
    """A zone with two verifiers and two legal observers; one verifier elsewhere."""
    eastside = Zone.objects.create(name="Eastside")
    westside = Zone.objects.create(name="Westside")
    near = [
        _with_skills(
            make_member(f"verifier{n}", email=f"verifier{n}@example.org")[0],
            Skill.VERIFIER,
            zone=eastside,
        )
        for n in range(2)
    ]
    far = _with_skills(make_member("far_verifier")[0], Skill.VERIFIER, zone=westside)
    observers = [
        _with_skills(
            make_member(f"observer{n}", email=f"observer{n}@example.org")[0],
            Skill.LEGAL_OBSERVER,
            zone=eastside,
        )
        for n in range(2)
    ]
    report = make_report(zone=eastside, location="1420 Alder Street")
    return {
        "dispatcher": personas["dispatcher"].member,
        "near": near,
        "far": far,
        "observers": observers,
        "zone": eastside,
        "report": report,
    }


def test_verifiers_are_asked_confirm_and_responders_are_alerted(
    scene, django_capture_on_commit_callbacks
):
    report, dispatcher = scene["report"], scene["dispatcher"]
    assert list(verify.candidates(report)) == scene["near"]  # not the far one
    client = sign_in(Client(), dispatcher)
    page = client.get(reverse("defense:report", args=[report.public_id])).content.decode()
    assert scene["near"][0].display_name in page and scene["far"].display_name not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("defense:report_verify", args=[report.public_id]),
            {"verifiers": [scene["near"][0].pk, scene["near"][1].pk]},
        )
    assert response.status_code == 302
    asked = list(Verification.objects.filter(report=report))
    assert len(asked) == 2
    # The message names the zone and a link, never what the report says.
    [message] = [m for m in mail.outbox if m.to == ["verifier0@example.org"]]
    assert "Eastside" in message.body and "/defense/verify/" in message.body
    assert "Alder" not in message.body and "knocking" not in message.body
    # An alert before anyone confirmed is refused, on the page as in the service.
    early = client.post(
        reverse("defense:report_alert", args=[report.public_id]),
        {"message": "Go to Alder St", "skills": ["legal_observer"], "zones": [scene["zone"].pk]},
    )
    assert early.status_code == 422 and not Alert.objects.exists()

    verifier = sign_in(Client(), scene["near"][0])
    mine = Verification.objects.get(report=report, verifier=scene["near"][0])
    look = verifier.get(reverse("defense:verify", args=[mine.public_id]))
    assert look.status_code == 200 and "1420 Alder Street" in look.content.decode()
    answered = verifier.post(
        reverse("defense:verify", args=[mine.public_id]),
        {"finding": "confirmed", "details": "Two ICE vans, six agents at 3B"},
    )
    assert answered.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CONFIRMED

    alerted = client.post(
        reverse("defense:report_alert", args=[report.public_id]),
        {
            "message": "Legal observers to Alder St and 14th",
            "skills": ["legal_observer"],
            "zones": [scene["zone"].pk],
        },
    )
    assert alerted.status_code == 302
    report.refresh_from_db()
    alert = report.alert
    assert alert.status == AlertStatus.SENT and not alert.needs_verification
    told = set(Delivery.objects.filter(send__alert=alert).values_list("person__member", flat=True))
    assert told == {observer.pk for observer in scene["observers"]}
    page = client.get(reverse("defense:report", args=[report.public_id])).content.decode()
    assert "0 coming" in page and "Two ICE vans" in page
    # Once is enough: a second alert for the same report is refused.
    with pytest.raises(ValidationError):
        verify.alert_responders(report=report, message="again", skills=[], zones=[], by=dispatcher)


def test_the_dispatcher_cannot_verify_their_own_report(scene, personas):
    """Attack: a dispatcher who also has the verifier skill sends themself, or the member
    who wrote the report is sent to confirm it."""
    dispatcher = _with_skills(scene["dispatcher"], Skill.VERIFIER, zone=scene["zone"])
    with pytest.raises(ValidationError):
        verify.ask(report=scene["report"], verifiers=[dispatcher], by=dispatcher)
    writer = scene["near"][0]
    Report.objects.filter(pk=scene["report"].pk).update(written_by=writer)
    scene["report"].refresh_from_db()
    assert writer not in verify.candidates(scene["report"])
    with pytest.raises(ValidationError):
        verify.ask(report=scene["report"], verifiers=[writer], by=dispatcher)
    with pytest.raises(ValidationError):  # nobody far away, nobody without the skill
        verify.ask(report=scene["report"], verifiers=[scene["far"]], by=dispatcher)
    with pytest.raises(ValidationError):  # three is more than one or two
        verify.ask(
            report=scene["report"],
            verifiers=[*scene["near"], scene["observers"][0]],
            by=dispatcher,
        )
    with pytest.raises(PermissionDenied):
        verify.ask(
            report=scene["report"], verifiers=scene["near"][:1], by=personas["organizer"].member
        )
    assert not Verification.objects.exists()


def test_a_verifiers_answer_counts_once_and_only_while_the_report_is_open(scene):
    report, dispatcher = scene["report"], scene["dispatcher"]
    first, second = verify.ask(report=report, verifiers=scene["near"], by=dispatcher)
    verify.answer(verification=first, finding=Finding.NOT_SEEN, details="", by=scene["near"][0])
    with pytest.raises(ValidationError):  # the link used twice
        verify.answer(
            verification=first, finding=Finding.CONFIRMED, details="now yes", by=scene["near"][0]
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.UNVERIFIED
    with pytest.raises(PermissionDenied):  # someone else's ask
        verify.answer(
            verification=second, finding=Finding.CONFIRMED, details="x", by=scene["near"][0]
        )
    with pytest.raises(ValidationError):  # a confirmation says what was seen
        verify.answer(verification=second, finding="confirmed", details=" ", by=scene["near"][1])
    from solnet.defense import reports

    reports.close_report(report=report, status="false_alarm", note="Nothing there", by=dispatcher)
    with pytest.raises(ValidationError):  # after the report closed
        verify.answer(
            verification=second, finding=Finding.CONFIRMED, details="vans", by=scene["near"][1]
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.FALSE_ALARM
    page = sign_in(Client(), scene["near"][1]).get(
        reverse("defense:verify", args=[second.public_id])
    )
    assert "no answer is needed any more" in page.content.decode()


def test_a_verification_is_its_verifiers_alone(scene, personas):
    [asked] = verify.ask(
        report=scene["report"], verifiers=scene["near"][:1], by=scene["dispatcher"]
    )
    for other in (scene["near"][1], personas["organizer"].member, scene["dispatcher"]):
        response = sign_in(Client(), other).get(reverse("defense:verify", args=[asked.public_id]))
        assert response.status_code == 404
    answer = sign_in(Client(), scene["near"][1]).post(
        reverse("defense:verify", args=[asked.public_id]),
        {"finding": "confirmed", "details": "forged"},
    )
    assert answer.status_code == 404
    asked.refresh_from_db()
    assert asked.answered_at is None


def test_a_false_alarm_from_a_verifier_leaves_the_report_for_the_dispatcher(scene):
    [asked] = verify.ask(
        report=scene["report"], verifiers=scene["near"][:1], by=scene["dispatcher"]
    )
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), scene["near"][0])
    refused = client.post(reverse("defense:verify", args=[asked.public_id]), {"finding": "maybe"})
    assert refused.status_code == 422 and "Escoja una opción válida" in refused.content.decode()
    client.post(
        reverse("defense:verify", args=[asked.public_id]),
        {"finding": "false_alarm", "details": "A film crew"},
    )
    scene["report"].refresh_from_db()
    assert scene["report"].status == ReportStatus.UNVERIFIED
    with pytest.raises(ValidationError):
        verify.alert_responders(
            report=scene["report"], message="go", skills=[], zones=[], by=scene["dispatcher"]
        )
    assert not Alert.objects.exists() and Person.objects.exists()


def test_no_verifier_near_says_so(scene):
    scene["report"].zone = Zone.objects.create(name="Nowhere")
    scene["report"].save()
    page = sign_in(Client(), scene["dispatcher"]).get(
        reverse("defense:report", args=[scene["report"].public_id])
    )
    assert "No verifier is near" in page.content.decode()


def test_a_second_dispatcher_reads_the_answers(scene):
    other = make_member("other_dispatcher", roles=(Role.DISPATCHER,))[0]
    [asked] = verify.ask(
        report=scene["report"], verifiers=scene["near"][:1], by=scene["dispatcher"]
    )
    verify.answer(
        verification=asked, finding="confirmed", details="Six agents", by=scene["near"][0]
    )
    page = sign_in(Client(), other).get(reverse("defense:report", args=[scene["report"].public_id]))
    assert "Six agents" in page.content.decode()


def _alerted(scene) -> Report:
    report, dispatcher = scene["report"], scene["dispatcher"]
    [asked] = verify.ask(report=report, verifiers=scene["near"][:1], by=dispatcher)
    verify.answer(verification=asked, finding="confirmed", details="Vans", by=scene["near"][0])
    verify.alert_responders(
        report=report,
        message="Observers to Alder St",
        skills=["legal_observer"],
        zones=[scene["zone"]],
        by=dispatcher,
    )
    report.refresh_from_db()
    return report


def test_a_false_alarm_stands_down_everyone_already_told(scene):
    report = _alerted(scene)
    client = sign_in(Client(), scene["dispatcher"])
    page = client.get(reverse("defense:report", args=[report.public_id])).content.decode()
    assert 'name="stand_down"' in page
    response = client.post(
        reverse("defense:report_close", args=[report.public_id]),
        {"status": "false_alarm", "note": "A film crew", "stand_down": "on"},
    )
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.CLOSED
    stand_down = Send.objects.get(kind=SendKind.NEWS)
    told = set(Delivery.objects.filter(send__alert=alert).values_list("person", flat=True))
    assert set(stand_down.deliveries.values_list("person", flat=True)) == told
    body = stand_down.texts["en"]["body"]
    assert "Stand down" in body and "false alarm" in body
    assert "Alder" not in body and "film crew" not in body
    # Nobody can still answer "I'm coming" to it.
    observer = Person.objects.get(member=scene["observers"][0])
    with pytest.raises(ValidationError):
        alerts.respond(alert=alert, person=observer, answer="coming")


def test_closing_without_a_stand_down_still_closes_the_alert(scene):
    report = _alerted(scene)
    from solnet.defense import reports

    reports.close_report(
        report=report, status="closed", note="Over", by=scene["dispatcher"], stand_down=False
    )
    assert Alert.objects.get().status == AlertStatus.CLOSED
    assert not Send.objects.filter(kind=SendKind.NEWS).exists()
