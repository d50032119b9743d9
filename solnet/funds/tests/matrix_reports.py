"""Rows of the authorization matrix for the report and journal-export pages (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use).

The objects are made the first time a row needs them: a fund with one donation, the
published report, and one export of the journal asked for by the fund-committee persona,
approved by a second treasurer and produced."""

from __future__ import annotations

from solnet.core.tests import test_authorization_matrix as matrix

NOT_PENDING = [p for p in matrix.PERSONA_NAMES if p != "pending"]


def _books(objects) -> dict:
    if "report_fund" not in objects:
        from datetime import date

        from solnet.funds import ledger
        from solnet.funds.models import Fund

        fund = Fund.objects.create(name="Matrix strike fund", kind="strike")
        ledger.post_entry(
            kind="donation",
            date=date(2026, 1, 5),
            lines=[
                ledger.Line(ledger.standard_account("Assets:Bank"), 2500, fund),
                ledger.Line(ledger.standard_account("Income:Donations"), -2500, fund),
            ],
        )
        objects["report_fund"] = fund
    return objects


def _report(objects) -> dict:
    return {"public_id": _books(objects)["report_fund"].public_id}


def _published(objects) -> dict:
    from solnet.funds.models import Books

    _books(objects)
    books = Books.current()
    if not books.publish_report:
        books.publish_report = True
        books.save()
    return {}


def _journal_export(objects) -> dict:
    if "journal_export" not in objects:
        from conftest import make_member
        from solnet.core import twoperson
        from solnet.core.models import SealedFile
        from solnet.funds import export_tasks, journal_exports
        from solnet.members.models import Role

        _books(objects)
        second, _secret = make_member("matrix_treasurer", roles=(Role.FUND_COMMITTEE,))
        export = journal_exports.request_export(
            kind="beancount", by=objects["personas"]["fund_committee"].member
        )
        twoperson.approve_request(approval=export, approver=second)
        export_tasks.produce_journal_export.call_local(SealedFile.objects.get(approval=export).pk)
        objects["journal_export"] = export
    return {"public_id": objects["journal_export"].public_id}


PAGES: dict = {
    "funds:report": matrix.Row(
        matrix.only(*matrix.MEMBERS_UP),
        kwargs=_report,
        note="every member sees where the money went, never whose",
    ),
    "funds:public_report": matrix.Row(
        matrix.only(*NOT_PENDING),
        kwargs=_published,
        note="published by the network: anyone, even signed out; a pending joiner is held "
        "at the waiting page",
    ),
    "funds:export_new": matrix.Row(
        matrix.only("fund_committee"), "post", data=lambda o: {"format": "csv"}
    ),
    "funds:export_detail": matrix.Row(
        matrix.only("fund_committee"),
        kwargs=_journal_export,
        note="the fund-committee persona's own export",
    ),
    "funds:export_download": matrix.Row(
        matrix.only("fund_committee"),
        kwargs=_journal_export,
        note="only the treasurer who asked; not even the one who approved",
    ),
}
API_OPERATIONS: dict = {}
