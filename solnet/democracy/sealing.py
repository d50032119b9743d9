"""Sealed secret ballots: what a secret ballot holds until the count, and how it is found.

Until the close a secret ballot's row shows nothing that differs with its choice, so that two
copies of the database taken before and after a vote tell nothing of what was chosen:

* its choice, its reason and the SHA-256 of its receipt are written into one text of a fixed
  size for the proposal's kind (padded with spaces), which `Ballot.sealed` encrypts with
  AES-GCM under the field key (a fresh nonce each time, so equal choices never look alike and
  every sealed ballot of a proposal has the same length);
* the row's `choice` is empty and its `reason` null;
* it is found by its receipt through `receipt_index`, an HMAC of the receipt's SHA-256 under
  the index key: a copy without the master key cannot tie it to the SHA-256 that the counted
  ballot shows after the close.

At the close (or a withdrawal) `unseal_all` writes every ballot of the proposal again, in a
random order under new random keys, in the clear with the SHA-256 of its receipt, as the
results page shows them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from solnet.core import crypto
from solnet.democracy.models import Ballot, Method, Proposal

FORMAT = "sealed-ballot-1"
# Methods whose secret ballots keep a reason: those that ask for one (an objection, a block).
REASONED = (Method.CONSENT, Method.CONSENSUS)
# The most characters a ballot's reason may have (the form and the API cap it there too).
MAX_REASON = 2000
# Bytes of every sealed text. A reason takes at most 4 bytes a character in UTF-8; a choice
# is at most `Ballot.choice`'s 400 characters; the rest is the format, the digest and lengths.
SIZE_WITH_REASON = 8 * 1024 + 512
SIZE = 512


@dataclass(frozen=True)
class Opened:
    choice: str
    reason: str
    receipt_digest: str


def size_for(proposal: Proposal) -> int:
    return SIZE_WITH_REASON if proposal.method in REASONED else SIZE


def seal(proposal: Proposal, *, choice: str, reason: str, receipt_digest: str) -> str:
    """The text `Ballot.sealed` encrypts: always `size_for(proposal)` bytes, whatever the
    choice and the reason."""
    if proposal.method not in REASONED:
        reason = ""
    head = f"{FORMAT}\n{receipt_digest}\n{choice}\n{len(reason)}\n"
    text = head + reason
    padding = size_for(proposal) - len(text.encode())
    if padding < 0:
        raise ValueError("a ballot too long to seal")  # the checks before make it impossible
    return text + " " * padding


def open_sealed(text: str) -> Opened:
    fmt, digest, choice, length, rest = text.split("\n", 4)
    if fmt != FORMAT:
        raise ValueError(f"unknown sealed ballot format {fmt!r}")
    return Opened(choice=choice, reason=rest[: int(length)], receipt_digest=digest)


def receipt_index(receipt_digest: str) -> str:
    """Where a sealed ballot is found by its receipt: keyed, so that it cannot be matched to
    the SHA-256 the counted ballot shows after the close without the key."""
    return crypto.keyed_digest("index", f"democracy.ballot.receipt\x00{receipt_digest}".encode())


def opened(ballot: Ballot) -> Ballot:
    """The ballot with its choice and reason read: in memory only, for its voter (a sealed row
    keeps its choice empty; this one must not be saved)."""
    if ballot.sealed is None:
        return ballot
    content = open_sealed(ballot.sealed)
    ballot.choice, ballot.reason = content.choice, content.reason
    return ballot


def unseal_all(proposal: Proposal) -> list[Ballot]:
    """Writes every ballot of a secret proposal again, in the clear, in a random order under
    new random keys, so that neither keys nor the order a dump lists them in follow the order
    the votes came in; each carries the SHA-256 of its receipt for its voter to check. Run once,
    at the close (or a withdrawal): the only step whose cost grows with the ballots."""
    rows: list[tuple[str, str | None, str | None]] = []
    for ballot in Ballot.objects.filter(proposal=proposal).only(
        "choice", "reason", "receipt_digest", "sealed"
    ):
        if ballot.sealed is not None:
            content = open_sealed(ballot.sealed)
            rows.append((content.choice, content.reason, content.receipt_digest))
        else:
            rows.append((ballot.choice, ballot.reason, ballot.receipt_digest))
    random.SystemRandom().shuffle(rows)
    Ballot.objects.filter(proposal=proposal).delete()
    return Ballot.objects.bulk_create(
        (
            Ballot(proposal=proposal, choice=choice, reason=reason, receipt_digest=digest)
            for choice, reason, digest in rows
        ),
        batch_size=2000,
    )
