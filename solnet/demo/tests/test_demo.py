"""`manage.py demo` on an empty database: what it makes, the sign-ins it prints (used through
the real sign-in pages), both languages, and a second run that changes nothing.

The demo is built once for the module, inside a transaction rolled back at the end."""

from __future__ import annotations

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from conftest import totp_code
from solnet.core.audit import verify_chain
from solnet.demo.tests import subpoena
from solnet.democracy.models import Ballot, Meeting, MeetingStatus, Proposal, Status
from solnet.fights.models import DemandLetter, Fight
from solnet.fights.stages import Stage
from solnet.members.models import Member, Tier
from solnet.mobilize.models import Action, CallResult
from solnet.network.models import Network
from solnet.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    """What the command printed; the demo stays in the database for the module's tests."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _sign_ins(printed: str) -> dict[str, dict[str, str]]:
    found = re.findall(
        r"sign-in name:\s+(\S+)\s+password:\s+(\S+)\s+authenticator secret:\s+([A-Z2-7]+)",
        printed,
    )
    return {name: {"password": pw, "secret": secret} for name, pw, secret in found}


def _signed_in(printed: str, username: str, **client_options) -> Client:
    """Signs in through the real pages: the password, then the authenticator's code."""
    sign_in = _sign_ins(printed)[username]
    client = Client(**client_options)
    response = client.post("/accounts/login/", {"login": username, "password": sign_in["password"]})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post(response["Location"], {"code": totp_code(sign_in["secret"])})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(Member.objects.get(username=username).pk)
    return client


def _rows() -> int:
    return sum(
        model._default_manager.count()
        for config in apps.get_app_configs()
        if config.name.startswith("solnet.")
        for model in config.get_models()
    )


def test_it_prints_the_address_and_both_sign_ins(printed):
    assert "Open http://127.0.0.1:8000/ and sign in." in printed
    sign_ins = _sign_ins(printed)
    assert set(sign_ins) == {"dana", "lucia"}
    assert "otpauth://totp/" in printed and "for this demo only" in printed
    dana = Member.objects.get(username="dana")
    lucia = Member.objects.get(username="lucia")
    assert dana.tier == Tier.ORGANIZING_TEAM and lucia.tier == Tier.MEMBER
    assert lucia.preferred_language == "es"
    assert Authenticator.objects.filter(user__in=[dana, lucia], type="totp").count() == 2


def test_the_printed_organizer_sign_in_works(printed):
    client = _signed_in(printed, "dana")
    assert client.get("/").status_code == 200
    fight = Fight.objects.get(stage=Stage.ESCALATING)
    assert client.get(reverse("fights:detail", args=[fight.public_id])).status_code == 200
    assert client.get(reverse("fights:list")).status_code == 200


def test_the_printed_member_sign_in_works_and_finds_a_vote_and_an_ask(printed):
    client = _signed_in(printed, "lucia")
    page = client.get("/")
    assert page.status_code == 200 and page["Content-Language"] == "es"
    text = page.content.decode()
    assert "Print 1,000 flyers in English and Spanish" in text
    assert "Picket at QuickShip" in text


def test_the_network_is_marked_as_a_demo(printed):
    network = Network.objects.current()
    assert network.name.endswith("(demo)") and network.founded_at is not None
    assert (network.country, network.currency, network.languages) == ("US", "USD", ["en", "es"])


def test_people_speak_both_languages(printed):
    people = Person.objects.all()
    assert 30 <= people.count() <= 60
    spoken = [set(p.languages) for p in people]
    assert sum("es" in s for s in spoken) >= 15 and sum("en" in s for s in spoken) >= 15
    assert Member.objects.filter(status=Member.Status.ACTIVE).count() == 7


