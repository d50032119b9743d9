"""Three real SolNet servers pair, ally by decision, rotate a key and end an alliance, over
real HTTPS between their own processes (`instances.py`)."""

from __future__ import annotations

import json

import pytest

from solnet.confederation.tests.instances import three_servers


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with three_servers(tmp_path_factory.mktemp("confederation")) as found:
        found["a"].script("seed", "Eastside Solidarity Network", "Seattle", ["en"], "tenants")
        found["b"].script(
            "seed", "Red de Solidaridad del Sur", "Los Ángeles", ["es", "en"], "trabajadores"
        )
        found["c"].script("seed", "Northside Tenants", "Portland", ["en"], "tenants")
        yield found


def _peer(server, other):
    return server.script("peers").get(other.origin)


def test_two_networks_pair_ally_by_decision_and_end_it(servers):
    a, b = servers["a"], servers["b"]
    code = a.script("make_code")["code"]
    entered = b.script("enter_code", code)
    assert "peer" in entered, entered
    # A pinned B on the pairing request; B learns A's name from A's signed answer, which
    # A's worker delivers.
    assert _peer(a, b)["state"] == "paired" and _peer(a, b)["name"] == "Red de Solidaridad del Sur"
    seen = b.wait_until(
        lambda: (_peer(b, a) or {}).get("name") == "Eastside Solidarity Network" and _peer(b, a),
        what="A's pair.accepted at B",
    )
    assert seen["state"] == "paired" and seen["organizes"] == "tenants"
    assert _peer(a, b)["key"] == b.script("own_key")["key"]
    assert seen["key"] == a.script("own_key")["key"]

    # The code works once.
    again = servers["c"].script("enter_code", code)
    assert "error" in again

    # A decides; B is told, but nothing is allied until B decides too.
    assert a.script("decide", b.origin)["status"] == "passed"
    b.wait_until(lambda: _peer(b, a)["agreed_there"], what="A's decision at B")
    assert _peer(b, a)["state"] == "paired" and _peer(a, b)["state"] == "paired"
    assert b.script("decide", a.origin)["status"] == "passed"
    a.wait_until(lambda: _peer(a, b)["state"] == "allied", what="the alliance at A")
    assert _peer(b, a)["state"] == "allied"

    # A asks its allies (B) for turnout; B accepts, calls its own members, reports counts.
    sent = a.script("send_callout")
    assert sent["allies"] == 1
    waiting = b.wait_until(lambda: b.script("incoming"), what="A's request at B")
    assert waiting[0]["target"] == "Westlake Property Management"
    assert waiting[0]["answer"] == "waiting" and waiting[0]["from"] == a.origin
    called = b.script("accept_and_call", waiting[0]["id"])
    assert called == {"calls": 3, "committed": 2, "came": 1}
    totals = a.wait_until(
        lambda: (t := a.script("callout_totals", sent["request"]))["came"] == 1 and t,
        what="B's turnout at A",
    )
    assert (totals["accepted"], totals["committed"], totals["came"]) == (1, 2, 1)

    # No person of either network is in anything either sent the other.
    for server in (a, b):
        left = server.script("what_left")
        assert left["bodies"], server.name
        found = [p for p in left["pii"] for body in left["bodies"] if p in body]
        assert found == [], (server.name, found)

    # B rotates its key: A re-pins it after checking the rotation.
    rotated = b.script("rotate_key")
    a.wait_until(lambda: _peer(a, b)["key"] == rotated["new"], what="B's new key at A")

    # B's meeting ends the alliance: it ends at B at once, and at A on receipt.
    assert b.script("decide", a.origin, True)["status"] == "passed"
    assert _peer(b, a)["state"] == "ended"
    a.wait_until(lambda: _peer(a, b)["state"] == "ended", what="the end at A")
    # B's next message is refused, and A logs why.
    sent = b.script("send_now", a.origin, "alliance.agreed", {"decision": "again"})
    assert sent["status"] == 403
    assert "alliance_ended" in a.script("rejections")
    assert _peer(a, b)["state"] == "ended"


@pytest.mark.verify
def test_one_networks_session_token_or_link_opens_nothing_at_another(servers, figures):
    """F-8: what a member of A holds is worth nothing at B (and is worth something at A: the
    control)."""
    a, b = servers["a"], servers["b"]
    held = a.script("credentials")
    invite = held["invite"]
    tries = {
        "session": ("GET", "/members/me/", {"Cookie": held["cookie"]}),
        "API token": ("GET", "/api/me", {"Authorization": f"Bearer {held['token']}"}),
        "invitation link": ("GET", invite, {}),
    }
    opened = []
    for name, (method, path, headers) in tries.items():
        at_home, _ = a.request(method, path, headers=headers)
        assert at_home == 200, (name, at_home)
        elsewhere, body = b.request(method, path, headers=headers)
        # Refused (a 4xx, or sent to sign in), and nothing of A's member shown.
        if elsewhere == 200 or b"Eastside Solidarity Network m1" in body:
            opened.append(name)
    # A message signed with A's key, naming A, sent to B with no alliance between them.
    sent = a.script("send_now_to", b.origin, "alliance.agreed", {"decision": "x"})
    if sent["status"] < 400:
        opened.append("a signed message with no pairing")
    figures(
        "F-8.cross_network",
        len(opened),
        unit="opened",
        target=f"0 of {len(tries) + 1}",
        ok=not opened,
    )
    assert opened == []


def test_a_code_whose_fingerprint_does_not_match_pins_nothing(servers):
    a, c = servers["a"], servers["c"]
    parts = a.script("make_code")["code"].split()
    fingerprint = list(parts[3])
    fingerprint[0] = "A" if fingerprint[0] != "A" else "B"
    parts[3] = "".join(fingerprint)
    answer = c.script("enter_code", " ".join(parts))
    assert "error" in answer and "fingerprint" in json.dumps(answer)
    assert _peer(c, a) is None
