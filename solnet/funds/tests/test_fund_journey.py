"""A strike fund from setup to the report, on a phone, in English and in Spanish: the
treasurer sets up a strike fund decided by a committee; a supporter gives through the public
page (the stand-in processor, its webhook signed as Stripe signs); a striking member pays
their dues online, then asks for their rent to be paid to the landlord, with a receipt; the
committee votes; the decision posts the grant; the member reads the report and its chart,
which name nobody; the journal's Beancount export, approved by a second treasurer, passes
`bean-check`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import accessibility_violations, make_member, tiny_png, totp_code
from solnet.core.models import SealedFile
from solnet.councils.models import Committee, Council
from solnet.democracy.models import Proposal
from solnet.democracy.services import close_due_proposals
from solnet.funds import export_tasks
from solnet.funds.models import (
    AidRequest,
    Donation,
    DuesCheckout,
    DuesPayment,
    Entry,
    EntryKind,
    Fund,
)
from solnet.members.models import Member, Role
from solnet.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


@dataclass
class Someone:
    member: Member
    totp_secret: str


def _someone(username: str, **kwargs) -> Someone:
    member, secret = make_member(username, **kwargs)
    return Someone(member, secret)


def _look(page, language: str, step: str) -> None:
    assert accessibility_violations(page) == [], f"{language} {step}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{language} {step}: the page scrolls sideways"
    assert page.csp_violations == [], f"{language} {step}: {page.csp_violations}"
    folder = os.environ.get("SOLNET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"funds-{language}-{step}.png", full_page=True)


def _submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def _submit_with_password(page, url: str, selector: str, prepare=lambda form: None) -> None:
    """Sends a form that may first ask for the password again (exports and approvals do):
    then the password is given and the form is sent anew."""
    for _attempt in range(2):
        page.goto(url)
        form = page.locator(selector).first
        prepare(form)
        _submit(page, form)
        if "/accounts/reauthenticate/" not in page.url:
            return
        # The password again; it leads back to the page, whose form is then sent anew.
        page.fill("input[name=password]", PASSWORD)
        _submit(page, page.locator("main form").first)
    raise AssertionError("the password was asked for twice")


def _sign_in(page, base: str, someone: Someone) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", someone.member.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code(someone.totp_secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def _committee(prefix: str) -> tuple[Committee, list[Someone]]:
    council = Council.objects.create(name="Acme warehouse workers", kind="industrial")
    committee = Committee.objects.create(council=council, name="Strike committee")
    people = []
    for number in range(3):
        someone = _someone(f"{prefix}_committee_{number}")
        committee.members.add(
            Person.objects.create(display_name=f"Committee {number}", member=someone.member)
        )
        people.append(someone)
    return committee, people


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_strike_fund_from_setup_to_the_report(
    phone, live_server, live_stripe, language, tmp_path
):
    base = live_server.url
    committee, voters = _committee(language)
    treasurer = _someone(f"{language}_treasurer", roles=(Role.FUND_COMMITTEE,))
    second_treasurer = _someone(f"{language}_second", roles=(Role.FUND_COMMITTEE,))
    striker = _someone(f"{language}_striker")
    Member.objects.filter(pk=striker.member.pk).update(display_name="Marisol Quintero")

    # The treasurer sets up the strike fund, decided by the strike committee.
    books = phone(language)
    _sign_in(books, base, treasurer)
    books.goto(f"{base}/funds/new/")
    form = books.locator("main form")
    form.locator("input[name=name]").fill("Acme strike fund")
    form.locator("select[name=kind]").select_option("strike")
    form.locator("select[name=body]").select_option(committee.public_id)
    form.locator("input[name=cap]").fill("300")
    form.locator("input[name=public_donations]").check()
    _look(books, language, "fund-new")
    _submit(books, form)
    fund = Fund.objects.get(name="Acme strike fund")
    books.wait_for_url(f"**/funds/{fund.public_id}/")
    _look(books, language, "fund")

    # A supporter gives 80 on the public page; the processor's signed webhook books it.
    supporter = phone(language)
    supporter.goto(f"{base}/funds/give/{fund.public_id}/")
    _look(supporter, language, "give")
    form = supporter.locator("main form")
    form.locator("input[name=amount]").fill("80")
    supporter.wait_for_timeout(3200)  # a person takes a few seconds (the form's bot guard)
    with supporter.expect_navigation():
        form.locator("button[type=submit]").click()
    donation = Donation.objects.get(fund=fund)
    assert supporter.url.startswith(live_stripe.base_url)
    live_stripe.complete(donation.processor_session)
    donation.refresh_from_db()
    assert donation.status == "received" and donation.entry is not None

    # The striker asks for the rent, paid to the landlord, with a photo of the notice.
    member = phone(language)
    _sign_in(member, base, striker)

    # First the striker pays their dues online, through the same processor.
    member.goto(f"{base}/funds/dues/mine/")
    form = member.locator("main form[action$='/pay/']")
    form.locator("input[name=amount]").fill("15")
    _look(member, language, "my-dues")
    with member.expect_navigation():
        form.locator("button[type=submit]").click()
    assert member.url.startswith(live_stripe.base_url)
    checkout = DuesCheckout.objects.get(member=striker.member)
    live_stripe.complete(checkout.processor_session)
    member.goto(f"{base}/funds/dues/mine/?paid=1")
    _look(member, language, "my-dues-paid")
    assert DuesPayment.objects.get(member=striker.member).amount == 1500
    assert (
        member.locator("#payments-title + ul li")
        .first.inner_text()
        .endswith({"en": "online", "es": "en línea"}[language])
    )
    member.goto(f"{base}/funds/{fund.public_id}/ask/")
    form = member.locator("main form")
    form.locator("input[name=amount]").fill("300")
    form.locator("select[name=purpose]").select_option("rent")
    form.locator("input[name=pay_to][value=creditor]").check()
    form.locator("input[name=creditor_name]").fill("Greenway Properties LLC")
    form.locator("textarea[name=creditor_details]").fill("Tenant ref 4B-2291")
    receipt = tmp_path / "notice.png"
    receipt.write_bytes(tiny_png())
    form.locator("input[name=receipt]").set_input_files(str(receipt))
    _look(member, language, "ask")
    _submit(member, form)
    request = AidRequest.objects.get(fund=fund)
    assert request.receipts.count() == 1

    # A committee member puts it to the vote; the three vote yes from their phones.
    for number, voter in enumerate(voters):
        page = phone(language)
        _sign_in(page, base, voter)
        if number == 0:
            page.goto(f"{base}/funds/aid/requests/{request.public_id}/")
            _look(page, language, "request")
            _submit(page, page.locator("main form[action$='/vote/']"))
        proposal = Proposal.objects.get(effects__kind="funds.grant")
        page.goto(f"{base}/decisions/{proposal.public_id}/")
        form = page.locator(f"main form[action$='/{proposal.public_id}/vote/']").first
        form.locator("input[name=choice][value=yes]").check()
        _submit(page, form)
    assert proposal.ballots.count() == 3

    # The vote closes on time (the worker's round); the decision posts the grant, once.
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    close_due_proposals()
    grant = Entry.objects.get(kind=EntryKind.GRANT)
    assert grant.decision == proposal.public_id
    assert {leg.account.code: leg.amount for leg in grant.legs.all()} == {
        "Expenses:Grants": 30000,
        "Liabilities:GrantsPayable": -30000,
    }
    request.refresh_from_db()
    assert request.status == "granted"

    # The member reads where the money went: amounts, the body, a chart — no name.
    member.goto(f"{base}/funds/{fund.public_id}/report/")
    text = member.locator("main").inner_text()
    assert member.locator("main svg").count() >= 1
    for name in ("Marisol", "Quintero", "Greenway", striker.member.username, "4B-2291"):
        assert name not in text
    assert "300" in text and committee.name in text
    _look(member, language, "report")

    # The journal in Beancount, asked by one treasurer and approved by another.
    _submit_with_password(
        books,
        f"{base}/funds/journal/exports/new/",
        "main form",
        lambda form: form.locator("input[name=format][value=beancount]").check(),
    )
    export_page = books.url
    checker = phone(language)
    _sign_in(checker, base, second_treasurer)
    _submit_with_password(checker, f"{base}/approvals/", "main form[action*='/approve']")
    # The worker writes the file (the task the approval queued).
    export = SealedFile.objects.get(approval__public_id=export_page.rstrip("/").rsplit("/", 1)[1])
    export_tasks.produce_journal_export.call_local(export.pk)
    books.goto(export_page)
    with books.expect_download() as download:
        books.locator("main a[href$='/download/']").click()
    path = tmp_path / "journal.beancount"
    shutil.copy(download.value.path(), path)
    bean_check = shutil.which("bean-check") or str(Path(sys.executable).with_name("bean-check"))
    run = subprocess.run([bean_check, str(path)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    journal = path.read_text()
    assert "Expenses:Grants" in journal and "Marisol" not in journal
