"""The start page says what needs the member now: votes, asks, actions they said yes to,
calls, deadlines and approvals — and for organizers leads, unfilled roles and stalled fights —
in one bounded number of queries however long the lists grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_member
from solnet.democracy import access as democracy_access
from solnet.democracy import services as democracy
from solnet.democracy.models import Body, Notice, NoticeKind, Proposal
from solnet.fights.models import Fight, FightTeamMember, Lead
from solnet.members.models import Tier
from solnet.mobilize import services as mobilize
from solnet.people.models import Person
from solnet.people.services import own_record

pytestmark = pytest.mark.django_db


def _home(client, member):
    client.force_login(member)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, heading: str) -> str:
    """The text of one section of the start page, from its heading to the next section."""
    assert heading in page, f"no section {heading!r}"
    return page.split(heading, 1)[1].split("</section>", 1)[0]


def _waiting_ask(organizer, member, title="Door-knock at 1400 Pine"):
    starts = timezone.now() + timedelta(days=4)
    action = mobilize.plan_action(
        by=organizer,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        tier=Tier.MEMBER,
    )
    person = own_record(member=member)
    mobilize.ask_people(action=action, people=Person.objects.filter(pk=person.pk), by=organizer)
    return action


# --- whose vote -------------------------------------------------------------------------------


def test_votable_by_agrees_with_the_electorate_for_every_persona_and_proposal(objects, personas):
    """The start page reads the electorate from the member's side in one query: it must name
    exactly the proposals `may_vote` allows, for everyone, newcomers included."""
    general = Body.objects.general()
    general.newcomers_wait = True
    general.save()
    subject_vote = democracy.propose(
        body=democracy.body_of_fight(objects["fight"]),
        by=personas["fight_team"].member,
        title="Accept the offer",
    )
    Proposal.objects.filter(pk=subject_vote.pk).update(subject_decides=True)
    newcomer, _ = make_member("newcomer", joined_days_ago=1)
    council_vote = democracy.propose(
        body=democracy.body_of_council(objects["council"]),
        by=personas["member"].member,
        title="Rent strike",
    )
    assert council_vote
    members = [p.member for p in personas.values() if p.member] + [newcomer]
    checked = 0
    for member in members:
        votable = set(democracy_access.votable_by(member).values_list("pk", flat=True))
        for proposal in Proposal.objects.all():
            assert (proposal.pk in votable) == democracy_access.may_vote(member, proposal), (
                member.username,
                proposal.title,
            )
            checked += 1
    assert checked >= 50


# --- a member's day ---------------------------------------------------------------------------


def test_a_member_sees_votes_asks_yeses_and_calls(client, objects, personas):
    member = personas["member"].member
    _waiting_ask(personas["organizer"].member, member)
    page = _home(client, member)

    votes = _section(page, "Votes waiting for you")
    assert "Buy a megaphone" in votes and "Join the tenants&#x27; federation" in votes
    assert "closes" in votes
    assert "Door-knock at 1400 Pine" in _section(page, "Asks waiting for your answer")
    assert "Picket at Acme Property Management" in _section(page, "You said yes")
    calls = _section(page, "Your calls to make")
    assert "Neighbours" in calls and "1 call left" in calls
    assert "Leads waiting" not in page  # an organizer's list

    # Once voted, answered and called, each leaves the page.
    democracy.cast_ballot(proposal=objects["proposal"], voter=member, choice="yes")
    democracy.cast_ballot(proposal=objects["secret_proposal"], voter=member, choice="yes")
    ask = member.person.action_asks.get(action__title="Door-knock at 1400 Pine")
    mobilize.answer_ask(ask=ask, answer="no", via="app")
    call = objects["call"]
    call.result = "reached"
    call.save()
    page = _home(client, member)
    for heading in ("Votes waiting for you", "Asks waiting for your answer", "Your calls"):
        assert heading not in page
    assert "You said yes" in page


def test_a_call_back_that_is_due_counts_as_a_call_left(client, objects, personas):
    call = objects["call"]
    call.result = "no_answer"
    call.callback_at = timezone.now() + timedelta(hours=3)
    call.save()
    assert "Your calls to make" not in _home(client, personas["member"].member)
    call.callback_at = timezone.now() - timedelta(minutes=5)
    call.save()
    assert "1 call left" in _home(client, personas["member"].member)


def test_the_fight_team_sees_its_deadlines_passed_or_near(client, objects, personas):
    fight = objects["fight"]
    far = Fight.objects.create(title="Deposit at Elm Court", issue_type="deposit")
    FightTeamMember.objects.create(fight=far, member=personas["fight_team"].member)
    Fight.objects.filter(pk=fight.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    Fight.objects.filter(pk=far.pk).update(deadline=timezone.localdate() + timedelta(days=40))
    page = _home(client, personas["fight_team"].member)
    deadlines = _section(page, "Deadlines of your fights")
    assert "Back wages at Joe&#x27;s Diner" in deadlines and "deadline passed on" in deadlines
    assert "Elm Court" not in deadlines
    # Someone not on the fight does not see it.
    assert "Deadlines of your fights" not in _home(client, personas["member"].member)


def test_approvals_and_joiners_come_first(client, objects, personas):
    other_organizer = objects["saved_filter"].owner  # the organizer persona asked for it
    page = _home(client, other_organizer)
    approvals = page.index("needs a second member")
    assert approvals < page.index("Votes waiting for you")


# --- an organizer's day -----------------------------------------------------------------------


def test_an_organizer_sees_leads_unfilled_roles_and_stalled_fights(client, objects, personas):
    organizer = personas["organizer"].member
    stalled = Fight.objects.create(title="Repairs at Maple Row", issue_type="repairs")
    Fight.objects.filter(pk=stalled.pk).update(stage="accepted")
    busy = Fight.objects.create(title="Heat at Birch Hall", issue_type="repairs")
    Fight.objects.filter(pk=busy.pk).update(stage="escalating")
    starts = timezone.now() + timedelta(days=1)
    mobilize.plan_action(
        by=organizer,
        fight=busy,
        title="Phone zap",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        tier=Tier.MEMBER,
    )
    Lead.objects.create(
        display_name="Late caller", contact_kind="call", contact="+1 206 555 0111",
        issue_type="wages", channel="call", status="contacted",
    )  # fmt: skip
    page = _home(client, organizer)

    leads = _section(page, "Leads waiting for a call back")
    assert "Caller" in leads and "Late caller" not in leads  # already called back
    roles = _section(page, "Roles to fill this week")
    assert "Picket at Acme Property Management" in roles and "0 of 2" in roles
    fights = _section(page, "Fights with no next step")
    assert "Repairs at Maple Row" in fights and "Heat at Birch Hall" not in fights

    # A role filled leaves the list.
    marshal = personas["fight_team"].member
    mobilize.sign_up(action=objects["action"], member=marshal, answer="yes", role="marshal")
    mobilize.sign_up(
        action=objects["action"], member=personas["dispatcher"].member, answer="yes",
        role="marshal",
    )  # fmt: skip
    assert "Roles to fill this week" not in _home(client, organizer)


def test_a_member_sees_no_organizers_lists(client, objects, personas):
    page = _home(client, personas["member"].member)
    for heading in ("Leads waiting", "Roles to fill", "Fights with no next step"):
        assert heading not in page


# --- notices in the app -----------------------------------------------------------------------


def test_a_member_without_email_hears_of_a_vote_in_the_app(
    client, personas, django_capture_on_commit_callbacks
):
    quiet, _ = make_member("quiet", email=None)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = democracy.propose(
            body=Body.objects.general(), by=personas["organizer"].member, title="Hire a lawyer"
        )
        democracy.open_voting(
            proposal=proposal,
            by=personas["organizer"].member,
            closes_at=timezone.now() + timedelta(days=3),
        )
    assert Notice.objects.filter(member=quiet, kind=NoticeKind.OPENED).exists()
    page = _home(client, quiet)
    assert "Hire a lawyer" in _section(page, "Votes waiting for you")
    assert "1 notice about decisions you have not seen" in page


# --- the query budget -------------------------------------------------------------------------

BUDGET = 30


def _grow(objects, personas, n: int) -> None:
    """`n` more of everything the start page lists, for the organizer and the member."""
    organizer = personas["organizer"].member
    member = personas["member"].member
    general = Body.objects.general()
    starts = timezone.now() + timedelta(days=3)
    for i in range(n):
        proposal = democracy.propose(body=general, by=organizer, title=f"Proposal {i}")
        democracy.open_voting(proposal=proposal, by=organizer, closes_at=starts)
        action = _waiting_ask(organizer, member, title=f"Action {i}")
        mobilize.add_role(action=action, role="marshal", needed=2, by=organizer)
        yes = _waiting_ask(organizer, personas["dispatcher"].member, title=f"Picket {i}")
        mobilize.sign_up(action=yes, member=member, answer="yes")
        mobilize.build_call_list(
            action=action,
            people=Person.objects.filter(pk=objects["person"].pk),
            name=f"List {i}",
            script="Hi",
            callers=[member],
            by=organizer,
        )
        Lead.objects.create(
            display_name=f"Lead {i}", contact_kind="call", contact="+1 206 555 0123",
            issue_type="wages", channel="call",
        )  # fmt: skip
        fight = Fight.objects.create(title=f"Fight {i}", issue_type="wages")
        Fight.objects.filter(pk=fight.pk).update(
            stage="accepted", deadline=timezone.localdate() - timedelta(days=1)
        )
        FightTeamMember.objects.create(fight=fight, member=member)


@pytest.mark.parametrize("persona", ["member", "organizer"])
def test_the_start_page_keeps_one_query_budget_however_much_waits(
    client, objects, personas, persona
):
    member = personas[persona].member
    client.force_login(member)
    client.get(reverse("home"))  # sessions, caches and the like warmed

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    few = queries()
    _grow(objects, personas, 7)
    many = queries()
    _grow(objects, personas, 7)
    more = queries()
    page = _home(client, member)
    assert "and 9 more" in page or "and 10 more" in page  # the lists were long
    # Long lists add one count each, and no more however long they grow.
    assert few <= many == more <= BUDGET, (few, many, more)
