"""F-6: no path by which confederation reaches out can be pointed at a private address.

Three paths make this server connect somewhere: an organizer entering a pairing code (the
key fetch and the pairing request), a pairing request from an unknown server (the fetch of
that server's key), and the delivery of queued messages. Each is tried with every spelling of
a loopback, private, link-local or otherwise non-public address, with other schemes, with a
redirect to a private address and with a name that resolves to a public and a private
address. A spy on the client's one connecting function records every connection attempted:
for these cases there must be none (the redirect case: only the allowed first hop)."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from solnet.confederation import keys, outbox, pairing
from solnet.confederation.models import Delivery, OutboxMessage, Peer, PeerState
from solnet.confederation.testing import FakePeer
from solnet.core import http
from solnet.core.testing.loopback import LoopbackService

pytestmark = pytest.mark.django_db

PRIVATE_ORIGINS = [
    "http://127.0.0.1:8001",
    "http://127.1",
    "http://2130706433",
    "http://0x7f000001",
    "http://0177.0.0.1",
    "http://localhost",
    "http://[::1]",
    "http://[::ffff:127.0.0.1]",
    "http://[::ffff:7f00:1]",
    "http://[2002:7f00:1::]",
    "http://[64:ff9b::a00:1]",
    "http://0.0.0.0",
    "http://10.0.0.5",
    "http://172.16.3.4",
    "http://192.168.1.1",
    "http://169.254.169.254",
    "http://100.64.0.1",
    "http://[fd00::1]",
    "http://[fe80::1]",
    "http://224.0.0.1",
    "https://192.0.2.10",
]
OTHER_SCHEMES = [
    "file:///etc/passwd",
    "gopher://allies.example",
    "ftp://allies.example",
    "javascript:alert(1)",
    "https://user:pass@allies.example",
]


@pytest.fixture
def connections(monkeypatch):
    """Every connection the client would open, refused after it is recorded."""
    attempted: list[tuple] = []

    def spy(addresses, timeout):
        attempted.append(tuple(address for _family, address in addresses))
        raise ConnectionRefusedError("the test allows no connection")

    monkeypatch.setattr(http, "_connect", spy)
    return attempted


def _code(origin: str) -> str:
    return f"solnet-pair 1 {origin} AAAA-BBBB SECRETSECRETSECRETSECRET"


def _enter(origin: str, organizer) -> bool:
    try:
        pairing.enter_code(text=_code(origin), by=organizer)
    except ValidationError:
        return True
    return False


def _open_secret() -> str:
    """The secret of a code this server handed out and nobody used yet: with it, a pairing
    request from an unknown server does make this server fetch that server's key."""
    code, _row = pairing.make_code(by=None)
    return code.secret


def _pair_request_from(origin: str, client: Client) -> int:
    stranger = FakePeer(origin)
    body = {"secret": _open_secret(), "profile": {"name": "Nobody"}}
    return stranger.post(client, "pair.request", body).status_code


def _deliver_to(origin: str) -> str:
    peer = Peer.objects.create(origin=origin, public_key=FakePeer().public, state=PeerState.ALLIED)
    message = OutboxMessage.objects.create(
        message_id="6f1c1c1e-1d1b-4f3e-9a3e-000000000001",
        peer=peer,
        kind="alliance.agreed",
        body={"decision": "x"},
    )
    outbox.deliver(peer.pk)
    message.refresh_from_db()
    peer.delete()
    return message.state


@pytest.mark.verify
def test_no_outbound_path_reaches_a_private_address(personas, connections, figures):
    organizer = personas["organizer"].member
    client = Client()
    failures = []
    tried = 0
    for origin in PRIVATE_ORIGINS:
        tried += 3
        if not _enter(origin, organizer):
            failures.append(("enter", origin))
        if _pair_request_from(origin, client) < 400:
            failures.append(("pair.request", origin))
        if _deliver_to(origin) != Delivery.WAITING:
            failures.append(("delivery", origin))
    for url in OTHER_SCHEMES:
        tried += 1
        if not _enter(url, organizer):
            failures.append(("enter", url))
    leaked = [c for c in connections]
    figures(
        "F-6.ssrf",
        len(failures) + len(leaked),
        unit="reached",
        target=f"0 of {tried}",
        ok=not failures and not leaked,
    )
    assert failures == []
    assert leaked == []
    assert not Peer.objects.exists()


class _Redirecting(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", "http://10.0.0.5" + keys.KEY_PATH)
        self.end_headers()

    def log_message(self, *args):
        pass


class RedirectingServer(LoopbackService):
    handler = _Redirecting
    service_attribute = "service"


def test_a_redirect_to_a_private_address_is_not_followed(personas, settings):
    settings.SOLNET_OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    with RedirectingServer() as server, pytest.raises(ValidationError) as refused:
        pairing.enter_code(text=_code(server.base_url), by=personas["organizer"].member)
    assert "could not be reached" in str(refused.value)
    assert not Peer.objects.exists()


def test_a_name_with_a_private_address_among_its_answers_is_refused(
    personas, connections, monkeypatch
):
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "rebind.example":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443)),
            ]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    assert _enter("https://rebind.example", personas["organizer"].member)
    assert _deliver_to("https://rebind.example") == Delivery.WAITING
    assert connections == []


def test_the_connection_goes_to_the_address_that_was_checked(personas, connections, monkeypatch):
    """A name looked up once: a second answer (a rebinding) is never asked for."""
    lookups = []

    def once_public(host, *args, **kwargs):
        lookups.append(host)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 443))]

    monkeypatch.setattr(socket, "getaddrinfo", once_public)
    assert _enter("https://allies.example", personas["organizer"].member)
    assert lookups == ["allies.example"]
    assert connections == [(("93.184.216.34", 443),)]


def test_the_inbox_answer_says_nothing_of_the_fetch(client):
    """A refused key fetch is answered with a code, not with what the fetch saw."""
    response = FakePeer("http://10.0.0.5").post(
        client, "pair.request", {"secret": _open_secret(), "profile": {"name": "X"}}
    )
    assert response.status_code == 403
    assert json.loads(response.content) == {"result": "key_unreachable"}


def test_a_pairing_request_naming_no_open_code_fetches_nothing(client, monkeypatch):
    """Otherwise anyone could make this server fetch from any public address, and hold one of
    its threads for the fetch's time, by posting well-formed pairing requests."""
    from solnet.confederation import inbox

    fetched = []
    monkeypatch.setattr(inbox, "fetch_key", lambda origin: fetched.append(origin) or "")
    stranger = FakePeer("https://stranger.example")
    for secret in ("S" * 26, "not-a-code-anyone-made-here"):
        response = stranger.post(
            client, "pair.request", {"secret": secret, "profile": {"name": "X"}}
        )
        assert response.status_code == 403 and json.loads(response.content)["result"] == "bad_code"
    # A withdrawn or used code is no better.
    code, row = pairing.make_code(by=None)
    pairing.withdraw_code(code=row, by=None)
    response = stranger.post(
        client, "pair.request", {"secret": code.secret, "profile": {"name": "X"}}
    )
    assert response.status_code == 403
    assert fetched == []
