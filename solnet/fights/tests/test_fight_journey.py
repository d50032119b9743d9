"""A fight on phones, in English and in Spanish: a lead arrives through the public page, an
organizer takes it on and records the intake, the meeting's votes move it on, and the
campaign subject accepts the offer from their own phone. Every page passes axe and fits the
screen. (Evidence, research, the winnability sheet, letters and the escalation plan join this
journey as they are built.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import tiny_png
from solnet.councils.tests.test_charting_journey import sign_in_on
from solnet.fights.models import Fight, FightMove, Lead
from solnet.fights.stages import Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _look(page, language: str, step: str) -> None:
    from conftest import accessibility_violations

    assert accessibility_violations(page) == [], f"{language} {step}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{language} {step}: the page scrolls sideways"
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"fight-{language}-{step}.png", full_page=True)


def _submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _move(page, base: str, fight: Fight, target: str, vote: dict | None = None) -> None:
    page.goto(f"{base}/fights/{fight.public_id}/")
    page.locator(f"main a[href$='?to={target}']").click()
    page.wait_for_url(f"**/move/?to={target}")
    form = page.locator("main form")
    for name, value in (vote or {}).items():
        form.locator(f"[name={name}]").fill(value)
    _submit(page, form)
    page.wait_for_url(f"**/fights/{fight.public_id}/")
    fight.refresh_from_db()
    assert fight.stage == target


VOTE = {
    "decided_on": "2026-11-03",
    "motion": "Fight for 30 weeks of back wages ($6,710)",
    "present": "24",
    "votes_for": "21",
    "votes_against": "1",
    "abstentions": "2",
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_fight_from_the_public_page_to_the_subjects_yes(phone, live_server, personas, language):
    base = live_server.url

    # Antonio brings his fight through the public page, without an account.
    public = phone(language)
    public.goto(f"{base}/fight-back/")
    _look(public, language, "public-page")
    form = public.locator("main form")
    form.locator("input[name=display_name]").fill("Antonio")
    form.locator("select[name=contact_kind]").select_option("call")
    form.locator("input[name=contact]").fill("+1 206 555 0177")
    form.locator("select[name=issue_type]").select_option("wages")
    form.locator("textarea[name=story]").fill("Joe's Diner owes me 30 weeks of wages.")
    form.locator("select[name=heard_from]").select_option("poster")
    form.locator("input[name=consent]").check()
    public.wait_for_timeout(3100)  # a person takes longer than the form's minimum
    _submit(public, form)
    public.wait_for_url("**/fight-back/thanks/")
    lead = Lead.objects.get()
    assert lead.language == language and lead.contact == "+1 206 555 0177"

    # An organizer calls back and takes it on.
    page = phone(language)
    sign_in_on(page, base, personas["organizer"])
    page.goto(f"{base}/fights/leads/")
    _look(page, language, "leads")
    page.locator(f"main a[href$='/leads/{lead.public_id}/']").click()
    page.wait_for_url(f"**/leads/{lead.public_id}/")
    _look(page, language, "lead")
    take = page.locator("main form[action$='/take/']")
    take.locator("input[name=title]").fill("Back wages at Joe's Diner")
    _submit(page, take)
    fight = Fight.objects.get()
    page.wait_for_url(f"**/fights/{fight.public_id}/")
    _look(page, language, "fight")

    # Intake.
    page.locator(f"main a[href$='/fights/{fight.public_id}/intake/']").click()
    page.wait_for_url("**/intake/")
    form = page.locator("main form")
    form.locator("textarea[name=goals]").fill("All 30 weeks, and no retaliation")
    form.locator("textarea[name=pod]").fill("Two cooks on the night shift")
    form.locator("input[name=amount_claimed]").fill("6710")
    form.locator("input[value=retaliation]").check()
    _look(page, language, "intake")
    _submit(page, form)
    fight.refresh_from_db()
    assert fight.risks == ["retaliation"] and fight.amount_claimed == 6710

    # A pay stub into the vault, from the phone's camera roll.
    vault = page.locator(f"main form[action$='/fights/{fight.public_id}/evidence/']")
    vault.locator("input[name=label]").fill("Pay stub, March")
    vault.locator("input[name=file]").set_input_files(
        files=[{"name": "IMG_0042.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    _submit(page, vault)
    page.wait_for_url(f"**/fights/{fight.public_id}/")
    assert fight.evidence.count() == 1
    _look(page, language, "evidence")

    # Research, the proposal, and the meeting's votes.
    _move(page, base, fight, Stage.RESEARCHING)
    _move(page, base, fight, Stage.PROPOSED)
    page.goto(f"{base}/fights/{fight.public_id}/move/?to={Stage.ACCEPTED}")
    _look(page, language, "vote")
    form = page.locator("main form")
    form.locator("[name=present]").fill("2")  # fewer present than votes: refused
    for name in ("motion", "votes_for", "votes_against"):
        form.locator(f"[name={name}]").fill(VOTE[name])
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("main .form-errors, main .error").count() > 0
    _look(page, language, "vote-refused")
    fight.refresh_from_db()
    assert fight.stage == Stage.PROPOSED
    _move(page, base, fight, Stage.ACCEPTED, VOTE)
    for stage in (
        Stage.DEMAND_DRAFTED,
        Stage.DEMAND_DELIVERED,
        Stage.AWAITING_DEADLINE,
        Stage.NEGOTIATING,
    ):
        _move(page, base, fight, stage, VOTE)
    _look(page, language, "negotiating")

    # The offer is Antonio's to accept: the team cannot, and he does from his own phone once
    # he has joined (his record is linked to his new account).
    subject = personas["subject"].member
    person = fight.subjects.get().person
    person.member = subject
    person.save()
    page.goto(f"{base}/fights/{fight.public_id}/")
    assert page.locator("main a[href$='?to=won']").count() == 1
    page.goto(f"{base}/fights/{fight.public_id}/move/?to=won")
    _submit(page, page.locator("main form"))
    assert page.locator("main .form-errors").count() == 1
    fight.refresh_from_db()
    assert fight.stage == Stage.NEGOTIATING

    antonio = phone(language)
    sign_in_on(antonio, base, personas["subject"])
    antonio.goto(f"{base}/fights/{fight.public_id}/")
    _look(antonio, language, "subject-fight")
    assert antonio.locator("main a[href$='?to=dropped']").count() == 0
    _move(antonio, base, fight, Stage.WON, {"motion": "I accept $6,710 paid by Friday"})
    decision = FightMove.objects.filter(fight=fight).last().decision
    assert decision.by_subject and decision.recorded_by == subject
    assert fight.closed_at is not None
    _look(antonio, language, "won")
    for browser_page in (public, page, antonio):
        assert browser_page.csp_violations == [] and browser_page.outside_requests == []
        assert browser_page.failed_assets == []
