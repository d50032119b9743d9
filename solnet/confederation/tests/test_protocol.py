"""The inbox against forged, re-bound, replayed, digest-broken and re-shaped messages
(SECURITY.md F-1..F-5 and F-7): every case of each corpus refused with nothing changed, and
every valid message accepted.

The message each attack carries is `alliance.ended` to an allied peer: were it accepted, the
alliance would end. So "nothing changed" is checked on that, on the replay cache and on the
audit log, which must hold the refusal and its reason."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.test import Client

from solnet.confederation import keys, protocol, rotation
from solnet.confederation.models import Peer, PeerState, Received
from solnet.confederation.testing import FakePeer, public_of, send
from solnet.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ENDING = {"decision": "d3c1s10n"}


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def ally():
    return FakePeer("https://allies.example")


@pytest.fixture
def other():
    """A second allied network: its key must not speak for the first."""
    return FakePeer("https://other.example")


def _raw(ally: FakePeer, **fields) -> bytes:
    return json.dumps(ally.envelope("alliance.ended", ENDING, **fields)).encode()


def _refused(client, ally_peer: Peer, raw: bytes, headers: dict[str, str]) -> tuple[bool, str]:
    received = Received.objects.count()
    response = send(client, raw, headers)
    ally_peer.refresh_from_db()
    code = json.loads(response.content).get("result", "")
    unchanged = ally_peer.state == PeerState.ALLIED and Received.objects.count() == received
    logged = AuditEvent.objects.filter(action="confederation.rejected", data__reason=code).exists()
    return response.status_code >= 400 and unchanged and logged, code


def _swap_header(headers: dict[str, str], name: str, value: str | None) -> dict[str, str]:
    out = {k: v for k, v in headers.items() if k.lower() != name.lower()}
    if value is not None:
        out[name] = value
    return out


def _hmac_forgery(ally: FakePeer, raw: bytes) -> dict[str, str]:
    """Algorithm confusion: HMAC-SHA256 keyed with the (public) Ed25519 key."""
    from http_message_signatures import HTTPMessageSigner, algorithms

    headers = {"Content-Type": "application/json", "Content-Digest": protocol.digest_header(raw)}
    message = protocol._Message("POST", keys.origin() + keys.INBOX_PATH, headers)

    class Resolver:
        def resolve_private_key(self, key_id):
            return keys.b64d(ally.public)

    HTTPMessageSigner(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=Resolver()).sign(
        message,
        key_id=keys.key_id(ally.origin),
        nonce="n" * 24,
        label=protocol.LABEL,
        covered_component_ids=protocol.COVERED,
    )
    return headers


def _flip_signature(headers: dict[str, str]) -> dict[str, str]:
    label, value = headers["Signature"].split("=:", 1)
    raw = bytearray(base64.b64decode(value.rstrip(":")))
    raw[0] ^= 1
    return {**headers, "Signature": f"{label}=:{base64.b64encode(bytes(raw)).decode()}:"}


def forged_cases(ally: FakePeer, other: FakePeer):
    """F-1: signatures that are not the ally's own key's, over what the ally would send."""
    stranger = ed25519.Ed25519PrivateKey.generate()
    raw = _raw(ally)
    yield "stranger's key", raw, ally.sign(raw, private=stranger)
    yield "other peer's key, ally's key id", raw, ally.sign(raw, private=other.private)
    yield "this server's own key", raw, ally.sign(raw, private=keys.private_key_of(keys.current()))
    yield "HMAC with the public key (algorithm confusion)", raw, _hmac_forgery(ally, raw)
    good = ally.sign(raw)
    yield (
        "alg renamed to hmac-sha256",
        raw,
        {
            **good,
            "Signature-Input": good["Signature-Input"].replace(
                'alg="ed25519"', 'alg="hmac-sha256"'
            ),
        },
    )
    yield (
        "alg left out",
        raw,
        {
            **good,
            "Signature-Input": good["Signature-Input"].replace(';alg="ed25519"', ""),
        },
    )
    yield "signature bit flipped", raw, _flip_signature(good)
    yield (
        "no signature",
        raw,
        _swap_header(_swap_header(good, "Signature", None), "Signature-Input", None),
    )
    yield "signature over @method only", raw, _narrow(ally, raw)
    yield (
        "two signatures",
        raw,
        {
            **good,
            "Signature-Input": good["Signature-Input"]
            + ", "
            + good["Signature-Input"].replace("sig1=", "sig2="),
            "Signature": good["Signature"] + ", " + good["Signature"].replace("sig1=", "sig2="),
        },
    )
    yield (
        "label other than sig1",
        raw,
        {
            "Content-Type": good["Content-Type"],
            "Content-Digest": good["Content-Digest"],
            "Signature-Input": good["Signature-Input"].replace("sig1=", "pyhms="),
            "Signature": good["Signature"].replace("sig1=", "pyhms="),
        },
    )
    yield "garbage in Signature-Input", raw, {**good, "Signature-Input": "sig1=((("}


def _narrow(ally: FakePeer, raw: bytes) -> dict[str, str]:
    from http_message_signatures import HTTPMessageSigner, algorithms

    headers = {"Content-Type": "application/json", "Content-Digest": protocol.digest_header(raw)}
    message = protocol._Message("POST", keys.origin() + keys.INBOX_PATH, headers)
    HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=protocol._Keys(private=ally.private)
    ).sign(
        message,
        key_id=keys.key_id(ally.origin),
        nonce="n" * 24,
        label=protocol.LABEL,
        covered_component_ids=("@method",),
    )
    return headers


def rebound_cases(ally: FakePeer, other: FakePeer):
    """F-2: a valid signature, but the key id, the envelope and the target disagree."""
    as_other = _raw(ally, **{"from": other.origin})
    yield "envelope from another ally, signed by this one", as_other, ally.sign(as_other)
    raw = _raw(ally)
    yield (
        "key id of another ally, signed by this one",
        raw,
        ally.sign(raw, key_id=keys.key_id(other.origin)),
    )
    yield (
        "other ally's key and key id, envelope from this one",
        raw,
        other.sign(raw, key_id=keys.key_id(other.origin)),
    )
    yield "key id with another path", raw, ally.sign(raw, key_id=ally.origin + "/users/key")
    yield (
        "key id with a path before the key's",
        raw,
        ally.sign(raw, key_id=ally.origin + "/x" + keys.KEY_PATH),
    )
    yield (
        "key id of an unknown server",
        raw,
        ally.sign(raw, key_id=keys.key_id("https://unknown.example")),
    )
    yield (
        "signed for another server's inbox",
        raw,
        ally.sign(raw, url="https://other.example" + keys.INBOX_PATH),
    )
    to_other = _raw(ally, to="https://other.example")
    yield "addressed to another server", to_other, ally.sign(to_other)
    upper = _raw(ally, **{"from": ally.origin.upper().replace("HTTPS", "https")})
    yield (
        "origin spelt in capitals",
        upper,
        ally.sign(upper, key_id=keys.key_id(ally.origin.upper().replace("HTTPS", "https"))),
    )


def stale_cases(ally: FakePeer, other: FakePeer):
    """F-3: old, future and nonce-less signatures (replays are in their own test)."""
    raw = _raw(ally)
    yield "signed six minutes ago", raw, ally.sign(raw, created=time.time() - 360)
    yield "signed six minutes ahead", raw, ally.sign(raw, created=time.time() + 360)
    yield "signed a day ago", raw, ally.sign(raw, created=time.time() - 86400)
    good = ally.sign(raw)
    no_nonce = good["Signature-Input"].split(";nonce=")[0] + ';alg="ed25519"'
    yield "no nonce", raw, {**good, "Signature-Input": no_nonce}
    yield "short nonce", raw, ally.sign(raw, nonce="abc")


def digest_cases(ally: FakePeer, other: FakePeer):
    """F-4: the body's digest missing, wrong, or the body changed after signing."""
    raw = _raw(ally)
    good = ally.sign(raw)
    yield "no Content-Digest", raw, _swap_header(good, "Content-Digest", None)
    changed = raw.replace(b"d3c1s10n", b"d3c1s10m")
    yield "body changed after signing", changed, good
    wrong = "sha-256=:" + base64.b64encode(hashlib.sha256(b"other").digest()).decode() + ":"
    yield "digest of another body", raw, {**good, "Content-Digest": wrong}
    only512 = "sha-512=:" + base64.b64encode(hashlib.sha512(raw).digest()).decode() + ":"
    yield "sha-512 only", raw, {**good, "Content-Digest": only512}
    bad_extra = good["Content-Digest"] + ", sha-512=:" + base64.b64encode(b"x" * 64).decode() + ":"
    yield "a second, wrong digest", raw, {**good, "Content-Digest": bad_extra}
    yield "digest not a structured field", raw, {**good, "Content-Digest": "sha-256=abc"}
    # The digest recomputed for the changed body, the signature left as it was.
    recomputed = {**good, "Content-Digest": protocol.digest_header(changed)}
    yield "body and digest changed, signature not", changed, recomputed


