"""Exports of the journal: two treasurers to make one, only the asker downloads it, and the
files are right — a CSV a spreadsheet reads, a Beancount ledger `bean-check` accepts (with
corrections, transfers between funds, and a currency without decimals)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest
from beancount import loader
from django.test import Client
from django.urls import reverse

from conftest import make_member, sign_in
from solnet.core import sealed
from solnet.core.models import ApprovalRequest, AuditEvent, SealedFile
from solnet.funds import journal_files, ledger
from solnet.funds.journal_files import ACTION
from solnet.funds.ledger import Line
from solnet.funds.models import EntryKind, Fund
from solnet.funds.tests.reporting import DONOR_NAMED, DONOR_SECRET, build_books
from solnet.members.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_sealed_files_left():
    for entry in sealed.directory().iterdir():
        entry.unlink()
    yield
    for entry in sealed.directory().iterdir():
        entry.unlink()


@pytest.fixture
def books(personas):
    return build_books(personas["organizer"].member)


@pytest.fixture
def second_treasurer(network):
    member, _secret = make_member("second_treasurer", roles=(Role.FUND_COMMITTEE,))
    return member


def _ask(client: Client, kind: str = "beancount") -> ApprovalRequest:
    response = client.post(reverse("funds:export_new"), {"format": kind})
    assert response.status_code == 302, response.content.decode()
    export = ApprovalRequest.objects.get(action=ACTION)
    assert response["Location"] == reverse("funds:export_detail", args=[export.public_id])
    return export


def _approve(client: Client, export: ApprovalRequest, capture):
    with capture(execute=True):
        return client.post(reverse("core:approval_approve", args=[export.public_id]))


def _download(client: Client, export: ApprovalRequest) -> str:
    response = client.get(reverse("funds:export_download", args=[export.public_id]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _check_beancount(text: str, tmp_path) -> list:
    """What beancount's loader makes of the file: its entries, after asserting no error."""
    path = tmp_path / "journal.beancount"
    path.write_text(text)
    entries, errors, _options = loader.load_file(str(path))
    assert errors == [], [str(error) for error in errors]
    bean_check = shutil.which("bean-check") or str(
        __import__("pathlib").Path(__import__("sys").executable).with_name("bean-check")
    )
    run = subprocess.run([bean_check, str(path)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return entries


def test_the_whole_export_from_asking_to_downloading(
    personas, books, second_treasurer, django_capture_on_commit_callbacks, tmp_path
):
    treasurer = personas["fund_committee"].member
    asker = sign_in(Client(), treasurer)
    assert asker.get(reverse("funds:export_new")).status_code == 200
    export = _ask(asker)
    assert export.params == {
        "format": "beancount",
        "count": 13,
        "by_id": treasurer.pk,
        "language": "en",
    }
    assert not SealedFile.objects.exists()
    detail = asker.get(reverse("funds:export_detail", args=[export.public_id])).content.decode()
    assert "Waiting for a second treasurer" in detail

    # The asker cannot approve their own export; nor can members, organizers or
    # dispatchers, who do not keep the books.
    assert asker.post(reverse("core:approval_approve", args=[export.public_id])).status_code == 404
    for persona in ("member", "organizer", "dispatcher"):
        other = sign_in(Client(), personas[persona].member)
        response = other.post(reverse("core:approval_approve", args=[export.public_id]))
        assert response.status_code == 404, persona
    export.refresh_from_db()
    assert export.status == ApprovalRequest.Status.PENDING
    assert not SealedFile.objects.exists()

    approver = sign_in(Client(), second_treasurer)
    approvals = approver.get(reverse("core:approvals")).content.decode()
    assert "Export the whole journal of the funds as a Beancount file (13 entries)" in approvals
    assert _approve(approver, export, django_capture_on_commit_callbacks).status_code == 302

    file = SealedFile.objects.get()
    assert (file.state, file.done, file.owner) == ("ready", 13, treasurer)
    assert file.filename.endswith(".beancount")
    # Encrypted on disk: no memo or fund name in the bytes.
    raw = sealed.path_of(file).read_bytes()
    assert b"Strike fund" not in raw and b"rent" not in raw

    # The approver, though a treasurer, cannot download it; the asker can.
    assert (
        approver.get(reverse("funds:export_download", args=[export.public_id])).status_code == 404
    )
    text = _download(asker, export)
    entries = _check_beancount(text, tmp_path)
    transactions = [e for e in entries if type(e).__name__ == "Transaction"]
    assert len(transactions) == 13
    grant = next(t for t in transactions if t.meta.get("entry") == books["grant"].public_id)
    assert grant.narration == "rent"
    assert grant.meta["decision"] == books["proposal"].public_id
    assert {str(p.units) for p in grant.postings} == {"300.00 USD", "-300.00 USD"}
    assert {p.meta["fund"] for p in grant.postings} == {"Strike fund"}
    transfer = next(t for t in transactions if t.meta.get("entry") == books["transfer"].public_id)
    assert sorted((p.account, p.meta["fund"]) for p in transfer.postings) == [
        ("Assets:Bank", "Hardship fund"),
        ("Assets:Bank", "Strike fund"),
        ("Equity:HardshipFund", "Hardship fund"),
        ("Equity:StrikeFund", "Strike fund"),
    ]
    correction = next(
        t for t in transactions if t.meta.get("corrects") == books["mistake"].public_id
    )
    assert {str(p.units) for p in correction.postings} == {"20.00 USD", "-20.00 USD"}
    opens = [e for e in entries if type(e).__name__ == "Open"]
    assert {o.account for o in opens} >= {"Assets:Bank", "Expenses:Grants", "Equity:StrikeFund"}
    assert all(o.currencies == ["USD"] for o in opens)
    # No donor is in the books.
    assert DONOR_SECRET not in text and DONOR_NAMED not in text
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "funds.export_requested",
        "funds.export_approved",
        "funds.export_produced",
        "funds.export_downloaded",
    } <= actions


def test_the_csv_export_has_a_row_per_leg_and_no_formula(
    personas, books, second_treasurer, django_capture_on_commit_callbacks
):
    strike = books["strike"]
    ledger.post_entry(
        kind=EntryKind.EXPENSE,
        date=date(2026, 3, 9),
        lines=[
            Line(ledger.standard_account("Expenses:Other"), 100, strike),
            Line(ledger.standard_account("Assets:Bank"), -100, strike),
        ],
        memo="=HYPERLINK(1)",
    )
    asker = sign_in(Client(), personas["fund_committee"].member)
    export = _ask(asker, "csv")
    _approve(sign_in(Client(), second_treasurer), export, django_capture_on_commit_callbacks)
    rows = list(csv.reader(io.StringIO(_download(asker, export))))
    assert rows[0] == [str(title) for title in journal_files.CSV_HEADER]
    assert len(rows) == 1 + 2 * 14 + 2  # two legs per entry, four for the transfer
    formula = [row for row in rows if row[3].endswith("HYPERLINK(1)")]
    assert {row[3] for row in formula} == {"'=HYPERLINK(1)"}
    grant = [row for row in rows if row[1] == books["grant"].public_id]
    assert sorted((row[7], row[10], row[9]) for row in grant) == [
        ("Expenses:Grants", "300.00", "Strike fund"),
        ("Liabilities:GrantsPayable", "-300.00", "Strike fund"),
    ]


def test_a_currency_without_decimals_is_exported_as_whole_units(network, tmp_path):
    network.currency = "JPY"
    network.save()
    fund = Fund.objects.create(name='Fund "A" \\ yen', kind="general")
    other = Fund.objects.create(name="Other fund", kind="general")
    bank = ledger.standard_account("Assets:Bank")
    income = ledger.standard_account("Income:Donations")
    entry = ledger.post_entry(
        kind=EntryKind.DONATION,
        date=date(2026, 2, 1),
        lines=[Line(bank, 1250, fund), Line(income, -1250, fund)],
        memo='A "quoted" gift',
    )
    ledger.reverse_entry(entry=entry, date=date(2026, 2, 2))
    ledger.post_entry(
        kind=EntryKind.DONATION,
        date=date(2026, 2, 3),
        lines=[Line(bank, 7, other), Line(income, -7, other)],
    )
    text = "".join(part for part, _done in journal_files.journal("beancount"))
    assert "  Assets:Bank  1250 JPY" in text
    entries = _check_beancount(text, tmp_path)
    postings = [p for e in entries if type(e).__name__ == "Transaction" for p in e.postings]
    assert {str(p.units) for p in postings} == {"1250 JPY", "-1250 JPY", "7 JPY", "-7 JPY"}
    assert {p.meta["fund"] for p in postings} == {'Fund "A" \\ yen', "Other fund"}


def test_a_newcomer_treasurer_cannot_be_the_second_person(
    personas, books, django_capture_on_commit_callbacks
):
    newcomer, _secret = make_member(
        "new_treasurer", roles=(Role.FUND_COMMITTEE,), joined_days_ago=1
    )
    export = _ask(sign_in(Client(), personas["fund_committee"].member))
    response = _approve(sign_in(Client(), newcomer), export, django_capture_on_commit_callbacks)
    assert response.status_code == 404
    export.refresh_from_db()
    assert export.status == ApprovalRequest.Status.PENDING


def test_only_treasurers_reach_the_export_pages_and_only_their_own_exports(
    personas, books, second_treasurer
):
    export = _ask(sign_in(Client(), personas["fund_committee"].member))
    for persona in ("member", "organizer", "supporter"):
        client = sign_in(Client(), personas[persona].member)
        assert client.get(reverse("funds:export_new")).status_code == 404, persona
    other = sign_in(Client(), second_treasurer)
    assert other.get(reverse("funds:export_new")).status_code == 200
    assert other.get(reverse("funds:export_detail", args=[export.public_id])).status_code == 404
    assert Client().get(reverse("funds:export_new")).status_code == 302


def test_nothing_to_export_is_said_and_changes_nothing(personas):
    client = sign_in(Client(), personas["fund_committee"].member)
    response = client.post(reverse("funds:export_new"), {"format": "csv"})
    assert response.status_code == 422
    assert "nothing to export" in response.content.decode()
    response = client.post(reverse("funds:export_new"), {"format": "xlsx"})
    assert response.status_code == 422
    assert not ApprovalRequest.objects.exists()
