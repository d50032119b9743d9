"""The journal as a file: CSV (one row per leg) or a Beancount ledger that `bean-check`
accepts, and the worker's part of an approved export (`journal_exports` asks and approves).

The file holds the books and nothing about people: accounts, entries with their memos
(written to name nobody), references, the decisions behind them, amounts and funds. Donors
and applicants are not in the ledger, so they cannot be in the file.

Beancount: an `open` directive for every account with the network's currency on the day of
its first leg (or its opening, if earlier); each entry a transaction whose metadata holds the
entry's public id (`entry`), its kind and, where there is one, the decision behind it and the
entry it corrects; each posting its fund as `fund: "<name>"`. Amounts are written with the
currency's own number of decimals (`money.plain`: 12.50 USD, 1250 JPY).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date as Date

from django.conf import settings
from django.db.models import Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.core import audit, sealed
from solnet.core.models import SealedFile
from solnet.funds.access import can_keep_books
from solnet.funds.models import Account, Entry, Leg
from solnet.funds.money import network_currency, plain
from solnet.network.models import Network

ACTION = "funds.export_journal"
BATCH = 500
FORMATS = {
    # format: (file extension, content type)
    "csv": ("csv", "text/csv; charset=utf-8"),
    "beancount": ("beancount", "text/plain; charset=utf-8"),
}
CSV_HEADER = (
    gettext_lazy("Date"),
    gettext_lazy("Entry"),
    gettext_lazy("Kind"),
    gettext_lazy("Memo"),
    gettext_lazy("Reference"),
    gettext_lazy("Decision"),
    gettext_lazy("Corrects"),
    gettext_lazy("Account"),
    gettext_lazy("Account name"),
    gettext_lazy("Fund"),
    gettext_lazy("Amount"),
    gettext_lazy("Currency"),
)


def _entries():
    """Every entry, oldest first, with its legs (fetched in batches, not one by one)."""
    return (
        Entry.objects.select_related("reverses")
        .prefetch_related("legs__account", "legs__fund")
        .order_by("date", "posted_at", "id")
    )


# --- CSV -----------------------------------------------------------------------------------


def _cell(value: str) -> str:
    """Spreadsheets run a cell that starts like a formula: such text is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(entries, code: str) -> Iterator[tuple[str, int]]:
    """The CSV, a few rows at a time, with how many entries are written so far."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(title) for title in CSV_HEADER])
    done = 0
    for entry in entries.iterator(chunk_size=BATCH):
        for leg in entry.legs.all():
            writer.writerow(
                [
                    entry.date.isoformat(),
                    entry.public_id,
                    entry.kind,
                    _cell(entry.memo),
                    _cell(entry.reference),
                    entry.decision,
                    entry.reverses.public_id if entry.reverses else "",
                    leg.account.code,
                    _cell(leg.account.name),
                    _cell(leg.fund.name) if leg.fund else "",
                    plain(leg.amount, code),  # a minus sign is a number here, not a formula
                    code,
                ]
            )
        done += 1
        if done % BATCH == 0:
            yield buffer.getvalue(), done
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue(), done


# --- Beancount -----------------------------------------------------------------------------


def _string(value: str) -> str:
    """A Beancount string: quoted, on one line, its quotes and backslashes escaped."""
    flat = " ".join(str(value).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _open_dates() -> dict[int, Date]:
    """The day each account opens in the file: its first leg's, or its own if earlier (an
    opening balance may be dated before the account was made)."""
    first_legs = dict(Leg.objects.values_list("account_id").annotate(first=Min("date")).order_by())
    dates = {}
    for account in Account.objects.all():
        opened = timezone.localdate(account.created_at)
        first = first_legs.get(account.pk)
        dates[account.pk] = min(opened, first) if first else opened
    return dates


def beancount_lines(entries, code: str, *, title: str) -> Iterator[tuple[str, int]]:
    """The Beancount ledger, a few transactions at a time, with how many are written."""
    out = [
        f"; {_('The journal of %(network)s') % {'network': title}}",
        f"; {_('Exported on %(day)s') % {'day': timezone.localdate().isoformat()}}",
        f"option {_string('title')} {_string(title)}",
        f"option {_string('operating_currency')} {_string(code)}",
        "",
    ]
    opens = _open_dates()
    for account in Account.objects.order_by("code"):
        out.append(f"{opens[account.pk].isoformat()} open {account.code} {code}")
        out.append(f"  name: {_string(account.name)}")
    out.append("")
    done = 0
    for entry in entries.iterator(chunk_size=BATCH):
        narration = entry.memo or entry.get_kind_display()
        out.append(f"{entry.date.isoformat()} * {_string(narration)}")
        out.append(f"  entry: {_string(entry.public_id)}")
        out.append(f"  kind: {_string(entry.kind)}")
        if entry.reference:
            out.append(f"  reference: {_string(entry.reference)}")
        if entry.decision:
            out.append(f"  decision: {_string(entry.decision)}")
        if entry.reverses:
            out.append(f"  corrects: {_string(entry.reverses.public_id)}")
        for leg in entry.legs.all():
            out.append(f"  {leg.account.code}  {plain(leg.amount, code)} {code}")
            if leg.fund:
                out.append(f"    fund: {_string(leg.fund.name)}")
        out.append("")
        done += 1
        if done % BATCH == 0:
            yield "\n".join(out) + "\n", done
            out = []
    yield "\n".join(out) + ("\n" if out else ""), done


def journal(kind: str) -> Iterator[tuple[str, int]]:
    """The whole journal in `kind` ("csv" or "beancount"), piece by piece."""
    code = network_currency()
    if kind == "csv":
        return csv_lines(_entries(), code)
    return beancount_lines(_entries(), code, title=Network.objects.current().name or "SolNet")


# --- the worker's part ---------------------------------------------------------------------


def produce_journal(*, sealed_file_id: int) -> None:
    """Writes an approved export of the journal into its sealed file, reporting progress
    after each batch of entries so the treasurer who asked can watch it."""
    file = (
        SealedFile.objects.select_related("approval", "owner")
        .filter(pk=sealed_file_id, purpose=ACTION, state=SealedFile.State.PRODUCING)
        .first()
    )
    if file is None or file.approval is None:
        return  # expired and purged meanwhile, or already done
    params = file.approval.params
    kind = params.get("format")
    if kind not in FORMATS or not can_keep_books(file.owner):
        sealed.mark_failed(file)
        audit.record("funds.export_failed", target=file)
        return
    total = Entry.objects.count()
    sealed.report_progress(file, done=0, total=total)
    done = 0
    with translation.override(params.get("language") or settings.LANGUAGE_CODE):
        try:
            with sealed.writing(file) as out:
                if kind == "csv":
                    out.write("\ufeff".encode())  # spreadsheets then read the file as UTF-8
                for text, done in journal(kind):
                    out.write(text.encode())
                    sealed.report_progress(file, done=done, total=max(total, done))
        except Exception:
            sealed.mark_failed(file)
            audit.record("funds.export_failed", target=file)
            raise
    if sealed.mark_ready(file, size=out.size, done=done):
        audit.record("funds.export_produced", target=file, count=done)
