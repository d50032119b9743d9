"""Object-id swap (SECURITY.md A-2): every route and API operation whose address carries an
object's id is asked, by a persona who may use it on their own object X, with the id of an
object Y they must not reach (another fight's, another council's, another member's, another
organizer's import or export, someone else's file). Anything but the route's refusal (404)
is a leak, and so is any change to the database on a refused post.

The objects X are the authorization matrix's (`conftest.objects`), and the routes' addresses
are built by the matrix's own rows (`PAGES`, `API_OPERATIONS`): each row's `kwargs` applied to
the foreign world Y below gives Y's ids. For a route with several ids each is swapped alone
(an object of X's parent with a child of Y's: the classic guess) and then all together.

Before swapping, each case checks that its persona does reach X (a control): a swap that
nobody could have made succeed proves nothing. A route whose persona reaches every object of
its kind (the organizing team reaches every person's record) has nothing hidden of that kind:
it is asked with the id of an object of another kind that is hidden (Y's fight), and its
nested ids are still swapped one at a time. Every route with an id in its pattern must have a
case here or a stated reason why not, or the test fails, as the matrix does.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Persona, make_member, sign_in, tiny_png
from solnet.core.tests.test_authorization_matrix import (
    API_OPERATIONS,
    PAGES,
    A,
    Row,
    all_routes,
    api_operations,
    classify,
)
from solnet.members import services as member_services
from solnet.members.models import ApiScope, Tier

# Every text of the foreign world carries this mark: a page that shows it has revealed Y.
MARK = "Yhidden7q"


@dataclass
class Swap:
    persona: str
    # The world of the persona's own objects: "objects" (the matrix's) or one of `own_worlds`.
    x: str = "objects"
    # Whether swapping every id at once is a leak: not where the persona reaches every object
    # of the outer kind (an organizer and any council), only the mismatched combinations are.
    whole: bool = True
    # The persona reaches every object of the route's (outer) kind: ask with a hidden object of
    # another kind instead.
    network_wide: bool = False
    refused: tuple[int, ...] = (404,)
    # Ids whose swap the persona may legitimately make (merging any two records).
    keep: tuple[str, ...] = ()
    # For a route the matrix has no row for yet.
    row: Row | None = None
    note: str = ""


def fight_team(**kw) -> Swap:
    return Swap("fight_team", **kw)


# --- the cases: route name → how it is swapped ------------------------------------------------

SWAPS: dict[str, Swap] = {
    # members
    "members:pending_approve": Swap("member", note="Y: an approved member, not a joiner"),
    "members:pending_decline": Swap("member", note="Y: an approved member, not a joiner"),
    "members:invitation_revoke": Swap("member", note="Y: the fund committee persona's"),
    "members:api_token_revoke": Swap("member", note="Y: another member's token"),
    "members:detail": Swap("supporter", note="a supporter sees themself; Y: another member"),
    "members:tier": Swap("organizer", note="Y: a joiner still pending, not a member yet"),
    "members:role_grant": Swap("organizer", note="Y: a joiner still pending"),
    "members:role_revoke": Swap("organizer", note="Y: a joiner still pending"),
    "members:deactivate": Swap("organizer", note="Y: a joiner still pending"),
    "members:password_reset": Swap("organizer", note="Y: a joiner still pending"),
    # people: the organizing team keeps every record; a member reaches their own
    "people:detail": Swap("organizer", network_wide=True),
    "people:edit": Swap("organizer", network_wide=True),
    "people:ask_log": Swap("organizer", network_wide=True),
    "people:skill_add": Swap("organizer", network_wide=True),
    "people:skill_remove": Swap("organizer", network_wide=True, note="the skill is a name"),
    "people:availability_add": Swap("organizer", network_wide=True),
    "people:availability_remove": Swap("organizer", whole=False, note="Y: another's window"),
    "people:ask_settle": Swap("organizer", whole=False, note="Y: another person's ask"),
    "people:channel_consent": Swap("organizer", whole=False, note="Y: another's channel"),
    "people:flag_dismiss": Swap("organizer", whole=False, note="Y: another person's flag"),
    "people:merge_pick": Swap("organizer", network_wide=True),
    "people:merge": Swap("organizer", network_wide=True, keep=("other_id",)),
    "people:me_channel": Swap("member", note="Y: a channel of someone else's record"),
    "people:filter_delete": Swap("organizer", x="own_filter", note="Y: another's filter"),
    "people:request_accept": Swap("organizer", network_wide=True),
    "people:request_decline": Swap("organizer", network_wide=True),
    "people:export_detail": Swap("organizer", note="Y: an export this organizer approved"),
    "people:export_download": Swap("organizer", note="Y: an export this organizer approved"),
    "people:import_detail": Swap("organizer", note="Y: another organizer's import"),
    "people:import_columns": Swap("organizer"),
    "people:import_preview": Swap("organizer"),
    "people:import_fix": Swap("organizer"),
    "people:import_start": Swap("organizer"),
    "people:import_restart": Swap("organizer"),
    "people:import_delete": Swap("organizer"),
    "people:import_refused": Swap("organizer"),
    # councils: the member persona is on the organizing team of their council (X) only
    "councils:detail": Swap("member"),
    "councils:committee": Swap("member"),
    "councils:site_add": Swap("organizer", network_wide=True),
    "councils:chart": Swap("member", x="council_team"),
    "councils:section_add": Swap("member", x="council_team"),
    "councils:committee_new": Swap("member", x="council_team"),
    "councils:committee_member_add": Swap("member", x="council_team"),
    "councils:committee_member_remove": Swap("member", x="council_team"),
    "councils:membership": Swap("member", x="council_team"),
    "councils:membership_place": Swap("member", x="council_team"),
    "councils:membership_assess": Swap("member", x="council_team"),
    "councils:one_on_one_log": Swap("member", x="council_team"),
    "councils:follow_up_done": Swap("member", x="council_team"),
    "councils:member_remove": Swap("organizer", whole=False, note="Y: another council's"),
    "councils:member_add": Swap("organizer", network_wide=True),
    # fights: per fight, for its team
    "fights:lead": Swap("organizer", network_wide=True, note="leads are the team's intake"),
    "fights:lead_take": Swap("organizer", network_wide=True),
    "fights:criterion": Swap("organizer", network_wide=True),
    "fights:tactic": Swap("organizer", network_wide=True),
    "fights:target": fight_team(network_wide=True, note="research is shared"),
    "fights:target_edit": fight_team(network_wide=True),
    "fights:target_link": fight_team(network_wide=True),
    "fights:pressure_add": fight_team(network_wide=True),
    **{
        name: fight_team()
        for name in (
            "fights:detail",
            "fights:target_add",
            "fights:demands",
            "fights:demand_add",
            "fights:demand_met",
            "fights:demand_remove",
            "fights:deadline",
            "fights:outcome",
            "fights:follow_up_add",
            "fights:follow_up_done",
            "fights:plan",
            "fights:step_add",
            "fights:step",
            "fights:step_remove",
            "fights:response_add",
            "fights:letter",
            "fights:letter_pdf",
            "fights:intake",
            "fights:winnability",
            "fights:move",
            "fights:team_add",
            "fights:evidence_add",
            "fights:evidence_download",
            "fights:evidence_delete",
            "fights:team_remove",
            "fights:point_person",
            "democracy:body_of",
            "democracy:put_move",
        )
    },
    # decisions: Y lives in the other fight's own body, which organizers outside it never see
    **{
        name: Swap("member")
        for name in (
            "democracy:body",
            "democracy:propose",
            "democracy:meeting_new",
            "democracy:proxy_give",
            "democracy:proxy_revoke",
            "democracy:proposal",
            "democracy:vote",
            "democracy:receipt",
            "democracy:meeting",
            "democracy:meeting_attend",
            "democracy:meeting_speak",
            "democracy:delegate",
            "democracy:delegate_report",
        )
    },
    **{
        name: Swap("organizer")
        for name in (
            "democracy:close",
            "democracy:withdraw",
            "democracy:offline",
            "democracy:meeting_open",
            "democracy:meeting_close",
            "democracy:meeting_roles",
            "democracy:meeting_next",
            "democracy:meeting_item_add",
            "democracy:meeting_item_done",
            "democracy:meeting_minutes",
        )
    },
    "democracy:open": fight_team(),
    # actions: Y is the other fight's action, asking the organizing team's tier only
    "mobilize:action": Swap("member"),
    "mobilize:turnout": Swap("member"),
    "mobilize:answer": Swap("member"),
    "mobilize:call_list": Swap("member", note="the member persona is its caller"),
    "mobilize:call_record": Swap("member"),
    "mobilize:alert": Swap("member", note="alerted; Y: an alert not sent to them"),
    "mobilize:alert_respond": Swap("member"),
    "mobilize:alert_counts": Swap("dispatcher", network_wide=True),
    "mobilize:alert_verify": Swap("organizer", network_wide=True),
    "mobilize:alert_close": Swap("dispatcher", network_wide=True),
    "mobilize:calendar_revoke": Swap("member", note="Y: another member's feed"),
    **{
        name: fight_team(x="team_action", note="the fight's team runs its fight's action")
        for name in (
            "mobilize:edit",
            "mobilize:cancel",
            "mobilize:set_public",
            "mobilize:revoke_links",
            "mobilize:shift_add",
            "mobilize:shift_remove",
            "mobilize:role_add",
            "mobilize:role_remove",
            "mobilize:ask",
            "mobilize:asks",
            "mobilize:check_in_list",
            "mobilize:check_in",
            "mobilize:check_in_member",
            "mobilize:attendance",
            "mobilize:call_out",
            "mobilize:call_list_new",
            "mobilize:call_list_callers",
            "mobilize:call_list_reassign",
            "mobilize:send",
            "mobilize:send_progress",
            "mobilize:send_cancel",
            "mobilize:send_retry",
        )
    },
    "mobilize:send_uncertain": fight_team(
        x="team_action",
        row=Row({}, "post", lambda o: {"public_id": o["send"].public_id}, lambda o: {"choice": ""}),
        note="no matrix row yet",
    ),
    # funds: every member reads every fund; the treasurers keep every entry and record every
    # member's dues, so the outer id is swapped for a hidden object of another kind
    "funds:fund": Swap("member", network_wide=True, note="every member reads every fund"),
    "funds:fund_rules": Swap("fund_committee", network_wide=True),
    "funds:entry": Swap("fund_committee", network_wide=True),
    "funds:dues_payment": Swap("fund_committee", network_wide=True),
    "funds:report": Swap("member", network_wide=True, note="every member reads every report"),
    "funds:lottery": Swap("member", network_wide=True, note="every member checks every draw"),
    "funds:ask": Swap("member", network_wide=True, note="every member may ask any open fund"),
    "funds:matching": Swap("member", network_wide=True, note="every member sees a strike fund"),
    "funds:match_receive": Swap("member", network_wide=True),
    "funds:match_pledge": Swap("member", network_wide=True),
    "funds:match_recipients": Swap("organizer", network_wide=True, note="delegates verify all"),
    "funds:match_verify": Swap("organizer", network_wide=True),
    "funds:match_round": Swap("fund_committee", network_wide=True),
    "funds:request_pay": Swap("fund_committee", network_wide=True, note="treasurers pay any"),
    "funds:lottery_draw": Swap("fund_committee", network_wide=True, note="Y: another fund's draw"),
    "funds:statement": Swap("fund_committee", network_wide=True),
    "funds:statement_line": Swap("fund_committee", network_wide=True),
    "funds:inventory_item": Swap("fund_committee", network_wide=True, note="treasurers keep all"),
    "funds:inventory_remove": Swap("fund_committee", network_wide=True),
    # funds: what is someone's own (solnet/funds/tests/swap_world.py makes Y)
    "funds:export_detail": Swap("fund_committee", note="Y: an export this treasurer approved"),
    "funds:export_download": Swap("fund_committee", note="Y: an export this treasurer approved"),
    "funds:request": Swap("member", note="the applicant; Y: another member's request"),
    "funds:request_vote": Swap("dispatcher", note="on X's committee; Y: another committee's"),
    "funds:request_receipt": Swap("dispatcher", note="Y: another committee's request's receipt"),
    "funds:supplies": Swap("member", note="Y: a need of an action the member does not see"),
    "funds:supply_pledge": Swap("member", note="Y: a need of an action the member does not see"),
    "funds:supply_pledge_withdraw": Swap("member", note="Y: another member's pledge"),
    "funds:supply_need_add": fight_team(x="team_action", note="the team runs its fight's action"),
    "funds:supply_need_remove": fight_team(x="team_action", note="Y: another fight's need"),
    "funds:match_recipient_withdraw": Swap("member", note="the striker; Y: another striker"),
    "funds:match_pledge_withdraw": Swap("dispatcher", note="the donor; Y: another's pledge"),
    "funds:match_sent": Swap("dispatcher", note="the donor; Y: another donor's match"),
    "funds:match_received": Swap("member", note="the striker; Y: another striker's match"),
    # funds' public pages, anyone's: Y is a fund whose page is off (closed, or not public)
    **{
        name: Swap("outsider", note="Y: a fund whose public page is off")
        for name in (
            "funds:give",
            "funds:give_thanks",
            "funds:give_cancelled",
            "funds:ask_public",
            "funds:ask_public_thanks",
            "funds:match_public",
            "funds:match_public_thanks",
        )
    },
    # the hotline: its dispatchers keep every report and the whole rota
    "defense:report": Swap("dispatcher", network_wide=True, note="dispatchers read every report"),
    "defense:report_close": Swap("dispatcher", network_wide=True),
    "defense:slot": Swap("dispatcher", network_wide=True, note="the rota is every dispatcher's"),
    "defense:slot_remove": Swap("dispatcher", network_wide=True),
    "defense:slot_cover": Swap("dispatcher", network_wide=True),
    "defense:report_verify": Swap("dispatcher", network_wide=True),
    "defense:report_alert": Swap("dispatcher", network_wide=True),
    "defense:report_after": Swap("dispatcher", network_wide=True),
    "defense:verify": Swap("member", note="the verifier asked; Y: another verifier's ask"),
    "defense:conversation": Swap("dispatcher", network_wide=True, note="the line is the desk's"),
    "defense:conversation_reply": Swap("dispatcher", network_wide=True),
    "defense:conversation_close": Swap("dispatcher", network_wide=True),
    **{
        name: Swap("dispatcher", network_wide=True, note="dispatchers keep every case")
        for name in (
            "defense:arrest_new",
            "defense:arrestee",
            "defense:arrestee_edit",
            "defense:arrestee_status",
            "defense:court_date_add",
            "defense:task_add",
            "defense:task_done",
            "defense:bail_ask",
            "defense:handoff",
            "defense:handoff_link",
            "defense:rights_card",
            "defense:rights_delete",
        )
    },
    **{
        name: Swap("member", note="a checked-in observer; Y: an incident they were not called to")
        for name in (
            "defense:incident",
            "defense:incident_check_in",
            "defense:entry_new",
            "defense:entry_correct",
            "defense:entry_annotate",
            "defense:entry_media",
        )
    },
    # allies: every member sees every peer; the organizing team keeps the pairing codes
    "confederation:peer": Swap("member", network_wide=True, note="every member sees every ally"),
    "confederation:peer_propose": Swap("organizer", network_wide=True),
    **{
        name: Swap("organizer", network_wide=True, note="requests are the organizing team's")
        for name in (
            "confederation:request",
            "confederation:request_change",
            "confederation:request_stand_down",
            "confederation:incoming",
            "confederation:incoming_accept",
            "confederation:incoming_decline",
            "confederation:incoming_turnout",
        )
    },
    "confederation:code_withdraw": Swap(
        "organizer", network_wide=True, note="codes are the organizing team's, every one"
    ),
    # core
    "core:approval_approve": Swap("member", network_wide=True, note="any member approves"),
    "core:approval_reject": Swap("member", network_wide=True),
    "mfa_remove_webauthn": Swap("member", x="own_key", note="Y: another member's passkey"),
    "mfa_edit_webauthn": Swap("member", x="own_key", note="Y: another member's passkey"),
}

# Routes whose "id" is a bearer secret: holding it is the access, so there is no one to swap
# it from. Their guessing is covered by the tokens' length and single use (members' tests).
BEARER = {
    "join": "an invitation's secret",
    "account_reset_password": "a password reset link's secret",
    "mobilize:public": "an action's public page token",
    "mobilize:rsvp": "an ask's answer link",
    "mobilize:alert_answer": "an alert's one-tap link",
    "mobilize:calendar_feed": "a calendar feed's secret",
    "funds:supplies_public": "an action's public page token",
    "funds:supplies_public_thanks": "an action's public page token",
    "funds:match_donor": "a public donor's match link (256 bits, kept as its digest)",
    "defense:public_report": "the hotline's public form's secret address (192 bits)",
    "defense:legal_bundle": "the legal contact's link: a 256-bit secret kept as a hash",
    "defense:legal_download": "the legal contact's link: a 256-bit secret kept as a hash",
}
# int primary keys of things every organizer reaches, with no object of another kind to swap
# in (another table's pks collide with real rows).
NOTHING_HIDDEN = {
    "mobilize:zone": "zones are the organizing team's, every one",
    "mobilize:template_delete": "message templates are the organizing team's, every one",
    "mobilize:sender_toggle": "SMS senders are the organizing team's, every one",
}

API_SWAPS: dict[tuple[str, str], Swap] = {
    ("get", "/api/people/{public_id}"): Swap("organizer", network_wide=True),
    ("get", "/api/members/{public_id}"): Swap("supporter"),
    ("get", "/api/councils/{public_id}"): Swap("member"),
    ("get", "/api/councils/{public_id}/members"): Swap("member"),
    ("get", "/api/councils/{public_id}/assessments"): Swap("member", x="council_team"),
    ("post", "/api/councils/{public_id}/assessments"): Swap("member", x="council_team"),
    ("get", "/api/fights/{public_id}"): fight_team(),
    ("get", "/api/fights/targets/{public_id}"): fight_team(network_wide=True),
    ("get", "/api/decisions/proposals/{public_id}"): Swap("member"),
    ("post", "/api/decisions/proposals/{public_id}/ballot"): Swap("member"),
    ("get", "/api/decisions/meetings/{public_id}"): Swap("member"),
    ("post", "/api/decisions/meetings/{public_id}/attendance"): Swap("member"),
    ("post", "/api/decisions/meetings/{public_id}/speakers"): Swap(
        "member", refused=(404,), note="X answers 422 until the meeting opens"
    ),
    ("get", "/api/decisions/delegates/{public_id}"): Swap("member"),
    ("post", "/api/decisions/delegates/{public_id}/votes"): Swap("member"),
    ("put", "/api/decisions/bodies/{public_id}/proxy"): Swap("member"),
    ("delete", "/api/decisions/bodies/{public_id}/proxy"): Swap("member"),
    ("get", "/api/actions/{public_id}"): Swap("member"),
    ("get", "/api/actions/{public_id}/turnout"): Swap("member"),
    ("post", "/api/actions/{public_id}/answer"): Swap("member"),
    ("get", "/api/actions/{public_id}/asks"): fight_team(x="team_action"),
    ("post", "/api/actions/{public_id}/shifts"): fight_team(x="team_action"),
    ("delete", "/api/actions/{public_id}/shifts/{shift_id}"): fight_team(x="team_action"),
    ("post", "/api/actions/{public_id}/roles"): fight_team(x="team_action"),
    ("delete", "/api/actions/{public_id}/roles/{role_id}"): fight_team(x="team_action"),
    ("get", "/api/actions/{public_id}/calls/{list_id}"): Swap("member"),
    ("post", "/api/actions/{public_id}/calls/{list_id}/{call_id}"): Swap("member"),
    ("get", "/api/alerts/{public_id}"): Swap("member"),
    ("get", "/api/funds/{public_id}"): Swap("member", network_wide=True),
    ("get", "/api/funds/{public_id}/report"): Swap("member", network_wide=True),
    ("post", "/api/alerts/{public_id}/response"): Swap("member"),
}


# --- which routes need a case ------------------------------------------------------------------


def id_routes(urlconf: Any = None) -> list[str]:
    """Page routes with an id in their pattern (API routes are counted as operations)."""
    return [
        r.name for r in all_routes(urlconf) if "<" in r.pattern and not r.name.startswith("api:")
    ]


def id_operations() -> list[tuple[str, str]]:
    return [op for op in api_operations() if "{" in op[1]]


def uncovered(urlconf: Any = None) -> list[str]:
    known = SWAPS.keys() | BEARER.keys() | NOTHING_HIDDEN.keys()
    missing = [name for name in id_routes(urlconf) if name not in known]
    missing += [f"{m.upper()} {p}" for m, p in id_operations() if (m, p) not in API_SWAPS]
    return missing


# --- the foreign world Y -----------------------------------------------------------------------


def _marked(instance: models.Model, **texts: str) -> models.Model:
    for name, text in texts.items():
        setattr(instance, name, f"{MARK} {text}")
    instance.save(update_fields=list(texts))
    return instance


def foreign_world(personas: dict[str, Persona], objects: dict[str, Any]) -> dict[str, Any]:
    """Objects of the same kinds as the matrix's, each hidden from the persona that asks for
    it: another fight with its own team, subject, evidence, letter, plan and body (proposals,
    a meeting, a delegate), another council, another person's record, another organizer's
    import and export, another member's tokens, keys and feed, an action and an alert that
    reach none of the personas, and the funds' (solnet/funds/tests/swap_world.py)."""
    from solnet.councils.models import Committee, Council, CouncilMembership, OneOnOne, Site
    from solnet.democracy import services as democracy
    from solnet.democracy.models import Delegate
    from solnet.fights import services as fight_services
    from solnet.fights.models import Fight, FightSubject, FightTeamMember, FollowUp
    from solnet.funds.tests.swap_world import funds_world
    from solnet.mobilize import services as mobilize
    from solnet.mobilize.models import Alert, AlertStatus, Delivery, Send
    from solnet.people.models import (
        Availability,
        Commitment,
        ContactChannel,
        Person,
        PersonFlag,
        PersonSkill,
    )
    from solnet.people.services import own_record
    from solnet.people.tests.importing import checked, upload

    other_team, _ = make_member("other_team")
    other_subject, _ = make_member("other_subject", tier=Tier.SUPPORTER)
    other_organizer, _ = make_member("other_organizer", tier=Tier.ORGANIZING_TEAM)
    fund = personas["fund_committee"].member
    organizer = personas["organizer"].member

    # a fight the personas are not on
    fight = Fight.objects.create(
        title=f"{MARK} Stolen tips", issue_type="wages", facts=f"{MARK} facts"
    )
    FightTeamMember.objects.create(fight=fight, member=other_team, is_point_person=True)
    FightSubject.objects.create(fight=fight, person=own_record(member=other_subject))
    evidence = fight_services.add_evidence(
        fight=fight, data=tiny_png(), label=f"{MARK} pay stub", by=other_team
    )
    demand = fight_services.add_demand(
        fight=fight, kind="amount", text=f"{MARK} pay", amount=10, due_on=None, by=other_team
    )
    fight_services.add_target_to_fight(
        fight=fight, name=f"{MARK} Boss", kind="person", address="", by=other_team
    )
    letter = fight_services.save_letter(
        fight=fight, language="en", body=f"{MARK} letter", by=other_team
    )
    step = fight_services.add_plan_step(
        fight=fight,
        tactic=objects["tactic"],
        planned_on=datetime.date.today(),
        turnout_needed=None,
        roles="",
        by=other_team,
    )
    follow_up = FollowUp.objects.create(fight=fight, task=f"{MARK} call")

    # its own body: proposals, a secret ballot, a meeting and a delegate
    body = democracy.body_of_fight(fight)
    closes = timezone.now() + timedelta(days=3)
    proposal = democracy.propose(body=body, by=other_team, title=f"{MARK} proposal")
    democracy.open_voting(proposal=proposal, by=other_team, closes_at=closes)
    secret = democracy.propose(body=body, by=other_team, title=f"{MARK} secret", secret=True)
    democracy.open_voting(proposal=secret, by=other_team, closes_at=closes)
    fight_proposal = democracy.propose(body=body, by=other_team, title=f"{MARK} draft")
    meeting = democracy.call_meeting(
        body=body,
        by=other_team,
        title=f"{MARK} meeting",
        starts_at=timezone.now() + timedelta(days=3),
        place=f"{MARK} hall",
    )
    item = democracy.add_agenda_item(meeting=meeting, by=other_team, title=f"{MARK} item")
    delegate = Delegate.objects.create(
        body=body, member=other_team, assembly=f"{MARK} assembly", mandate=f"{MARK} mandate"
    )

    # a council none of the personas is in
    council = Council.objects.create(name=f"{MARK} council", kind="tenant")
    site = Site.objects.create(council=council, name=f"{MARK} site", kind="building")
    person = Person.objects.create(display_name=f"{MARK} person")
    membership = CouncilMembership.objects.create(council=council, person=person)
    committee = Committee.objects.create(council=council, name=f"{MARK} committee")
    committee.members.add(person)
    one_on_one = OneOnOne.objects.create(
        council=council,
        person=person,
        follow_up=f"{MARK} follow",
        follow_up_on=datetime.date.today(),
    )

    # an action of that fight for the organizing team's tier, with all its parts, and an alert sent
    # to nobody the personas are
    starts = timezone.now() + timedelta(days=2)
    action = mobilize.plan_action(
        by=other_team,
        fight=fight,
        title=f"{MARK} action",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        tier=Tier.ORGANIZING_TEAM,
    )
    shift = mobilize.add_shift(
        action=action,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        needed=2,
        by=other_team,
    )
    slot = mobilize.add_role(action=action, role="medic", needed=1, by=other_team)
    call_list = mobilize.build_call_list(
        action=action,
        people=Person.objects.filter(pk=person.pk),
        name=f"{MARK} list",
        script=f"{MARK} script",
        callers=[other_team],
        by=other_team,
    )
    call = call_list.calls.get()
    send = Send.objects.create(kind="call_out", action=action, created_by=other_team)
    Delivery.objects.create(send=send, person=person, channel="email", language="en")
    alert = Alert.objects.create(
        message=f"{MARK} alert",
        status=AlertStatus.SENT,
        sent_at=starts,
        created_by=personas["dispatcher"].member,
    )
    alert_send = Send.objects.create(kind="alert", alert=alert, status="done")
    Delivery.objects.create(
        send=alert_send, person=own_record(member=other_team), channel="email", language="en"
    )

    # people: another record and its parts; another organizer's import and export
    person_import = checked(
        upload(f"Name,Email\n{MARK},y@example.org\n,bad\n", by=other_organizer),
        by=other_organizer,
    )
    export = _export_by(other_organizer, approver=organizer)
    invitation, _ = member_services.create_invitation(created_by=fund, tier=Tier.MEMBER)
    token, _ = member_services.create_api_token(
        member=fund, name=f"{MARK} token", scopes=[ApiScope.ME_READ], days=None
    )
    return {
        "personas": {
            **personas,
            "supporter": Persona("supporter", personas["member"].member),
            "fight_team": Persona("fight_team", other_team),
            "member": Persona("member", other_team),
            "organizer": Persona("organizer", other_organizer),
        },
        # members
        "joiner": objects["target"],  # approved: nobody's to approve
        "target": objects["joiner"],  # still pending: not a member to act on
        "invitation": invitation,
        "api_token": token,
        "passkey": objects["passkey"],  # the target member's
        # people
        "person": person,
        "commitment": Commitment.objects.create(person=person, ask=f"{MARK} ask", answer="yes"),
        "skill": PersonSkill.objects.create(person=person, skill="driver"),
        "availability": Availability.objects.create(
            person=person, weekday=3, starts="10:00", ends="12:00"
        ),
        "channel": ContactChannel.objects.create(
            person=person, kind="email", value="hidden@example.org", consent_at=timezone.now()
        ),
        "own_channel": objects["channel"],  # the neighbour's, not the member persona's
        "person_flag": PersonFlag.objects.create(
            person=person, field="phone", problem="phone_invalid", value="13"
        ),
        "saved_filter": objects["saved_filter"],  # another organizer's
        "person_import": person_import,
        "merge_other": person,
        "people_export": export,
        # councils
        "council": council,
        "site": site,
        "council_membership": membership,
        "committee": committee,
        "one_on_one": one_on_one,
        # fights
        "fight": fight,
        "evidence": evidence,
        "demand": demand,
        "letter": letter,
        "step": step,
        "follow_up": follow_up,
        # decisions
        "general_body": body,
        "proposal": proposal,
        "secret_proposal": secret,
        "fight_proposal": fight_proposal,
        "meeting": meeting,
        "agenda_item": item,
        "delegate": delegate,
        # actions
        "action": action,
        "shift": shift,
        "role_slot": slot,
        "ask": call.ask,
        "call_list": call_list,
        "call": call,
        "send": send,
        "alert": alert,
        # funds
        **funds_world(personas, objects, mark=MARK, hidden_action=action, team=other_team),
        # the hotline: another verifier's ask
        "defense_verification": _another_verifiers_ask(),
        # another observer's incident, and its entry
        **_another_incident(),
    }


