"""Which moves need which body's decision is the network's rule: by default the general
meeting takes a fight on and the fight team drafts, delivers and waits on the demand; the
rule changes only by the general meeting's decision. Moving a fight to "Proposed to the
meeting" puts taking it on to the meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from solnet.democracy import services as democracy
from solnet.democracy.models import Body, EffectKind, Meeting, Status
from solnet.democracy.testing import close_in_meeting
from solnet.fights import services
from solnet.fights.models import Fight, FightSubject, FightTeamMember
from solnet.fights.stages import Stage
from solnet.network.models import Network
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def fight(personas):
    fight = Fight.objects.create(
        title="Deposit at Pine St", issue_type="deposit", stage=Stage.RESEARCHING
    )
    FightTeamMember.objects.create(
        fight=fight, member=personas["fight_team"].member, is_point_person=True
    )
    FightSubject.objects.create(fight=fight, person=own_record(member=personas["subject"].member))
    return fight


def _at(fight: Fight, stage: str) -> Fight:
    Fight.objects.filter(pk=fight.pk).update(stage=stage)
    fight.refresh_from_db()
    return fight


def test_the_team_moves_the_demand_on_its_own_and_only_the_team(personas, fight):
    team = personas["fight_team"].member
    _at(fight, Stage.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.move_fight(fight=fight, target=Stage.DEMAND_DRAFTED, by=personas["member"].member)
    page = sign_in(Client(), personas["subject"].member).get(
        reverse("fights:move", args=[fight.public_id]) + f"?to={Stage.DEMAND_DRAFTED}"
    )
    assert page.status_code == 404
    client = sign_in(Client(), team)
    detail = client.get(reverse("fights:detail", args=[fight.public_id])).content.decode()
    assert "the fight team's own move" in detail
    for stage in (Stage.DEMAND_DRAFTED, Stage.DEMAND_DELIVERED, Stage.AWAITING_DEADLINE):
        response = client.post(reverse("fights:move", args=[fight.public_id]), {"target": stage})
        assert response.status_code == 302
        fight.refresh_from_db()
        assert fight.stage == stage and fight.moves.latest("pk").decision is None
    # Escalating stays the meeting's.
    with pytest.raises(ValidationError) as refused:
        services.move_fight(fight=fight, target=Stage.ESCALATING, by=team)
    assert refused.value.code == "needs_vote"


def test_taking_a_fight_on_is_never_the_teams(personas, fight):
    _at(fight, Stage.PROPOSED)
    Network.objects.update(team_decisions=["demand", "escalate"])
    with pytest.raises(ValidationError):
        services.move_fight(fight=fight, target=Stage.ACCEPTED, by=personas["fight_team"].member)


def test_proposed_to_the_meeting_puts_it_on_the_next_meetings_agenda(personas, fight):
    team = personas["fight_team"].member
    general = Body.objects.general()
    starts = timezone.now() + timedelta(days=3)
    meeting = democracy.call_meeting(
        body=general, by=personas["organizer"].member, title="Weekly meeting", starts_at=starts
    )
    services.move_fight(fight=fight, target=Stage.PROPOSED, by=team)
    proposal = fight.proposals.get()
    assert proposal.status == Status.VOTING and proposal.body == general
    assert proposal.method == general.default_method
    assert proposal.closes_at == starts + timedelta(hours=3)
    effect = proposal.effects.get()
    assert (effect.kind, effect.params["to"]) == (EffectKind.MOVE_FIGHT, Stage.ACCEPTED)
    assert meeting.agenda.get().proposal == proposal
    # Deferred and proposed again: the open proposal is not made twice.
    services.move_fight(fight=_at(fight, Stage.RESEARCHING), target=Stage.PROPOSED, by=team)
    assert fight.proposals.count() == 1


def test_a_meeting_sooner_than_the_notice_still_gets_the_take_on_vote(personas, fight):
    """The meeting is called for in an hour; the vote stays open the whole notice (48 h) and
    is made, not lost to the moment between choosing its close and opening it."""
    general = Body.objects.general()
    assert general.notice_hours == 48
    meeting = Meeting.objects.create(
        body=general,
        title="Emergency meeting",
        starts_at=timezone.now() + timedelta(hours=1),
        created_at=timezone.now() - timedelta(days=3),
        called_by=personas["organizer"].member,
    )
    services.move_fight(fight=fight, target=Stage.PROPOSED, by=personas["fight_team"].member)
    proposal = fight.proposals.get()
    assert proposal.closes_at >= proposal.voting_opened_at + timedelta(hours=48)
    assert meeting.agenda.get().proposal == proposal


def test_without_a_meeting_the_take_on_vote_stays_open_a_week(personas, fight):
    services.move_fight(fight=fight, target=Stage.PROPOSED, by=personas["fight_team"].member)
    proposal = fight.proposals.get()
    assert not Meeting.objects.exists()
    left = proposal.closes_at - timezone.now()
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)


def test_the_rule_changes_by_the_general_meetings_decision_only(personas, network):
    organizer = personas["organizer"].member
    client = sign_in(Client(), organizer)
    settings_page = client.get(reverse("network:setup")).content.decode()
    assert 'name="team_decisions"' not in settings_page
    assert "Who decides a fight" in settings_page
    client.post(
        reverse("network:setup"),
        {
            "name": network.name,
            "city_region": "Seattle",
            "languages": ["en", "es"],
            "default_language": "en",
            "approvals_to_join": 1,
            "second_factor_for_all": "on",
            "team_decisions": ["take_on", "demand"],
            "subject_decisions": ["take_on"],
        },
    )
    network.refresh_from_db()
    assert network.team_decisions == ["demand"] and network.subject_decisions == ["accept_offer"]
    with pytest.raises(ValidationError):
        democracy.propose(
            body=Body.objects.general(),
            by=organizer,
            title="The team takes fights on",
            effects_wanted=[
                democracy.EffectRequest(
                    EffectKind.NETWORK_RULES,
                    {"subject_decisions": [], "team_decisions": ["take_on"]},
                )
            ],
        )
    proposal = democracy.propose(
        body=Body.objects.general(),
        by=organizer,
        title="The team also decides escalations",
        effects_wanted=[
            democracy.EffectRequest(
                EffectKind.NETWORK_RULES,
                {"subject_decisions": ["accept_offer"], "team_decisions": ["demand", "escalate"]},
            )
        ],
        closes_at=timezone.now() + timedelta(days=3),
    )
    for name in ("organizer", "member"):
        democracy.cast_ballot(proposal=proposal, voter=personas[name].member, choice="yes")
    close_in_meeting(proposal, by=organizer)
    network.refresh_from_db()
    assert network.team_decisions == ["demand", "escalate"]
