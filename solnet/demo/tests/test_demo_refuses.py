"""`manage.py demo` never touches a database that holds a network, and not a production
server unless told it is a demo server; a fresh installation is not a network yet."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from conftest import make_member
from solnet.demo import safety
from solnet.fights import services as fights
from solnet.members.services import issue_founding_invitation

pytestmark = pytest.mark.django_db


def _rows() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for config in apps.get_app_configs()
        if config.name.startswith("solnet.")
        for model in config.get_models()
    }


def test_it_refuses_a_database_with_a_real_network_and_changes_nothing(network):
    make_member("organizer_of_a_real_network")
    before = _rows()
    with pytest.raises(CommandError, match="already holds a network"):
        call_command("demo")
    assert _rows() == before
    assert not safety.demo_is_here()


def test_a_lead_from_the_public_page_is_a_real_person_already():
    fights.submit_lead(
        display_name="Someone real",
        contact_kind="call",
        contact="+1 206 555 0123",
        language="en",
        issue_type="wages",
        story="",
        heard_from="poster",
    )
    assert safety.what_is_here() == ["fights.Lead: 1"]
    before = _rows()
    with pytest.raises(CommandError, match=r"fights\.Lead: 1"):
        call_command("demo")
    assert _rows() == before


def test_a_fresh_installation_with_its_founding_link_holds_no_network():
    issue_founding_invitation()
    assert safety.what_is_here() == []


def test_it_refuses_a_production_server_without_the_flag(settings):
    settings.PRODUCTION = True
    before = _rows()
    with pytest.raises(CommandError, match="--yes-this-is-a-demo-server"):
        call_command("demo")
    assert _rows() == before


def test_codes_need_a_demo_network():
    with pytest.raises(CommandError, match="no demo network"):
        call_command("demo", "--codes")
