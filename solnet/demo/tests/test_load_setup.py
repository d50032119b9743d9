"""`manage.py load_setup`: the network `make load` measures, whose members sign in with their
password and authenticator code and find every page of the plan; never on a database that
holds a network."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import make_member, totp_code
from solnet.fights.models import FollowUp
from solnet.members.models import Member, Tier
from solnet.people.models import Person

pytestmark = pytest.mark.django_db


def test_its_members_sign_in_and_find_the_pages_of_the_plan():
    call_command("load_setup", stdout=StringIO())
    path = Path(settings.DATA_DIR) / "load-plan.json"
    assert path.stat().st_mode & 0o077 == 0  # their password and secrets: the owner's alone
    plan = json.loads(path.read_text())
    accounts = plan["accounts"]
    assert len(accounts) == Member.objects.count() == 50
    organizers = [a for a in accounts if a["role"] == "organizer"]
    assert len(organizers) == Member.objects.filter(tier=Tier.ORGANIZING_TEAM).count() == 15
    assert all(len(a["fights"]) == 30 for a in organizers)
    assert Person.objects.count() > 2_000
    # Most fights have no follow-up: the dashboard's old query was one per fight.
    assert 0 < FollowUp.objects.values("fight").distinct().count() < 15

    for account in (organizers[1], next(a for a in accounts if a["role"] == "member")):
        client = Client()
        answer = client.post(
            "/accounts/login/", {"login": account["username"], "password": plan["password"]}
        )
        assert answer["Location"] == "/accounts/2fa/authenticate/"
        answer = client.post(
            "/accounts/2fa/authenticate/", {"code": totp_code(account["totp_secret"])}
        )
        assert answer.status_code == 302 and answer["Location"] == "/"
        for url in (
            "/approvals/",
            "/fights/dashboard/",
            f"/fights/{account['fights'][0]}/",
            "/decisions/",
            f"/decisions/{plan['proposals'][0]}/",
            f"/actions/{plan['action']}/calls/{plan['call_list']}/",
        ):
            assert client.get(url).status_code == 200, url
    people = client.get(f"/people/?council={plan['councils'][0]}")
    assert people.status_code == 404  # the member's: the list is the organizers'
    assert Client().get(f"/actions/open/{plan['public_token']}/").status_code == 200


def test_it_refuses_a_database_with_a_network(network):
    make_member("organizer_of_a_real_network", with_totp=False)
    with pytest.raises(CommandError, match="already holds a network"):
        call_command("load_setup", stdout=StringIO())
    assert Member.objects.count() == 1
