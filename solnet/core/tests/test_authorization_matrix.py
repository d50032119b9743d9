"""The authorization matrix (SECURITY.md A-1).

Every URL pattern and every API operation has a row here saying, for every persona, whether it
may reach it. The test walks all of them and fails on any unexpected allow, any unexpected
denial, and any route without a row — so adding a route means deciding who may use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import PERSONA_NAMES, sign_in
from solnet.api import api
from solnet.members import services as member_services
from solnet.members.models import ApiScope, Tier
from solnet.people import merging
from solnet.people.tests.importing import fix_kwargs, flag_kwargs, import_kwargs, merge_kwargs

A, D = "allow", "deny"
SIGNED_IN = [p for p in PERSONA_NAMES if p != "outsider"]
APPROVED = [p for p in SIGNED_IN if p != "pending"]
# tier Member or above
MEMBERS_UP = ["member", "organizer", "fund_committee", "dispatcher", "fight_team"]
ORGANIZERS = ["organizer"]


def only(*allowed: str) -> dict[str, str]:
    return {p: (A if p in allowed else D) for p in PERSONA_NAMES}


EVERYONE = only(*PERSONA_NAMES)
NOT_PENDING = only(*[p for p in PERSONA_NAMES if p != "pending"])


@dataclass
class Row:
    expect: dict[str, str]
    method: str = "get"
    kwargs: Callable[[dict], dict] = lambda objects: {}
    data: Callable[[dict], dict] = lambda objects: {}
    # Where an allowed request may legitimately be redirected to the sign-in page (a logout).
    allowed_login_redirect: bool = False
    note: str = ""


def _pending_joiner(objects):
    return {"public_id": objects["joiner"].public_id}


def _member(objects):
    return {"public_id": objects["target"].public_id}


def _council(objects):
    return {"public_id": objects["council"].public_id}


def _site(objects):
    return {**_council(objects), "site_id": objects["site"].public_id}


def _charted(objects):
    return {**_council(objects), "person_id": objects["council_membership"].person.public_id}


PAGES: dict[str, Row] = {
    "home": Row(NOT_PENDING, note="a pending joiner is held at the waiting page"),
    "join": Row(EVERYONE, kwargs=lambda o: {"token": o["invitation_token"]}),
    "account_reset_password": Row(
        NOT_PENDING,
        kwargs=lambda o: {"token": o["reset_token"]},
        note="the link is the key: whoever holds it sets a password, and still needs the "
        "member's second factor to sign in; a signed-in joiner is held at the waiting page",
    ),
    "members:list": Row(only(*APPROVED)),
    "members:waiting": Row(only(*SIGNED_IN)),
    "members:pending": Row(only(*MEMBERS_UP)),
    "members:pending_approve": Row(only(*MEMBERS_UP), "post", _pending_joiner),
    "members:pending_decline": Row(only(*MEMBERS_UP), "post", _pending_joiner),
    "members:invitations": Row(only(*MEMBERS_UP)),
    "members:invitation_revoke": Row(
        only("member", "organizer"),
        "post",
        lambda o: {"public_id": o["invitation"].public_id},
        note="made by the member persona: the maker and organizers may revoke it",
    ),
    "members:me": Row(only(*APPROVED), note="pending joiners are sent to the waiting page"),
    "members:security": Row(only(*SIGNED_IN)),
    "members:panic": Row(only(*SIGNED_IN), "post", allowed_login_redirect=True),
    "members:restore_contacts": Row(only(*SIGNED_IN), "post"),
    "members:api_tokens": Row(only(*APPROVED)),
    "members:api_token_revoke": Row(
        only("member"), "post", lambda o: {"public_id": o["api_token"].public_id}
    ),
    "members:detail": Row(
        only(*MEMBERS_UP, "supporter"),
        kwargs=lambda o: {"public_id": o["personas"]["supporter"].member.public_id},
        note="the supporter persona's own page: members see it, the supporter sees themself",
    ),
    "members:tier": Row(only(*ORGANIZERS), "post", _member, lambda o: {"tier": Tier.PHONE_TREE}),
    "members:role_grant": Row(
        only(*ORGANIZERS), "post", _member, lambda o: {"role": "facilitator"}
    ),
    "members:role_revoke": Row(
        only(*ORGANIZERS), "post", _member, lambda o: {"role": "facilitator"}
    ),
    "members:deactivate": Row(only(*ORGANIZERS), "post", _member),
    "members:password_reset": Row(only(*ORGANIZERS), "post", _member),
    "network:setup": Row(only(*ORGANIZERS)),
    "people:list": Row(only(*ORGANIZERS)),
    "people:new": Row(only(*ORGANIZERS)),
    "people:detail": Row(
        only(*ORGANIZERS),
        kwargs=lambda o: {"public_id": o["person"].public_id},
        note="someone without an account: the organizing team's memory",
    ),
    "people:edit": Row(only(*ORGANIZERS), kwargs=lambda o: {"public_id": o["person"].public_id}),
    "people:ask_log": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"public_id": o["person"].public_id},
        lambda o: {"ask": "picket Friday", "answer": "yes"},
    ),
    "people:skill_add": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"public_id": o["person"].public_id},
        lambda o: {"skill-skill": "medic"},
    ),
    "people:skill_remove": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"public_id": o["person"].public_id, "skill": "driver"},
    ),
    "people:availability_add": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"public_id": o["person"].public_id},
        lambda o: {"available-weekday": 2, "available-starts": "18:00", "available-ends": "21:00"},
    ),
    "people:availability_remove": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"public_id": o["person"].public_id, "window_id": o["availability"].pk},
    ),
    "people:ask_settle": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"public_id": o["person"].public_id, "ask_id": o["commitment"].public_id},
    ),
    "people:requests": Row(only(*ORGANIZERS)),
    "people:tag_new": Row(only(*ORGANIZERS), "post", data=lambda o: {"name": "nights"}),
    "people:bulk_tag": Row(
        only(*ORGANIZERS),
        "post",
        data=lambda o: {"people": [o["person"].public_id], "tag": o["tag"].name},
    ),
    "people:filter_save": Row(
        only(*ORGANIZERS), "post", data=lambda o: {"name": "Spanish", "query": "language=es"}
    ),
    "people:filter_delete": Row(
        only(),
        "post",
        lambda o: {"public_id": o["saved_filter"].public_id},
        note="someone else's saved filter: 404 even for organizers",
    ),
    "people:request_accept": Row(
        only(*ORGANIZERS), "post", lambda o: {"public_id": o["join_request"].public_id}
    ),
    "people:request_decline": Row(
        only(*ORGANIZERS), "post", lambda o: {"public_id": o["join_request"].public_id}
    ),
    # people: import and merge
    "people:import_new": Row(only(*ORGANIZERS), note="organizers who may also read contacts"),
    "people:import_detail": Row(
        only(*ORGANIZERS), kwargs=import_kwargs, note="the organizer persona's own import"
    ),
    "people:import_columns": Row(only(*ORGANIZERS), kwargs=import_kwargs),
    "people:import_preview": Row(only(*ORGANIZERS), kwargs=import_kwargs),
    "people:import_fix": Row(
        only(*ORGANIZERS),
        "post",
        fix_kwargs,
        lambda o: {"row3-display_name": "Bea", "row3-email": "bea@example.org"},
    ),
    "people:import_start": Row(
        only(*ORGANIZERS), "post", import_kwargs, lambda o: {"skip_errors": "on"}
    ),
    "people:import_restart": Row(only(*ORGANIZERS), "post", import_kwargs),
    "people:import_delete": Row(only(*ORGANIZERS), "post", import_kwargs),
    "people:import_refused": Row(
        only(*ORGANIZERS), kwargs=import_kwargs, note="the import's own organizer only"
    ),
    "people:flag_dismiss": Row(
        only(*ORGANIZERS), "post", flag_kwargs, note="whoever keeps the records"
    ),
    "people:merge_pick": Row(
        only(*ORGANIZERS), kwargs=lambda o: {"public_id": o["person"].public_id}
    ),
    "people:merge": Row(
        only(*ORGANIZERS),
        "post",
        merge_kwargs,
        lambda o: dict.fromkeys(merging.CHOSEN_FIELDS, "this"),
    ),
    "councils:list": Row(
        only(*ORGANIZERS, "member"), note="the member persona belongs to the council"
    ),
    "councils:new": Row(only(*ORGANIZERS)),
    "councils:detail": Row(
        only(*ORGANIZERS, "member"), kwargs=lambda o: {"public_id": o["council"].public_id}
    ),
    "councils:site_add": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"public_id": o["council"].public_id},
        lambda o: {"name": "Annex", "kind": "building"},
    ),
    "councils:member_add": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"person_id": o["person"].public_id},
        lambda o: {"council": o["council"].public_id, "role": "member"},
    ),
    "councils:member_remove": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {
            "public_id": o["council"].public_id,
            "person_id": o["council_membership"].person.public_id,
        },
    ),
    # councils: structure, committees, charting
    "councils:chart": Row(
        only(*ORGANIZERS),
        kwargs=_site,
        note="the member persona is a plain council member: no chart for them",
    ),
    "councils:section_add": Row(
        only(*ORGANIZERS), "post", _site, lambda o: {"kind": "unit", "name": "4B"}
    ),
    "councils:committee_new": Row(
        only(*ORGANIZERS), "post", _council, lambda o: {"name": "Repairs committee"}
    ),
    "councils:committee": Row(
        only(*ORGANIZERS, "member"),
        kwargs=lambda o: {**_council(o), "committee_id": o["committee"].public_id},
        note="council members see their committees",
    ),
    "councils:committee_member_add": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {**_council(o), "committee_id": o["committee"].public_id},
        lambda o: {"person": o["council_membership"].person.public_id},
    ),
    "councils:committee_member_remove": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {
            **_council(o),
            "committee_id": o["committee"].public_id,
            "person_id": o["council_membership"].person.public_id,
        },
    ),
    "councils:membership": Row(
        only(*ORGANIZERS), kwargs=_charted, note="not even the member persona's own"
    ),
    "councils:membership_place": Row(
        only(*ORGANIZERS), "post", _charted, lambda o: {"site": o["site"].public_id}
    ),
    "councils:membership_assess": Row(only(*ORGANIZERS), "post", _charted, lambda o: {"level": 2}),
    "councils:one_on_one_log": Row(
        only(*ORGANIZERS),
        "post",
        _charted,
        lambda o: {"held_on": str(o["one_on_one"].held_on), "good": "on"},
    ),
    "councils:follow_up_done": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {**_charted(o), "talk_id": o["one_on_one"].public_id},
    ),
    "join_us": Row(NOT_PENDING, note="the public page; a joiner is held at the waiting page"),
    "join_us_thanks": Row(NOT_PENDING),
    "people:me": Row(only(*SIGNED_IN), note="everyone's own record, joiners' too"),
    "people:me_channel": Row(
        only("member"),
        "post",
        lambda o: {"channel_id": o["own_channel"].pk},
        lambda o: {"reachable": "yes"},
        note="a channel of the member persona's own record: nobody else's to change",
    ),
    "people:channel_consent": Row(
        only(*ORGANIZERS),
        "post",
        lambda o: {"public_id": o["person"].public_id, "channel_id": o["channel"].pk},
        lambda o: {"reachable": "no"},
    ),
    "people:me_download": Row(only(*SIGNED_IN)),
    "people:me_delete": Row(only(*SIGNED_IN), note="the confirmation page"),
    "core:approvals": Row(only(*APPROVED)),
    "core:approval_approve": Row(
        only("member", "fund_committee", "dispatcher", "fight_team"),
        "post",
        lambda o: {"public_id": o["approval"].public_id},
        note="asked for by the organizer about the target: anyone of tier Member but the "
        "requester may approve",
    ),
    "core:approval_reject": Row(
        only("member", "organizer", "fund_committee", "dispatcher", "fight_team"),
        "post",
        lambda o: {"public_id": o["approval"].public_id},
        note="approvers reject; the organizer who asked withdraws",
    ),
    "account_login": Row(NOT_PENDING, note="signed-in people are sent on; a joiner to waiting"),
    "account_logout": Row(EVERYONE, "post", allowed_login_redirect=True),
    "account_inactive": Row(NOT_PENDING),
    "account_reauthenticate": Row(only(*SIGNED_IN)),
    "account_change_password": Row(only(*SIGNED_IN)),
    "mfa_index": Row(only(*SIGNED_IN)),
    "mfa_authenticate": Row(
        only(*SIGNED_IN), note="only meaningful half-way through a sign-in; else sends you on"
    ),
    "mfa_reauthenticate": Row(only(*SIGNED_IN)),
    "mfa_activate_totp": Row(only(*SIGNED_IN), note="with TOTP already on: sent to the index"),
    "mfa_deactivate_totp": Row(only(*SIGNED_IN)),
    "mfa_view_recovery_codes": Row(only(*SIGNED_IN)),
    "mfa_generate_recovery_codes": Row(only(*SIGNED_IN)),
    "mfa_download_recovery_codes": Row(only(*SIGNED_IN)),
    "mfa_list_webauthn": Row(only(*SIGNED_IN)),
    "mfa_add_webauthn": Row(only(*SIGNED_IN)),
    "mfa_reauthenticate_webauthn": Row(only(*SIGNED_IN)),
    "mfa_remove_webauthn": Row(
        only(), kwargs=lambda o: {"pk": o["passkey"].pk}, note="someone else's key: 404 for all"
    ),
    "mfa_edit_webauthn": Row(
        only(), kwargs=lambda o: {"pk": o["passkey"].pk}, note="someone else's key: 404 for all"
    ),
    "set_language": Row(EVERYONE, "post", lambda o: {}, lambda o: {"language": "es"}),
    "health": Row(EVERYONE),
    "api:openapi-json": Row(EVERYONE, note="the schema describes operations, not data"),
    "api:api-root": Row(only(), note="nothing is served at the bare prefix"),
}


# people: exports. One export, asked for by the organizer persona, approved by another
# organizer and produced, so that its page and its download can be walked.
def _people_export(objects):
    if "people_export" not in objects:
        from solnet.core import twoperson
        from solnet.core.models import SealedFile
        from solnet.people import export_requests, tasks

        export = export_requests.request_export(
            query={}, by=objects["personas"]["organizer"].member
        )
        twoperson.approve_request(approval=export, approver=objects["saved_filter"].owner)
        tasks.produce_people_export.call_local(SealedFile.objects.get(approval=export).pk)
        objects["people_export"] = export
    return {"public_id": objects["people_export"].public_id}


PAGES.update(
    {
        "people:exports": Row(only(*ORGANIZERS), note="each organizer sees their own exports"),
        "people:export_new": Row(only(*ORGANIZERS), "post", data=lambda o: {"query": ""}),
        "people:export_detail": Row(
            only(*ORGANIZERS), kwargs=_people_export, note="the organizer persona's own export"
        ),
        "people:export_download": Row(
            only(*ORGANIZERS),
            kwargs=_people_export,
            note="only the organizer who asked; not even the organizer who approved",
        ),
    }
)


# fights: leads are the organizing team's; a fight's page is its team's and its subject's.
def _fight(objects):
    return {"public_id": objects["fight"].public_id}


def _lead(objects):
    return {"public_id": objects["lead"].public_id}


def _evidence(objects):
    return {**_fight(objects), "evidence_id": objects["evidence"].public_id}


def _demand(objects):
    return {**_fight(objects), "demand_id": objects["demand"].public_id}


def _step(objects):
    return {**_fight(objects), "step_id": objects["step"].public_id}


def _target(objects):
    return {"public_id": objects["fight_target"].public_id}


def _seat(objects):
    return {**_fight(objects), "member_id": objects["personas"]["fight_team"].member.public_id}


TEAM = ["fight_team"]
PAGES.update(
    {
        "fight_back": Row(
            NOT_PENDING, note="the public page; a joiner is held at the waiting page"
        ),
        "fight_back_thanks": Row(NOT_PENDING),
        "fights:list": Row(
            only(*MEMBERS_UP, "subject"),
            note="organizers see every fight's name and stage; the others their own",
        ),
        "fights:leads": Row(only(*ORGANIZERS)),
        "fights:lead_new": Row(only(*ORGANIZERS)),
        "fights:lead": Row(only(*ORGANIZERS), kwargs=_lead),
        "fights:lead_take": Row(
            only(*ORGANIZERS), "post", _lead, lambda o: {"title": "Deposit at Pine St"}
        ),
        "fights:detail": Row(
            only(*TEAM, "subject"),
            kwargs=_fight,
            note="an organizer outside the team sees only the name and stage, on the board",
        ),
        "fights:intake": Row(only(*TEAM), kwargs=_fight, note="not the subject: risk flags"),
        "fights:move": Row(
            only(*TEAM),
            "post",
            _fight,
            lambda o: {"target": "researching"},
            note="a move before the proposal is the team's; the subject moves on their own "
            "decisions only",
        ),
        "fights:team_add": Row(only(*TEAM), "post", _fight, lambda o: {"username": "member"}),
        "fights:team_remove": Row(
            only(*TEAM),
            "post",
            _seat,
            note="the last seat cannot be emptied, but the team member reaches the action",
        ),
        "fights:point_person": Row(only(*TEAM), "post", _seat),
        "fights:evidence_add": Row(
            only(*TEAM),
            "post",
            _fight,
            lambda o: {"label": "Lease"},
            note="without a file the team gets the form back; everyone else 404",
        ),
        "fights:evidence_download": Row(
            only(*TEAM), kwargs=_evidence, note="not the subject, not organizers"
        ),
        "fights:evidence_delete": Row(only(*TEAM), "post", _evidence),
        "fights:target_add": Row(
            only(*TEAM), "post", _fight, lambda o: {"name": "Joe's Diner LLC", "kind": "llc"}
        ),
        "fights:winnability": Row(only(*TEAM), kwargs=_fight),
        "fights:demands": Row(only(*TEAM), kwargs=_fight),
        "fights:demand_add": Row(
            only(*TEAM), "post", _fight, lambda o: {"kind": "repair", "text": "Fix the heat"}
        ),
        "fights:demand_met": Row(only(*TEAM), "post", _demand),
        "fights:demand_remove": Row(only(*TEAM), "post", _demand),
        "fights:deadline": Row(only(*TEAM), "post", _fight, lambda o: {"deadline": "2026-12-15"}),
        "fights:letter": Row(only(*TEAM), kwargs=_fight),
        "fights:plan": Row(only(*TEAM), kwargs=_fight),
        "fights:dashboard": Row(
            only(*MEMBERS_UP), note="figures describe no one; fights as the board shows them"
        ),
        "fights:outcome": Row(only(*TEAM), kwargs=_fight, note="answers with the form"),
        "fights:follow_up_add": Row(
            only(*TEAM), "post", _fight, lambda o: {"follow-task": "Call Antonio"}
        ),
        "fights:follow_up_done": Row(
            only(*TEAM),
            "post",
            lambda o: {**_fight(o), "task_id": o["follow_up"].public_id},
        ),
        "fights:step_add": Row(
            only(*TEAM),
            "post",
            _fight,
            lambda o: {"step-tactic": o["tactic"].public_id, "step-planned_on": "2026-12-20"},
        ),
        "fights:step": Row(only(*TEAM), kwargs=_step),
        "fights:step_remove": Row(only(*TEAM), "post", _step),
        "fights:response_add": Row(
            only(*TEAM),
            "post",
            _fight,
            lambda o: {"response-kind": "promise", "response-happened_on": "2026-11-20"},
        ),
        "fights:tactics": Row(only(*ORGANIZERS, *TEAM)),
        "fights:tactic": Row(
            only(*ORGANIZERS), kwargs=lambda o: {"public_id": o["tactic"].public_id}
        ),
        "fights:tactic_new": Row(
            only(*ORGANIZERS),
            "post",
            data=lambda o: {
                "name": "Banner drop",
                "tier": "T1",
                "kind": "reputational",
                "min_turnout": 2,
                "ideal_turnout": 4,
                "risk": "low",
            },
        ),
        "fights:letter_pdf": Row(
            only(*TEAM),
            kwargs=lambda o: {**_fight(o), "letter_id": o["letter"].public_id},
            note="a guessed letter id gets 404 from anyone outside the team",
        ),
        "fights:sheet": Row(only(*ORGANIZERS), note="the network's sheet: its organizing team"),
        "fights:criterion_new": Row(
            only(*ORGANIZERS), "post", data=lambda o: {"name": "Allies", "question": "Any?"}
        ),
        "fights:criterion": Row(
            only(*ORGANIZERS),
            kwargs=lambda o: {"public_id": o["criterion"].public_id},
        ),
        "fights:targets": Row(
            only(*ORGANIZERS, *TEAM), note="research is shared by organizers and fight teams"
        ),
        "fights:target_new": Row(only(*ORGANIZERS, *TEAM)),
        "fights:target": Row(only(*ORGANIZERS, *TEAM), kwargs=_target),
        "fights:target_edit": Row(only(*ORGANIZERS, *TEAM), kwargs=_target),
        "fights:target_link": Row(
            only(*ORGANIZERS, *TEAM),
            "post",
            _target,
            lambda o: {
                "link-kind": "owns",
                "link-name": "Joe's Diner",
                "link-other_kind": "company",
            },
        ),
        "fights:pressure_add": Row(
            only(*ORGANIZERS, *TEAM),
            "post",
            _target,
            lambda o: {"pressure-kind": "customers", "pressure-description": "Lunch rush"},
        ),
    }
)


# decisions: who votes in a body sees its proposals; a fight's own body is its people's.
def _proposal(objects):
    return {"public_id": objects["proposal"].public_id}


def _meeting(objects):
    return {"public_id": objects["meeting"].public_id}


def _delegate(objects):
    return {"public_id": objects["delegate"].public_id}


def _closes_later(objects):
    from datetime import timedelta

    from django.utils import timezone

    return {"closes_at": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")}


PAGES.update(
    {
        "democracy:index": Row(
            only(*MEMBERS_UP, "subject"), note="the subject: their fight's body"
        ),
        "democracy:body": Row(
            only(*MEMBERS_UP), kwargs=lambda o: {"public_id": o["general_body"].public_id}
        ),
        "democracy:propose": Row(
            only(*MEMBERS_UP), kwargs=lambda o: {"public_id": o["general_body"].public_id}
        ),
        "democracy:body_of": Row(
            only(*TEAM, "subject"),
            kwargs=lambda o: {"kind": "fight", "public_id": o["fight"].public_id},
            note="a fight's body: its team and subjects, not organizers outside it",
        ),
        "democracy:put_move": Row(
            only(*TEAM, "subject"),
            kwargs=lambda o: {"public_id": o["fight"].public_id, "target": "researching"},
            note="the fight's people; the proposal page then checks the move",
        ),
        "democracy:proposal": Row(only(*MEMBERS_UP), kwargs=_proposal),
        "democracy:vote": Row(only(*MEMBERS_UP), "post", _proposal, lambda o: {"choice": "yes"}),
        "democracy:open": Row(
            only(*TEAM),
            "post",
            lambda o: {"public_id": o["fight_proposal"].public_id},
            _closes_later,
            note="put forward by the fight team persona; hidden from organizers outside it",
        ),
        "democracy:close": Row(
            only(*ORGANIZERS), "post", _proposal, note="who put it forward, or organizers"
        ),
        "democracy:withdraw": Row(only(*ORGANIZERS), "post", _proposal, note="its proposer"),
        "democracy:offline": Row(
            only(*ORGANIZERS),
            "post",
            _proposal,
            lambda o: {"username": "member", "choice": "yes"},
        ),
        "democracy:meetings": Row(only(*MEMBERS_UP, "subject")),
        "democracy:meeting_new": Row(
            only(*MEMBERS_UP), kwargs=lambda o: {"public_id": o["general_body"].public_id}
        ),
        "democracy:meeting": Row(only(*MEMBERS_UP), kwargs=_meeting),
        "democracy:meeting_open": Row(only(*ORGANIZERS), "post", _meeting, note="who called it"),
        "democracy:meeting_close": Row(only(*ORGANIZERS), "post", _meeting),
        "democracy:meeting_roles": Row(
            only(*ORGANIZERS), "post", _meeting, lambda o: {"facilitator": "organizer"}
        ),
        "democracy:meeting_attend": Row(
            only(*MEMBERS_UP), "post", _meeting, lambda o: {"mode": "in_person"}
        ),
        "democracy:meeting_speak": Row(only(*MEMBERS_UP), "post", _meeting),
        "democracy:meeting_next": Row(only(*ORGANIZERS), "post", _meeting),
        "democracy:meeting_item_add": Row(
            only(*ORGANIZERS),
            "post",
            _meeting,
            lambda o: {"title": "Strike fund", "kind": "report"},
        ),
        "democracy:meeting_item_done": Row(
            only(*ORGANIZERS),
            "post",
            lambda o: {**_meeting(o), "item_id": o["agenda_item"].public_id},
            lambda o: {"notes": "Agreed to meet again"},
            note="its facilitator and note-taker",
        ),
        "democracy:meeting_minutes": Row(
            only(*ORGANIZERS), "post", _meeting, lambda o: {"minutes": "We met."}
        ),
        "democracy:delegate": Row(only(*MEMBERS_UP), kwargs=_delegate),
        "democracy:delegate_report": Row(
            only("member"),
            "post",
            _delegate,
            lambda o: {"voted_on": "2026-11-30", "motion": "Joint strike", "vote": "for"},
            note="the delegate alone (the member persona)",
        ),
        "democracy:proxy_give": Row(
            only(*MEMBERS_UP),
            "post",
            lambda o: {"public_id": o["general_body"].public_id},
            lambda o: {"username": "organizer"},
            note="refused with a message where the body's rules allow no proxies",
        ),
        "democracy:proxy_revoke": Row(
            only(*MEMBERS_UP), "post", lambda o: {"public_id": o["general_body"].public_id}
        ),
        "democracy:notices": Row(only(*APPROVED)),
        "democracy:notices_read": Row(only(*APPROVED), "post"),
        "democracy:receipt": Row(
            only(*MEMBERS_UP),
            "post",
            lambda o: {"public_id": o["secret_proposal"].public_id},
            lambda o: {"receipt": "not-a-receipt"},
        ),
    }
)

# actions: seen from their tier up (the picket: the phone tree and up), run by the organizing
# team (a fight's by its team), a call list's calls by their caller.
SEES_PICKET = ["phone_tree", "member", "organizer", "fund_committee", "dispatcher", "fight_team"]


def _action(objects):
    return {"public_id": objects["action"].public_id}


def _call_list(objects):
    return {**_action(objects), "list_id": objects["call_list"].public_id}


def _alert(objects):
    return {"public_id": objects["alert"].public_id}


def _send(objects):
    return {"public_id": objects["send"].public_id}


PAGES.update(
    {
        "mobilize:index": Row(only(*APPROVED)),
        "mobilize:new": Row(
            only(*ORGANIZERS), note="a fight's team plans from its fight (?fight=), tested apart"
        ),
        "mobilize:public": Row(NOT_PENDING, kwargs=lambda o: {"token": o["action"].public_token}),
        "mobilize:rsvp": Row(NOT_PENDING, kwargs=lambda o: {"token": o["rsvp_token"]}),
        "mobilize:alert_answer": Row(NOT_PENDING, kwargs=lambda o: {"token": o["alert_token"]}),
        "mobilize:alerts": Row(only("organizer", "dispatcher")),
        "mobilize:alert": Row(
            only("organizer", "dispatcher", "member"), kwargs=_alert, note="member: alerted"
        ),
        "mobilize:alert_counts": Row(only("organizer", "dispatcher"), kwargs=_alert),
        "mobilize:alert_verify": Row(
            only("organizer"), "post", _alert, lambda o: {"confirmed": "1"}
        ),
        "mobilize:alert_close": Row(only("organizer", "dispatcher"), "post", _alert),
        "mobilize:alert_respond": Row(
            only("member"), "post", _alert, lambda o: {"answer": "coming"}
        ),
        "mobilize:zones": Row(only(*ORGANIZERS)),
        "mobilize:templates": Row(only(*ORGANIZERS)),
        "mobilize:senders": Row(only(*ORGANIZERS)),
        "mobilize:sender_toggle": Row(
            only(*ORGANIZERS), "post", lambda o: {"pk": o["sms_sender"].pk}
        ),
        "mobilize:template_delete": Row(
            only(*ORGANIZERS), "post", lambda o: {"pk": o["message_template"].pk}
        ),
        "mobilize:zone": Row(only(*ORGANIZERS), kwargs=lambda o: {"pk": o["zone"].pk}),
        "mobilize:action": Row(only(*SEES_PICKET), kwargs=_action),
        "mobilize:turnout": Row(only(*SEES_PICKET), kwargs=_action),
        "mobilize:answer": Row(only(*SEES_PICKET), "post", _action, lambda o: {"answer": "maybe"}),
        "mobilize:edit": Row(only(*ORGANIZERS), kwargs=_action),
        "mobilize:cancel": Row(only(*ORGANIZERS), "post", _action),
        "mobilize:revoke_links": Row(only(*ORGANIZERS), "post", _action),
        "mobilize:set_public": Row(only(*ORGANIZERS), "post", _action, lambda o: {"public": "0"}),
        "mobilize:shift_add": Row(only(*ORGANIZERS), "post", _action),
        "mobilize:shift_remove": Row(
            only(*ORGANIZERS), "post", lambda o: {**_action(o), "pk": o["shift"].pk}
        ),
        "mobilize:role_add": Row(
            only(*ORGANIZERS), "post", _action, lambda o: {"role": "medic", "needed": "1"}
        ),
        "mobilize:role_remove": Row(
            only(*ORGANIZERS), "post", lambda o: {**_action(o), "pk": o["role_slot"].pk}
        ),
        "mobilize:ask": Row(only(*ORGANIZERS), kwargs=_action),
        "mobilize:asks": Row(only(*ORGANIZERS), kwargs=_action),
        "mobilize:check_in_list": Row(only(*ORGANIZERS), kwargs=_action),
        "mobilize:check_in": Row(
            only(*ORGANIZERS), "post", lambda o: {**_action(o), "pk": o["ask"].pk}
        ),
        "mobilize:check_in_member": Row(
            only(*ORGANIZERS), "post", _action, lambda o: {"username": "member"}
        ),
        "mobilize:attendance": Row(only(*ORGANIZERS), "post", _action),
        "mobilize:call_out": Row(only(*ORGANIZERS), kwargs=_action),
        "mobilize:call_list_new": Row(only(*ORGANIZERS), kwargs=_action),
        "mobilize:call_list": Row(
            only("organizer", "member"), kwargs=_call_list, note="member: its caller"
        ),
        "mobilize:call_record": Row(
            only("organizer", "member"),
            "post",
            lambda o: {**_call_list(o), "pk": o["call"].pk},
            lambda o: {"result": "voicemail"},
        ),
        "mobilize:call_list_callers": Row(only(*ORGANIZERS), kwargs=_call_list),
        "mobilize:call_list_reassign": Row(
            only(*ORGANIZERS), "post", _call_list, lambda o: {"callers": "member"}
        ),
        # The call-out for the picket: seen and run by who runs the picket.
        "mobilize:send": Row(only(*ORGANIZERS), kwargs=_send),
        "mobilize:send_progress": Row(only(*ORGANIZERS), kwargs=_send),
        "mobilize:send_cancel": Row(only(*ORGANIZERS), "post", _send),
        "mobilize:send_retry": Row(only(*ORGANIZERS), "post", _send),
        "mobilize:send_uncertain": Row(
            only(*ORGANIZERS), "post", _send, lambda o: {"choice": "call"}
        ),
    }
)


# calendar feeds: every approved member keeps their own; the feed answers its secret alone.
def _member_feed(objects):
    from solnet.mobilize import calendar

    return calendar.new_feed(objects["personas"]["member"].member, "mine")


PAGES.update(
    {
        "mobilize:calendar": Row(only(*APPROVED)),
        "mobilize:calendar_new": Row(only(*APPROVED), "post", data=lambda o: {"scope": "mine"}),
        "mobilize:calendar_revoke": Row(
            only("member"),
            "post",
            lambda o: {"public_id": _member_feed(o)[0].public_id},
            note="the member persona's feed: nobody else may revoke it",
        ),
        "mobilize:calendar_feed": Row(
            NOT_PENDING,
            kwargs=lambda o: {"secret": _member_feed(o)[1]},
            note="the member persona's feed, fetched with no session needed; a pending "
            "joiner's own session is held at the waiting page first",
        ),
    }
)

# the SMS gateway's webhooks: public addresses nobody signs in to, taken only with the
# gateway's signature (solnet/mobilize/tests/test_sms.py posts signed ones). Unsigned, they
# are refused for everyone alike.
PAGES.update(
    {
        "mobilize:sms_inbound": Row(
            only(),
            "post",
            data=lambda o: {"MessageSid": "SM" + "0" * 32, "From": "+12065550100", "Body": "STOP"},
            note="unsigned: 403 for all",
        ),
        "mobilize:sms_status": Row(
            only(),
            "post",
            data=lambda o: {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"},
            note="unsigned: 403 for all",
        ),
    }
)

# API operations: (method, path template) → row. Callers authenticate with a personal token
# carrying every scope; the outsider has none.
API_OPERATIONS: dict[tuple[str, str], Row] = {
    ("get", "/api/network"): Row(only(*APPROVED)),
    ("get", "/api/me"): Row(only(*APPROVED), note="a pending joiner's token is not accepted"),
    ("patch", "/api/me"): Row(only(*APPROVED), data=lambda o: {"display_name": "New name"}),
    ("get", "/api/members"): Row(only(*APPROVED), note="each sees only what access.py allows"),
    ("get", "/api/people"): Row(
        only(*APPROVED), note="organizers get everyone; the others their own record, if any"
    ),
    ("get", "/api/people/{public_id}"): Row(
        only(*ORGANIZERS), kwargs=lambda o: {"public_id": o["person"].public_id}
    ),
    ("get", "/api/councils"): Row(only(*APPROVED), note="each sees the councils they are in"),
    ("get", "/api/councils/{public_id}"): Row(only(*ORGANIZERS, "member"), kwargs=_council),
    ("get", "/api/councils/{public_id}/members"): Row(only(*ORGANIZERS, "member"), kwargs=_council),
    ("get", "/api/councils/{public_id}/assessments"): Row(only(*ORGANIZERS), kwargs=_council),
    ("post", "/api/councils/{public_id}/assessments"): Row(
        only(*ORGANIZERS),
        kwargs=_council,
        data=lambda o: {"person_id": o["council_membership"].person.public_id, "level": 2},
    ),
    ("get", "/api/fights"): Row(only(*APPROVED), note="each sees the board as the page shows it"),
    ("get", "/api/fights/leads"): Row(
        only(*APPROVED), note="organizers get the leads; the others an empty list"
    ),
    ("get", "/api/fights/{public_id}"): Row(only("fight_team", "subject"), kwargs=_fight),
    ("get", "/api/fights/targets/{public_id}"): Row(
        only("organizer", "fight_team"), kwargs=_target
    ),
    ("get", "/api/members/{public_id}"): Row(
        only(*MEMBERS_UP, "supporter"),
        kwargs=lambda o: {"public_id": o["personas"]["supporter"].member.public_id},
    ),
    ("get", "/api/decisions/proposals"): Row(
        only(*APPROVED), note="each gets the proposals they may see (maybe none)"
    ),
    ("get", "/api/decisions/proposals/{public_id}"): Row(only(*MEMBERS_UP), kwargs=_proposal),
    ("post", "/api/decisions/proposals/{public_id}/ballot"): Row(
        only(*MEMBERS_UP), kwargs=_proposal, data=lambda o: {"position": "yes"}
    ),
    # meetings, delegates and proxies: as their pages.
    ("get", "/api/decisions/meetings"): Row(
        only(*APPROVED), note="each gets the meetings of the bodies they see (maybe none)"
    ),
    ("get", "/api/decisions/meetings/{public_id}"): Row(only(*MEMBERS_UP), kwargs=_meeting),
    ("post", "/api/decisions/meetings/{public_id}/attendance"): Row(
        only(*MEMBERS_UP), kwargs=_meeting, data=lambda o: {"mode": "remote"}
    ),
    ("post", "/api/decisions/meetings/{public_id}/speakers"): Row(
        only(*MEMBERS_UP), kwargs=_meeting, note="refused with a 422 until the meeting opens"
    ),
    ("get", "/api/decisions/delegates/{public_id}"): Row(only(*MEMBERS_UP), kwargs=_delegate),
    ("post", "/api/decisions/delegates/{public_id}/votes"): Row(
        only("member"),
        kwargs=_delegate,
        data=lambda o: {"voted_on": "2026-11-30", "motion": "Joint strike", "vote": "for"},
        note="the delegate alone (the member persona)",
    ),
    ("get", "/api/decisions/proxies"): Row(only(*APPROVED), note="each their own"),
    ("put", "/api/decisions/bodies/{public_id}/proxy"): Row(
        only(*MEMBERS_UP),
        kwargs=lambda o: {"public_id": o["general_body"].public_id},
        data=lambda o: {"holder": "organizer"},
        note="refused with a 422 where the body's rules allow no proxies",
    ),
    ("delete", "/api/decisions/bodies/{public_id}/proxy"): Row(
        only(*MEMBERS_UP), kwargs=lambda o: {"public_id": o["general_body"].public_id}
    ),
    # actions and call lists: as their pages.
    ("get", "/api/actions"): Row(only(*APPROVED), note="each gets the actions they may see"),
    ("get", "/api/actions/{public_id}"): Row(only(*SEES_PICKET), kwargs=_action),
    ("get", "/api/actions/{public_id}/turnout"): Row(only(*SEES_PICKET), kwargs=_action),
    ("post", "/api/actions/{public_id}/answer"): Row(
        only(*SEES_PICKET), kwargs=_action, data=lambda o: {"answer": "maybe"}
    ),
    ("get", "/api/actions/{public_id}/asks"): Row(only(*ORGANIZERS), kwargs=_action),
    ("post", "/api/actions/{public_id}/shifts"): Row(
        only(*ORGANIZERS),
        kwargs=_action,
        data=lambda o: {
            "starts_at": o["action"].starts_at.isoformat(),
            "ends_at": o["action"].ends_at.isoformat(),
            "needed": 3,
        },
    ),
    ("delete", "/api/actions/{public_id}/shifts/{shift_id}"): Row(
        only(*ORGANIZERS),
        kwargs=lambda o: {**_action(o), "shift_id": o["shift"].pk},
        note="refused with a 422 while people are signed up for it",
    ),
    ("post", "/api/actions/{public_id}/roles"): Row(
        only(*ORGANIZERS), kwargs=_action, data=lambda o: {"role": "medic", "needed": 1}
    ),
    ("delete", "/api/actions/{public_id}/roles/{role_id}"): Row(
        only(*ORGANIZERS), kwargs=lambda o: {**_action(o), "role_id": o["role_slot"].pk}
    ),
    ("get", "/api/actions/{public_id}/calls/{list_id}"): Row(
        only("organizer", "member"), kwargs=_call_list, note="member: its caller"
    ),
    ("post", "/api/actions/{public_id}/calls/{list_id}/{call_id}"): Row(
        only("organizer", "member"),
        kwargs=lambda o: {**_call_list(o), "call_id": o["call"].pk},
        data=lambda o: {"result": "voicemail"},
    ),
    # alerts: dispatchers and organizers see them all, a responder those sent to them.
    ("get", "/api/alerts"): Row(only(*APPROVED), note="each gets the alerts they may see"),
    ("get", "/api/alerts/{public_id}"): Row(
        only("organizer", "dispatcher", "member"), kwargs=_alert, note="member: alerted"
    ),
    ("post", "/api/alerts/{public_id}/response"): Row(
        only("member"), kwargs=_alert, data=lambda o: {"answer": "coming"}
    ),
}


# The funds app keeps its rows beside its tests, one module per area.
from solnet.funds.tests import (  # noqa: E402
    matrix_aid,
    matrix_books,
    matrix_matching,
    matrix_online,
    matrix_reports,
    matrix_statements,
    matrix_supplies,
)

for _area in (
    matrix_books,
    matrix_online,
    matrix_reports,
    matrix_aid,
    matrix_statements,
    matrix_supplies,
    matrix_matching,
):
    PAGES.update(_area.PAGES)
    API_OPERATIONS.update(_area.API_OPERATIONS)

# The hotline's rows, beside its tests.
from solnet.defense.tests import matrix_defense  # noqa: E402

PAGES.update(matrix_defense.PAGES)

# Allies' rows, beside their tests.
from solnet.confederation.tests import matrix_confederation  # noqa: E402

PAGES.update(matrix_confederation.PAGES)

# --- walking the routes --------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str


def all_routes(urlconf: Any = None) -> list[Route]:
    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                yield Route(
                    namespace + (entry.name or f"<unnamed {entry.pattern}>"),
                    prefix + str(entry.pattern),
                )

    return list(walk(get_resolver(urlconf).url_patterns, "/", ""))


def api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return sorted(
        (method, path) for path, operations in schema["paths"].items() for method in operations
    )


def unlisted_routes(urlconf: Any = None) -> list[str]:
    """Routes and operations that have no row in the matrix."""
    missing = []
    for route in all_routes(urlconf):
        if route.name in PAGES:
            continue
        if route.name.startswith("api:") and _is_api_operation(route):
            continue
        missing.append(f"{route.name} ({route.pattern})")
    for operation in api_operations():
        if operation not in API_OPERATIONS:
            missing.append(f"{operation[0].upper()} {operation[1]}")
    return missing


def _is_api_operation(route: Route) -> bool:
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.pattern.strip("/"))
    return any(op_path == path for _, op_path in API_OPERATIONS)


# --- the personas and the objects the rows need --------------------------------------------


def classify(response, *, allowed_login_redirect: bool = False) -> str:
    """allow: the persona reached the page or the action ran (or its form answered).
    deny: 404/403/401/405, or sent to sign in, or held at an onboarding step."""
    status = response.status_code
    if status in (401, 403, 404, 405):
        return D
    if 300 <= status < 400:
        location = urlparse(response.headers["Location"])
        if location.path == reverse("account_login"):
            if "next=" in location.query:
                return D
            return A if allowed_login_redirect else D
        if location.path == reverse("members:waiting"):
            return D
        return A
    return A


def _call(client: Client, row: Row, path: str, data: dict):
    return getattr(client, row.method)(path, data)


# --- the tests -----------------------------------------------------------------------------


def test_every_route_and_operation_has_a_row():
    assert unlisted_routes() == []


def test_a_new_route_without_a_row_is_caught(settings):
    """The guard itself: a route added without a row makes the matrix fail."""
    import sys
    import types

    from django.urls import clear_url_caches, path

    from solnet import urls as real_urls

    extra = types.ModuleType("solnet_matrix_probe_urls")
    extra.urlpatterns = [
        *real_urls.urlpatterns,
        path("secret-export/", lambda request: None, name="secret_export"),
    ]
    sys.modules[extra.__name__] = extra
    try:
        assert unlisted_routes(extra.__name__) == ["secret_export (/secret-export/)"]
    finally:
        del sys.modules[extra.__name__]
        clear_url_caches()


@pytest.mark.verify
@pytest.mark.django_db
def test_pages_allow_exactly_whom_the_matrix_says(personas, objects, figures):
    results = _walk_pages(personas, objects)
    unexpected_allows = [r for r in results if r[2] == D and r[3] == A]
    unexpected_denials = [r for r in results if r[2] == A and r[3] == D]
    routes = len(PAGES) + len(API_OPERATIONS)
    api_results = _walk_api(personas, objects)
    unexpected_allows += [r for r in api_results if r[2] == D and r[3] == A]
    unexpected_denials += [r for r in api_results if r[2] == A and r[3] == D]
    cells = len(results) + len(api_results)
    unlisted = unlisted_routes()
    figures(
        "A-1.routes_x_personas",
        cells,
        unit="cells",
        target=f"{routes} routes x {len(PERSONA_NAMES)} personas",
        ok=cells == routes * len(PERSONA_NAMES),
    )
    figures(
        "A-1.unexpected_allows",
        len(unexpected_allows),
        unit="cells",
        target="0",
        ok=not unexpected_allows,
    )
    figures(
        "A-1.routes_in_matrix",
        round(100 * (1 - len(unlisted) / max(routes, 1)), 1),
        unit="%",
        target="100 %",
        ok=not unlisted,
    )
    assert unexpected_allows == []
    assert unexpected_denials == [], "\n".join(map(str, unexpected_denials))


def _walk_pages(personas, objects) -> list[tuple[str, str, str, str]]:
    results = []
    for name, row in PAGES.items():
        path = reverse(name, kwargs=row.kwargs(objects))
        for persona in PERSONA_NAMES:
            with transaction.atomic():
                client = Client()
                member = personas[persona].member
                if member is not None:
                    sign_in(client, member)
                response = _call(client, row, path, row.data(objects))
                got = classify(response, allowed_login_redirect=row.allowed_login_redirect)
                results.append((name, persona, row.expect[persona], got))
                transaction.set_rollback(True)
    return results


def _walk_api(personas, objects) -> list[tuple[str, str, str, str]]:
    results = []
    for (method, template), row in API_OPERATIONS.items():
        path = template.format(**row.kwargs(objects))
        for persona in PERSONA_NAMES:
            with transaction.atomic():
                client = Client()
                headers = {}
                member = personas[persona].member
                if member is not None:
                    _token, secret = member_services.create_api_token(
                        member=member, name="matrix", scopes=list(ApiScope.values), days=1
                    )
                    headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
                call = getattr(client, method)
                if method in ("post", "patch", "put"):
                    response = call(
                        path,
                        json.dumps(row.data(objects)),
                        content_type="application/json",
                        **headers,
                    )
                else:
                    response = call(path, **headers)
                results.append(
                    (
                        f"{method.upper()} {template}",
                        persona,
                        row.expect[persona],
                        classify(response),
                    )
                )
                transaction.set_rollback(True)
    return results