def schema_cases(ally: FakePeer, other: FakePeer):
    """F-5: unknown fields, wrong types, re-interpreted documents; each correctly signed."""
    envelope = ally.envelope("alliance.ended", ENDING)
    variants = {
        "unknown envelope field": {**envelope, "extra": 1},
        "JSON-LD @context": {**envelope, "@context": "https://www.w3.org/ns/activitystreams"},
        "unknown body field": {**envelope, "body": {**ENDING, "members": ["ana"]}},
        "number where text is expected": {**envelope, "body": {"decision": 7}},
        "unknown kind": {**envelope, "kind": "people.export"},
        "protocol version 2": {**envelope, "v": 2},
        "body not an object": {**envelope, "body": ["decision"]},
        "id not a uuid": {**envelope, "id": "../../etc"},
        "from with a path": {**envelope, "from": ally.origin + "/inbox"},
    }
    for name, document in variants.items():
        raw = json.dumps(document).encode()
        yield name, raw, ally.sign(raw)
    top_array = json.dumps([envelope]).encode()
    yield "a list, not an object", top_array, ally.sign(top_array)
    twin = json.dumps(envelope)[:-1] + ', "kind": "pair.request"}'
    yield "a key given twice", twin.encode(), ally.sign(twin.encode())
    not_json = b"kind=alliance.ended"
    yield "not JSON", not_json, ally.sign(not_json)
    raw = json.dumps(envelope).encode()
    yield "not sent as JSON", raw, {**ally.sign(raw), "Content-Type": "text/plain"}