def test_there_is_a_fight_at_every_stage(printed):
    assert set(Fight.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert DemandLetter.objects.filter(language="es").exists()
    assert DemandLetter.objects.filter(language="en").exists()


def test_votes_are_open_and_decided_and_a_meeting_is_called(printed):
    open_votes = Proposal.objects.filter(status=Status.VOTING)
    assert open_votes.exists()
    assert Ballot.objects.filter(proposal__in=open_votes).exists()
    decided = Proposal.objects.filter(status__in=[Status.PASSED, Status.FAILED])
    assert decided.filter(status=Status.PASSED).exists()
    assert decided.filter(status=Status.FAILED).exists()
    # Decided in meetings held with quorum, by their facilitators.
    assert not decided.filter(closed_in__isnull=True).exists()
    upcoming = Meeting.objects.get(status=MeetingStatus.CALLED, body__kind="general")
    assert upcoming.agenda.filter(proposal__in=open_votes).exists()
    assert Meeting.objects.filter(status=MeetingStatus.CLOSED).count() >= 4


def test_an_action_has_shifts_roles_and_a_call_list_half_called(printed):
    action = Action.objects.get(fight__stage=Stage.ESCALATING)
    assert action.shifts.count() == 2 and action.roles.exists()
    call_list = action.call_lists.get()
    calls = call_list.calls.all()
    assert calls.exclude(result=CallResult.WAITING).exists()
    assert calls.filter(result=CallResult.WAITING).exists()
    assert action.asks.filter(commitment__answer="yes").exists()
    assert action.asks.filter(commitment__answer="waiting").exists()


def test_fight_pages_speak_spanish_with_the_language_switch(printed):
    client = _signed_in(printed, "dana")
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    fight = Fight.objects.get(stage=Stage.ESCALATING)
    page = client.get(reverse("fights:detail", args=[fight.public_id]))
    assert page.status_code == 200 and page["Content-Language"] == "es"
    text = page.content.decode()
    assert "En escalada" in text
    assert "diferencial" in text  # the intake, written in Spanish


def test_the_history_keeps_the_audit_chain_intact(printed):
    report = verify_chain()
    assert report.ok, report.problem


def test_running_it_again_changes_nothing_and_prints_the_same_sign_ins(printed):
    before = _rows()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "A demo network is already here; nothing was changed." in out.getvalue()
    assert _sign_ins(out.getvalue()) == _sign_ins(printed)
    assert _rows() == before
    codes = io.StringIO()
    call_command("demo", "--codes", stdout=codes)
    secret = _sign_ins(printed)["dana"]["secret"]
    assert re.search(r"^dana: \d{6} ", codes.getvalue(), re.M)
    assert codes.getvalue().split()[1] in {totp_code(secret, offset=o) for o in (-1, 0, 1)}


# --- the subpoena drill (P-1) --------------------------------------------------------------


@pytest.mark.verify
def test_the_subpoena_drill_finds_nothing_the_documentation_does_not_name(printed, figures):
    """Everything stored about each member of the demo network, looked for as an
    investigator with the database would, against the list the network is given."""
    _signed_in(printed, next(iter(_sign_ins(printed))))  # a session is about someone too
    found: set[subpoena.Category] = set()
    for member in Member.objects.all():
        found |= subpoena.about(member)
    declared = subpoena.declared()
    undeclared = sorted((found | subpoena.possible()) - declared)
    figures("P-1", len(undeclared), unit="undeclared categories", target="0", ok=not undeclared)
    assert ("sessions.Session", "session_data") in found
    assert ("people.Person", "member") in found and len(found) > 30
    assert undeclared == [], f"stored about a member but not in docs/security.md: {undeclared}"


def test_the_drill_names_a_kind_of_record_the_documentation_leaves_out(printed):
    text = subpoena.DECLARED_IN.read_text()
    left_out = "| `mobilize.Ask` | `person`, `checked_in_by`, `commitment` |"
    assert left_out in text
    found: set[subpoena.Category] = set()
    for member in Member.objects.all():
        found |= subpoena.about(member)
    shorter = subpoena.declared(text.replace(left_out, "| x | |"))
    assert {("mobilize.Ask", "person"), ("mobilize.Ask", "commitment")} <= found - shorter
    assert not {("mobilize.Ask", "person")} <= found - subpoena.declared()