def _another_incident() -> dict:
    from solnet.defense.tests.making import make_incident

    report, entry = make_incident(make_member("y_observer")[0], what=f"{MARK} entry")
    return {"defense_incident": report, "defense_entry": entry}


def _another_verifiers_ask():
    from solnet.defense.models import Verification
    from solnet.defense.tests.making import make_report

    report = make_report(location=f"{MARK} street")
    return Verification.objects.create(report=report, verifier=make_member("y_verifier")[0])


def _export_by(requester, *, approver):
    from solnet.core import twoperson
    from solnet.core.models import SealedFile
    from solnet.people import export_requests, tasks

    export = export_requests.request_export(query={}, by=requester)
    twoperson.approve_request(approval=export, approver=approver)
    tasks.produce_people_export.call_local(SealedFile.objects.get(approval=export).pk)
    return export


def own_worlds(personas, objects) -> dict[str, dict[str, Any]]:
    """X for personas whose own object is not the matrix's."""
    from allauth.mfa.models import Authenticator

    from solnet.councils.models import Role as CouncilRole
    from solnet.mobilize import services as mobilize
    from solnet.mobilize.models import Send
    from solnet.people.models import SavedFilter

    member = personas["member"].member
    team = personas["fight_team"].member
    organizer = personas["organizer"].member
    membership = objects["council_membership"]
    membership.role = CouncilRole.ORGANIZING
    membership.save(update_fields=["role"])
    action = objects["fight_action"]
    shift = mobilize.add_shift(
        action=action,
        starts_at=action.starts_at,
        ends_at=action.starts_at + timedelta(minutes=30),
        needed=2,
        by=team,
    )
    slot = mobilize.add_role(action=action, role="marshal", needed=1, by=team)
    ask = mobilize.sign_up(action=action, member=member, answer="yes")
    call_list = mobilize.build_call_list(
        action=action,
        people=type(objects["person"]).objects.filter(pk=objects["person"].pk),
        name="Team list",
        script="Hello",
        callers=[team],
        by=team,
    )
    send = Send.objects.create(kind="call_out", action=action, created_by=team)
    team_action = {
        **objects,
        "action": action,
        "shift": shift,
        "role_slot": slot,
        "ask": ask,
        "call_list": call_list,
        "call": call_list.calls.get(),
        "send": send,
    }
    own_key = Authenticator.objects.create(
        user=member,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "My key", "credential": {"id": "m", "response": {}}},
    )
    return {
        "objects": objects,
        "own_filter": {
            **objects,
            "saved_filter": SavedFilter.objects.create(
                owner=organizer, name="Mine", query={"language": "en"}
            ),
        },
        "council_team": objects,
        "team_action": team_action,
        "own_key": {**objects, "passkey": own_key},
    }


