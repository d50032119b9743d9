"""Reading bank statements: a CSV export described by a `BankMapping`, OFX (through ofxtools)
and ISO 20022 CAMT.053 (the standard library's ElementTree behind defusedxml). A file is read
whole when it is uploaded and refused with a clear error in the reader's language if any of it
cannot be read: the wrong encoding, the wrong columns, a date or an amount that is not one.
Nothing is written by this module.

Amounts are signed minor units of the network's currency as the account sees them: money in
positive, money out negative (a debit of the asset account is positive in the ledger too).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from solnet.core import crypto
from solnet.funds import money
from solnet.funds.models import BankMapping, DecimalMark, StatementFormat

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_LINES = 200_000
MAX_TEXT = 500  # characters of a description kept
_NOT_TEXT = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff")
_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_NUMBER = re.compile(r"\d+(\.\d+)?")


@dataclass(frozen=True, slots=True)
class Row:
    """One line read from a statement."""

    date: Date
    amount: int
    description: str
    reference: str
    key: str  # a keyed digest of what identifies the line at its bank


@dataclass
class Read:
    """What a statement file holds."""

    file_format: str
    rows: list[Row] = field(default_factory=list)
    opening: int | None = None
    closing: int | None = None
    start: Date | None = None
    end: Date | None = None


def _error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def too_big() -> ValidationError:
    return _error(
        _("The file is larger than %(size)s MB. Export a shorter period.")
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        "too_big",
    )


def sniff(data: bytes) -> str:
    """The kind of statement a file is, from its first bytes (refusing what is none)."""
    if not data.strip():
        raise _error(_("The file is empty."), "empty")
    if data.startswith(_NOT_TEXT):
        raise _error(
            _(
                "This is a spreadsheet, a PDF or another kind of file, not a bank statement. "
                "Export the statement from your bank as CSV, OFX or CAMT.053."
            ),
            "not_statement",
        )
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip().upper()
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head:
        return StatementFormat.OFX
    if head.startswith(b"<?XML") or head.startswith(b"<DOCUMENT"):
        if b"CAMT.053" in head:
            return StatementFormat.CAMT
        raise _error(
            _("This XML file is neither an OFX nor a CAMT.053 bank statement."), "not_statement"
        )
    return StatementFormat.CSV


def _keyer(account_id: int):
    """Keys of one account's lines: BLAKE2b under a key derived from the installation's
    index key (HMAC) for this account, so that a key tells nothing of the line without it."""
    derived = crypto.keyed_digest("index", f"statement-line\x00{account_id}".encode())
    base = hashlib.blake2b(key=bytes.fromhex(derived), digest_size=32)

    def key(*parts: object) -> str:
        mac = base.copy()
        mac.update("\x00".join(str(part) for part in parts).encode())
        return mac.hexdigest()

    return key


def _keyed(account_id: int, found: list[tuple[Date, int, str, str, str]]) -> list[Row]:
    """Rows with their keys: the bank's own id of the line when it gives one, else what the
    line says and how many such lines came before it in the file (two identical payments on
    one day are two lines, and a file imported again adds neither)."""
    seen: Counter[tuple] = Counter()
    _key = _keyer(account_id)
    rows = []
    for day, amount, description, reference, bank_id in found:
        if bank_id:
            key = _key("id", bank_id)
        else:
            what = (day.isoformat(), amount, reference, description)
            seen[what] += 1
            key = _key("line", *what, seen[what])
        rows.append(Row(day, amount, description[:MAX_TEXT], reference[:80], key))
    return rows


def _finish(read: Read) -> Read:
    if not read.rows:
        raise _error(_("There are no lines in this statement."), "no_rows")
    if len(read.rows) > MAX_LINES:
        raise _error(
            _("The statement has more than %(count)s lines. Export a shorter period.")
            % {"count": MAX_LINES},
            "too_many",
        )
    days = [row.date for row in read.rows]
    read.start = min([*days, read.start] if read.start else days)
    read.end = max([*days, read.end] if read.end else days)
    return read


# --- amounts and dates ----------------------------------------------------------------------


def parse_amount(text: str, *, decimal_mark: str, places: int) -> int | None:
    """A bank's amount (“1,234.56”, “-1.234,56”, “(12.00)”, “12.00-”, “$ 5”) in signed minor
    units; None for an empty cell. Raises ValueError for what is not an amount."""
    text = _SPACES.sub("", text or "")
    if not text:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-"):
        negative, text = True, text[:-1]
    text = text.lstrip("$€£¥")
    if text[:1] in "+-":
        negative, text = negative ^ (text[0] == "-"), text[1:]
    text = text.lstrip("$€£¥")
    if decimal_mark == DecimalMark.COMMA:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    amount = Decimal(text)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(text)
    minor = int(amount.scaleb(places))
    if minor > money.LARGEST:
        raise ValueError(text)
    return -minor if negative else minor


def _minor(value: Decimal, currency: str, places: int) -> int:
    """An amount a file gave as a decimal, in signed minor units of the network's currency."""
    exponent = value.normalize().as_tuple().exponent
    if not value.is_finite() or (isinstance(exponent, int) and -exponent > places):
        raise _error(
            _("The file holds an amount with more decimals than %(currency)s has.")
            % {"currency": currency},
            "amount",
        )
    minor = int(value.scaleb(places))
    if abs(minor) > money.LARGEST:
        raise _error(_("That amount is too large."), "large")
    return minor


