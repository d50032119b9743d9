"""The protocol's message kinds as strict schemas: every field typed, unknown fields refused,
no coercion (a number where text is expected is an error, not a string).

`docs/confederation-protocol.md` is the written form of these; `json_schemas()` gives the
JSON Schemas it lists, and a test keeps the two the same.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

PROTOCOL_VERSION = 1

Text = Annotated[str, StringConstraints(max_length=300)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
PublicRef = Annotated[str, StringConstraints(max_length=24, pattern=r"^[A-Za-z0-9_-]*$")]
ORIGIN_PATTERN = r"^https?://[a-z0-9.\-\[\]:]+$"
ORIGIN = re.compile(ORIGIN_PATTERN)
Origin = Annotated[str, StringConstraints(max_length=200, pattern=ORIGIN_PATTERN)]


def _time_text(value: object) -> object:
    """Strict mode wants a datetime; the wire has ISO 8601 text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


Time = Annotated[datetime, BeforeValidator(_time_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Profile(Strict):
    """What a network says about itself to a peer: nothing about anyone in it."""

    name: Name
    city: Annotated[str, StringConstraints(max_length=120)] = ""
    languages: list[LanguageCode] = Field(default_factory=list, max_length=10)
    organizes: Text = ""


class PairRequest(Strict):
    secret: Annotated[str, StringConstraints(min_length=20, max_length=64)]
    profile: Profile


class PairAccepted(Strict):
    profile: Profile


class AllianceAgreed(Strict):
    decision: PublicRef


class AllianceEnded(Strict):
    decision: PublicRef


class KeyRotated(Strict):
    key: Annotated[str, StringConstraints(min_length=43, max_length=44)]
    # The new key's signature over "solnet-key-rotation\n<origin>\n<old key>\n<new key>".
    proof: Annotated[str, StringConstraints(min_length=86, max_length=88)]


Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Count = Annotated[int, Field(ge=0, le=100_000)]


class CalloutRequest(Strict):
    """A network asks its allies for turnout at one of its actions."""

    request: PublicRef
    target: Short
    ask: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    place: Short
    starts_at: Time
    ends_at: Time
    risk: Literal["low", "medium", "high"]
    language: LanguageCode
    public_url: Annotated[str, StringConstraints(max_length=300, pattern=r"^(https?://\S+)?$")] = ""


class CalloutAnswer(Strict):
    request: PublicRef
    answer: Literal["accepted", "declined"]
    reason: Annotated[str, StringConstraints(max_length=300)] = ""


class CalloutTurnout(Strict):
    request: PublicRef
    committed: Count
    came: Count


class CalloutUpdate(Strict):
    """The time or the place changed."""

    request: PublicRef
    place: Short
    starts_at: Time
    ends_at: Time


class CalloutStandDown(Strict):
    request: PublicRef


BODIES: dict[str, type[Strict]] = {
    "pair.request": PairRequest,
    "pair.accepted": PairAccepted,
    "alliance.agreed": AllianceAgreed,
    "alliance.ended": AllianceEnded,
    "key.rotated": KeyRotated,
    "callout.request": CalloutRequest,
    "callout.answer": CalloutAnswer,
    "callout.turnout": CalloutTurnout,
    "callout.update": CalloutUpdate,
    "callout.stand_down": CalloutStandDown,
}


class Envelope(Strict):
    """Every message: who sends it to whom, when, under which id, and its body."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    v: Literal[1]
    id: uuid.UUID
    kind: str = Field(json_schema_extra={"enum": list(BODIES)})
    sender: Origin = Field(alias="from")
    to: Origin
    sent_at: Time
    body: dict

    @field_validator("id", mode="before")
    @classmethod
    def _uuid_text(cls, value: object) -> object:
        # Strict mode wants a UUID object; the wire has text.
        if isinstance(value, str):
            return uuid.UUID(value)
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in BODIES:
            raise ValueError("unknown kind")
        return value


def parse_body(kind: str, body: dict) -> Strict:
    return BODIES[kind].model_validate(body)


def json_schemas() -> dict[str, dict]:
    """The JSON Schemas of the envelope and of each kind's body, as the protocol's document
    lists them."""
    schemas = {"envelope": Envelope.model_json_schema(by_alias=True)}
    for kind, model in BODIES.items():
        schemas[kind] = model.model_json_schema()
    return schemas
