"""Shared fixtures: the named personas of the authorization matrix, a TOTP calculator, a real
SMTP server on loopback, and Chromium driven by Playwright."""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import socket
import struct
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from solnet.core import audit, crypto, phones
from solnet.members import resets, services
from solnet.members.models import ApiScope, Invitation, Member, Role, RoleGrant, Tier
from solnet.network.models import Network


@pytest.fixture(autouse=True, scope="session")
def _ledger_rows_may_be_emptied_between_tests():
    """Django's test flush empties tables with DELETE on SQLite, which the ledger's triggers
    refuse (`solnet.funds.guard`); only that flush is let through."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from solnet.funds import guard

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with guard.emptying_everything():
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


def totp_code(secret: str, *, offset: int = 0, at: float | None = None) -> str:
    """RFC 6238 computed here, independently of the code under test."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at if at is not None else time.time()) // 30) + offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


@pytest.fixture(autouse=True)
def _fresh_process_state():
    """Keys cached in memory and the cache (throttles, audit head) must not leak between
    tests whose database was rolled back."""
    crypto.forget_keys()
    cache.clear()
    audit.forget_head()
    phones.forget_region()
    yield
    crypto.forget_keys()
    phones.forget_region()


@pytest.fixture
def network(db):
    network = Network.objects.current()
    network.name = "Eastside Solidarity Network"
    network.city_region = "Seattle"
    network.languages = ["en", "es"]
    network.default_language = "en"
    network.approvals_to_join = 1
    network.founded_at = network.created_at
    network.save()
    return network


@dataclass
class Persona:
    name: str
    member: Member | None
    totp_secret: str | None = None


@functools.cache
def _fixture_password_hash() -> str:
    """The one Argon2 hash of the fixture members' password, made once per test process: with
    the production parameters (100 MiB, as settings.py sets) each hash takes a few tenths of a
    second, and the personas alone are ten members in most tests. Signing in with the
    password still verifies the hash for real; a member's own password (joining, a reset)
    is still hashed afresh by the services."""
    return make_password("correct horse battery staple")


def make_member(
    username: str,
    *,
    tier: int = Tier.MEMBER,
    roles: tuple[str, ...] = (),
    status: str = Member.Status.ACTIVE,
    email: str | None = None,
    phone: str | None = None,
    with_totp: bool = True,
    joined_days_ago: int = 90,
) -> tuple[Member, str | None]:
    # Fixture members joined long ago (past the network's waiting period); a test about
    # newcomers says how recently its member joined.
    joined = timezone.now() - timedelta(days=joined_days_ago)
    member = Member(
        username=username,
        display_name=username.replace("_", " ").title(),
        tier=tier,
        status=status,
        email=email,
        phone=phone,
        joined_at=joined,
        approved_at=joined if status == Member.Status.ACTIVE else None,
    )
    member.password = _fixture_password_hash()
    member.save()
    for role in roles:
        RoleGrant.objects.create(member=member, role=role)
    secret = None
    if with_totp:
        secret = generate_totp_secret()
        TOTP.activate(member, secret)
        RecoveryCodes.activate(member)
    return member, secret


PERSONA_SPECS = {
    "supporter": {"tier": Tier.SUPPORTER},
    "phone_tree": {"tier": Tier.PHONE_TREE},
    "member": {"tier": Tier.MEMBER},
    "organizer": {"tier": Tier.ORGANIZING_TEAM},
    "fund_committee": {"tier": Tier.MEMBER, "roles": (Role.FUND_COMMITTEE,)},
    "dispatcher": {"tier": Tier.MEMBER, "roles": (Role.DISPATCHER,)},
    "pending": {"tier": Tier.MEMBER, "status": Member.Status.PENDING},
    # On the team of the fight in `objects` (and of no other).
    "fight_team": {"tier": Tier.MEMBER},
    # Brought the fight in `objects`: a newcomer on the list, with an account.
    "subject": {"tier": Tier.SUPPORTER},
}
PERSONA_NAMES = ["outsider", *PERSONA_SPECS]


@pytest.fixture
def personas(network) -> dict[str, Persona]:
    found = {"outsider": Persona("outsider", None)}
    for name, spec in PERSONA_SPECS.items():
        member, secret = make_member(
            name, email=f"{name}@example.org", phone="+1 206 555 0100", **spec
        )
        found[name] = Persona(name, member, secret)
    return found


@pytest.fixture
def member(personas) -> Member:
    return personas["member"].member


