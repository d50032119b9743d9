"""The funds' part of the object-id swap's foreign world Y (core/tests/test_object_id_swap.py,
SECURITY.md A-2): objects of the kinds the funds' matrix rows make (matrix_*.py), each hidden
from the persona that asks for it, under the keys those rows cache theirs under. With every
key present, the rows' kwargs functions return Y's ids instead of making fresh objects.

- another member's aid request (with a receipt) to a hardship fund decided by a committee
  neither the applicant persona nor the committee persona sits on; a mutual-aid fund whose
  public request form is off; a lottery fund with this month's draw;
- a fund that is closed (its donation page off), and a strike fund whose public page is off,
  with another striker, another donor's pledge and their match;
- a journal export another treasurer asked for, approved by the fund-committee persona;
- a need of an action the personas do not see, another member's supply pledge (to the
  picket the member persona sees), an inventory item;
- a bank statement with one line, uploaded by another treasurer.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from conftest import Persona, make_member, tiny_png
from solnet.members.models import Member, Role


def funds_world(
    personas: dict[str, Persona],
    objects: dict[str, Any],
    *,
    mark: str,
    hidden_action,
    team: Member,
) -> dict[str, Any]:
    """`hidden_action` is an action none of the personas sees, run by `team`; every text of
    Y carries `mark`."""
    return {
        **_aid(personas, mark),
        **_matching(personas, mark),
        **_books(personas, mark),
        **_supplies(personas, objects, mark, hidden_action, team),
        **_statement(mark),
    }


def _aid(personas, mark: str) -> dict[str, Any]:
    from solnet.councils.models import Committee, Council
    from solnet.democracy.models import Body
    from solnet.democracy.services import body_of_committee
    from solnet.funds import aid, lottery_seed
    from solnet.funds import services as books
    from solnet.people.services import own_record

    treasurer = personas["fund_committee"].member
    council = Council.objects.create(name=f"{mark} tenants", kind="tenant")
    committee = Committee.objects.create(council=council, name=f"{mark} hardship")
    seated = [make_member(f"y_seat{n}")[0] for n in range(3)]
    committee.members.add(*(own_record(member=m) for m in seated))
    fund = books.create_fund(
        by=treasurer,
        name=f"{mark} hardship fund",
        kind="hardship",
        body=body_of_committee(committee),
        cap=100000,
    )
    lottery_fund = books.create_fund(
        by=treasurer,
        name=f"{mark} lottery fund",
        kind="mutual_aid",
        body=Body.objects.general(),
        decider="lottery",
    )
    lottery_seed.current_draw(lottery_fund)
    request = aid.ask_for_aid(
        fund=fund,
        by=make_member("y_applicant")[0],
        amount=20000,
        purpose="rent",
        details=f"{mark} details",
        receipts=[tiny_png()],
    )
    return {
        "aid_fund": fund,
        # anyone may ask it, but its public form is off
        "aid_public_fund": books.create_fund(
            by=treasurer,
            name=f"{mark} neighbours' fund",
            kind="mutual_aid",
            body=Body.objects.general(),
            members_only=False,
            public_requests=False,
        ),
        "aid_lottery_fund": lottery_fund,
        "aid_request": request,
        "aid_receipt": request.receipts.get(),
    }


def _matching(personas, mark: str) -> dict[str, Any]:
    from solnet.funds import matching
    from solnet.funds.models import Fund, FundKind, Match
    from solnet.funds.tests.making import give, make_fund

    treasurer = personas["fund_committee"].member
    fund = make_fund(f"{mark} strike fund", kind=FundKind.STRIKE, public_donations=False)
    give(fund, 5000)  # the journal has an entry to export
    recipient = matching.ask_to_receive(
        fund=fund,
        by=make_member("y_striker")[0],
        shown_name=f"{mark} Sam",
        payment_handle=f"{mark} handle",
        need=50000,
    )
    matching.verify_recipient(recipient=recipient, by=treasurer, verified=True)
    pledge = matching.pledge(
        fund=fund,
        by=make_member("y_donor")[0],
        amount=4000,
        key="y1",
        named=True,
        donor_name=f"{mark} donor",
    )
    matching.run_round(fund=fund, by=treasurer)
    return {
        "match_fund": fund,
        "match_recipient": recipient,
        "match_pledge": pledge,
        "match": Match.objects.get(pledge=pledge),
        "report_fund": fund,
        # takes donations online, but is closed: its page is off
        "givable_fund": Fund.objects.create(
            name=f"{mark} closed fund",
            kind=FundKind.STRIKE,
            public_donations=True,
            closed_at=timezone.now(),
        ),
    }


def _books(personas, mark: str) -> dict[str, Any]:
    """Another treasurer's export of the journal, approved by the fund-committee persona."""
    from solnet.core import twoperson
    from solnet.core.models import SealedFile
    from solnet.funds import export_tasks, journal_exports

    other, _secret = make_member("y_treasurer", roles=(Role.FUND_COMMITTEE,))
    export = journal_exports.request_export(kind="csv", by=other)
    twoperson.approve_request(approval=export, approver=personas["fund_committee"].member)
    export_tasks.produce_journal_export.call_local(SealedFile.objects.get(approval=export).pk)
    return {"journal_export": export}


def _supplies(personas, objects, mark: str, hidden_action, team: Member) -> dict[str, Any]:
    from solnet.funds import supplies

    organizer = personas["organizer"].member
    hidden_need = supplies.add_need(
        action=hidden_action, by=team, kind="water", quantity=12, label=f"{mark} water"
    )
    # another member's pledge to the picket the member persona sees too
    picket_need = supplies.add_need(action=objects["action"], by=organizer, kind="food", quantity=5)
    pledger, _secret = make_member("y_pledger")
    pledge = supplies.pledge(need=picket_need, by=pledger, quantity=2)
    pledge.name = f"{mark} pledger"
    pledge.save(update_fields=["name"])
    item = supplies.add_item(
        by=organizer,
        kind="heaters",
        label=f"{mark} heater",
        quantity=1,
        keeper=team,
        where=f"{mark} basement",
        condition="good",
    )
    return {"supply_need": hidden_need, "supply_pledge": pledge, "inventory_item": item}


def _statement(mark: str) -> dict[str, Any]:
    from solnet.funds import ledger, statements
    from solnet.funds.tests.matrix_statements import OFX

    ledger.open_standard_accounts()
    data = OFX.replace(b"<FITID>M1", b"<FITID>Y1").replace(b"<NAME>FEE", f"<NAME>{mark}".encode())
    statement = statements.upload_statement(
        by=make_member("y_bookkeeper", roles=(Role.FUND_COMMITTEE,))[0],
        data=data,
        account=ledger.standard_account("Assets:Bank"),
    )
    statements.import_statement(public_id=statement.public_id)
    return {"bank_statement": statement}
