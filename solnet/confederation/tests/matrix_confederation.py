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


def _ally(objects):
    """The allied network (pinned again each time: a row's request may have rolled it back)."""
    from solnet.confederation.testing import FakePeer

    return FakePeer("https://ally.example").pin()


def _sent(objects) -> dict:
    """A request for turnout this network sent its ally, for the fight's action."""
    if "confederation_request" not in objects:
        from solnet.confederation import callouts

        _ally(objects)
        action = objects["fight_action"]
        objects["confederation_request"] = callouts.send_request(
            action=action,
            by=objects["personas"]["organizer"].member,
            target="Acme Property Management",
            ask="Twenty people at the office.",
            place="1400 Pine St",
            starts_at=action.starts_at,
            ends_at=action.ends_at,
            risk="low",
            language="en",
            share_public_page=False,
        )
    return {"public_id": objects["confederation_request"].public_id}


def _incoming(objects) -> dict:
    """An ally's request to this network, not answered yet."""
    if "confederation_incoming" not in objects:
        from datetime import timedelta

        from django.utils import timezone

        from solnet.confederation.models import IncomingRequest
        from solnet.core.models import new_public_id

        starts = timezone.now() + timedelta(days=3)
        objects["confederation_incoming"] = IncomingRequest.objects.create(
            peer=_ally(objects),
            remote_id=new_public_id(),
            target="Westlake Holdings LLC",
            ask="Thirty people in the lobby.",
            place="200 Main St",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            risk="low",
            language="es",
        )
    return {"public_id": objects["confederation_incoming"].public_id}


def _callout_form(objects) -> dict:
    _ally(objects)
    action = objects["fight_action"]
    return {
        "action": action.public_id,
        "target": "Acme",
        "ask": "Come",
        "place": "Pine St",
        "starts_at": action.starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": action.ends_at.strftime("%Y-%m-%dT%H:%M"),
        "risk": "low",
        "language": "en",
    }


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
    # Solidarity requests: the organizing team asks allies and answers them; members see the
    # balance.
    "confederation:balance": matrix.Row(matrix.only(*matrix.MEMBERS_UP)),
    "confederation:requests": matrix.Row(matrix.only(*matrix.ORGANIZERS)),
    "confederation:callout_new": matrix.Row(
        matrix.only(*matrix.ORGANIZERS), "post", data=_callout_form
    ),
    "confederation:request": matrix.Row(matrix.only(*matrix.ORGANIZERS), kwargs=_sent),
    "confederation:request_change": matrix.Row(
        matrix.only(*matrix.ORGANIZERS),
        "post",
        _sent,
        lambda o: {
            k: v for k, v in _callout_form(o).items() if k in ("place", "starts_at", "ends_at")
        },
    ),
    "confederation:request_stand_down": matrix.Row(matrix.only(*matrix.ORGANIZERS), "post", _sent),
    "confederation:incoming": matrix.Row(matrix.only(*matrix.ORGANIZERS), kwargs=_incoming),
    "confederation:incoming_accept": matrix.Row(matrix.only(*matrix.ORGANIZERS), "post", _incoming),
    "confederation:incoming_decline": matrix.Row(
        matrix.only(*matrix.ORGANIZERS), "post", _incoming, lambda o: {"reason": "Too far"}
    ),
    "confederation:incoming_turnout": matrix.Row(
        matrix.only(*matrix.ORGANIZERS), "post", _incoming, lambda o: {"committed": 3, "came": 2}
    ),
    # The protocol's addresses: the key is public; the inbox takes only a signed message from
    # a paired server (test_protocol.py), never a session.
    "solnet_key": matrix.Row(matrix.NOT_PENDING, note="a pending member is held at onboarding"),
    "solnet_inbox": matrix.Row(
        matrix.only(), "post", note="refused with 401: a session is not a signature"
    ),
}
