"""The founding journey in a real browser on a phone-sized screen, in English and in Spanish:
open the founding link, set a password, enrol TOTP, name the network (its general meeting may
meet at no notice), invite a second person, who joins, is approved, and signs in with a second
factor; the same day the network's first fight is taken on at a quorate meeting, and its team
drafts the demand without the meeting (the network's rule by default)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import accessibility_violations, totp_code
from solnet.democracy.models import Body, Meeting, Proposal
from solnet.democracy.tests.test_meeting_journey import (
    _add_to_agenda,
    _close_from_meeting,
    _in_days,
    _vote,
)
from solnet.democracy.tests.test_meeting_journey import _submit as _submit_form
from solnet.fights.models import Fight, FightTeamMember
from solnet.fights.stages import Stage
from solnet.fights.tests.test_fight_journey import _move
from solnet.members.models import Invitation, Member
from solnet.members.services import (
    accept_invitation,
    create_invitation,
    issue_founding_invitation,
)
from solnet.network.models import Network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "found": "Found your network",
        "activate": "Activate Authenticator App",
        "name_network": "Name your network",
        "link_heading": "Here is the invitation link",
        "join": "Join Riverside Tenants",
        "hello": "Hello, Ana",
        "approve": "Approve Ben",
        "mfa": "Two-Factor Authentication",
    },
    "es": {
        "found": "Funda tu red",
        "activate": "Activar la aplicación de autenticación",
        "name_network": "Ponle nombre a tu red",
        "link_heading": "Este es el enlace de invitación",
        "join": "Únete a Riverside Tenants",
        "hello": "Hola, Ana",
        "approve": "Aprobar a Ben",
        "mfa": "Segundo factor",
    },
}


def _snap(page, language: str, step: str) -> None:
    """Checks the page's accessibility; with SOLNET_SCREENSHOTS=<folder>, also keeps a
    picture of each step to look at."""
    assert accessibility_violations(page) == [], f"{language} {step}"
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{language}-{step}.png", full_page=True)


def _heading(page) -> str:
    return page.locator("main h1").first.inner_text().strip()


def _submit(page, form_selector: str = "main form") -> None:
    page.locator(form_selector).locator("button[type=submit]").last.click()
    page.wait_for_load_state()


def _join(page, username: str, display_name: str, password: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=display_name]", display_name)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    _submit(page)


def _enrol_totp(page, text) -> str:
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert _heading(page) == text["activate"]
    _snap(page, page.context.language, "2-totp")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", totp_code(secret))
    _submit(page)
    return secret


@pytest.mark.parametrize("language", ["en", "es"])
def test_founding_journey(phone, live_server, settings, language):
    settings.BASE_URL = live_server.url
    text = TEXT[language]
    _invitation, token = issue_founding_invitation()

    # The founder opens the link printed by `make run`.
    founder = phone(language)
    founder.goto(f"{live_server.url}/join/{token}/")
    assert _heading(founder) == text["found"]
    _snap(founder, language, "1-join")
    _join(founder, "rosa", "Rosa", "a long founding passphrase")
    founder_secret = _enrol_totp(founder, text)
    # The recovery codes, then a way on.
    founder.wait_for_url("**/accounts/2fa/recovery-codes/")
    _snap(founder, language, "2b-recovery-codes")
    founder.locator("main a#continue").click()

    # Next: name the network, and say how it decides.
    founder.wait_for_url("**/network/settings/")
    assert _heading(founder) == text["name_network"]
    _snap(founder, language, "3-network")
    founder.fill("input[name=name]", "Riverside Tenants")
    founder.fill("input[name=city_region]", "Portland")
    founder.check("input[name=languages][value=en]")
    founder.check("input[name=languages][value=es]")
    founder.select_option("select[name=default_language]", language)
    founder.select_option("select[name=country]", "MX")
    founder.select_option("select[name=currency]", "MXN")
    founder.fill("input[name=approvals_to_join]", "1")
    # A first meeting may decide the same day; the quorum stays 25 % and at least two.
    founder.fill("input[name=gm_notice_hours]", "0")
    assert founder.locator("input[name=team_decisions][value=demand]").is_checked()
    _submit(founder)
    network = Network.objects.current()
    assert network.name == "Riverside Tenants"
    assert network.founded_at is not None
    assert (network.country, network.currency) == ("MX", "MXN")
    general = Body.objects.general()
    assert (general.notice_hours, general.quorum_percent, general.quorum_minimum) == (0, 25, 2)

    # The sequence ends on the start page, and the general meeting is there from the start.
    founder.wait_for_url(f"{live_server.url}/")
    assert founder.locator(f"nav a[href='{reverse('democracy:index')}']").count() >= 1
    founder.goto(f"{live_server.url}{reverse('democracy:index')}")
    assert founder.locator(f"main a[href$='/bodies/{general.public_id}/']").count() >= 1

    # Then invite a second person.
    founder.goto(f"{live_server.url}/members/invitations/")
    founder.fill("input[name=label]", "Ana from the Tuesday meeting")
    _submit(founder, "main section.panel form")
    assert founder.locator("#new-link").inner_text().strip() == text["link_heading"]
    _snap(founder, language, "4-invitation")
    link = founder.locator("#invitation-url").input_value()
    assert link.startswith(f"{live_server.url}/join/")
    assert Invitation.objects.filter(is_founding=False, label__startswith="Ana").count() == 1

    # Ana joins on her own phone.
    ana = phone(language)
    ana.goto(link)
    assert _heading(ana) == text["join"]
    _join(ana, "ana", "Ana", "ana's own long passphrase")
    ana_secret = _enrol_totp(ana, text)
    # Nobody but the founder, who invited her, could approve her: a network in its founding
    # phase lets her in at once rather than have the inviter vouch for their own invitee.
    assert Member.objects.get(username="ana").status == Member.Status.ACTIVE

    # Ana invites Ben; now there is someone other than his inviter to approve him.
    _invitation, token = create_invitation(created_by=Member.objects.get(username="ana"), tier=30)
    ben = accept_invitation(
        token=token, username="ben", display_name="Ben", password="ben's own long passphrase"
    )
    assert ben.status == Member.Status.PENDING

    # The founder approves him.
    founder.goto(f"{live_server.url}/members/pending/")
    _snap(founder, language, "6-pending")
    founder.get_by_role("button", name=text["approve"]).click()
    # htmx swaps in the row's new state; without JavaScript the page would reload instead.
    founder.locator("main li [role=status]").wait_for()
    _snap(founder, language, "6b-approved")
    assert Member.objects.get(username="ben").status == Member.Status.ACTIVE

    # Ana signs in again, this time with her second factor.
    ana.locator("header form button[type=submit]").click()  # sign out
    ana.wait_for_load_state()
    ana.goto(f"{live_server.url}/accounts/login/")
    ana.fill("input[name=login]", "ana")
    ana.fill("input[name=password]", "ana's own long passphrase")
    _submit(ana)
    ana.wait_for_url("**/accounts/2fa/authenticate/")
    assert _heading(ana) == text["mfa"]
    _snap(ana, language, "7-second-factor")
    # The next 30-second step's code: her enrolment code of this step cannot be used twice.
    ana.fill("input[name=code]", totp_code(ana_secret, offset=1))
    _submit(ana)
    ana.wait_for_url(f"{live_server.url}/")
    assert _heading(ana) == text["hello"]
    _snap(ana, language, "8-home")
    assert founder_secret != ana_secret

    # The same day, the first fight: the founder brings it to the meeting from its move page.
    rosa = Member.objects.get(username="rosa")
    fight = Fight.objects.create(title="Deposit at 12 Elm St", issue_type="deposit")
    FightTeamMember.objects.create(fight=fight, member=rosa, is_point_person=True)
    base = live_server.url
    for stage in (Stage.RESEARCHING, Stage.PROPOSED):
        _move(founder, base, fight, stage)
    take_on = Proposal.objects.get(fight=fight, status="voting")
    assert take_on.body == general
    # A meeting now: the notice chosen at founding is none.
    founder.goto(f"{base}/decisions/bodies/{general.public_id}/meetings/new/")
    form = founder.locator("main form")
    form.locator("input[name=title]").fill("First meeting")
    form.locator("input[name=starts_at]").fill(_in_days(0, minutes=5))
    _submit_form(founder, form)
    meeting = Meeting.objects.get(title="First meeting")
    _submit_form(founder, founder.locator("main form[action$='/open/']"))
    for page in (founder, ana):
        page.goto(f"{base}/decisions/meetings/{meeting.public_id}/")
        form = page.locator("main form[action$='/attend/']")
        form.locator("input[name=mode][value=in_person]").check()
        _submit_form(page, form)
    if not meeting.agenda.filter(proposal=take_on).exists():
        _add_to_agenda(founder, base, meeting, take_on)
    # Ana sees the vote waiting on her start page and votes; so does the founder.
    ana.goto(f"{base}/")
    ana.locator(f"#needs-votes ~ ul a[href$='/decisions/{take_on.public_id}/']").click()
    ana.wait_for_url(f"**/decisions/{take_on.public_id}/")
    _snap(ana, language, "9-vote")
    _vote(ana, base, take_on, "yes")
    _vote(founder, base, take_on, "yes")
    # Two of the three present: the quorum (25 %, at least two) holds, and the vote closes.
    _close_from_meeting(founder, base, meeting, take_on)
    assert take_on.status == "passed"
    assert take_on.present == 2 and take_on.closed_in == meeting
    fight.refresh_from_db()
    assert fight.stage == Stage.ACCEPTED
    # The demand is the fight team's own: the point person drafts it, no meeting needed.
    _move(founder, base, fight, Stage.DEMAND_DRAFTED)
    assert not fight.moves.latest("pk").decision
    _snap(founder, language, "10-demand-drafted")

    for page in (founder, ana):
        assert page.csp_violations == []
        assert page.outside_requests == []
        assert page.failed_assets == []
