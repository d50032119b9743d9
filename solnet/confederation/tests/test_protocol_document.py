"""The protocol's document (docs/confederation-protocol.md) says what the code does: its
JSON Schemas are the code's, every kind has one, and its example message checks out."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from solnet.confederation import protocol
from solnet.confederation.schemas import BODIES, json_schemas
from solnet.confederation.testing import public_of

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "confederation-protocol.md"


def _text() -> str:
    return DOCUMENT.read_text()


def test_every_schema_in_the_document_is_the_codes():
    found = {
        kind: json.loads(block)
        for kind, block in re.findall(r"<!-- schema: (\S+) -->\n```json\n(.*?)\n```", _text(), re.S)
    }
    assert set(found) == {"envelope", *BODIES}
    assert found == json_schemas()


def test_the_example_message_checks_out():
    match = re.search(r"<!-- example -->\n```http\n(.*?)\n```", _text(), re.S)
    head, body = match.group(1).split("\n\n", 1)
    lines = head.splitlines()
    assert lines[0] == "POST /.well-known/solnet/inbox HTTP/1.1"
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines[1:])}
    raw = body.encode()
    seed = hashlib.sha256(b"solnet protocol example key").digest()
    key = public_of(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
    assert key in _text()
    # The digest, the shape of the signature and the date (as of its own time), then the
    # signature itself against the receiver's inbox address.
    checked = protocol.check(
        method="POST",
        headers=headers,
        body=raw,
        now=1796706000,
        recipient="https://westside.example",
    )
    assert (
        checked.origin == "https://eastside.example" and checked.envelope.kind == "alliance.agreed"
    )
    protocol.verify(
        url="https://" + headers["host"] + "/.well-known/solnet/inbox",
        headers=headers,
        public_key=key,
    )
