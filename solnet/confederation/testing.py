"""A peer network for the tests: its own key, and messages to this server's inbox signed the
way a real SolNet server signs them (or, for the attack tests, not quite)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from solnet.confederation import keys, protocol
from solnet.confederation.models import Peer, PeerState

INBOX = keys.INBOX_PATH


def public_of(private: ed25519.Ed25519PrivateKey) -> str:
    return keys.b64e(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


class FakePeer:
    def __init__(self, origin: str = "https://allies.example"):
        self.origin = origin
        self.private = ed25519.Ed25519PrivateKey.generate()
        self.public = public_of(self.private)

    def pin(self, state: str = PeerState.ALLIED, **fields: Any) -> Peer:
        agreed = state == PeerState.ALLIED
        defaults = {
            "public_key": self.public,
            "state": state,
            "name": fields.pop("name", "Allied Tenants"),
            "agreed_here_at": datetime.now(UTC) if agreed else None,
            "agreed_there_at": datetime.now(UTC) if agreed else None,
            **fields,
        }
        peer, _ = Peer.objects.update_or_create(origin=self.origin, defaults=defaults)
        return peer

    def envelope(
        self, kind: str, body: dict[str, Any], *, message_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        return {
            "v": 1,
            "id": message_id or str(uuid.uuid4()),
            "kind": kind,
            "from": self.origin,
            "to": keys.origin(),
            "sent_at": datetime.now(UTC).isoformat(),
            "body": body,
            **fields,
        }

    def sign(
        self,
        body: bytes,
        *,
        url: str | None = None,
        private: ed25519.Ed25519PrivateKey | None = None,
        key_id: str | None = None,
        **options: Any,
    ) -> dict[str, str]:
        return protocol.sign(
            url=url or keys.origin() + INBOX,
            body=body,
            private=private or self.private,
            key_id=key_id or keys.key_id(self.origin),
            **options,
        )

    def post(self, client, kind: str, body: dict[str, Any], **envelope_fields: Any):
        raw = json.dumps(self.envelope(kind, body, **envelope_fields)).encode()
        return send(client, raw, self.sign(raw))


def send(client, raw: bytes, headers: dict[str, str]):
    """POSTs to the inbox as another server would: the body and its headers as they are."""
    extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return client.generic(
        "POST",
        INBOX,
        raw,
        content_type=headers.get("Content-Type", "application/json"),
        headers=extra,
    )
