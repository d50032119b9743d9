"""Rows of the authorization matrix for allies (merged into
core/tests/test_authorization_matrix.py, whose Row, only and persona lists they use)."""

from __future__ import annotations

from solnet.core.tests import test_authorization_matrix as matrix


def _peer(objects) -> dict:
    """A network paired with this one, waiting for both meetings."""
    if "confederation_peer" not in objects:
        from solnet.confederation.models import PeerState
        from solnet.confederation.testing import FakePeer

        objects["confederation_peer"] = FakePeer().pin(state=PeerState.PAIRED)
    return {"public_id": objects["confederation_peer"].public_id}


def _code(objects) -> dict:
    if "confederation_code" not in objects:
        from solnet.confederation import pairing

        _made, objects["confederation_code"] = pairing.make_code(
            by=objects["personas"]["organizer"].member
        )
    return {"public_id": objects["confederation_code"].public_id}


PAGES: dict = {
    # Members see the allies and what leaves for them; organizers pair and ask the meeting.
    "confederation:peers": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    "confederation:what_leaves": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    "confederation:peer": matrix.Row(matrix.only(*matrix.MEMBERS_UP), kwargs=_peer),
    "confederation:pair": matrix.Row(matrix.only(*matrix.ORGANIZERS)),
    "confederation:code_withdraw": matrix.Row(matrix.only(*matrix.ORGANIZERS), "post", _code),
    "confederation:rotate_key": matrix.Row(matrix.only(*matrix.ORGANIZERS), "post"),
    "confederation:peer_propose": matrix.Row(
        matrix.only(*matrix.ORGANIZERS), "post", _peer, note="puts it to the general meeting"
    ),
    # The protocol's addresses: the key is public; the inbox takes only a signed message from
    # a paired server (test_protocol.py), never a session.
    "solnet_key": matrix.Row(matrix.NOT_PENDING, note="a pending member is held at onboarding"),
    "solnet_inbox": matrix.Row(
        matrix.only(), "post", note="refused with 401: a session is not a signature"
    ),
}