CORPORA = {
    "F-1.forged": forged_cases,
    "F-2.origin_binding": rebound_cases,
    "F-3.stale": stale_cases,
    "F-4.digest": digest_cases,
    "F-5.schema": schema_cases,
}


@pytest.mark.verify
@pytest.mark.parametrize("figure", list(CORPORA))
def test_every_attack_is_refused_and_changes_nothing(client, ally, other, figure, figures):
    ally_peer = ally.pin()
    other.pin()
    results = [
        (name, *_refused(client, ally_peer, raw, headers))
        for name, raw, headers in CORPORA[figure](ally, other)
    ]
    accepted = [(name, code) for name, ok, code in results if not ok]
    figures(
        figure,
        len(accepted),
        unit="accepted",
        target=f"0 of {len(results)}",
        ok=not accepted,
    )
    assert accepted == []
    # And the same message, properly signed, does end the alliance: the corpus was not
    # refused for some reason of its own.
    raw = _raw(ally)
    assert send(client, raw, ally.sign(raw)).status_code == 202
    ally_peer.refresh_from_db()
    assert ally_peer.state == PeerState.ENDED


@pytest.mark.verify
def test_replays_have_no_second_effect(client, ally, figures):
    peer = ally.pin(state=PeerState.PAIRED, agreed_here_at=None)
    raw = json.dumps(ally.envelope("alliance.agreed", {"decision": "abc"})).encode()
    headers = ally.sign(raw)
    first = send(client, raw, headers)
    assert first.status_code == 202
    peer.refresh_from_db()
    first_agreed = peer.agreed_there_at
    cases = []
    # The very same request again.
    cases.append(send(client, raw, headers))
    # The same id, freshly signed (a sender's retry): accepted as already received.
    cases.append(send(client, raw, ally.sign(raw)))
    # Another id under the same nonce.
    nonce = headers["Signature-Input"].split('nonce="')[1].split('"')[0]
    other_id = json.dumps(ally.envelope("alliance.agreed", {"decision": "abc"})).encode()
    cases.append(send(client, other_id, ally.sign(other_id, nonce=nonce)))
    peer.refresh_from_db()
    second_effects = int(peer.agreed_there_at != first_agreed)
    statuses = [case.status_code for case in cases]
    assert statuses == [200, 200, 409]
    assert Received.objects.count() == 1
    figures(
        "F-3.replays",
        second_effects,
        unit="second effects",
        target=f"0 of {len(cases)}",
        ok=second_effects == 0,
    )
    assert second_effects == 0