# --- asking ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    route: str
    persona: str
    swapped: str
    status: int
    revealed: bool
    changed: list[str] = field(default_factory=list)

    @property
    def leak(self) -> bool:
        return self.revealed or bool(self.changed) or self.status not in self.refused

    refused: tuple[int, ...] = (404,)


def _variants(own: dict, theirs: dict, whole: bool) -> list[tuple[str, dict]]:
    """One id swapped at a time, then (where it is a leak) all of them."""
    differing = [k for k in own if k in theirs and str(own[k]) != str(theirs[k])]
    found = [(k, {**own, k: theirs[k]}) for k in differing]
    if whole and len(differing) > 1:
        found.append(("+".join(differing), {**own, **{k: theirs[k] for k in differing}}))
    return found


def _counted_models() -> list[type[models.Model]]:
    skip = {"core.auditevent", "sessions.session"}
    return [m for m in apps.get_models() if m._meta.label_lower not in skip and m._meta.managed]


def _snapshot(counted, watched) -> dict[str, Any]:
    """Row counts of every table (but the audit log and sessions, which a refusal may write)
    and every field of every object of Y."""
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{m._meta.db_table}', COUNT(*) FROM {qn(m._meta.db_table)}" for m in counted
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        state: dict[str, Any] = {f"rows of {t}": n for t, n in cursor.fetchall()}
    by_model: dict[type[models.Model], list[int]] = {}
    for obj in watched:
        by_model.setdefault(type(obj), []).append(obj.pk)
    for model, pks in by_model.items():
        for row in model._base_manager.filter(pk__in=pks).values():
            state[f"{model._meta.label} {row.get('id', '')}"] = repr(sorted(row.items()))
    return state


