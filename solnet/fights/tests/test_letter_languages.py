"""A demand keeps the language it was written in; a letter in another language says so while
the demand is still printed in it as written."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.fights import services
from solnet.fights.models import Demand, DemandLetter

pytestmark = pytest.mark.django_db

WAGES = "Pay the 30 weeks of wages owed: $6,710"
SALARIOS = "Paguen las 30 semanas de salario que deben: $6,710"
STILL_ENGLISH = "These demands are still in English, as they were written."
STILL_SPANISH = "These demands are still in Spanish, as they were written."


@pytest.fixture
def fight(objects):
    fight = objects["fight"]
    Demand.objects.filter(fight=fight).delete()
    DemandLetter.objects.filter(fight=fight).delete()
    return fight


@pytest.fixture
def team_member(objects):
    return objects["personas"]["fight_team"].member


@pytest.fixture
def team(team_member):
    return sign_in(Client(), team_member)


def add(fight, by, text: str, language: str = "en") -> Demand:
    return services.add_demand(
        fight=fight, kind="act", text=text, amount=None, due_on=None, by=by, language=language
    )


def letter_page(client, fight, language: str) -> str:
    url = reverse("fights:letter", args=[fight.public_id])
    return client.get(url, {"language": language}).content.decode()


def test_a_demand_records_the_language_it_is_written_in(team, fight):
    url = reverse("fights:demand_add", args=[fight.public_id])
    assert team.post(url, {"kind": "act", "text": WAGES}).status_code == 302
    # Written on an English page: English, unless the form says otherwise.
    team.post(url, {"kind": "act", "text": SALARIOS, "language": "es"})
    written = {d.text: d.language for d in fight.demands.exclude(kind="no_retaliation")}
    assert written == {WAGES: "en", SALARIOS: "es"}
    # On a Spanish page the form offers Spanish first.
    team.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = team.get(reverse("fights:demands", args=[fight.public_id])).content.decode()
    assert '<option value="es" selected>' in page
    refused = team.post(url, {"kind": "act", "text": "Fix the heat", "language": "xx"})
    assert refused.status_code == 422


def test_the_spanish_letter_warns_while_an_english_demand_is_printed_as_written(
    team, team_member, fight
):
    add(fight, team_member, WAGES)
    spanish = letter_page(team, fight, "es")
    # The draft prints the demand as written, and says so above the letter.
    assert "Exigimos" in spanish and WAGES in spanish
    assert STILL_ENGLISH in spanish
    assert spanish.index(STILL_ENGLISH) < spanish.index('name="body"')
    # The English letter has nothing to warn about.
    assert STILL_ENGLISH not in letter_page(team, fight, "en")
    # In Spanish, for a Spanish-speaking team member.
    team.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert "Estas exigencias siguen en inglés" in letter_page(team, fight, "es")


def test_the_warning_goes_once_the_demand_is_translated_in_the_letter(team, team_member, fight):
    add(fight, team_member, WAGES)
    url = reverse("fights:letter", args=[fight.public_id])
    untranslated = f"A Joseph Adler:\n\nExigimos:\n- {WAGES}\n"
    # A refused save keeps what was typed, and the warning with it.
    too_long = team.post(url, {"language": "es", "body": untranslated + "x" * 20_000})
    assert too_long.status_code == 422 and STILL_ENGLISH in too_long.content.decode()
    translated = f"A Joseph Adler:\n\nExigimos:\n- {SALARIOS}\n"
    assert team.post(url, {"language": "es", "body": translated}).status_code == 302
    page = letter_page(team, fight, "es")
    assert SALARIOS in page and STILL_ENGLISH not in page


def test_a_demand_written_in_spanish_warns_in_the_english_letter_only(team, team_member, fight):
    add(fight, team_member, SALARIOS, language="es")
    assert STILL_SPANISH not in letter_page(team, fight, "es")
    english = letter_page(team, fight, "en")
    assert SALARIOS in english and STILL_SPANISH in english


def test_demands_without_words_or_language_are_judged_fairly(team, team_member, fight, network):
    # An amount alone reads the same in any language.
    add(fight, team_member, "$6,710")
    # Written before the language was recorded: taken as the network's (English).
    Demand.objects.create(fight=fight, kind="act", text="Return the deposit")
    spanish = letter_page(team, fight, "es")
    assert STILL_ENGLISH in spanish and "<li>Return the deposit</li>" in spanish
    assert "<li>$6,710</li>" not in spanish
    assert STILL_ENGLISH not in letter_page(team, fight, "en")