@pytest.mark.verify
def test_every_valid_message_is_accepted(client, figures):
    """Each kind a peer may send, in the state it may send it in."""
    results = []
    pairing = FakePeer("https://pairing.example")
    pairing.pin(state=PeerState.PAIRING, name="")
    response = pairing.post(
        client,
        "pair.accepted",
        {"profile": {"name": "Westside", "city": "Oakland", "languages": ["en", "es"]}},
    )
    results.append(response.status_code == 202)
    peer = Peer.objects.get(origin=pairing.origin)
    results.append(peer.state == PeerState.PAIRED and peer.name == "Westside")

    agreeing = FakePeer("https://agreeing.example")
    agreeing.pin(state=PeerState.PAIRED, agreed_here_at=None)
    results.append(agreeing.post(client, "alliance.agreed", {"decision": "x1"}).status_code == 202)

    rotating = FakePeer("https://rotating.example")
    rotating.pin()
    new = ed25519.Ed25519PrivateKey.generate()
    new_public = public_of(new)
    proof = new.sign(protocol.rotation_text(rotating.origin, rotating.public, new_public))
    body = {"key": new_public, "proof": keys.b64e(proof)}
    results.append(rotating.post(client, "key.rotated", body).status_code == 202)

    ending = FakePeer("https://ending.example")
    ending.pin()
    results.append(ending.post(client, "alliance.ended", ENDING).status_code == 202)
    accepted = sum(results)
    figures(
        "F-valid.accepted",
        accepted,
        unit="accepted",
        target=f"{len(results)} of {len(results)}",
        ok=accepted == len(results),
    )
    assert all(results)


