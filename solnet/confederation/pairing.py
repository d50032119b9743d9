"""Pairing: two servers pin each other's keys, on a code passed between organizers.

1. An organizer of network A makes a one-time code: A's address, A's key fingerprint and a
   128-bit secret, good for 48 hours. They pass it to B out of band (read aloud, or over
   Signal).
2. An organizer of B enters it. B fetches A's key from A's key endpoint and compares its
   fingerprint with the code's: a different key (someone in between) stops it there, with
   nothing saved. B pins A's key and sends A a signed `pair.request` carrying the secret.
3. A takes B's key from B's own key endpoint, checks the signature with it, spends the
   secret (once), pins B's key, and answers with a signed `pair.accepted`.

Then both know each other's key, name, city and languages — and nothing else flows until each
network passes its decision to ally (`alliance.py`).
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.confederation import inbox, keys, outbox, protocol
from solnet.confederation.models import PairingCode, Peer, PeerState
from solnet.confederation.protocol import Rejected
from solnet.confederation.schemas import ORIGIN, PairAccepted, PairRequest, Profile
from solnet.core import audit, crypto, http
from solnet.network.models import Network

CODE_LIFETIME = timedelta(hours=48)
PREFIX = "solnet-pair"
VERSION = "1"


@dataclass(frozen=True)
class Code:
    origin: str
    fingerprint: str
    secret: str

    def __str__(self) -> str:
        return f"{PREFIX} {VERSION} {self.origin} {self.fingerprint} {self.secret}"


def _hash(secret: str) -> str:
    clean = "".join(ch for ch in secret.upper() if ch.isalnum())
    # The blind-index key, domain-separated: a pairing secret never matches an index.
    return crypto.keyed_digest("index", b"confederation.pairing\x00" + clean.encode())


def own_profile() -> dict:
    network = Network.objects.current()
    return Profile(
        name=(network.name or keys.origin())[:120],
        city=network.city_region[:120],
        languages=[code for code in (network.languages or []) if isinstance(code, str)][:10],
        organizes=network.organizes[:300],
    ).model_dump()


@transaction.atomic
def make_code(*, by) -> tuple[Code, PairingCode]:
    raw = base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")
    secret = "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
    row = PairingCode.objects.create(
        secret_hash=_hash(secret), made_by=by, expires_at=timezone.now() + CODE_LIFETIME
    )
    audit.record("confederation.code_made", actor=by, target=row)
    return Code(keys.origin(), keys.fingerprint(keys.current().public_key), secret), row


@transaction.atomic
def withdraw_code(*, code: PairingCode, by) -> None:
    PairingCode.objects.filter(pk=code.pk, used_at__isnull=True).update(withdrawn_at=timezone.now())
    audit.record("confederation.code_withdrawn", actor=by, target=code)


def parse(text: str) -> Code:
    parts = text.split()
    if len(parts) != 5 or parts[0] != PREFIX or parts[1] != VERSION:
        raise ValidationError(
            _("This is not a pairing code. It starts with “solnet-pair 1” and has five parts.")
        )
    origin = parts[2].rstrip("/").lower()
    if not ORIGIN.match(origin):
        raise ValidationError(_("The code's address is not a server's address."))
    if origin == keys.origin():
        raise ValidationError(_("This is this server's own code: give it to the other network."))
    return Code(origin, parts[3], parts[4])


def enter_code(*, text: str, by) -> Peer:
    """B's side: checks the other server's key against the code, pins it and asks to pair.
    Raises ValidationError, in the organizer's language, with nothing kept, when it fails."""
    code = parse(text)
    existing = Peer.objects.filter(origin=code.origin).first()
    if existing is not None and existing.state in (PeerState.PAIRED, PeerState.ALLIED):
        raise ValidationError(_("This server is already paired with that network."))
    try:
        key = inbox.fetch_key(code.origin)
    except Rejected as error:
        raise ValidationError(
            _("The other server could not be reached at %(origin)s. Check the address.")
            % {"origin": code.origin}
        ) from error
    if not keys.same_fingerprint(code.fingerprint, key):
        audit.record("confederation.fingerprint_mismatch", actor=by, origin=code.origin)
        raise ValidationError(
            _(
                "The key that server shows does not match the code's fingerprint. Do not pair: "
                "someone may be in between. Ask the other network for a new code."
            )
        )
    with transaction.atomic():
        peer, _created = Peer.objects.update_or_create(
            origin=code.origin,
            defaults=_fresh_link(
                public_key=key, state=PeerState.PAIRING, paired_by=by, paired_at=timezone.now()
            ),
        )
    status = _send_now(peer, "pair.request", {"secret": code.secret, "profile": own_profile()})
    if not 200 <= status < 300:
        if existing is None:
            Peer.objects.filter(pk=peer.pk, state=PeerState.PAIRING).delete()
        else:
            # A network paired before (its alliance ended) keeps its history as it was.
            Peer.objects.filter(pk=peer.pk, state=PeerState.PAIRING).update(
                state=existing.state,
                public_key=existing.public_key,
                ended_at=existing.ended_at,
                ended_here=existing.ended_here,
            )
        raise ValidationError(
            _(
                "The other server refused the code: it may be used, withdrawn or out of date. "
                "Ask the other network for a new one."
            )
        )
    with transaction.atomic():
        audit.record("confederation.paired", actor=by, target=peer, side="entered")
    return peer