def _wrong_currency(found: str, currency: str) -> ValidationError:
    return _error(
        _("This statement is in %(found)s; the books are kept in %(currency)s.")
        % {"found": found, "currency": currency},
        "currency",
    )


# --- CSV ------------------------------------------------------------------------------------


def _decoded(data: bytes, mapping: BankMapping) -> str:
    encoding = "utf-8-sig" if mapping.encoding == "utf-8" else mapping.encoding
    if data.startswith(_UTF16) or b"\x00" in data[:4096]:
        raise _not_encoded(mapping)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _not_encoded(mapping) from None


def _not_encoded(mapping: BankMapping) -> ValidationError:
    return _error(
        _(
            "This file is not written in %(encoding)s, as the bank mapping “%(mapping)s” "
            "says, so its letters would come out wrong. Choose the encoding the bank uses in "
            "the mapping (often Latin-1 or Windows-1252), or export the file again as "
            "%(encoding)s."
        )
        % {"encoding": mapping.get_encoding_display(), "mapping": mapping.name},
        "encoding",
    )


def _columns(header: list[str], mapping: BankMapping) -> dict[str, int | None]:
    """Where each column the mapping names is in the header row; refuses a file without
    them, naming what is missing and what the file has."""
    where = {cell.strip().lstrip("\ufeff").casefold(): n for n, cell in enumerate(header)}
    wanted = {
        "date": mapping.date_column,
        "amount": mapping.amount_column,
        "debit": "" if mapping.amount_column else mapping.debit_column,
        "credit": "" if mapping.amount_column else mapping.credit_column,
        "description": mapping.description_column,
        "reference": mapping.reference_column,
        "balance": mapping.balance_column,
    }
    missing = [name for name in wanted.values() if name and name.strip().casefold() not in where]
    if missing:
        found = ", ".join(f"“{cell.strip()}”" for cell in header if cell.strip())[:400]
        raise _error(
            _(
                "This file does not have the columns the bank mapping “%(mapping)s” expects: "
                "%(missing)s is missing. The file's columns are: %(found)s. Choose another "
                "mapping, or set %(skip)s lines before the header if the bank writes some."
            )
            % {
                "mapping": mapping.name,
                "missing": ", ".join(f"“{name}”" for name in missing),
                "found": found or "—",
                "skip": mapping.skip_rows,
            },
            "columns",
        )
    return {
        role: (where[name.strip().casefold()] if name else None) for role, name in wanted.items()
    }


def read_csv(data: bytes, mapping: BankMapping) -> Read:
    """A CSV export as the mapping describes it."""
    text = _decoded(data, mapping)
    currency = money.network_currency()
    places = money.digits(currency)
    delimiter = "\t" if mapping.delimiter == "tab" else mapping.delimiter
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    read_date = _date_reader(mapping.date_format)
    found: list[tuple[Date, int, str, str, str]] = []
    balances: list[tuple[Date, int, int]] = []  # (date, balance after, amount)
    try:
        for _skipped in range(mapping.skip_rows):
            next(reader, None)
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise _error(_("The file has no header row naming its columns."), "no_header")
        at = _columns(header, mapping)
        where = [at[role] for role in ("date", "description", "reference", "balance")]
        for cells in reader:
            if not any(cells):
                continue
            line = reader.line_num
            width = len(cells)
            day_text, words, reference, balance = (
                cells[i].strip() if i is not None and i < width else "" for i in where
            )
            if not (day_text or any(cell.strip() for cell in cells)):
                continue

            def cell(role: str, cells=cells, width=width) -> str:
                index = at[role]
                return cells[index].strip() if index is not None and index < width else ""

            day = _csv_date(day_text, mapping, line, read_date)
            amount = _csv_amount(cell, mapping, places, line)
            if not amount:
                continue  # a line that moves no money (a notice, a pending hold)
            found.append((day, amount, words, reference, ""))
            if balance:
                after = _amount_or_error(balance, mapping, places, line)
                if after is not None:
                    balances.append((day, after, amount))
            if len(found) > MAX_LINES:
                break
    except csv.Error:
        raise _error(
            _("This file cannot be read as CSV. Check the mapping's separator."), "not_csv"
        ) from None
    read = Read(StatementFormat.CSV, rows=_keyed(mapping.account_id, found))
    if balances:
        # Banks write oldest or newest first: the closing balance is the latest line's.
        newest_first = balances[0][0] > balances[-1][0]
        first, last = (balances[-1], balances[0]) if newest_first else (balances[0], balances[-1])
        read.opening = first[1] - first[2]
        read.closing = last[1]
    return _finish(read)


