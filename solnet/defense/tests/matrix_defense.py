"""Rows of the authorization matrix for the hotline (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use)."""

from __future__ import annotations

from solnet.core.tests import test_authorization_matrix as matrix

DISPATCHER = ["dispatcher"]


def _report(objects) -> dict:
    if "defense_report" not in objects:
        from solnet.defense.tests.making import make_report

        objects["defense_report"] = make_report()
    return {"public_id": objects["defense_report"].public_id}


def _slot(objects) -> dict:
    if "defense_slot" not in objects:
        from solnet.defense.tests.making import make_slot

        objects["defense_slot"] = make_slot()
    return {"public_id": objects["defense_slot"].public_id}


def _verification(objects) -> dict:
    """An ask to the member persona to go and look at the matrix's report."""
    if "defense_verification" not in objects:
        from solnet.defense.models import Verification

        _report(objects)
        objects["defense_verification"] = Verification.objects.create(
            report=objects["defense_report"], verifier=objects["personas"]["member"].member
        )
    return {"public_id": objects["defense_verification"].public_id}


def _conversation(objects) -> dict:
    if "defense_conversation" not in objects:
        from solnet.defense.tests.making import make_conversation

        objects["defense_conversation"] = make_conversation()
    return {"public_id": objects["defense_conversation"].public_id}


def _incident(objects) -> dict:
    """A confirmed incident the member persona (a legal observer) is checked in to, with an
    entry of theirs carrying a photo."""
    if "defense_incident" not in objects:
        from solnet.defense.tests.making import make_incident

        objects["defense_incident"], objects["defense_entry"] = make_incident(
            objects["personas"]["member"].member
        )
    return {"public_id": objects["defense_incident"].public_id}


def _entry(objects) -> dict:
    return {**_incident(objects), "entry_id": objects["defense_entry"].public_id}


def _arrestee(objects) -> dict:
    """A case the dispatcher persona recorded and supports, with a family task."""
    if "defense_arrestee" not in objects:
        from solnet.defense.tests.making import make_arrestee

        objects["defense_arrestee"] = make_arrestee(objects["personas"]["dispatcher"].member)
    return {"public_id": objects["defense_arrestee"].public_id}


def _task(objects) -> dict:
    kwargs = _arrestee(objects)
    return {**kwargs, "task_id": objects["defense_arrestee"].tasks.get().public_id}


def _court_date(objects) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    return {"at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")}


def _legal_link(objects) -> dict:
    if "defense_legal_token" not in objects:
        from solnet.defense.tests.making import make_handoff

        objects["defense_legal_token"] = make_handoff()
    return {"token": objects["defense_legal_token"]}


def _card(objects) -> dict:
    if "defense_card" not in objects:
        from solnet.defense.models import RightsCard

        objects["defense_card"] = RightsCard.objects.create(
            language="en", title="If agents come to your door", body="Do not open the door."
        )
    return {"public_id": objects["defense_card"].public_id}


def _address(objects) -> dict:
    from solnet.defense.tests.making import open_public_form

    return {"address": open_public_form()}


