"""A whole fight on phones, in English and in Spanish: a lead arrives through the public page;
an organizer takes it on, records the intake with a pay stub, links the boss to his two
companies, fills in the winnability sheet; the point person puts taking it on to the general
meeting's vote from the move page (the sheet's advice beside it; a vote recorded by hand is
refused), votes yes and closes the vote, and the fight is taken on; so are its later moves; a
demand letter is written and printed (its PDF read back with pdftotext); an escalation plan of
two steps, an action and the target's offer; the campaign subject accepts the offer from their
own phone; the outcome and a follow-up task. Every page passes axe and fits the screen."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import tiny_png
from solnet.councils.tests.test_charting_journey import sign_in_on
from solnet.democracy import access
from solnet.democracy import services as democracy
from solnet.democracy.testing import meeting_in_session
from solnet.fights.models import Fight, FightMove, Lead, Tactic
from solnet.fights.stages import Stage
from solnet.fights.tests.test_demands import pdf_text

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


def _move(page, base: str, fight: Fight, target: str, fields: dict | None = None) -> None:
    """A move made by hand: before the proposal, or the campaign subject's own decision."""
    page.goto(f"{base}/fights/{fight.public_id}/")
    page.locator(f"main a[href$='?to={target}']").click()
    page.wait_for_url(f"**/move/?to={target}")
    form = page.locator("main form")
    for name, value in (fields or {}).items():
        form.locator(f"[name={name}]").fill(value)
    _submit(page, form)
    page.wait_for_url(f"**/fights/{fight.public_id}/")
    fight.refresh_from_db()
    assert fight.stage == target


def _decide(page, base: str, fight: Fight, target: str, title: str, *, others=None, look=""):
    """The meeting's decision, as it is taken: from the move page the point person puts the
    move to the general meeting's vote, opening it for three days; votes yes; the others in
    `others` vote through the services; the point person closes the vote in the meeting and
    the fight moves by itself. Elements are found by name and address, not by their words
    (the decision pages may not be translated yet). With `look`, every page is checked."""
    source = fight.stage
    page.goto(f"{base}/fights/{fight.public_id}/")
    page.locator(f"main a[href$='?to={target}']").click()
    page.wait_for_url(f"**/move/?to={target}")
    assert page.locator("main form").count() == 0  # nothing to record by hand
    put = fight.proposals.filter(status="voting", effects__params__to=target).first()
    if put is not None:
        # Moving the fight to "proposed" already put taking it on to the meeting.
        page.locator(f"main a[href$='/decisions/{put.public_id}/']").click()
    else:
        page.locator(f"main a[href$='/decisions/fights/{fight.public_id}/{target}/']").click()
        page.wait_for_url("**/propose/?*")
        form = page.locator("main form")
        form.locator("input[name=title]").fill(title)
        closes_at = timezone.localtime() + timedelta(days=3)
        form.locator("input[name=closes_at]").fill(closes_at.strftime("%Y-%m-%dT%H:%M"))
        if look:
            _look(page, language_of(page), f"{look}-propose")
        _submit(page, form)
    proposal = fight.proposals.get(status="voting")
    page.wait_for_url(f"**/decisions/{proposal.public_id}/")
    assert proposal.body.kind == "general"
    assert proposal.title == title if put is None else fight.title in proposal.title
    if look:
        _look(page, language_of(page), f"{look}-proposal")
        # Back on the move page, the proposal is listed while it is being decided.
        page.goto(f"{base}/fights/{fight.public_id}/move/?to={target}")
        assert page.locator(f"main a[href$='/decisions/{proposal.public_id}/']").count() == 1
        _look(page, language_of(page), f"{look}-pending")
        page.locator(f"main a[href$='/decisions/{proposal.public_id}/']").click()
        page.wait_for_url(f"**/decisions/{proposal.public_id}/")
    ballot = page.locator("main form[action$='/vote/']")
    ballot.locator("input[name=choice][value=yes]").check()
    _submit(page, ballot)
    page.wait_for_url(f"**/decisions/{proposal.public_id}/")
    assert proposal.ballots.count() == 1
    if look:
        _look(page, language_of(page), f"{look}-voted")
    chair = proposal.proposed_by
    if not others:
        # The quorum is two: someone else with a vote says yes too.
        others = {access.electorate(proposal).exclude(pk=chair.pk).first(): "yes"}
    for voter, choice in others.items():
        democracy.cast_ballot(proposal=proposal, voter=voter, choice=choice)
    fight.refresh_from_db()
    assert fight.stage == source  # nothing moves before the vote closes
    # The point person chairs the weekly meeting, where the voters are present.
    meeting_in_session(proposal, facilitator=chair, present=[chair, *others])
    page.reload()
    _submit(page, page.locator("main form[action$='/close/']"))
    page.wait_for_url(f"**/decisions/{proposal.public_id}/")
    proposal.refresh_from_db()
    assert proposal.status == "passed"
    if look:
        _look(page, language_of(page), f"{look}-passed")
    fight.refresh_from_db()
    assert fight.stage == target
    decision = fight.moves.latest("pk").decision
    assert decision.proposal_ref == proposal.public_id and not decision.by_subject
    return proposal