def _send_now(peer: Peer, kind: str, body: dict) -> int:
    """A handshake message is sent at once: the organizer waits for its answer."""
    url = peer.origin + keys.INBOX_PATH
    payload = protocol.envelope(kind=kind, to=peer.origin, body=body, message_id=uuid.uuid4())
    headers = protocol.sign(
        url=url,
        body=payload,
        private=keys.private_key_of(keys.current()),
        key_id=keys.key_id(keys.origin()),
    )
    try:
        return outbox._post(url, payload, headers)
    except http.OutboundError:
        return 0


# --- the other side -------------------------------------------------------------------------


def _open_code(secret: str):
    return PairingCode.objects.filter(
        secret_hash=_hash(secret),
        used_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def _names_an_open_code(body: PairRequest) -> bool:
    """Before this server fetches an unknown sender's key: does the request name a code of
    ours that is still open? (It is spent only once the signature checks out.)"""
    return _open_code(body.secret).exists()


def _pair_request(
    peer: Peer | None, body: PairRequest, checked: protocol.Checked, key: str
) -> None:
    now = timezone.now()
    code = _open_code(body.secret).select_for_update().first()
    if code is None:
        raise Rejected("bad_code", 403)
    if peer is not None and peer.state != PeerState.ENDED:
        raise Rejected("already_paired", 409)
    peer, _created = Peer.objects.update_or_create(
        origin=checked.origin,
        defaults=_fresh_link(
            public_key=key,
            state=PeerState.PAIRED,
            paired_by=code.made_by,
            paired_at=now,
            **_profile_fields(body.profile),
        ),
    )
    PairingCode.objects.filter(pk=code.pk).update(used_at=now, used_by=peer)
    audit.record("confederation.paired", target=peer, side="code")
    outbox.queue(peer, "pair.accepted", {"profile": own_profile()})


def _fresh_link(**fields) -> dict:
    """A peer's row as a new pairing leaves it: whatever an earlier alliance left is cleared."""
    return {
        "agreed_here_at": None,
        "agreed_here_ref": "",
        "agreed_there_at": None,
        "ended_at": None,
        "ended_here": False,
        "failures": 0,
        "resting_until": None,
        **fields,
    }


def _profile_fields(profile: Profile) -> dict:
    return {
        "name": profile.name,
        "city": profile.city,
        "languages": list(profile.languages),
        "organizes": profile.organizes,
    }


def _pair_accepted(
    peer: Peer | None, body: PairAccepted, checked: protocol.Checked, key: str
) -> None:
    assert peer is not None
    Peer.objects.filter(pk=peer.pk).update(
        state=PeerState.PAIRED if peer.state == PeerState.PAIRING else peer.state,
        **_profile_fields(body.profile),
    )


def register() -> None:
    inbox.register(
        "pair.request",
        inbox.Handler(states=None, run=_pair_request, admits=_names_an_open_code),
    )
    inbox.register("pair.accepted", inbox.Handler(states=inbox.HANDSHAKE, run=_pair_accepted))
