"""Bank statements: CSV files as real banks export them (a US credit union with Debit and
Credit columns; a Mexican bank with day/month/year dates, comma decimals and Latin-1), OFX and
CAMT.053; matching lines to entries by amount, date and reference; a file imported again adds
nothing; a file in the wrong encoding or with the wrong columns is refused clearly and writes
nothing; the reconciliation; a proposed line never becomes a fund's expense; and a worker
killed half-way leaves whole batches, a balanced ledger, and an import that goes on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from huey.contrib.djhuey import HUEY

from conftest import sign_in
from solnet.core import audit
from solnet.core.models import AuditEvent
from solnet.funds import ledger, statement_files, statement_import, statements
from solnet.funds.ledger import Line
from solnet.funds.models import (
    Account,
    BankMapping,
    Donation,
    Entry,
    EntryKind,
    LineStatus,
    Statement,
    StatementChunk,
    StatementLine,
    StatementStatus,
)
from solnet.funds.statement_files import parse_amount
from solnet.funds.tests.making import give, make_fund
from solnet.members.models import Member

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
DAY = date(2025, 3, 1)


@pytest.fixture
def treasurer(personas) -> Member:
    ledger.open_standard_accounts()
    return personas["fund_committee"].member


@pytest.fixture
def books(treasurer) -> Client:
    return sign_in(Client(), treasurer)


@pytest.fixture
def bank() -> Account:
    ledger.open_standard_accounts()
    return ledger.standard_account("Assets:Bank")


def _expense(amount: int, on: date, reference: str = "") -> Entry:
    return ledger.post_entry(
        kind=EntryKind.EXPENSE,
        date=on,
        lines=[
            Line(ledger.standard_account("Expenses:Supplies"), amount),
            Line(ledger.standard_account("Assets:Bank"), -amount),
        ],
        reference=reference,
    )


def _credit_union(bank: Account) -> BankMapping:
    return BankMapping.objects.create(
        name="Credit union checking",
        account=bank,
        date_column="Post Date",
        date_format="%m/%d/%Y",
        debit_column="Debit",
        credit_column="Credit",
        description_column="Description",
        reference_column="Check",
        balance_column="Balance",
    )


def _mexican(bank: Account) -> BankMapping:
    return BankMapping.objects.create(
        name="Banco (México)",
        account=bank,
        encoding="latin-1",
        delimiter=";",
        skip_rows=2,
        date_column="Fecha",
        date_format="%d/%m/%Y",
        debit_column="Cargo",
        credit_column="Abono",
        decimal_mark=",",
        description_column="Descripción",
        reference_column="Referencia",
        balance_column="Saldo",
    )


# A credit union's export (oldest line first; checks in the Check column).
CREDIT_UNION = (
    '"Account Number","Post Date","Check","Description","Debit","Credit","Status","Balance"\r\n'
    '"XXXXXX1234",3/5/2025,,"MOBILE DEPOSIT MARIA LOPEZ",,50.00,"Posted","1,050.00"\r\n'
    '"XXXXXX1234",3/12/2025,1042,"CHECK 1042",19.99,,"Posted","1,030.01"\r\n'
    '"XXXXXX1234",3/12/2025,1043,"CHECK 1043",19.99,,"Posted","1,010.02"\r\n'
    '"XXXXXX1234",3/20/2025,,"ZELLE FROM J SMITH",,25.00,"Posted","1,035.02"\r\n'
    '"XXXXXX1234",3/31/2025,,"MONTHLY SERVICE FEE",3.50,,"Posted","1,031.52"\r\n'
)

# A Mexican bank's export: two lines above the header, newest first, Latin-1, semicolons,
# day/month/year and comma decimals.
MEXICAN = (
    "Cuenta: 0123456789;;;;;\r\n"
    "Periodo: 01/03/2025 - 31/03/2025;;;;;\r\n"
    "Fecha;Descripción;Referencia;Cargo;Abono;Saldo\r\n"
    "31/03/2025;Comisión por manejo de cuenta;;3,50;;1.031,52\r\n"
    "20/03/2025;Depósito de José Núñez;;;25,00;1.035,02\r\n"
    "12/03/2025;Pago a Papelería;1043;19,99;;1.010,02\r\n"
    "12/03/2025;Pago a Papelería;1042;19,99;;1.030,01\r\n"
    "05/03/2025;Depósito de María López;;;50,00;1.050,00\r\n"
).encode("latin-1")


def _ofx_line(kind: str, day: str, amount: str, fitid: str, check: str, name: str) -> bytes:
    number = f"<CHECKNUM>{check}" if check else ""
    return (
        f"<STMTTRN><TRNTYPE>{kind}<DTPOSTED>{day}<TRNAMT>{amount}<FITID>{fitid}{number}"
        f"<NAME>{name}</STMTTRN>"
    ).encode()


OFX = (
    b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>
<DTSERVER>20250401120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>USD
<BANKACCTFROM><BANKID>121000248<ACCTID>1234567<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250301<DTEND>20250331
"""
    + b"\n".join(
        _ofx_line(*line)
        for line in (
            ("CREDIT", "20250305", "50.00", "202503050001", "", "MARIA LOPEZ"),
            ("CHECK", "20250312", "-19.99", "202503120001", "1042", "CHECK 1042"),
            ("CHECK", "20250312", "-19.99", "202503120002", "1043", "CHECK 1043"),
            ("CREDIT", "20250320", "25.00", "202503200001", "", "ZELLE J SMITH"),
            ("SRVCHG", "20250331", "-3.50", "202503310001", "", "SERVICE FEE"),
        )
    )
    + b"""
</BANKTRANLIST>
<LEDGERBAL><BALAMT>1031.52<DTASOF>20250331</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""
)


def _camt_entry(amount: str, way: str, day: str, ref: str, name: str, extra: str = "") -> str:
    party = "Dbtr" if way == "CRDT" else "Cdtr"
    return (
        f'<Ntry><Amt Ccy="USD">{amount}</Amt><CdtDbtInd>{way}</CdtDbtInd><Sts>{extra or "BOOK"}'
        f"</Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
        f"<AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED"
        f"</EndToEndId></Refs><RltdPties><{party}><Nm>{name}</Nm></{party}></RltdPties>"
        f"<RmtInf><Ustrd>{name}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
    )


CAMT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
    "<BkToCstmrStmt><GrpHdr><MsgId>MSG-2025-03</MsgId><CreDtTm>2025-04-01T08:00:00</CreDtTm>"
    "</GrpHdr><Stmt><Id>STMT-2025-03</Id><CreDtTm>2025-04-01T08:00:00</CreDtTm>"
    "<FrToDt><FrDtTm>2025-03-01T00:00:00</FrDtTm><ToDtTm>2025-03-31T23:59:59</ToDtTm></FrToDt>"
    "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>USD</Ccy></Acct>"
    '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">1000.00</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>"
    '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">1031.52</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-31</Dt></Dt></Bal>"
    + _camt_entry("50.00", "CRDT", "2025-03-05", "B0305-1", "Maria Lopez")
    + _camt_entry("19.99", "DBIT", "2025-03-12", "B0312-1", "Papeleria 1042")
    + _camt_entry("19.99", "DBIT", "2025-03-12", "B0312-2", "Papeleria 1043")
    + _camt_entry("25.00", "CRDT", "2025-03-20", "B0320-1", "J Smith")
    + _camt_entry("3.50", "DBIT", "2025-03-31", "B0331-1", "Service fee")
    + _camt_entry("99.00", "CRDT", "2025-03-31", "B0331-2", "Pending", extra="PDNG")
    + "</Stmt></BkToCstmrStmt></Document>"
).encode()


def _the_books(bank: Account) -> dict[str, Entry]:
    """What the treasurer recorded in March: the opening money, a donation, two cheques, and a
    donation recorded with a wrong date (six weeks early: too far from its bank line)."""
    ledger.post_entry(
        kind=EntryKind.OPENING,
        date=date(2025, 2, 28),
        lines=[Line(bank, 100000), Line(ledger.standard_account("Income:Events"), -100000)],
    )
    return {
        "donation": give(None, 5000, on=date(2025, 3, 3)),
        "check_1042": _expense(1999, date(2025, 3, 10), reference="1042"),
        "check_1043": _expense(1999, date(2025, 3, 11), reference="1043"),
        "far": give(None, 2500, on=date(2025, 2, 1)),
    }


def _import(treasurer, data: bytes, **kwargs) -> Statement:
    statement = statements.upload_statement(by=treasurer, data=data, file_name="march", **kwargs)
    statements.import_statement(public_id=statement.public_id)
    statement.refresh_from_db()
    return statement


def _by_amount(statement: Statement) -> dict[tuple[date, int], list[StatementLine]]:
    found: dict = {}
    for line in statement.lines.order_by("number"):
        found.setdefault((line.date, line.amount), []).append(line)
    return found


# --- reading real banks' files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "data"),
    [("credit_union", CREDIT_UNION.encode()), ("mexican", MEXICAN), ("ofx", OFX), ("camt", CAMT)],
)
def test_each_banks_file_is_read_matched_and_reconciled(treasurer, bank, kind, data):
    entries = _the_books(bank)
    extra: dict = {"account": bank}
    if kind == "credit_union":
        extra = {"mapping": _credit_union(bank)}
    elif kind == "mexican":
        extra = {"mapping": _mexican(bank)}
    statement = _import(treasurer, data, **extra)

    assert statement.status == StatementStatus.DONE, statement.failure
    # A CSV's period is its lines'; OFX and CAMT.053 files say theirs.
    first = date(2025, 3, 5) if kind in ("credit_union", "mexican") else date(2025, 3, 1)
    assert (statement.period_start, statement.period_end) == (first, date(2025, 3, 31))
    assert statement.closing_balance == 103152
    assert (statement.total_lines, statement.added_lines, statement.matched_lines) == (5, 5, 3)
    lines = _by_amount(statement)
    [deposit] = lines[(date(2025, 3, 5), 5000)]
    assert deposit.status == LineStatus.MATCHED and deposit.entry == entries["donation"]
    # Two cheques of the same amount on the same day: each to the entry of its number (the
    # CAMT file names them only in words, so its lines match by date: the nearest first).
    first, second = lines[(date(2025, 3, 12), -1999)]
    assert {first.entry, second.entry} == {entries["check_1042"], entries["check_1043"]}
    if kind != "camt":
        assert first.entry == entries[f"check_{first.reference}"]
        assert second.entry == entries[f"check_{second.reference}"]
    [late] = lines[(date(2025, 3, 20), 2500)]
    assert late.status == LineStatus.PROPOSED and late.entry is None  # six weeks: too far
    [fee] = lines[(date(2025, 3, 31), -350)]
    assert fee.status == LineStatus.PROPOSED
    # What the bank wrote is kept encrypted.
    assert "pez" in deposit.description.casefold()
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM funds_statementline WHERE id = %s", [deposit.pk])
        assert "pez" not in cursor.fetchone()[0].casefold()

    result = statements.reconcile(statement)
    # The books hold 1,000 + 50 - 19.99 - 19.99 + 25 (the early donation) = 1,035.02.
    assert result.books == 103502
    assert result.difference == 103152 - 103502
    assert (result.unmatched, result.unmatched_total) == (2, 2500 - 350)


def test_the_mexican_file_gives_the_opening_balance_from_its_running_balance(treasurer, bank):
    statement = _import(treasurer, MEXICAN, mapping=_mexican(bank))
    assert statement.opening_balance == 100000
    assert statement.closing_balance == 103152
    descriptions = {line.description for line in statement.lines.all()}
    assert "Depósito de María López" in descriptions  # Latin-1 read as Latin-1


def test_the_same_file_imported_again_adds_nothing(treasurer, bank):
    _the_books(bank)
    mapping = _credit_union(bank)
    first = _import(treasurer, CREDIT_UNION.encode(), mapping=mapping)
    again = _import(treasurer, CREDIT_UNION.encode(), mapping=mapping)
    assert first.added_lines == 5
    assert (again.status, again.added_lines, again.known_lines) == (StatementStatus.DONE, 0, 5)
    assert StatementLine.objects.count() == 5
    # The OFX of the same month names its lines by the bank's ids: imported twice, once.
    _import(treasurer, OFX, account=bank)
    ofx_again = _import(treasurer, OFX, account=bank)
    assert ofx_again.known_lines == 5 and StatementLine.objects.count() == 10


def test_two_identical_lines_of_one_file_are_two_lines(treasurer, bank):
    data = (
        CREDIT_UNION.encode()
        + b'"XXXXXX1234",3/31/2025,,"MONTHLY SERVICE FEE",3.50,,"Posted",""\r\n'
    )
    statement = _import(treasurer, data, mapping=_credit_union(bank))
    assert statement.added_lines == 6


def test_matching_wants_the_same_reference_when_both_have_one(treasurer, bank):
    entry = _expense(1999, date(2025, 3, 12), reference="2001")
    statement = _import(treasurer, CREDIT_UNION.encode(), mapping=_credit_union(bank))
    assert not statement.lines.filter(entry=entry).exists()  # cheque 2001 is not 1042 or 1043
    # An entry without a reference matches by amount and date alone.
    plain = _expense(350, date(2025, 3, 29))
    camt = _import(treasurer, CAMT, account=bank)
    assert camt.lines.get(amount=-350).entry == plain


def test_an_entry_that_moved_no_money_in_the_account_or_was_reversed_is_not_matched(
    treasurer, bank
):
    reversed_one = give(None, 5000, on=date(2025, 3, 5))
    ledger.reverse_entry(entry=reversed_one, date=date(2025, 3, 6))
    statement = _import(treasurer, OFX, account=bank)
    assert statement.matched_lines == 0


# --- refused files: a clear error, nothing written --------------------------------------------


def _nothing_written() -> None:
    assert not Statement.objects.exists()
    assert not StatementChunk.objects.exists()
    assert not StatementLine.objects.exists()


def _upload(client: Client, data: bytes, name: str = "march.csv", **fields):
    return client.post(
        reverse("funds:statements"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **fields},
    )


def test_a_latin1_file_given_for_a_utf8_bank_is_refused_and_writes_nothing(books, bank):
    mapping = _mexican(bank)
    mapping.encoding = "utf-8"
    mapping.save()
    response = _upload(books, MEXICAN, mapping=mapping.public_id)
    assert response.status_code == 422
    page = response.content.decode()
    assert "is not written in UTF-8" in page and "Banco (México)" in page
    _nothing_written()


def test_a_file_with_other_columns_is_refused_naming_them(books, bank):
    mapping = _credit_union(bank)
    response = _upload(books, MEXICAN.decode("latin-1").encode(), mapping=mapping.public_id)
    assert response.status_code == 422
    page = response.content.decode()
    assert "does not have the columns" in page
    assert "“Post Date”" in page and "Cuenta: 0123456789" in page
    _nothing_written()


def test_a_bad_date_or_amount_names_its_line(treasurer, bank):
    mapping = _credit_union(bank)
    bad_date = CREDIT_UNION.replace("3/20/2025", "20/3/2025")
    with pytest.raises(ValidationError) as refused:
        statements.upload_statement(by=treasurer, data=bad_date.encode(), mapping=mapping)
    assert "Line 5" in refused.value.messages[0]
    bad_amount = CREDIT_UNION.replace("25.00", "25,00.0")
    with pytest.raises(ValidationError) as refused:
        statements.upload_statement(by=treasurer, data=bad_amount.encode(), mapping=mapping)
    assert "Line 5" in refused.value.messages[0] and "not an amount" in refused.value.messages[0]
    _nothing_written()


def test_a_spreadsheet_or_broken_xml_is_refused(treasurer, bank):
    for data in (b"PK\x03\x04rest of a zip", b"<?xml version='1.0'?><Document>camt.053<Stmt"):
        with pytest.raises(ValidationError):
            statements.upload_statement(by=treasurer, data=data, account=bank)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&a;</Document>'
    )
    with pytest.raises(ValidationError, match="cannot be read"):
        statements.upload_statement(by=treasurer, data=bomb, account=bank)
    _nothing_written()


def test_a_refused_file_is_answered_in_the_pages_language(treasurer, bank):
    spanish = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), treasurer)
    spanish.cookies["django_language"] = "es"
    mapping = _credit_union(bank)
    mapping.encoding = "utf-8"
    mapping.save()
    response = _upload(spanish, MEXICAN, mapping=mapping.public_id)
    assert response.status_code == 422 and response["Content-Language"] == "es"
    [shown] = response.context["form"].errors["file"]
    with translation.override("es"):
        expected = statement_files._not_encoded(mapping).messages[0]
    assert shown == expected
    _nothing_written()


def test_the_encoding_error_reads_in_spanish(treasurer, bank):
    mapping = _credit_union(bank)
    mapping.encoding = "utf-8"
    mapping.save()
    with translation.override("es"):
        message = statement_files._not_encoded(mapping).messages[0]
    assert "is not written in" not in message


def test_amounts_as_banks_write_them():
    assert parse_amount("1,234.56", decimal_mark=".", places=2) == 123456
    assert parse_amount("-1.234,56", decimal_mark=",", places=2) == -123456
    assert parse_amount("(12.00)", decimal_mark=".", places=2) == -1200
    assert parse_amount("12.00-", decimal_mark=".", places=2) == -1200
    assert parse_amount("$ 5", decimal_mark=".", places=2) == 500
    assert parse_amount("1 234,5", decimal_mark=",", places=2) == 123450
    assert parse_amount("", decimal_mark=".", places=2) is None
    for bad in ("1.234", "abc", "1.2.3"):
        with pytest.raises(ValueError):
            parse_amount(bad, decimal_mark=".", places=2)


# --- the treasurer's part -----------------------------------------------------------------------


def test_a_proposed_line_posts_as_income_or_expense_and_never_as_a_funds_expense(
    books, treasurer, bank
):
    fund = make_fund("Strike fund")
    statement = _import(treasurer, OFX, account=bank)
    fee = statement.lines.get(amount=-350)
    fees = ledger.standard_account("Expenses:Fees")
    url = reverse("funds:statement_line", args=[fee.public_id])

    # Money out with a fund: refused by the page (no such field) and by the service.
    response = books.post(
        url, {"action": "post", "account": fees.public_id, "fund": fund.public_id}
    )
    assert response.status_code == 302
    fee.refresh_from_db()
    assert fee.status == LineStatus.POSTED
    assert not fee.entry.legs.filter(fund__isnull=False).exists()  # the fund field was ignored
    gift = statement.lines.get(amount=2500)
    with pytest.raises(ValidationError) as refused:
        statements.post_line(
            by=treasurer, line=gift, account=ledger.standard_account("Expenses:Other"), fund=fund
        )
    assert refused.value.error_dict["fund"][0].code == "fund_expense"
    deposit = statement.lines.get(amount=5000)
    with pytest.raises(ValidationError):  # an expense account for a fund, whatever the sign
        statements.post_line(by=treasurer, line=deposit, account=fees, fund=fund)
    assert ledger.fund_balance(fund) == 0

    # Money in goes to a fund as a donation, recorded as one.
    response = books.post(
        reverse("funds:statement_line", args=[gift.public_id]),
        {
            "action": "post",
            "account": ledger.standard_account("Income:Donations").public_id,
            "fund": fund.public_id,
        },
    )
    assert response.status_code == 302
    gift.refresh_from_db()
    assert gift.status == LineStatus.POSTED and gift.entry.kind == EntryKind.DONATION
    assert Donation.objects.get(fund=fund).amount == 2500
    assert ledger.fund_balance(fund) == 2500
    assert ledger.trial_balance() == 0
    assert AuditEvent.objects.filter(action="funds.statement_line_posted").count() == 2

    # Posted once: posting again is refused with 422 and changes nothing.
    response = books.post(url, {"action": "post", "account": fees.public_id})
    assert response.status_code == 422
    assert Entry.objects.filter(statement_lines=fee).count() == 1


def test_a_line_is_ignored_and_taken_back(books, treasurer, bank):
    statement = _import(treasurer, OFX, account=bank)
    fee = statement.lines.get(amount=-350)
    url = reverse("funds:statement_line", args=[fee.public_id])
    assert books.post(url, {"action": "ignore"}).status_code == 302
    fee.refresh_from_db()
    assert fee.status == LineStatus.IGNORED
    result = statements.reconcile(statement)
    assert (result.unmatched, result.ignored) == (4, 1)
    assert books.post(url, {"action": "restore"}).status_code == 302
    fee.refresh_from_db()
    assert fee.status == LineStatus.PROPOSED
    response = books.post(url, {"action": "post"})  # no account chosen
    assert response.status_code == 422


def test_the_pages_upload_list_show_and_reconcile(books, bank, django_capture_on_commit_callbacks):
    _the_books(bank)
    assert books.get(reverse("funds:bank_mapping_new")).status_code == 200
    response = books.post(
        reverse("funds:bank_mapping_new"),
        {
            "name": "Credit union checking",
            "account": bank.public_id,
            "encoding": "utf-8",
            "delimiter": ",",
            "skip_rows": "0",
            "date_column": "Post Date",
            "date_format": "%m/%d/%Y",
            "debit_column": "Debit",
            "credit_column": "Credit",
            "decimal_mark": ".",
            "description_column": "Description",
            "reference_column": "Check",
            "balance_column": "Balance",
        },
    )
    assert response.status_code == 302
    mapping = BankMapping.objects.get()
    assert "Credit union checking" in books.get(reverse("funds:bank_mappings")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(books, CREDIT_UNION.encode(), mapping=mapping.public_id)
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.status == StatementStatus.DONE and statement.file_name == "march.csv"
    page = books.get(reverse("funds:statement", args=[statement.public_id])).content.decode()
    assert 'id="reconciliation-difference"' in page and "-$3.50" in page
    assert "MOBILE DEPOSIT MARIA LOPEZ" in page
    only = books.get(reverse("funds:statement", args=[statement.public_id]), {"status": "proposed"})
    assert only.context["page"].paginator.count == 2
    listing = books.get(reverse("funds:statements")).content.decode()
    assert statement.public_id in listing
    # A mapping without amounts is refused.
    response = books.post(
        reverse("funds:bank_mapping_new"),
        {"name": "x", "account": bank.public_id, "date_column": "Date", "skip_rows": "0"},
    )
    assert response.status_code == 422 and BankMapping.objects.count() == 1
    # An htmx poll of a finished import asks for the whole page again.
    poll = books.get(reverse("funds:statement", args=[statement.public_id]), HTTP_HX_REQUEST="true")
    assert poll.status_code == 204


def test_others_see_no_statement(personas, treasurer, bank):
    statement = _import(treasurer, OFX, account=bank)
    line = statement.lines.first()
    member = sign_in(Client(), personas["member"].member)
    for url in (
        reverse("funds:statements"),
        reverse("funds:statement", args=[statement.public_id]),
        reverse("funds:statement_line", args=[line.public_id]),
        reverse("funds:bank_mappings"),
    ):
        assert member.get(url).status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied, whatever the path
        statements.post_line(
            by=personas["member"].member,
            line=line,
            account=ledger.standard_account("Expenses:Fees"),
        )


def test_descriptions_are_stripped_two_years_after_the_day(treasurer, bank, monkeypatch):
    from solnet.core import data

    statement = _import(treasurer, OFX, account=bank)
    policy = data.policy_of(StatementLine)
    assert data.purge_model(StatementLine, policy) == 0  # March 2025: not two years yet
    later = data.timezone.now() + timedelta(days=365)
    monkeypatch.setattr(data.timezone, "now", lambda: later)
    assert data.purge_model(StatementLine, policy) == 5
    assert not statement.lines.filter(description__isnull=False).exists()
    assert statement.lines.filter(status=LineStatus.MATCHED).count() == 0  # the rest stays
    assert statement.lines.count() == 5


# --- a worker killed half-way -------------------------------------------------------------------

WORKER = (
    "import sys, django; django.setup(); "
    "from django.conf import settings; settings.DATABASES['default']['NAME'] = sys.argv[1]; "
    "from solnet.funds.statements import import_statement; "
    "import_statement(public_id=sys.argv[2])"
)
ROWS = 40_000


def _big_csv(rows: int) -> bytes:
    lines = [
        '"Account Number","Post Date","Check","Description","Debit","Credit","Status","Balance"'
    ]
    for n in range(rows):
        day = DAY + timedelta(days=n % 28)
        lines.append(
            f'"X1234",{day:%m/%d/%Y},,"DEPOSIT {n}",,{1 + n % 500}.{n % 100:02d},"Posted",'
        )
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_whole_batches_and_goes_on(treasurer, bank, monkeypatch):
    mapping = _credit_union(bank)
    for n in range(0, 2000, 7):  # entries some lines match
        give(None, (1 + n % 500) * 100 + n % 100, on=DAY + timedelta(days=n % 28))
    HUEY.immediate = False
    try:
        statement = statements.upload_statement(by=treasurer, data=_big_csv(ROWS), mapping=mapping)
    finally:
        HUEY.immediate = True
        HUEY.flush()
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(connection.settings_dict["NAME"]), statement.public_id],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "solnet.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and worker.poll() is None:
            done = Statement.objects.values_list("done_lines", flat=True).get(pk=statement.pk)
            if done >= statements.BATCH:
                break
            time.sleep(0.01)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
        output = worker.communicate(timeout=30)[0].decode()
    assert worker.returncode == -signal.SIGKILL, output
    assert 0 < done < ROWS, f"the worker was not caught half-way: {done} lines done"

    # Whole batches only: the lines written are the counted ones, the rest still waits.
    statement.refresh_from_db()
    written = StatementLine.objects.filter(statement=statement).count()
    assert written == statement.done_lines == statement.added_lines
    assert written % statements.BATCH == 0
    waiting = StatementChunk.objects.filter(statement=statement).count()
    assert written + waiting * statements.BATCH == ROWS
    assert ledger.trial_balance() == 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"
    assert audit.verify_chain().ok
    assert statement.status == StatementStatus.RUNNING

    # Seen as interrupted once its lease runs out, it goes on from where it stopped.
    monkeypatch.setattr(statement_import, "LEASE_SECONDS", 0)
    client = sign_in(Client(), treasurer)
    page = client.get(reverse("funds:statement", args=[statement.public_id])).content.decode()
    assert 'id="statement-restart"' in page
    response = client.post(reverse("funds:statement", args=[statement.public_id]))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DONE, statement.failure
    assert StatementLine.objects.filter(statement=statement).count() == ROWS
    assert statement.done_lines == statement.added_lines == ROWS
    assert not StatementChunk.objects.exists()
    matched = StatementLine.objects.filter(statement=statement, status=LineStatus.MATCHED)
    assert matched.count() == statement.matched_lines == Entry.objects.count()
    assert ledger.trial_balance() == 0
    assert audit.verify_chain().ok