def language_of(page) -> str:
    return page.context.language


# The fields the move page took when a meeting's vote was recorded by hand: no longer.
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
    assert lead.language == language and lead.contact == "+12065550177"

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

    # Research: the boss and his two companies.
    _move(page, base, fight, Stage.RESEARCHING)
    page.locator("main details summary").first.click()  # "Name a target"
    form = page.locator(f"main form[action$='/fights/{fight.public_id}/targets/']")
    form.locator("input[name=name]").fill("Joseph Adler")
    form.locator("select[name=kind]").select_option("person")
    _submit(page, form)
    adler = fight.targets.get()
    page.locator(f"main a[href$='/targets/{adler.public_id}/']").click()
    page.wait_for_url(f"**/targets/{adler.public_id}/")
    for company, address in (
        ("Joe's Diner LLC", "1400 Pine Street"),
        ("Adler Pancake House LLC", "77 Lake Ave"),
    ):
        page.locator("main details summary").first.click()  # "Record a link"
        form = page.locator("main form[action$='/links/']")
        form.locator("select[name=link-kind]").select_option("owns")
        form.locator("input[name=link-name]").fill(company)
        form.locator("select[name=link-other_kind]").select_option("llc")
        form.locator("input[name=link-address]").fill(address)
        form.locator("input[name=link-found_in]").fill("State business registry")
        _submit(page, form)
    adler.refresh_from_db()
    assert adler.links_out.count() == 2
    assert page.locator("main svg line").count() == 2  # the portfolio picture
    _look(page, language, "research")

    # The winnability sheet: every question scored.
    page.goto(f"{base}/fights/{fight.public_id}/winnability/")
    for radio in page.locator("main input[type=radio][value='2']").all():
        radio.check()
    page.locator("main textarea[name=summary]").fill("Clear case, a storefront to picket")
    _look(page, language, "winnability")
    _submit(page, page.locator("main form"))
    assert fight.assessments.count() == 1

    # The proposal, and the meeting's vote, with the sheet's advice beside it.
    _move(page, base, fight, Stage.PROPOSED)
    page.goto(f"{base}/fights/{fight.public_id}/move/?to={Stage.ACCEPTED}")
    _look(page, language, "vote")
    assert page.locator("main aside.panel").count() == 1  # the advice
    assert page.locator("main input, main textarea, main button").count() == 0
    assert page.locator(f"main a[href$='/{Stage.ACCEPTED}/?to=fight']").count() == 1
    # A meeting's vote recorded by hand, posted from this session, is refused.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    refused = page.request.post(
        f"{base}/fights/{fight.public_id}/move/",
        form={**VOTE, "target": Stage.ACCEPTED, "csrfmiddlewaretoken": token},
        max_redirects=0,
    )
    assert refused.status == 422
    fight.refresh_from_db()
    assert fight.stage == Stage.PROPOSED and not fight.decisions.exists()
    members = {
        personas["member"].member: "yes",
        personas["fight_team"].member: "yes",
        personas["fund_committee"].member: "no",
    }
    taken_on = _decide(
        page, base, fight, Stage.ACCEPTED, VOTE["motion"], others=members, look="take-on"
    )
    decision = fight.moves.get(target=Stage.ACCEPTED).decision
    # Present: the point person and the three others, from the meeting's attendance.
    assert (decision.votes_for, decision.votes_against, decision.present) == (3, 1, 4)
    page.goto(f"{base}/fights/{fight.public_id}/")
    assert page.locator(f"main a[href$='/decisions/{taken_on.public_id}/']").count() == 1
    _look(page, language, "taken-on")

    # The demand and its letter, printed.
    page.goto(f"{base}/fights/{fight.public_id}/demands/")
    page.locator("main details summary").first.click()
    form = page.locator("main form[action$='/demands/add/']")
    form.locator("select[name=kind]").select_option("amount")
    form.locator("textarea[name=text]").fill("Pay the 30 weeks of wages owed: $6,710")
    form.locator("input[name=amount]").fill("6710")
    _submit(page, form)
    form = page.locator("main form[action$='/deadline/']")
    form.locator("input[name=deadline]").fill("2026-12-15")
    _submit(page, form)
    _look(page, language, "demands")
    page.locator(f"main a[href$='/letter/?language={language}']").click()
    page.wait_for_url("**/letter/?language=*")
    _look(page, language, "letter")
    _submit(page, page.locator("main form"))
    letter = fight.letters.get()
    with page.expect_download() as download:
        page.locator(f"main a[href$='/letter/{letter.public_id}.pdf']").first.click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Pay the 30 weeks of wages owed: $6,710" in text and "Joseph Adler" in text
    assert ("Exigimos" if language == "es" else "We demand") in text
    # The demand is the fight team's own (the network's default rule): no vote each time.
    for stage in (Stage.DEMAND_DRAFTED, Stage.DEMAND_DELIVERED, Stage.AWAITING_DEADLINE):
        _move(page, base, fight, stage)
        assert fight.moves.latest("pk").decision is None

    # An escalation plan of two steps; the first happens.
    _decide(page, base, fight, Stage.ESCALATING, "Escalate: posters, then a picket")
    page.goto(f"{base}/fights/{fight.public_id}/plan/")
    for tactic, day in (("posters", "2026-11-20"), ("picket", "2026-11-27")):
        page.locator("main details summary").first.click()
        form = page.locator("main form[action$='/plan/add/']")
        form.locator("select[name=step-tactic]").select_option(
            Tactic.objects.get(builtin=tactic).public_id
        )
        form.locator("input[name=step-planned_on]").fill(day)
        _submit(page, form)
    assert fight.plan.count() == 2
    first = fight.plan.first()
    page.locator(f"main a[href$='/plan/{first.public_id}/']").click()
    form = page.locator("main form")
    form.locator("input[name=turnout]").fill("8")
    form.locator("input[name=done_on]").fill("2026-11-20")
    _submit(page, form)
    first.refresh_from_db()
    assert first.turnout == 8
    page.locator("main details summary").last.click()  # "Record a response"
    form = page.locator("main form[action$='/responses/']")
    form.locator("select[name=response-kind]").select_option("offer")
    form.locator("input[name=response-happened_on]").fill("2026-11-28")
    form.locator("input[name=response-amount]").fill("6710")
    _submit(page, form)
    _look(page, language, "plan")
    _decide(page, base, fight, Stage.NEGOTIATING, "Negotiate the offer")
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

    # The outcome and a follow-up task, by the point person.
    page.goto(f"{base}/fights/{fight.public_id}/outcome/")
    form = page.locator("main form")
    form.locator("input[name=amount_recovered]").fill("6710")
    form.locator("textarea[name=lessons]").fill("The lunch picket did it")
    _submit(page, form)
    form = page.locator("main form[action$='/follow-ups/']")
    form.locator("input[name=follow-task]").fill("Invite Antonio to the next meeting")
    _submit(page, form)
    fight.refresh_from_db()
    assert fight.amount_recovered == 6710 and fight.follow_ups.count() == 1
    _look(page, language, "after")
    for browser_page in (public, page, antonio):
        assert browser_page.csp_violations == [] and browser_page.outside_requests == []
        assert browser_page.failed_assets == []
