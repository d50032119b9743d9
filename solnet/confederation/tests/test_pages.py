"""The allies' pages: the directory, making and entering a code, asking the meeting, what
leaves the server — and bad input answered in the organizer's language, changing nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.confederation import keys, outbox, pairing
from solnet.confederation.models import PairingCode, Peer, PeerState
from solnet.confederation.testing import FakePeer
from solnet.core.models import ApprovalRequest, AuditEvent
from solnet.democracy.models import EffectKind, Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(personas):
    return sign_in(Client(), personas["organizer"].member)


@pytest.fixture
def spanish(personas):
    client = sign_in(Client(), personas["organizer"].member)
    client.cookies["django_language"] = "es"
    return client


def test_the_directory_lists_peers_with_what_they_said(organizer, personas):
    FakePeer("https://westside.example").pin(
        state=PeerState.PAIRED, name="Westside Tenants", city="Oakland", languages=["en", "es"]
    )
    FakePeer("https://half.example").pin(state=PeerState.PAIRING, name="Half-paired")
    page = organizer.get(reverse("confederation:peers")).content.decode()
    assert "Westside Tenants" in page and "Oakland" in page and "en, es" in page
    assert "Half-paired" not in page  # a pairing not answered yet is not a peer
    assert keys.fingerprint(keys.current().public_key) in page
    member_page = sign_in(Client(), personas["member"].member).get(reverse("confederation:peers"))
    assert "Westside Tenants" in member_page.content.decode()
    assert "Make or enter a code" not in member_page.content.decode()


def test_the_directory_is_paginated(organizer):
    for number in range(30):
        FakePeer(f"https://n{number}.example").pin(name=f"Network {number:02d}")
    first = organizer.get(reverse("confederation:peers")).content.decode()
    second = organizer.get(reverse("confederation:peers") + "?page=2").content.decode()
    assert "Network 00" in first and "Network 29" not in first
    assert "Network 29" in second and "Page 2 of 2" in second


def test_making_a_code_shows_it_once(organizer):
    page = organizer.post(reverse("confederation:pair"), {"do": "make"}).content.decode()
    code = re.search(r'id="pairing-code">([^<]+)<', page).group(1)
    parsed = pairing.parse(code.replace(keys.origin(), "https://elsewhere.example"))
    assert parsed.fingerprint == keys.fingerprint(keys.current().public_key)
    row = PairingCode.objects.get()
    assert row.usable and parsed.secret not in json.dumps(
        list(PairingCode.objects.values_list("secret_hash", "public_id"))
    )
    # The list shows it waiting, without the secret, and it can be withdrawn.
    listing = organizer.get(reverse("confederation:peers")).content.decode()
    assert parsed.secret not in listing
    organizer.post(reverse("confederation:code_withdraw", args=[row.public_id]))
    row.refresh_from_db()
    assert not row.usable


def _enter(client, code):
    return client.post(reverse("confederation:pair"), {"do": "enter", "code": code})


BAD_CODES = [
    ("hello", "This is not a pairing code", "Esto no es un código de emparejamiento"),
    (
        "solnet-pair 1 ftp://x.example AAAA SECRETSECRETSECRETSECRET",
        "is not a server",
        "no es la dirección de un servidor",
    ),
    (
        "solnet-pair 1 https://nowhere.invalid AAAA SECRETSECRETSECRETSECRET",
        "could not be reached",
        "No se pudo contactar",
    ),
]


@pytest.mark.parametrize(("code", "in_english", "in_spanish"), BAD_CODES)
def test_bad_codes_are_explained_in_the_organizers_language(
    organizer, spanish, code, in_english, in_spanish
):
    english = _enter(organizer, code)
    assert english.status_code == 422 and in_english in english.content.decode()
    answer = _enter(spanish, code)
    assert answer.status_code == 422 and in_spanish in answer.content.decode()
    assert not Peer.objects.exists()


def test_this_servers_own_code_is_refused(organizer):
    code, _row = pairing.make_code(by=None)
    response = _enter(organizer, str(code))
    assert response.status_code == 422 and "own code" in response.content.decode()


def test_a_paired_peer_is_put_to_the_general_meeting(organizer, personas):
    peer = FakePeer().pin(state=PeerState.PAIRED)
    page = organizer.get(reverse("confederation:peer", args=[peer.public_id])).content.decode()
    assert keys.fingerprint(peer.public_key) in page and "Ask the general meeting to ally" in page
    response = organizer.post(reverse("confederation:peer_propose", args=[peer.public_id]))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and proposal.public_id in response.headers["Location"]
    effect = proposal.effects.get()
    assert effect.kind == EffectKind.ALLY and effect.params == {"peer": peer.public_id}
    assert proposal.display_title == f"Ally with {peer.name} (allies.example)"
    # Not allied until the meeting decides.
    peer.refresh_from_db()
    assert peer.state == PeerState.PAIRED and peer.agreed_here_at is None


def test_the_title_reads_in_each_readers_language(personas):
    from django.utils import translation

    from solnet.confederation import alliance

    peer = FakePeer().pin(state=PeerState.PAIRED)
    proposal = alliance.put_to_meeting(peer=peer, by=personas["organizer"].member)
    with translation.override("es"):
        assert proposal.display_title == f"Aliarse con {peer.name} (allies.example)"


def test_rotating_the_key_waits_for_a_second_organizer(organizer, personas):
    old = keys.current().public_key
    organizer.post(reverse("confederation:rotate_key"))
    approval = ApprovalRequest.objects.get(action="confederation.rotate_key")
    assert keys.current().public_key == old
    from solnet.core import twoperson

    assert not twoperson.may_approve(personas["organizer"].member, approval)
    assert not twoperson.may_approve(personas["member"].member, approval)


def test_what_leaves_lists_every_kind_of_message(organizer):
    from solnet.confederation.schemas import BODIES

    page = organizer.get(reverse("confederation:what_leaves")).content.decode()
    for kind in BODIES:
        assert f"<code>{kind}</code>" in page


def test_the_inbox_refusal_is_in_the_audit_log_without_the_body(client):
    secret_words = "Landlord Rosalind Okafor at 14 Elm St"
    raw = json.dumps({"note": secret_words}).encode()
    response = client.post(keys.INBOX_PATH, raw, content_type="application/json")
    assert response.status_code == 401
    event = AuditEvent.objects.get(action="confederation.rejected")
    assert event.data == {"reason": "no_signature"}
    assert secret_words not in json.dumps(list(AuditEvent.objects.values("data", "target")))


def test_a_network_decision_body_is_what_peers_get(monkeypatch, personas):
    """What the peer is sent when the meeting decides: the decision's random id, nothing of
    the vote."""
    inbox = []
    monkeypatch.setattr(outbox, "_post", lambda url, body, headers: inbox.append(body) or 202)
    peer = FakePeer().pin(state=PeerState.PAIRED)
    from solnet.confederation import alliance
    from solnet.democracy.testing import close_in_meeting

    proposal = alliance.put_to_meeting(peer=peer, by=personas["organizer"].member)
    from datetime import timedelta

    from django.utils import timezone

    from solnet.democracy import services

    proposal = services.open_voting(
        proposal=proposal,
        by=personas["organizer"].member,
        closes_at=timezone.now() + timedelta(days=8),
    )
    for name in ("organizer", "member", "fund_committee"):
        services.cast_ballot(proposal=proposal, voter=personas[name].member, choice="yes")
    close_in_meeting(proposal, by=personas["organizer"].member)
    outbox.deliver(peer.pk)
    (sent,) = [json.loads(body) for body in inbox]
    assert sent["kind"] == "alliance.agreed" and sent["body"] == {"decision": proposal.public_id}
