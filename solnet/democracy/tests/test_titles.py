"""A proposal title the app writes reads in each reader's language; a typed one as typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conftest import make_member, sign_in
from solnet.democracy import notices, services, titles
from solnet.democracy.models import Body, NoticeKind, Proposal
from solnet.fights import services as fight_services
from solnet.fights.models import Fight, FightTeamMember
from solnet.fights.stages import Stage
from solnet.members import services as member_services
from solnet.members.models import ApiScope, Tier

pytestmark = pytest.mark.django_db

ENGLISH = "Take on the fight “Deposit at Pine St”"
SPANISH = "Asumir la lucha “Deposit at Pine St”"


@pytest.fixture
def cast(network):
    ana = make_member("ana", email="ana@example.org")[0]
    lupe = make_member("lupe", email="lupe@example.org")[0]
    lupe.preferred_language = "es"
    lupe.save(update_fields=["preferred_language"])
    return {
        "ana": ana,
        "lupe": lupe,
        "org": make_member("org", tier=Tier.ORGANIZING_TEAM)[0],
    }


@pytest.fixture
def fight(cast):
    fight = Fight.objects.create(
        title="Deposit at Pine St", issue_type="deposit", stage=Stage.RESEARCHING
    )
    FightTeamMember.objects.create(fight=fight, member=cast["ana"], is_point_person=True)
    return fight


def take_on(fight, cast) -> Proposal:
    """Moving the fight to "Proposed to the meeting" makes the proposal to take it on."""
    fight_services.move_fight(fight=fight, target=Stage.PROPOSED, by=cast["ana"])
    return fight.proposals.get()


def test_the_take_on_proposal_is_stored_as_what_it_is_made_of(cast, fight):
    proposal = take_on(fight, cast)
    assert proposal.title_key == titles.TAKE_ON
    assert proposal.title_params == {"fight": fight.public_id}
    # The stored words are the network's language, for the admin and the audit.
    assert proposal.title == ENGLISH


def test_a_spanish_reader_reads_the_apps_title_in_spanish(cast, fight):
    proposal = take_on(fight, cast)
    url = reverse("democracy:proposal", args=[proposal.public_id])
    # Her own choice of language.
    page = sign_in(Client(), cast["lupe"]).get(url).content.decode()
    assert SPANISH in page and ENGLISH not in page
    # The start page lists the vote waiting for her, in Spanish too.
    home = sign_in(Client(), cast["lupe"]).get(reverse("home")).content.decode()
    assert SPANISH in home and ENGLISH not in home
    # The browser's wish, for a member who chose no language.
    browser = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), cast["org"])
    listed = browser.get(reverse("democracy:index")).content.decode()
    assert SPANISH in listed and ENGLISH not in listed


def test_an_english_reader_reads_it_in_english(cast, fight):
    proposal = take_on(fight, cast)
    page = sign_in(Client(), cast["org"]).get(
        reverse("democracy:proposal", args=[proposal.public_id])
    )
    assert ENGLISH in page.content.decode() and SPANISH not in page.content.decode()
    # The meeting's agenda item copied the title: it reads in the reader's language too.
    meeting = services.call_meeting(
        body=Body.objects.general(),
        by=cast["org"],
        title="Weekly meeting",
        starts_at=timezone.now() + timedelta(days=3),
    )
    item = services.add_agenda_item(meeting=meeting, by=cast["org"], title="", proposal=proposal)
    with translation.override("es"):
        assert item.display_title == SPANISH
    agenda = sign_in(Client(), cast["lupe"]).get(
        reverse("democracy:meeting", args=[meeting.public_id])
    )
    assert agenda.content.decode().count(SPANISH) == 2  # the item and its proposal


def test_each_member_gets_the_email_in_their_language(cast, fight, monkeypatch):
    proposal = take_on(fight, cast)
    sent = {}
    monkeypatch.setattr(
        notices, "queue_mail", lambda *, to, subject, body: sent.setdefault(to, body)
    )
    ids = [cast["ana"].pk, cast["lupe"].pk]
    notices.send_notices.call_local(NoticeKind.OPENED, ids, proposal.pk, None)
    assert ENGLISH in sent["ana@example.org"]
    assert SPANISH in sent["lupe@example.org"] and "Take on" not in sent["lupe@example.org"]


def test_the_api_gives_the_title_in_the_readers_language(cast, fight):
    proposal = take_on(fight, cast)
    _token, secret = member_services.create_api_token(
        member=cast["lupe"], name="phone", scopes=[ApiScope.DECISIONS_READ], days=1
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="es")
    one = client.get(f"/api/decisions/proposals/{proposal.public_id}").json()
    listed = client.get("/api/decisions/proposals").json()
    assert one["title"] == SPANISH
    assert [p["title"] for p in listed["items"]] == [SPANISH]
    english = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.get(f"/api/decisions/proposals/{proposal.public_id}").json()["title"] == (
        ENGLISH
    )


def test_a_title_left_as_the_form_filled_it_in_reads_in_each_language(cast, fight):
    Fight.objects.filter(pk=fight.pk).update(stage=Stage.PROPOSED)
    body = Body.objects.general()
    url = (
        reverse("democracy:propose", args=[body.public_id])
        + f"?fight={fight.public_id}&to=accepted"
    )
    filled = "Move the fight “Deposit at Pine St” to “Accepted”"
    client = sign_in(Client(), cast["ana"])
    assert filled in client.get(url).content.decode()
    closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "method": "majority",
        "seats": 1,
        "effect_fight": fight.public_id,
        "effect_to": "accepted",
        "closes_at": closes,
    }
    assert client.post(url, {**form, "title": filled}).status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.title_key, proposal.title_params) == (
        titles.MOVE_FIGHT,
        {"fight": fight.public_id, "to": "accepted"},
    )
    page = sign_in(Client(), cast["lupe"]).get(
        reverse("democracy:proposal", args=[proposal.public_id])
    )
    # The stage's own label in Spanish.
    assert "Pasar la lucha “Deposit at Pine St” a “Aceptada”" in page.content.decode()


def test_a_typed_title_reads_as_typed(cast, fight):
    proposal = services.propose(body=Body.objects.general(), by=cast["org"], title="Rent a hall")
    assert proposal.title_key == "" and proposal.title_params == {}
    with translation.override("es"):
        assert proposal.display_title == "Rent a hall"
    page = sign_in(Client(), cast["lupe"]).get(
        reverse("democracy:proposal", args=[proposal.public_id])
    )
    assert "Rent a hall" in page.content.decode()


def test_a_title_whose_parts_are_gone_reads_as_first_written(cast, fight):
    proposal = services.propose(
        body=Body.objects.general(),
        by=cast["org"],
        title="Recall Ana, delegate to the federation",
        title_key=titles.RECALL,
        title_params={"delegate": "gone"},
    )
    with translation.override("es"):
        assert proposal.display_title == "Recall Ana, delegate to the federation"
    with pytest.raises(ValueError):
        services.propose(
            body=Body.objects.general(), by=cast["org"], title="x", title_key="no_such_title"
        )
