"""What the tests do inside one of the three SolNet servers of the confederation tests: a
process in that server's own environment (its database, its keys, its address), started with
`manage.py shell -c` beside the server, runs `serve()`: it reads a function's name and
arguments as a line of JSON, and answers with the function's result as a line of JSON.

These stand for what an organizer does on the pages (the browser journey does it there) and
for days passing (a meeting in session that closes a vote, as `democracy.testing` does).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

PASSWORD = "correct horse battery staple"


def serve() -> None:
    """Answers the test's calls until its input closes."""
    import sys

    from django.db import close_old_connections

    functions = {
        name: value
        for name, value in globals().items()
        if callable(value) and not name.startswith("_") and name not in {"serve", "make_password"}
    }
    for line in sys.stdin:
        name, args = json.loads(line)
        close_old_connections()
        try:
            answer = {"result": functions[name](*args)}
        except Exception as error:  # the test shows it
            import traceback

            answer = {"error": "".join(traceback.format_exception(error))}
        sys.stdout.write(json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()


def seed(name: str, city: str, languages: list[str], organizes: str) -> Any:
    """A founded network with two organizers and three members who joined long ago."""
    from allauth.mfa.models import Authenticator  # noqa: F401 - the app must be loaded
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from solnet.members.models import Member, Tier
    from solnet.network.models import Network

    network = Network.objects.current()
    network.name, network.city_region = name, city
    network.languages, network.default_language = languages, languages[0]
    network.organizes = organizes
    network.founded_at = network.created_at
    network.save()
    joined = timezone.now() - timedelta(days=90)
    hashed = make_password(PASSWORD)
    secrets = {}
    for username, tier in [
        ("org1", Tier.ORGANIZING_TEAM),
        ("org2", Tier.ORGANIZING_TEAM),
        ("m1", Tier.MEMBER),
        ("m2", Tier.MEMBER),
        ("m3", Tier.MEMBER),
    ]:
        member = Member.objects.create(
            username=username,
            display_name=f"{name} {username}",
            tier=tier,
            status=Member.Status.ACTIVE,
            joined_at=joined,
            approved_at=joined,
            password=hashed,
            preferred_language=languages[0],
            email=f"{username}@{name.split()[0].lower()}.example.org",
            phone="+1 206 555 01" + str(10 + len(secrets)),
        )
        secret = generate_totp_secret()
        TOTP.activate(member, secret)
        RecoveryCodes.activate(member)
        secrets[username] = secret
    return {"totp": secrets}


def _organizer(username: str = "org1"):
    from solnet.members.models import Member

    return Member.objects.get(username=username)


def make_code() -> Any:
    from solnet.confederation import pairing

    code, _row = pairing.make_code(by=_organizer())
    return {"code": str(code), "fingerprint": code.fingerprint}


def enter_code(code: str) -> Any:
    from django.core.exceptions import ValidationError

    from solnet.confederation import pairing

    try:
        peer = pairing.enter_code(text=code, by=_organizer())
    except ValidationError as error:
        return {"error": error.messages}
    return {"peer": peer.public_id}


def decide(origin: str, ending: bool = False) -> Any:
    """The general meeting decides to ally with the peer at `origin` (or to end it): the
    proposal is put, everyone votes yes and a quorate meeting in session closes it."""
    from solnet.confederation import alliance
    from solnet.confederation.models import Peer
    from solnet.democracy import services
    from solnet.democracy.testing import close_in_meeting
    from solnet.members.models import Member

    proposal = alliance.put_to_meeting(
        peer=Peer.objects.get(origin=origin), by=_organizer(), ending=ending
    )
    proposal = services.open_voting(
        proposal=proposal,
        by=_organizer(),
        closes_at=timezone.now() + timedelta(days=8),
    )
    for voter in Member.objects.all():
        services.cast_ballot(proposal=proposal, voter=voter, choice="yes")
    proposal = close_in_meeting(proposal, by=_organizer())
    effects = list(proposal.effects.values("kind", "ran_at", "failure"))
    return {"status": proposal.status, "effects": effects}


def peers() -> Any:
    from solnet.confederation.models import Peer

    return {
        peer.origin: {
            "state": peer.state,
            "name": peer.name,
            "city": peer.city,
            "languages": peer.languages,
            "organizes": peer.organizes,
            "key": peer.public_key,
            "agreed_here": peer.agreed_here_at is not None,
            "agreed_there": peer.agreed_there_at is not None,
        }
        for peer in Peer.objects.all()
    }


def outbox() -> Any:
    from solnet.confederation.models import OutboxMessage

    return [
        {"to": m.peer.origin, "kind": m.kind, "state": m.state, "error": m.last_error}
        for m in OutboxMessage.objects.select_related("peer")
    ]


def rejections() -> Any:
    from solnet.core.models import AuditEvent

    return [
        event.data.get("reason")
        for event in AuditEvent.objects.filter(action="confederation.rejected")
    ]


def rotate_key() -> Any:
    from solnet.confederation import keys, rotation

    old = keys.current().public_key
    new = rotation.rotate()
    return {"old": old, "new": new.public_key}


def own_key() -> Any:
    from solnet.confederation import keys

    return {"key": keys.current().public_key, "origin": keys.origin()}


def send_now(origin: str, kind: str, body: dict) -> Any:
    """Signs and sends one message at once, whatever the link's state here: what a server
    whose alliance ended might still try."""
    from solnet.confederation import pairing
    from solnet.confederation.models import Peer

    return {"status": pairing._send_now(Peer.objects.get(origin=origin), kind, body)}


def credentials() -> Any:
    """What a member of this network holds: a session, an API token and an invitation link."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from solnet.members import services
    from solnet.members.models import ApiScope, Member, Tier
    from solnet.members.signals import SESSION_EPOCH_KEY

    member = Member.objects.get(username="m1")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store[SESSION_EPOCH_KEY] = member.session_epoch
    store.create()
    _token, secret = services.create_api_token(
        member=member, name="sync", scopes=[ApiScope.ME_READ], days=None
    )
    _invitation, token = services.create_invitation(created_by=member, tier=Tier.MEMBER)
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
        "token": secret,
        "invite": f"/join/{token}/",
    }


def send_now_to(origin: str, kind: str, body: dict) -> Any:
    """Signs and sends one message to a server this one has no link with."""
    from solnet.confederation import pairing
    from solnet.confederation.models import Peer

    stranger = Peer(origin=origin, public_key="")
    return {"status": pairing._send_now(stranger, kind, body)}


def send_callout() -> Any:
    """An organizer asks the allies for turnout at a picket of one of the network's fights."""
    from solnet.confederation import callouts
    from solnet.fights.models import Fight
    from solnet.mobilize import services as mobilize

    fight = Fight.objects.create(title="Deposits withheld at Westlake Towers")
    starts = timezone.now() + timedelta(days=5)
    action = mobilize.plan_action(
        by=_organizer(),
        fight=fight,
        title="Picket at Westlake Property Management",
        place="1400 Pine St",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    request = callouts.send_request(
        action=action,
        by=_organizer(),
        target="Westlake Property Management",
        ask="Twenty people to picket the office for two hours.",
        place=action.place,
        starts_at=action.starts_at,
        ends_at=action.ends_at,
        risk="low",
        language="en",
        share_public_page=False,
    )
    return {"request": request.public_id, "allies": request.allies.count()}


def incoming() -> Any:
    from solnet.confederation.models import IncomingRequest

    return [
        {"id": i.public_id, "target": i.target, "answer": i.answer, "from": i.peer.origin}
        for i in IncomingRequest.objects.select_related("peer")
    ]


def accept_and_call(public_id: str) -> Any:
    """The ally's organizer accepts, builds a call list of the network's own members, two say
    yes and one comes; the counts go back."""
    from solnet.confederation import callouts
    from solnet.confederation.models import IncomingRequest
    from solnet.members.models import Member
    from solnet.mobilize import services as mobilize
    from solnet.people.models import Person
    from solnet.people.services import own_record

    found = IncomingRequest.objects.get(public_id=public_id)
    found = callouts.accept(incoming=found, by=_organizer())
    members = list(Member.objects.filter(username__in=["m1", "m2", "m3"]))
    people = Person.objects.filter(pk__in=[own_record(member=m).pk for m in members])
    call_list = mobilize.build_call_list(
        action=found.action,
        people=people,
        name="Our members",
        script="Westlake's tenants ask us to their picket.",
        callers=[_organizer()],
        by=_organizer(),
    )
    for member in members[:2]:
        mobilize.sign_up(action=found.action, member=member, answer="yes")
    ask = mobilize.ask_of(found.action, own_record(member=members[0]))
    mobilize.check_in(ask=ask, by=_organizer())
    committed, came = callouts.local_turnout(found)
    callouts.report_turnout(incoming=found, by=_organizer(), committed=committed, came=came)
    return {"calls": call_list.calls.count(), "committed": committed, "came": came}


def callout_totals(public_id: str) -> Any:
    from solnet.confederation import callouts
    from solnet.confederation.models import SolidarityRequest

    totals = callouts.totals(SolidarityRequest.objects.get(public_id=public_id))
    return totals.__dict__


def what_left() -> Any:
    """Every body this server queued for a peer, and the personal data it holds: the test
    looks for the one in the other."""
    from solnet.confederation.models import OutboxMessage
    from solnet.members.models import Member
    from solnet.people.models import ContactChannel, Person

    pii = set()
    for member in Member.objects.all():
        pii |= {member.username, member.display_name, member.email or "", member.phone or ""}
    for person in Person.objects.all():
        pii |= {person.display_name}
    for channel in ContactChannel.objects.all():
        pii.add(channel.value)
    bodies = [json.dumps(m.body) for m in OutboxMessage.objects.all()]
    return {"pii": sorted(p for p in pii if p and len(p) > 2), "bodies": bodies}


def fight_action() -> Any:
    """A fight of the network's with a picket coming up (what its team would have planned)."""
    from solnet.fights.models import Fight
    from solnet.mobilize import services as mobilize

    fight = Fight.objects.create(title="Deposits withheld at Westlake Towers")
    starts = timezone.now() + timedelta(days=5)
    action = mobilize.plan_action(
        by=_organizer(),
        fight=fight,
        title="Picket at Westlake Property Management",
        place="1400 Pine St",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    return {"action": action.public_id}


def pass_open_proposal() -> Any:
    """The days of a vote pass: every member votes yes on the newest proposal in discussion
    and a quorate meeting in session closes it."""
    from solnet.democracy import services
    from solnet.democracy.models import Proposal
    from solnet.democracy.testing import close_in_meeting
    from solnet.members.models import Member

    proposal = Proposal.objects.order_by("-pk").first()
    proposal = services.open_voting(
        proposal=proposal, by=_organizer(), closes_at=timezone.now() + timedelta(days=8)
    )
    for voter in Member.objects.all():
        services.cast_ballot(proposal=proposal, voter=voter, choice="yes")
    proposal = close_in_meeting(proposal, by=_organizer())
    return {"status": proposal.status, "title": proposal.title}


def members_answer(public_id: str) -> Any:
    """The network's own members, called from its call list, answer the local action: two say
    yes and one of them comes."""
    from solnet.confederation.models import IncomingRequest
    from solnet.members.models import Member
    from solnet.mobilize import services as mobilize
    from solnet.people.models import Person
    from solnet.people.services import own_record

    found = IncomingRequest.objects.get(public_id=public_id)
    members = list(Member.objects.filter(username__in=["m1", "m2", "m3"]))
    people = Person.objects.filter(pk__in=[own_record(member=m).pk for m in members])
    mobilize.build_call_list(
        action=found.action,
        people=people,
        name="Our members",
        script="Our allies ask us to their picket.",
        callers=[_organizer()],
        by=_organizer(),
    )
    for member in members[:2]:
        mobilize.sign_up(action=found.action, member=member, answer="yes")
    mobilize.check_in(
        ask=mobilize.ask_of(found.action, own_record(member=members[0])), by=_organizer()
    )
    return {"action": found.action.public_id}