@pytest.fixture
def organizer(personas) -> Member:
    return personas["organizer"].member


# --- the objects the authorization matrix and the header checks need ---------------------


def sign_in(client: Client, member: Member) -> Client:
    client.force_login(member, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    # As if the password had just been typed again: pages that ask for re-authentication
    # then show what the persona may reach instead of asking.
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(member.pk)
    session.save()
    return client


@pytest.fixture
def objects(personas) -> dict[str, Any]:
    member = personas["member"].member
    organizer = personas["organizer"].member
    joiner, _ = make_member("joiner", status=Member.Status.PENDING)
    target, _ = make_member("target")
    services.create_invitation(created_by=member, tier=Tier.MEMBER)
    invitation = Invitation.objects.get(created_by=member)
    api_token, _secret = services.create_api_token(
        member=member, name="sync", scopes=[ApiScope.ME_READ], days=None
    )
    approval = services.change_tier(member=target, tier=Tier.ORGANIZING_TEAM, by=organizer)
    passkey = Authenticator.objects.create(
        user=target,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Phone key", "credential": {"id": "x", "response": {}}},
    )
    # A second usable invitation for the join page (the first is revoked by one row).
    _second, second_token = services.create_invitation(created_by=organizer, tier=Tier.MEMBER)
    _reset, reset_token = resets.issue_password_reset(member=target, by=organizer)
    from django.utils import timezone

    from solnet.councils.models import Committee, Council, CouncilMembership, OneOnOne, Site
    from solnet.people.models import (
        Availability,
        Commitment,
        ContactChannel,
        JoinRequest,
        Person,
        PersonSkill,
        SavedFilter,
        Tag,
    )
    from solnet.people.services import own_record

    person = Person.objects.create(display_name="Neighbour Without Account")
    fight_objects = _fight_objects(personas)
    commitment = Commitment.objects.create(person=person, ask="Picket on Friday", answer="yes")
    return {
        "personas": personas,
        "person": person,
        "commitment": commitment,
        "skill": PersonSkill.objects.create(person=person, skill="driver"),
        "availability": Availability.objects.create(
            person=person, weekday=5, starts="10:00", ends="14:00"
        ),
        "tag": Tag.objects.create(name="night shift"),
        "saved_filter": SavedFilter.objects.create(
            owner=make_member("another_organizer", tier=Tier.ORGANIZING_TEAM)[0],
            name="Theirs",
            query={"language": "es"},
        ),
        "council": (council := Council.objects.create(name="Greenway Tenants", kind="tenant")),
        "site": Site.objects.create(council=council, name="1400 Pine St", kind="building"),
        "council_membership": (
            membership := CouncilMembership.objects.create(
                council=council, person=own_record(member=member)
            )
        ),
        "committee": _committee_of(Committee, council, membership.person),
        "channel": ContactChannel.objects.create(
            person=person, kind="call", value="+1 555 0100", consent_at=timezone.now()
        ),
        "own_channel": ContactChannel.objects.create(
            person=membership.person, kind="email", value="member@example.org"
        ),
        "one_on_one": OneOnOne.objects.create(
            council=council,
            person=membership.person,
            follow_up="Bring them to the meeting",
            follow_up_on=datetime.date.today(),
        ),
        "join_request": JoinRequest.objects.create(
            display_name="Walk-in", kind="email", value="walkin@example.org"
        ),
        "joiner": joiner,
        "target": target,
        "invitation": invitation,
        "invitation_token": second_token,
        "reset_token": reset_token,
        "api_token": api_token,
        "approval": approval,
        "passkey": passkey,
        **fight_objects,
        **_democracy_objects(personas, fight_objects["fight"]),
        **_mobilize_objects(personas, fight_objects["fight"], person),
    }


def _mobilize_objects(personas, fight, person) -> dict[str, Any]:
    """A network picket (planned by the organizer, open to the phone tree, with a shift, a
    role, a public page and the member persona asked and answering yes), a fight's action run
    by its team, a call list whose one call (to a neighbour) is the member persona's, a
    call-out sent for the picket, and a rapid-response alert sent to the member persona."""
    from datetime import timedelta
    from urllib.parse import urlparse

    from django.utils import timezone

    from solnet.mobilize import links
    from solnet.mobilize import services as mobilize
    from solnet.mobilize.models import (
        Alert,
        AlertStatus,
        Delivery,
        MessageTemplate,
        Send,
        SmsSender,
        Zone,
    )
    from solnet.people.services import own_record

    organizer = personas["organizer"].member
    member = personas["member"].member
    starts = timezone.now() + timedelta(days=2)
    action = mobilize.plan_action(
        by=organizer,
        title="Picket at Acme Property Management",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        place="1400 Pine St",
        tier=Tier.PHONE_TREE,
        turnout_target=30,
    )
    shift = mobilize.add_shift(
        action=action,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        needed=10,
        by=organizer,
    )
    slot = mobilize.add_role(action=action, role="marshal", needed=2, by=organizer)
    mobilize.set_public(action=action, public=True, by=organizer)
    action.refresh_from_db()
    member_person = own_record(member=member)
    ask = mobilize.sign_up(action=action, member=member, answer="yes")
    fight_action = mobilize.plan_action(
        by=personas["fight_team"].member,
        fight=fight,
        title="March on the boss at Joe's Diner",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        tier=Tier.MEMBER,
    )
    call_list = mobilize.build_call_list(
        action=action,
        people=type(person).objects.filter(pk=person.pk),
        name="Neighbours",
        script="Hi, it's the network calling about Friday's picket.",
        callers=[member],
        by=organizer,
    )
    send = Send.objects.create(kind="call_out", action=action, created_by=organizer)
    Delivery.objects.create(send=send, person=person, channel="email", language="en")
    zone = Zone.objects.create(name="Central District")
    zone.people.add(member_person)
    alert = Alert.objects.create(
        message="Go to 5th and Pine, bring phones",
        status=AlertStatus.SENT,
        sent_at=starts,
        created_by=personas["dispatcher"].member,
    )
    alert_send = Send.objects.create(kind="alert", alert=alert, status="done")
    alert_delivery = Delivery.objects.create(
        send=alert_send, person=member_person, channel="email", language="en"
    )
    return {
        "action": action,
        "shift": shift,
        "role_slot": slot,
        "ask": ask,
        "rsvp_token": urlparse(links.new_link(ask)).path.rstrip("/").rsplit("/", 1)[-1],
        "fight_action": fight_action,
        "call_list": call_list,
        "call": call_list.calls.get(),
        "send": send,
        "zone": zone,
        "sms_sender": SmsSender.objects.create(
            number="+12065550001", kind="long_code", per_second=1, per_day=2000
        ),
        "message_template": MessageTemplate.objects.create(
            name="call-out", language="es", subject="¿Vienes?", body="Hola {name}: {link}"
        ),
        "alert": alert,
        "alert_token": urlparse(links.alert_link(alert_delivery))
        .path.rstrip("/")
        .rsplit("/", 1)[-1],
    }


def _democracy_objects(personas, fight) -> dict[str, Any]:
    """A majority vote open in the general meeting (put forward by the organizer), a secret
    ballot open there too, and a proposal under discussion in the fight's own body (put
    forward by its team)."""
    from datetime import timedelta

    from django.utils import timezone

    from solnet.democracy import services as democracy
    from solnet.democracy.models import Body

    organizer = personas["organizer"].member
    general = Body.objects.general()
    proposal = democracy.propose(body=general, by=organizer, title="Buy a megaphone")
    closes = timezone.now() + timedelta(days=3)
    democracy.open_voting(proposal=proposal, by=organizer, closes_at=closes)
    secret = democracy.propose(
        body=general, by=organizer, title="Join the tenants' federation", secret=True
    )
    democracy.open_voting(proposal=secret, by=organizer, closes_at=closes)
    fight_proposal = democracy.propose(
        body=democracy.body_of_fight(fight),
        by=personas["fight_team"].member,
        title="Leaflet the diner's customers",
    )
    from solnet.democracy.models import Delegate

    meeting = democracy.call_meeting(
        body=general,
        by=organizer,
        title="Weekly meeting",
        starts_at=timezone.now() + timedelta(days=3),
        place="The union hall",
    )
    item = democracy.add_agenda_item(meeting=meeting, by=organizer, title="Report back")
    delegate = Delegate.objects.create(
        body=general,
        member=personas["member"].member,
        assembly="the tenant federation's assembly",
        mandate="Vote for the joint rent strike",
    )
    return {
        "general_body": general,
        "meeting": meeting,
        "agenda_item": item,
        "delegate": delegate,
        "proposal": proposal,
        "secret_proposal": secret,
        "fight_proposal": fight_proposal,
    }


def _fight_objects(personas) -> dict[str, Any]:
    """A fight at intake with the fight_team persona as point person and the subject persona
    as its campaign subject; a lead still open."""
    from solnet.fights.models import Fight, FightSubject, FightTeamMember, Lead
    from solnet.people.services import own_record

    fight = Fight.objects.create(
        title="Back wages at Joe's Diner", issue_type="wages", facts="Six weeks unpaid"
    )
    FightTeamMember.objects.create(
        fight=fight, member=personas["fight_team"].member, is_point_person=True
    )
    FightSubject.objects.create(fight=fight, person=own_record(member=personas["subject"].member))
    lead = Lead.objects.create(
        display_name="Caller",
        contact_kind="call",
        contact="+1 206 555 0199",
        issue_type="deposit",
        channel="call",
    )
    from solnet.fights import services as fight_services

    evidence = fight_services.add_evidence(
        fight=fight, data=tiny_png(), label="Pay stub, March", by=personas["fight_team"].member
    )
    target = fight_services.add_target_to_fight(
        fight=fight,
        name="Joseph Adler",
        kind="person",
        address="",
        by=personas["fight_team"].member,
    )
    from solnet.fights.catalogue import ensure_builtins
    from solnet.fights.models import WinnabilityCriterion

    ensure_builtins()
    team = personas["fight_team"].member
    demand = fight_services.add_demand(
        fight=fight, kind="amount", text="Pay the wages owed", amount=6710, due_on=None, by=team
    )
    letter = fight_services.save_letter(
        fight=fight, language="en", body="To Joe's Diner,\n\nPay.", by=team
    )
    from solnet.fights.models import Tactic

    picket = Tactic.objects.get(builtin="picket")
    step = fight_services.add_plan_step(
        fight=fight,
        tactic=picket,
        planned_on=datetime.date.today(),
        turnout_needed=None,
        roles="",
        by=team,
    )
    from solnet.fights.models import FollowUp

    return {
        "follow_up": FollowUp.objects.create(fight=fight, task="Invite Antonio to the meeting"),
        "tactic": picket,
        "step": step,
        "demand": demand,
        "letter": letter,
        "fight": fight,
        "lead": lead,
        "evidence": evidence,
        "fight_target": target,
        "criterion": WinnabilityCriterion.objects.get(builtin="evidence"),
    }


def tiny_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _committee_of(model, council, person):
    committee = model.objects.create(council=council, name="Building committee")
    committee.members.add(person)
    return committee


@pytest.fixture
def signed_in(client):
    """Signs a member in through force_login (which stamps the session like a real login)."""

    def sign_in(member: Member):
        client.force_login(member, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client

    return sign_in


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report


@pytest.fixture
def phone(request, chromium, live_server):
    """Opens phone-sized browser contexts in a given language; each is a separate person."""
    contexts = []

    def open_phone(language: str = "en"):
        context = chromium.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale={"en": "en-US", "es": "es-ES"}[language],
            extra_http_headers={"Accept-Language": language},
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        context.language = language
        page = context.new_page()
        page.csp_violations = []
        page.on(
            "console",
            lambda msg: (
                page.csp_violations.append(msg.text)
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        page.outside_requests = []
        page.on(
            "request",
            lambda request: (
                page.outside_requests.append(request.url)
                if not request.url.startswith((live_server.url, "data:"))
                else None
            ),
        )
        page.failed_assets = []
        page.on(
            "response",
            lambda response: (
                page.failed_assets.append(f"{response.status} {response.url}")
                if "/static/" in response.url and response.status >= 400
                else None
            ),
        )
        return page

    yield open_phone
    if getattr(request.node, "failed_call", False):
        # Screenshots of every page of a failed journey, to see what the person saw.
        out = Path("var/screenshots")
        out.mkdir(parents=True, exist_ok=True)
        for number, context in enumerate(contexts):
            for page in context.pages:
                page.screenshot(path=out / f"{request.node.name}-{number}.png", full_page=True)
                print(f"{request.node.name}-{number}: {page.url}")
    for context in contexts:
        context.close()


class _Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; the app's SMTP backend delivers to it."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


AXE = Path(__file__).parent / "solnet" / "core" / "testing" / "vendor" / "axe-4.14.1.min.js"


def accessibility_violations(page) -> list[str]:
    """Runs axe-core (vendored; evaluated through the browser's debugging channel, so the
    page's CSP stays as strict as ever) against WCAG 2.1 A and AA."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + ";0")
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return list(result)