def _diff(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


class Asker:
    def __init__(self, personas):
        self.personas = personas
        self.clients: dict[str, Client] = {}
        self.tokens: dict[str, str] = {}

    def page(self, persona: str) -> Client:
        if persona not in self.clients:
            member = self.personas[persona].member
            # The outsider has no account: a client never signed in.
            self.clients[persona] = Client() if member is None else sign_in(Client(), member)
        return self.clients[persona]

    def api_headers(self, persona: str) -> dict[str, str]:
        if self.personas[persona].member is None:
            return {}
        if persona not in self.tokens:
            _token, secret = member_services.create_api_token(
                member=self.personas[persona].member,
                name="swap",
                scopes=list(ApiScope.values),
                days=1,
            )
            self.tokens[persona] = secret
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[persona]}"}


def _ask_page(asker: Asker, swap: Swap, row: Row, name: str, kwargs: dict, world: dict):
    client = asker.page(swap.persona)
    path = reverse(name, kwargs=kwargs)
    return getattr(client, row.method)(path, row.data(world))


def _ask_api(asker: Asker, swap: Swap, method: str, template: str, row: Row, kwargs, world):
    client = Client()
    path = template.format(**kwargs)
    headers = asker.api_headers(swap.persona)
    if method in ("post", "patch", "put"):
        body = json.dumps(row.data(world), default=str)
        return getattr(client, method)(path, body, content_type="application/json", **headers)
    return getattr(client, method)(path, **headers)


