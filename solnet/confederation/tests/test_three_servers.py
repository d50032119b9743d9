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


def test_a_code_whose_fingerprint_does_not_match_pins_nothing(servers):
    a, c = servers["a"], servers["c"]
    parts = a.script("make_code")["code"].split()
    fingerprint = list(parts[3])
    fingerprint[0] = "A" if fingerprint[0] != "A" else "B"
    parts[3] = "".join(fingerprint)
    answer = c.script("enter_code", " ".join(parts))
    assert "error" in answer and "fingerprint" in json.dumps(answer)
    assert _peer(c, a) is None
