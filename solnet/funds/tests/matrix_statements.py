"""Rows of the authorization matrix for the bank statement pages (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use)."""

from __future__ import annotations

from solnet.core.tests import test_authorization_matrix as matrix

TREASURER = ["fund_committee"]

OFX = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>
<DTSERVER>20250401120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>1<ACCTID>2<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250301<DTEND>20250331
<STMTTRN><TRNTYPE>SRVCHG<DTPOSTED>20250331<TRNAMT>-3.50<FITID>M1<NAME>FEE</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>10.00<DTASOF>20250331</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


def _statement(objects) -> dict:
    if "bank_statement" not in objects:
        from solnet.funds import ledger, statements

        ledger.open_standard_accounts()
        treasurer = objects["personas"]["fund_committee"].member
        statement = statements.upload_statement(
            by=treasurer, data=OFX, account=ledger.standard_account("Assets:Bank")
        )
        statements.import_statement(public_id=statement.public_id)
        objects["bank_statement"] = statement
    return {"public_id": objects["bank_statement"].public_id}


def _line(objects) -> dict:
    _statement(objects)
    return {"public_id": objects["bank_statement"].lines.get().public_id}


PAGES: dict = {
    "funds:statements": matrix.Row(matrix.only(*TREASURER)),
    "funds:statement": matrix.Row(matrix.only(*TREASURER), kwargs=_statement),
    "funds:statement_line": matrix.Row(matrix.only(*TREASURER), kwargs=_line),
    "funds:bank_mappings": matrix.Row(matrix.only(*TREASURER)),
    "funds:bank_mapping_new": matrix.Row(matrix.only(*TREASURER)),
}
API_OPERATIONS: dict = {}
