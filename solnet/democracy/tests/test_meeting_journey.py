"""A general meeting on phones, in English and in Spanish: the organizer calls it and runs
it (agenda, attendance, the speakers' list, minutes); a fight's point person puts taking the
fight on to the vote and the meeting passes it by majority, which moves the fight to
"accepted"; a consent proposal is blocked by one member's reasoned objection; two delegates
are elected by single transferable vote; a secret ballot is checked with its receipt; and a
settlement offer is the campaign subject's alone to accept. Every page passes axe, fits the
screen, breaks no CSP rule and asks nothing of another origin."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import make_member
from solnet.councils.tests.test_charting_journey import sign_in_on
from solnet.democracy import services
from solnet.democracy.models import Body, Delegate, Meeting, Proposal, Status
from solnet.democracy.testing import close_in_meeting
from solnet.fights.models import Fight, FightSubject, FightTeamMember
from solnet.fights.stages import Stage
from solnet.people.services import own_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _look(page, language: str, step: str) -> None:
    from conftest import accessibility_violations

    assert accessibility_violations(page) == [], f"{language} {step}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{language} {step}: the page scrolls sideways"
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"meeting-{language}-{step}.png", full_page=True)


def _submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def _in_days(days: int, minutes: int = 0) -> str:
    later = timezone.localtime() + timedelta(days=days, minutes=minutes)
    return later.strftime("%Y-%m-%dT%H:%M")


def _propose(page, base: str, body: Body, **fields) -> Proposal:
    page.goto(f"{base}/decisions/bodies/{body.public_id}/propose/")
    form = page.locator("main form")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if name in ("method", "effect"):
            field.select_option(value)
        elif name == "secret":
            field.check()
        else:
            field.fill(str(value))
    form.locator("[name=closes_at]").fill(_in_days(3))
    _submit(page, form)
    proposal = Proposal.objects.order_by("-pk").first()
    page.wait_for_url(f"**/decisions/{proposal.public_id}/")
    return proposal


def _vote(page, base: str, proposal: Proposal, choice: str, reason: str = "") -> None:
    page.goto(f"{base}/decisions/{proposal.public_id}/")
    form = page.locator(f"main form[action$='/{proposal.public_id}/vote/']").first
    form.locator(f"input[name=choice][value={choice}]").check()
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    _submit(page, form)


def _close_from_meeting(page, base: str, meeting: Meeting, proposal: Proposal) -> None:
    page.goto(f"{base}/decisions/meetings/{meeting.public_id}/")
    _submit(page, page.locator(f"main form[action$='/{proposal.public_id}/close/']"))
    proposal.refresh_from_db()
    assert proposal.is_closed


def _add_to_agenda(page, base: str, meeting: Meeting, proposal: Proposal) -> None:
    page.goto(f"{base}/decisions/meetings/{meeting.public_id}/")
    page.locator("#add-item summary").click()
    form = page.locator("main form[action$='/items/']")
    form.locator("select[name=kind]").select_option("proposal")
    form.locator("select[name=proposal]").select_option(proposal.public_id)
    _submit(page, form)
    assert meeting.agenda.filter(proposal=proposal).exists()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_general_meeting_on_phones(phone, live_server, personas, language):
    base = live_server.url
    organizer, member = personas["organizer"], personas["member"]
    team, subject = personas["fight_team"], personas["subject"]
    general = Body.objects.general()
    # This network meets at short notice (a rule it decided).
    Body.objects.filter(pk=general.pk).update(notice_hours=0)
    general.refresh_from_db()
    others = [make_member(f"neighbour{i}", with_totp=False)[0] for i in range(3)]
    fight = Fight.objects.create(
        title="Back wages at Joe's Diner", issue_type="wages", stage=Stage.PROPOSED
    )
    offer_fight = Fight.objects.create(
        title="Deposit at 1400 Pine St", issue_type="deposit", stage=Stage.NEGOTIATING
    )
    for each in (fight, offer_fight):
        FightTeamMember.objects.create(fight=each, member=team.member, is_point_person=True)
        FightSubject.objects.create(fight=each, person=own_record(member=subject.member))

    # The organizer calls the meeting and opens it.
    chair = phone(language)
    sign_in_on(chair, base, organizer)
    chair.goto(f"{base}/decisions/bodies/{general.public_id}/")
    _look(chair, language, "body")
    chair.locator(f"main a[href$='/bodies/{general.public_id}/meetings/new/']").click()
    chair.wait_for_url("**/meetings/new/")
    form = chair.locator("main form")
    form.locator("input[name=title]").fill("Weekly meeting")
    form.locator("input[name=starts_at]").fill(_in_days(0, minutes=10))
    form.locator("input[name=place]").fill("The union hall")
    _submit(chair, form)
    meeting = Meeting.objects.get(title="Weekly meeting")
    _submit(chair, chair.locator("main form[action$='/open/']"))
    meeting.refresh_from_db()
    assert meeting.status == "open"
    form = chair.locator("main form[action$='/attend/']")
    form.locator("input[name=mode][value=in_person]").check()
    _submit(chair, form)
    _look(chair, language, "meeting-open")

    # Members come, one from afar, and ask to speak; the floor goes to who spoke least.
    voter = phone(language)
    sign_in_on(voter, base, member)
    voter.goto(f"{base}/decisions/meetings/{meeting.public_id}/")
    form = voter.locator("main form[action$='/attend/']")
    form.locator("input[name=mode][value=remote]").check()
    _submit(voter, form)
    _submit(voter, voter.locator("main form[action$='/speak/']"))
    _look(voter, language, "speakers")
    _submit(chair, chair.locator("main form[action$='/speak/']"))
    chair.goto(f"{base}/decisions/meetings/{meeting.public_id}/")
    _submit(chair, chair.locator("main form[action$='/next/']"))
    assert meeting.speakers.get(spoke_at__isnull=False).member == member.member
    # She asks again; the organizer, who has not spoken yet, goes before her.
    voter.goto(f"{base}/decisions/meetings/{meeting.public_id}/")
    _submit(voter, voter.locator("main form[action$='/speak/']"))
    _submit(chair, chair.locator("main form[action$='/next/']"))
    assert meeting.speakers.filter(spoke_at__isnull=False).count() == 2
    assert meeting.speakers.get(spoke_at__isnull=True).member == member.member

    # Taking the fight on: the point person puts it to the vote from the fight's move page.
    point = phone(language)
    sign_in_on(point, base, team)
    point.goto(f"{base}/fights/{fight.public_id}/move/?to=accepted")
    point.locator(f"main a[href$='/fights/{fight.public_id}/accepted/']").click()
    point.wait_for_url(re.compile(r".*/propose/\?.*"))
    _look(point, language, "propose-take-on")
    form = point.locator("main form")
    form.locator("input[name=title]").fill("Fight for 30 weeks of back wages ($6,710)")
    form.locator("[name=closes_at]").fill(_in_days(3))
    _submit(point, form)
    take_on = Proposal.objects.get(fight=fight)
    _vote(point, base, take_on, "yes")
    _vote(voter, base, take_on, "yes")
    _look(voter, language, "voted")
    for neighbour, choice in zip(others, ["yes", "no", "abstain"], strict=True):
        services.cast_ballot(proposal=take_on, voter=neighbour, choice=choice)
    # The campaign subject, on the list only, has voice and vote on their own fight.
    mine = phone(language)
    sign_in_on(mine, base, subject)
    _vote(mine, base, take_on, "yes")
    _add_to_agenda(chair, base, meeting, take_on)
    _close_from_meeting(chair, base, meeting, take_on)
    assert take_on.status == Status.PASSED
    assert take_on.result["counts"] == {"yes": 4, "no": 1, "abstain": 1}
    fight.refresh_from_db()
    assert fight.stage == Stage.ACCEPTED
    chair.goto(f"{base}/decisions/{take_on.public_id}/")
    _look(chair, language, "take-on-passed")

    # A consent proposal, stopped by one reasoned objection (a bare one is refused).
    consent = _propose(chair, base, general, title="Picket on Saturday", method="consent")
    voter.goto(f"{base}/decisions/{consent.public_id}/")
    form = voter.locator(f"main form[action$='/{consent.public_id}/vote/']")
    form.locator("input[name=choice][value=object]").check()
    _submit(voter, form)
    assert voter.locator("main .error, main .form-errors").count() > 0
    _look(voter, language, "objection-refused")
    assert not consent.ballots.exists()
    _vote(voter, base, consent, "object", "Half of us work Saturdays")
    for neighbour in others:
        services.cast_ballot(proposal=consent, voter=neighbour, choice="consent")
    _add_to_agenda(chair, base, meeting, consent)
    _close_from_meeting(chair, base, meeting, consent)
    assert consent.status == Status.FAILED

    # Two delegates, elected by single transferable vote.
    election = _propose(
        chair,
        base,
        general,
        title="Delegates to the tenant federation",
        text="Vote for the joint rent strike.",
        method="ranked",
        options="member\nfight_team\nneighbour0",
        seats="2",
        effect="democracy.elect",
        effect_assembly="the tenant federation's assembly",
    )
    voter.goto(f"{base}/decisions/{election.public_id}/")
    form = voter.locator(f"main form[action$='/{election.public_id}/vote/']")
    form.locator("select[name=rank_1]").select_option("1")
    form.locator("select[name=rank_3]").select_option("2")
    _look(voter, language, "ranking")
    _submit(voter, form)
    for neighbour, ranking in zip(others, [[2, 1], [2, 3], [1, 3]], strict=True):
        services.cast_ballot(proposal=election, voter=neighbour, choice=ranking)
    services.cast_ballot(proposal=election, voter=team.member, choice=[2])
    _add_to_agenda(chair, base, meeting, election)
    _close_from_meeting(chair, base, meeting, election)
    assert election.status == Status.PASSED and len(election.result["winners"]) == 2
    sent = Delegate.objects.filter(elected_by=election)
    assert sorted(d.member.username for d in sent) == ["fight_team", "member"]
    chair.goto(f"{base}/decisions/{election.public_id}/")
    assert chair.locator("main table").count() == 1  # the rounds of the count
    _look(chair, language, "election-result")
    voter.goto(f"{base}/decisions/delegates/{sent.get(member=member.member).public_id}/")
    _look(voter, language, "delegate")

    # A secret ballot, checked afterwards with its receipt.
    secret = _propose(chair, base, general, title="Join the tenants' federation", secret="on")
    _vote(voter, base, secret, "yes")
    receipt = voter.locator("#receipt-code").inner_text().strip()
    assert len(receipt) >= 20
    _look(voter, language, "receipt")
    assert secret.ballots.get().voter is None
    services.cast_ballot(proposal=secret, voter=others[0], choice="no")
    _add_to_agenda(chair, base, meeting, secret)
    _close_from_meeting(chair, base, meeting, secret)
    voter.goto(f"{base}/decisions/{secret.public_id}/")
    form = voter.locator("main form[action$='/receipt/']")
    form.locator("input[name=receipt]").fill(receipt)
    _submit(voter, form)
    assert voter.locator("main [role=status]").count() >= 1
    _look(voter, language, "receipt-checked")

    # The settlement offer: the campaign subject's decision alone.
    point.goto(f"{base}/decisions/fights/{offer_fight.public_id}/won/?to=fight")
    form = point.locator("main form")
    form.locator("input[name=title]").fill("Accept the $1,800 deposit back by Friday")
    form.locator("[name=closes_at]").fill(_in_days(3))
    _submit(point, form)
    offer = Proposal.objects.get(fight=offer_fight)
    assert offer.subject_decides
    assert point.locator(f"main form[action$='/{offer.public_id}/vote/']").count() == 0
    _look(point, language, "offer-team")
    _vote(mine, base, offer, "yes")
    _look(mine, language, "offer-accepted")
    close_in_meeting(offer, by=team.member)
    offer_fight.refresh_from_db()
    assert offer_fight.stage == Stage.WON

    # The minutes, and the meeting closes.
    chair.goto(f"{base}/decisions/meetings/{meeting.public_id}/")
    chair.locator("#write-minutes summary").click()
    chair.locator("main form[action$='/minutes/'] textarea").fill("Eight came. The fight is on.")
    _submit(chair, chair.locator("main form[action$='/minutes/']"))
    _submit(chair, chair.locator(f"main form[action$='/meetings/{meeting.public_id}/close/']"))
    meeting.refresh_from_db()
    assert meeting.status == "closed" and meeting.minutes.startswith("Eight came")
    _look(chair, language, "meeting-closed")

    for page in (chair, voter, point, mine):
        assert page.csp_violations == []
        assert page.outside_requests == []
        assert page.failed_assets == []