@pytest.mark.verify
def test_key_rotation(client, ally, figures):
    """F-7: a rotation signed by the old key with the new key's proof re-pins; afterwards the
    old key is refused. A rotation without a valid proof, or signed by the new key alone, or
    by a stranger, changes nothing."""
    peer = ally.pin()
    new = ed25519.Ed25519PrivateKey.generate()
    new_public = public_of(new)
    stranger = ed25519.Ed25519PrivateKey.generate()
    good_proof = keys.b64e(new.sign(protocol.rotation_text(ally.origin, ally.public, new_public)))
    bad = []

    def attempt(body, private):
        raw = json.dumps(ally.envelope("key.rotated", body)).encode()
        return send(client, raw, ally.sign(raw, private=private))

    attacks = {
        "proof by a stranger": (
            {"key": new_public, "proof": keys.b64e(stranger.sign(b"anything"))},
            ally.private,
        ),
        "proof over another origin": (
            {
                "key": new_public,
                "proof": keys.b64e(
                    new.sign(protocol.rotation_text("https://x.example", ally.public, new_public))
                ),
            },
            ally.private,
        ),
        "signed by the new key only": ({"key": new_public, "proof": good_proof}, new),
        "signed by a stranger": ({"key": new_public, "proof": good_proof}, stranger),
    }
    for name, (body, private) in attacks.items():
        response = attempt(body, private)
        peer.refresh_from_db()
        if response.status_code < 400 or peer.public_key != ally.public:
            bad.append(name)
    assert attempt({"key": new_public, "proof": good_proof}, ally.private).status_code == 202
    peer.refresh_from_db()
    assert peer.public_key == new_public
    # The old key is refused from now on; the new one is taken.
    raw = _raw(ally)
    if send(client, raw, ally.sign(raw)).status_code < 400:
        bad.append("old key after the rotation")
    raw = _raw(ally)
    assert send(client, raw, ally.sign(raw, private=new)).status_code == 202
    figures(
        "F-7.key_rotation",
        len(bad),
        unit="accepted",
        target=f"0 of {len(attacks) + 1}",
        ok=not bad,
    )
    assert bad == []


def test_this_servers_rotation_signs_with_the_old_key_and_proves_the_new(settings):
    peer = FakePeer().pin()
    old = keys.current()
    sent = []

    def post(url, body, headers):
        sent.append((url, body, headers))
        return 202

    from solnet.confederation import outbox

    new = rotation.rotate()
    outbox.deliver(peer.pk, post=post)
    ((url, body, headers),) = sent
    envelope = json.loads(body)
    assert envelope["kind"] == "key.rotated" and envelope["body"]["key"] == new.public_key
    protocol.verify(
        url=url, headers={k.lower(): v for k, v in headers.items()}, public_key=old.public_key
    )
    keys.public_key_of(new.public_key).verify(
        keys.b64d(envelope["body"]["proof"]),
        protocol.rotation_text(keys.origin(), old.public_key, new.public_key),
    )
    assert keys.current().pk == new.pk


def test_a_message_from_an_unpaired_server_or_an_ended_alliance_changes_nothing(client, ally):
    stranger = FakePeer("https://stranger.example")
    response = stranger.post(client, "alliance.agreed", {"decision": "x"})
    assert response.status_code == 403 and json.loads(response.content)["result"] == "unknown_peer"
    assert not Peer.objects.filter(origin=stranger.origin).exists()
    ended = ally.pin(state=PeerState.ENDED)
    response = ally.post(client, "alliance.agreed", {"decision": "x"})
    assert response.status_code == 403
    ended.refresh_from_db()
    assert ended.state == PeerState.ENDED and ended.agreed_there_at is None


def test_a_paired_peer_sends_nothing_but_the_handshake_until_both_decide(client, ally):
    """The handler table: only pairing and alliance messages while merely paired."""
    from solnet.confederation import inbox

    paired_only = {
        k for k, h in inbox.HANDLERS.items() if h.states is None or PeerState.PAIRED in h.states
    }
    assert paired_only == {
        "pair.request",
        "pair.accepted",
        "alliance.agreed",
        "alliance.ended",
        "key.rotated",
    }


def test_the_key_endpoint_shows_the_key_and_its_fingerprint(client):
    document = client.get(keys.KEY_PATH).json()
    current = keys.current()
    assert document["origin"] == keys.origin()
    assert document["key"] == current.public_key
    assert document["fingerprint"] == keys.fingerprint(current.public_key)
    assert len(document["fingerprint"].replace("-", "")) == 52


def test_a_body_over_the_limit_is_refused_unread(client, ally):
    ally.pin()
    raw = b"{" + b" " * (protocol.MAX_BODY + 10) + b"}"
    response = send(client, raw, ally.sign(raw))
    assert response.status_code == 413
    assert AuditEvent.objects.filter(data__reason="too_large").exists()
