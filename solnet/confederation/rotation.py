"""Rotating this server's key (SECURITY.md: rotating keys needs a second person).

The new key becomes current; every paired or allied peer is sent `key.rotated`, signed by the
old key and carrying the new key with the new key's own signature over the change (so nobody
can announce a key they do not hold). A peer that checks both re-pins, and from then on refuses
the old key. The old key is kept, retired, only to sign what was written before the rotation.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.confederation import access, inbox, keys, outbox, protocol
from solnet.confederation.models import Peer, PeerState, ServerKey
from solnet.confederation.protocol import Rejected
from solnet.confederation.schemas import KeyRotated
from solnet.core import audit, twoperson
from solnet.core.models import ApprovalRequest

ACTION = "confederation.rotate_key"


def _rotate(params: dict[str, Any], approval: ApprovalRequest) -> None:
    rotate()


@transaction.atomic
def rotate() -> ServerKey:
    old = keys.current()
    new = keys.new_key()
    ServerKey.objects.filter(pk=old.pk).update(retired_at=timezone.now())
    new.save()
    proof = keys.private_key_of(new).sign(
        protocol.rotation_text(keys.origin(), old.public_key, new.public_key)
    )
    for peer in Peer.objects.filter(state__in=(PeerState.PAIRED, PeerState.ALLIED)):
        outbox.queue(
            peer,
            "key.rotated",
            {"key": new.public_key, "proof": keys.b64e(proof)},
            signing_key=old,
        )
    audit.record(
        "confederation.key_rotated",
        old=keys.fingerprint(old.public_key),
        new=keys.fingerprint(new.public_key),
    )
    return new


def _rotated(peer: Peer | None, body: KeyRotated, checked: protocol.Checked, key: str) -> None:
    assert peer is not None
    try:
        new = keys.public_key_of(body.key)
        new.verify(keys.b64d(body.proof), protocol.rotation_text(peer.origin, key, body.key))
    except Exception as error:
        raise Rejected("bad_rotation", 401) from error
    Peer.objects.filter(pk=peer.pk).update(public_key=body.key)
    audit.record(
        "confederation.peer_key_rotated",
        target=peer,
        old=keys.fingerprint(key),
        new=keys.fingerprint(body.key),
    )


def _describe(params: dict[str, Any]) -> str:
    return _("Rotate this server's confederation key (every peer is told, and re-pins it)")


def register() -> None:
    twoperson.register(
        twoperson.TwoPersonAction(
            name=ACTION,
            run=_rotate,
            describe=_describe,
            can_request=access.can_manage_peers,
            can_approve=lambda member, params: access.can_manage_peers(member),
        )
    )
    inbox.register("key.rotated", inbox.Handler(states=inbox.LINKED, run=_rotated))