def _date_reader(date_format: str):
    """A reader of dates written as `date_format` (one of `DateFormat`): the three numbers
    split on the format's separator, which is much faster than strptime for a long file."""
    separator = next(ch for ch in date_format if ch not in "%YmdyY")
    order = [part[1] for part in date_format.split(separator)]

    def read(text: str) -> Date:
        parts = text.split(" ")[0].split("T")[0].split(separator)
        if len(parts) != 3 or not all(part.isdigit() for part in parts):
            raise ValueError(text)
        numbers = dict(zip(order, parts, strict=True))
        if "y" in numbers:
            if len(numbers["y"]) != 2:
                raise ValueError(text)
            short = int(numbers["y"])
            year = 2000 + short if short < 69 else 1900 + short  # as strptime's %y
        else:
            if len(numbers["Y"]) != 4:
                raise ValueError(text)
            year = int(numbers["Y"])
        return Date(year, int(numbers["m"]), int(numbers["d"]))

    return read


def _csv_date(text: str, mapping: BankMapping, line: int, read) -> Date:
    try:
        return read(text)
    except ValueError:
        raise _error(
            _("Line %(line)s: “%(value)s” is not a date written as %(format)s.")
            % {"line": line, "value": text[:20], "format": mapping.get_date_format_display()},
            "date",
        ) from None


def _amount_or_error(text: str, mapping: BankMapping, places: int, line: int) -> int | None:
    try:
        return parse_amount(text, decimal_mark=mapping.decimal_mark, places=places)
    except (ValueError, InvalidOperation):
        raise _error(
            _(
                "Line %(line)s: “%(value)s” is not an amount written with %(mark)s as the "
                "decimal mark."
            )
            % {"line": line, "value": text[:20], "mark": mapping.decimal_mark},
            "amount",
        ) from None


def _csv_amount(cell, mapping: BankMapping, places: int, line: int) -> int:
    if mapping.amount_column:
        return _amount_or_error(cell("amount"), mapping, places, line) or 0
    out = _amount_or_error(cell("debit"), mapping, places, line) or 0
    came = _amount_or_error(cell("credit"), mapping, places, line) or 0
    return abs(came) - abs(out)


# --- OFX ------------------------------------------------------------------------------------


def read_ofx(data: bytes, account_id: int) -> Read:
    """An OFX statement (v1 SGML or v2 XML): its one bank or card statement's transactions,
    its ledger balance as the closing balance."""
    from ofxtools.Parser import OFXTree

    currency = money.network_currency()
    places = money.digits(currency)
    try:
        tree = OFXTree()
        tree.parse(io.BytesIO(data))
        statements = [s for s in tree.convert().statements if hasattr(s, "banktranlist")]
    except Exception:  # ofxtools raises many kinds; any of them means unreadable
        raise _error(_("This OFX file cannot be read."), "not_ofx") from None
    if len(statements) != 1:
        raise _error(
            _("This OFX file holds %(count)s statements; export one account at a time.")
            % {"count": len(statements)},
            "statements",
        )
    statement = statements[0]
    if statement.curdef and statement.curdef != currency:
        raise _wrong_currency(statement.curdef, currency)
    found = []
    for line in statement.banktranlist or []:
        amount = _minor(line.trnamt, currency, places)
        if not amount:
            continue
        words = " ".join(part for part in (line.name, line.memo) if part)
        reference = line.checknum or line.refnum or ""
        found.append((line.dtposted.date(), amount, words, reference, line.fitid))
    read = Read(StatementFormat.OFX, rows=_keyed(account_id, found))
    if statement.ledgerbal is not None:
        read.closing = _minor(statement.ledgerbal.balamt, currency, places)
    listed = statement.banktranlist
    if listed is not None and listed.dtstart and listed.dtend:
        read.start, read.end = listed.dtstart.date(), listed.dtend.date()
    return _finish(read)


