"""Demands, the deadline and its reminders, and the demand letter: versions per language and a
PDF with the network's letterhead whose text `pdftotext` reads back."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.models import AuditEvent
from solnet.fights import services
from solnet.fights.models import Demand, DemandLetter, Fight

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text of a PDF, as poppler's pdftotext reads it."""
    assert data.startswith(b"%PDF-")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


@pytest.fixture
def fight(objects):
    fight = objects["fight"]
    Demand.objects.filter(fight=fight).delete()
    DemandLetter.objects.filter(fight=fight).delete()
    return fight


@pytest.fixture
def team(objects):
    return sign_in(Client(), objects["personas"]["fight_team"].member)


def test_the_first_demand_brings_the_no_retaliation_clause(team, fight):
    url = reverse("fights:demand_add", args=[fight.public_id])
    response = team.post(
        url, {"kind": "amount", "text": "Pay the 30 weeks of wages owed", "amount": "6710"}
    )
    assert response.status_code == 302
    kinds = list(fight.demands.values_list("kind", flat=True))
    assert kinds == ["amount", "no_retaliation"]
    team.post(url, {"kind": "act", "text": "Give a written apology"})
    assert fight.demands.count() == 3
    missing_amount = team.post(url, {"kind": "amount", "text": "Pay the rest"})
    assert missing_amount.status_code == 422 and fight.demands.count() == 3
    clause = fight.demands.get(kind="no_retaliation")
    team.post(reverse("fights:demand_remove", args=[fight.public_id, clause.public_id]))
    assert fight.demands.count() == 2
    paid = fight.demands.get(kind="amount")
    team.post(reverse("fights:demand_met", args=[fight.public_id, paid.public_id]))
    paid.refresh_from_db()
    assert paid.met_on is not None


def test_the_letter_is_drafted_versioned_and_printed(objects, team, fight, network):
    team_member = objects["personas"]["fight_team"].member
    services.add_demand(
        fight=fight, kind="amount", text="Pay the 30 weeks of wages owed: $6,710", amount=6710,
        due_on=None, by=team_member,
    )  # fmt: skip
    services.set_deadline(fight=fight, deadline=datetime.date(2026, 12, 15), by=team_member)
    url = reverse("fights:letter", args=[fight.public_id])
    draft = team.get(url, {"language": "es"}).content.decode()
    assert "Exigimos" in draft and "Pay the 30 weeks of wages owed: $6,710" in draft
    assert "Ninguna represalia" in draft and "Joseph Adler" in draft
    assert "15 de diciembre de 2026" in draft and "Eastside Solidarity Network" in draft
    english = team.get(url, {"language": "en"}).content.decode()
    assert "We demand" in english and "No retaliation of any kind" in english

    body = (
        "To Joseph Adler,\n\nWe demand:\n- Pay the 30 weeks of wages owed: $6,710\n\n"
        "By 15 December."
    )
    assert team.post(url, {"language": "en", "body": body}).status_code == 302
    assert team.post(url, {"language": "en", "body": body + "\nSigned."}).status_code == 302
    assert team.post(url, {"language": "en", "body": " "}).status_code == 422
    versions = list(fight.letters.filter(language="en").values_list("version", flat=True))
    assert versions == [2, 1]
    letter = fight.letters.get(language="en", version=2)
    response = team.get(reverse("fights:letter_pdf", args=[fight.public_id, letter.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Eastside Solidarity Network" in text and "Seattle" in text  # the letterhead
    assert "Pay the 30 weeks of wages owed: $6,710" in text and "Signed." in text
    assert AuditEvent.objects.filter(action="fight.letter_printed").exists()
    assert team.get(url, {"language": "xx"}).status_code == 404


def test_a_letter_with_nobody_to_go_to_is_refused(objects, team, fight):
    fight.targets.clear()
    url = reverse("fights:letter", args=[fight.public_id])
    page = team.get(url, {"language": "en"}).content.decode()
    assert "This letter has nobody to go to yet" in page
    response = team.post(url, {"language": "en", "body": "To …,\n\nWe demand: pay."})
    assert response.status_code == 422
    assert "Name the target on the fight" in response.content.decode()
    assert not fight.letters.exists()


def test_deadline_reminders_go_to_the_team_once_a_day(
    objects, fight, smtp_server, django_capture_on_commit_callbacks
):
    """Mailed for real (to an SMTP server on loopback) once the reminder is committed."""
    today = datetime.date(2026, 12, 13)
    Fight.objects.filter(pk=fight.pk).update(deadline=datetime.date(2026, 12, 15))
    assert services.remind_deadlines(today=today - datetime.timedelta(days=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_deadlines(today=today) == 1
        assert services.remind_deadlines(today=today) == 0  # once a day
    fight.refresh_from_db()
    assert fight.deadline_reminded == today
    [message] = smtp_server.messages
    assert message["To"] == "fight_team@example.org"
    assert "Back wages at Joe's Diner" in message["Subject"]
    assert "in 2 days" in message.get_content()
    Fight.objects.filter(pk=fight.pk).update(stage="won")  # closed: no more reminders
    assert services.remind_deadlines(today=today + datetime.timedelta(days=1)) == 0