def _outer(own: dict) -> str:
    """The route's outer id: public_id, or its first."""
    return "public_id" if "public_id" in own else next(iter(own))


def walk(personas, objects) -> tuple[list[Outcome], list[str], int]:
    worlds = own_worlds(personas, objects)
    foreign = foreign_world(personas, objects)
    watched = [v for v in foreign.values() if isinstance(v, models.Model)]
    # Where Y has no object of its own, the route's other ids stay X's.
    theirs = {**objects, **foreign}
    counted = _counted_models()
    asker = Asker(personas)
    # Sessions and tokens made before any request: each request's own changes roll back.
    for swap in [*SWAPS.values(), *API_SWAPS.values()]:
        asker.page(swap.persona)
        asker.api_headers(swap.persona)
    hidden_kind = theirs["fight"].public_id
    outcomes: list[Outcome] = []
    controls_failed: list[str] = []
    cases = [("page", name, swap) for name, swap in SWAPS.items()]
    cases += [("api", op, swap) for op, swap in API_SWAPS.items()]
    for kind, key, swap in cases:
        world = worlds[swap.x]
        if kind == "page":
            row = swap.row or PAGES[key]

            def ask(kwargs, row=row, key=key, swap=swap, world=world):
                return _ask_page(asker, swap, row, key, kwargs, world)

            label = key
        else:
            method, template = key
            row = API_OPERATIONS[key]

            def ask(kwargs, row=row, method=method, template=template, swap=swap, world=world):
                return _ask_api(asker, swap, method, template, row, kwargs, world)

            label = f"{method.upper()} {template}"
        own = row.kwargs(world)
        with transaction.atomic():
            response = ask(own)
            allowed = classify(response) == A or response.status_code == 422
            transaction.set_rollback(True)
        if not allowed:
            controls_failed.append(f"{label} as {swap.persona}: {response.status_code}")
        variants = _variants(own, row.kwargs(theirs), swap.whole and not swap.network_wide)
        if swap.network_wide:
            # The outer id gets a hidden object of another kind; nested ids are still swapped.
            outer = _outer(own)
            variants = [(f"{outer} (another kind)", {**own, outer: hidden_kind})] + [
                v for v in variants if v[0] != outer
            ]
        variants = [v for v in variants if v[0] not in swap.keep]
        for swapped, kwargs in variants:
            with transaction.atomic():
                before = _snapshot(counted, watched) if row.method != "get" else None
                response = ask(kwargs)
                changed = _diff(before, _snapshot(counted, watched)) if before else []
                transaction.set_rollback(True)
            body = b"" if getattr(response, "streaming", False) else response.content
            outcomes.append(
                Outcome(
                    label,
                    swap.persona,
                    swapped,
                    response.status_code,
                    MARK.encode() in body,
                    changed,
                    swap.refused,
                )
            )
    return outcomes, controls_failed, len(cases)