PAGES: dict = {
    # Dispatchers get the desk; other members, where to send a report.
    "defense:home": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    "defense:handover": matrix.Row(
        matrix.only(*DISPATCHER), "post", data=lambda o: {"note": "Call back the caller at 9."}
    ),
    "defense:hotline": matrix.Row(matrix.only(*DISPATCHER)),
    "defense:rota": matrix.Row(matrix.only(*DISPATCHER)),
    # The printed card, a dispatcher's: the row opens the public form first, so that there is
    # something to print.
    "defense:hotline_card": matrix.Row(
        matrix.only(*DISPATCHER), kwargs=lambda o: _address(o) and {}
    ),
    "defense:slot": matrix.Row(matrix.only(*DISPATCHER), kwargs=_slot),
    "defense:slot_remove": matrix.Row(matrix.only(*DISPATCHER), "post", _slot),
    "defense:slot_cover": matrix.Row(
        matrix.only(*DISPATCHER), "post", _slot, lambda o: {"duty": "primary"}
    ),
    "defense:report_new": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    "defense:report": matrix.Row(matrix.only(*DISPATCHER), kwargs=_report),
    "defense:report_close": matrix.Row(
        matrix.only(*DISPATCHER),
        "post",
        _report,
        lambda o: {"status": "false_alarm", "note": "Nobody there."},
    ),
    "defense:report_verify": matrix.Row(
        matrix.only(*DISPATCHER), "post", _report, lambda o: {"verifiers": []}
    ),
    "defense:report_alert": matrix.Row(
        matrix.only(*DISPATCHER), "post", _report, lambda o: {"message": "Go to Alder St"}
    ),
    "defense:report_after": matrix.Row(
        matrix.only(*DISPATCHER),
        "post",
        _report,
        lambda o: {"outcome": "stopped"},
        note="the matrix's report is not over: refused with its reason (422)",
    ),
    # What every member sees of the rapid response, describing no one.
    "defense:figures": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    # The verifier asked, alone: here the member persona.
    "defense:verify": matrix.Row(matrix.only("member"), kwargs=_verification),
    # Anyone with the secret address, signed in or not (the address is the key); a pending
    # joiner is held at the waiting page, as everywhere.
    "defense:public_report": matrix.Row(matrix.NOT_PENDING, kwargs=_address),
    # What one number said on the phone line: the dispatchers'.
    "defense:conversation": matrix.Row(matrix.only(*DISPATCHER), kwargs=_conversation),
    # No phone line in the matrix's network: a dispatcher's answer is refused with its reason
    # (422), everyone else's with 403/redirect.
    "defense:conversation_reply": matrix.Row(
        matrix.only(*DISPATCHER), "post", _conversation, lambda o: {"body": "On our way."}
    ),
    "defense:conversation_close": matrix.Row(matrix.only(*DISPATCHER), "post", _conversation),
    # Field notes: observers' incidents (an empty list for members called to none).
    "defense:incidents": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    # The member persona is a legal observer checked in to the incident; dispatchers read
    # every incident's notes. Writing is the observers' alone (403 for a dispatcher); a
    # dispatcher asking to correct an entry is sent back to the notes with the reason.
    "defense:incident": matrix.Row(matrix.only("member", *DISPATCHER), kwargs=_incident),
    "defense:incident_check_in": matrix.Row(
        matrix.only("member", *DISPATCHER),
        "post",
        _incident,
        note="already checked in, or told a dispatcher without the skill cannot be",
    ),
    "defense:entry_new": matrix.Row(
        matrix.only("member"),
        "post",
        _incident,
        lambda o: {"kind": "agencies", "what": "Two police cars"},
    ),
    "defense:entry_correct": matrix.Row(matrix.only("member", *DISPATCHER), kwargs=_entry),
    "defense:entry_annotate": matrix.Row(
        matrix.only("member"), "post", _entry, lambda o: {"what": "Car 22-113"}
    ),
    "defense:entry_media": matrix.Row(matrix.only("member", *DISPATCHER), kwargs=_entry),
    # Jail support: dispatchers (and the LO coordinator) keep every case; a member reads the
    # cases they support (none, for the matrix's member).
    "defense:cases": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    "defense:arrest_new": matrix.Row(matrix.only(*DISPATCHER), kwargs=_incident),
    "defense:arrestee": matrix.Row(matrix.only(*DISPATCHER), kwargs=_arrestee),
    "defense:arrestee_edit": matrix.Row(matrix.only(*DISPATCHER), kwargs=_arrestee),
    "defense:arrestee_status": matrix.Row(
        matrix.only(*DISPATCHER), "post", _arrestee, lambda o: {"status": "released"}
    ),
    "defense:court_date_add": matrix.Row(matrix.only(*DISPATCHER), "post", _arrestee, _court_date),
    "defense:task_add": matrix.Row(
        matrix.only(*DISPATCHER), "post", _arrestee, lambda o: {"what": "Call her sister"}
    ),
    "defense:task_done": matrix.Row(
        matrix.only(*DISPATCHER), "post", _task, note="a second time: told it is done already"
    ),
    "defense:bail_ask": matrix.Row(
        matrix.only(*DISPATCHER),
        "post",
        _arrestee,
        lambda o: {"pay_to_name": "Court", "pay_to_details": "Case 1"},
        note="no bail fund in the matrix's network: the form comes back (422)",
    ),
    # The legal hand-off: asked by a dispatcher (no legal contact in the matrix's network: the
    # incident's page says so); the legal contact's page and download, anyone with the link.
    "defense:handoff": matrix.Row(matrix.only(*DISPATCHER), "post", _incident),
    "defense:handoff_link": matrix.Row(
        matrix.only(*DISPATCHER), "post", _incident, note="no bundle yet: told so"
    ),
    "defense:legal_bundle": matrix.Row(matrix.NOT_PENDING, kwargs=_legal_link),
    "defense:legal_download": matrix.Row(matrix.NOT_PENDING, kwargs=_legal_link),
    # Know-your-rights cards: anyone reads and prints them (a pending joiner is held at the
    # waiting page, as everywhere); dispatchers write them.
    "defense:rights": matrix.Row(matrix.NOT_PENDING),
    "defense:rights_pdf": matrix.Row(matrix.NOT_PENDING),
    "defense:rights_edit": matrix.Row(matrix.only(*DISPATCHER)),
    "defense:rights_card": matrix.Row(matrix.only(*DISPATCHER), kwargs=_card),
    "defense:rights_delete": matrix.Row(matrix.only(*DISPATCHER), "post", _card),
    # The gateway's webhooks for the hotline's number: taken only with its signature
    # (defense/tests/test_line.py posts signed ones). Unsigned, refused for everyone alike.
    "defense:voice": matrix.Row(
        matrix.only(),
        "post",
        data=lambda o: {"CallSid": "CA" + "0" * 32, "From": "+12065550100", "To": "+1206"},
        note="unsigned: 403 for all",
    ),
    "defense:voice_after": matrix.Row(
        matrix.only(),
        "post",
        data=lambda o: {"CallSid": "CA" + "0" * 32, "DialCallStatus": "no-answer"},
        note="unsigned: 403 for all",
    ),
    "defense:text": matrix.Row(
        matrix.only(),
        "post",
        data=lambda o: {"MessageSid": "SM" + "0" * 32, "From": "+12065550100", "Body": "help"},
        note="unsigned: 403 for all",
    ),
}
API_OPERATIONS: dict = {}