# --- CAMT.053 -------------------------------------------------------------------------------


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _child(element, *path: str):
    """The first descendant along `path` by local names (any version's namespace)."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c) == name), None)
    return element


def _children(element, name: str) -> list:
    return [c for c in element if _local(c) == name] if element is not None else []


def _text(element, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _camt_date(element) -> Date | None:
    text = _text(element, "Dt") or _text(element, "DtTm")
    if not text:
        return None
    try:
        return Date.fromisoformat(text[:10])
    except ValueError:
        raise _error(_("This CAMT.053 file has a date that is not one."), "date") from None


def _camt_amount(element, currency: str, places: int) -> int:
    amount = _child(element, "Amt")
    if amount is None:
        raise _error(_("This CAMT.053 file has an entry without an amount."), "amount")
    if amount.get("Ccy", currency) != currency:
        raise _wrong_currency(amount.get("Ccy"), currency)
    try:
        value = Decimal((amount.text or "").strip())
    except InvalidOperation:
        raise _error(_("This CAMT.053 file has an amount that is not one."), "amount") from None
    minor = _minor(value, currency, places)
    return -minor if _text(element, "CdtDbtInd") == "DBIT" else minor


def read_camt(data: bytes, account_id: int) -> Read:
    """An ISO 20022 camt.053 statement: its booked entries, and its opening (OPBD) and closing
    (CLBD) booked balances. Parsed by defusedxml: no entities, no DTD, no outside fetches."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    currency = money.network_currency()
    places = money.digits(currency)
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise _error(_("This CAMT.053 file cannot be read."), "not_camt") from None
    statements = _children(_child(root, "BkToCstmrStmt"), "Stmt")
    if len(statements) != 1:
        raise _error(
            _("This CAMT.053 file holds %(count)s statements; export one account at a time.")
            % {"count": len(statements)},
            "statements",
        )
    statement = statements[0]
    found = []
    for entry in _children(statement, "Ntry"):
        status = _text(entry, "Sts") or _text(entry, "Sts", "Cd")
        if status and status != "BOOK":
            continue  # pending or for information: not money that moved yet
        amount = _camt_amount(entry, currency, places)
        day = _camt_date(_child(entry, "BookgDt")) or _camt_date(_child(entry, "ValDt"))
        if day is None:
            raise _error(_("This CAMT.053 file has an entry without a date."), "date")
        details = _child(entry, "NtryDtls", "TxDtls")
        words = [_text(details, "RmtInf", "Ustrd")]
        for party in ("Dbtr", "Cdtr"):
            words.append(_text(details, "RltdPties", party, "Nm"))
            words.append(_text(details, "RltdPties", party, "Pty", "Nm"))
        words.append(_text(entry, "AddtlNtryInf"))
        end_to_end = _text(details, "Refs", "EndToEndId")
        reference = end_to_end if end_to_end and end_to_end != "NOTPROVIDED" else ""
        bank_id = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
        description = " ".join(word for word in words if word)
        # The bank's own id of the entry keys it; only the payer's reference is compared.
        found.append((day, amount, description, reference, bank_id))
    read = Read(StatementFormat.CAMT, rows=_keyed(account_id, found))
    for balance in _children(statement, "Bal"):
        kind = _text(balance, "Tp", "CdOrPrtry", "Cd")
        if kind in ("OPBD", "PRCD") and read.opening is None:
            read.opening = _camt_amount(balance, currency, places)
        elif kind == "CLBD":
            read.closing = _camt_amount(balance, currency, places)
    period = _child(statement, "FrToDt")
    if period is not None:
        try:
            read.start = Date.fromisoformat(_text(period, "FrDtTm")[:10])
            read.end = Date.fromisoformat(_text(period, "ToDtTm")[:10])
        except ValueError:
            read.start = read.end = None
    return _finish(read)


def read_statement(data: bytes, *, mapping: BankMapping | None, account_id: int) -> Read:
    """Any statement file: the kind is found from its bytes; a CSV needs its bank mapping."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_big()
    kind = sniff(data)
    if kind == StatementFormat.OFX:
        return read_ofx(data, account_id)
    if kind == StatementFormat.CAMT:
        return read_camt(data, account_id)
    if mapping is None:
        raise _error(
            _("This is a CSV file: choose the bank mapping that says how to read it."),
            "mapping",
        )
    return read_csv(data, mapping)