# --- the tests ---------------------------------------------------------------------------------


def test_every_route_with_an_id_has_a_swap_case():
    assert uncovered() == []


def test_a_new_route_with_an_id_and_no_case_is_caught():
    """The guard itself: a route with an id added without a case makes the test fail."""
    import sys
    import types

    from django.urls import clear_url_caches, path

    from solnet import urls as real_urls

    extra = types.ModuleType("solnet_swap_probe_urls")
    extra.urlpatterns = [
        *real_urls.urlpatterns,
        path("letters/<str:public_id>.pdf", lambda request: None, name="letter_probe"),
        path("plain/", lambda request: None, name="plain_probe"),
    ]
    sys.modules[extra.__name__] = extra
    try:
        assert uncovered(extra.__name__) == ["letter_probe"]
    finally:
        del sys.modules[extra.__name__]
        clear_url_caches()


@pytest.mark.verify
@pytest.mark.django_db
def test_no_swapped_id_reaches_anothers_object(personas, objects, figures):
    started = time.monotonic()
    outcomes, controls_failed, cases = walk(personas, objects)
    leaks = [o for o in outcomes if o.leak]
    missing = uncovered()
    total = len(id_routes()) + len(id_operations())
    figures("A-2", len(leaks), unit="leaks", target="0", ok=not leaks)
    figures(
        "A-2.routes_covered",
        round(100 * (total - len(missing)) / total, 1),
        unit="%",
        target=f"100 % of {total} routes and operations with an id",
        ok=not missing,
    )
    figures(
        "A-2.swaps_asked",
        len(outcomes),
        unit="requests",
        target=f"{cases} cases with their persona's control allowed",
        ok=not controls_failed,
    )
    print(f"A-2: {len(outcomes)} swaps over {cases} cases in {time.monotonic() - started:.1f} s")
    assert [vars(o) for o in leaks] == [], "\n".join(map(str, leaks))
    assert controls_failed == [], "\n".join(controls_failed)
    assert missing == []
