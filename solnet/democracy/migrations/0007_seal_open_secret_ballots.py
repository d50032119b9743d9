"""Seals the ballots of secret votes still open, and gives every participation a random key.

Written out here rather than imported from `democracy.sealing`, so that this migration keeps
doing what it did when that module changes: the format is "sealed-ballot-1".
"""

import random

from django.db import migrations

from solnet.core import crypto

FORMAT = "sealed-ballot-1"
REASONED = ("consent", "consensus")
SIZE_WITH_REASON = 8 * 1024 + 512
SIZE = 512
OPEN = ("discussion", "voting")


def _random_id(taken):
    while True:
        candidate = random.SystemRandom().randrange(1, 2**62 + 1)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _seal(method, choice, reason, digest):
    reason = (reason or "") if method in REASONED else ""
    text = f"{FORMAT}\n{digest}\n{choice}\n{len(reason)}\n{reason}"
    size = SIZE_WITH_REASON if method in REASONED else SIZE
    return text + " " * (size - len(text.encode()))


def _index(digest):
    return crypto.keyed_digest("index", f"democracy.ballot.receipt\x00{digest}".encode())


def seal_open_ballots(apps, schema_editor):
    Ballot = apps.get_model("democracy", "Ballot")
    Participation = apps.get_model("democracy", "Participation")
    Proposal = apps.get_model("democracy", "Proposal")
    # Participation rows under new random keys, in a random order: the old keys counted the
    # votes in the order they came.
    rows = list(Participation.objects.values_list("proposal_id", "voter_id"))
    random.SystemRandom().shuffle(rows)
    Participation.objects.all().delete()
    taken: set[int] = set()
    Participation.objects.bulk_create(
        (Participation(id=_random_id(taken), proposal_id=p, voter_id=v) for p, v in rows),
        batch_size=2000,
    )
    # The ballots of secret votes not yet counted: sealed, written again in a random order.
    taken = set(Ballot.objects.values_list("pk", flat=True))
    for proposal in Proposal.objects.filter(secret=True, status__in=OPEN):
        ballots = list(
            Ballot.objects.filter(
                proposal=proposal, sealed__isnull=True, receipt_digest__isnull=False
            )
        )
        if not ballots:
            continue
        random.SystemRandom().shuffle(ballots)
        Ballot.objects.filter(pk__in=[b.pk for b in ballots]).delete()
        Ballot.objects.bulk_create(
            (
                Ballot(
                    id=_random_id(taken),
                    proposal=proposal,
                    choice="",
                    reason=None,
                    sealed=_seal(proposal.method, b.choice, b.reason, b.receipt_digest),
                    receipt_index=_index(b.receipt_digest),
                )
                for b in ballots
            ),
            batch_size=2000,
        )


def open_sealed_ballots(apps, schema_editor):
    """Back: sealed ballots in the clear again, as the earlier code kept them."""
    Ballot = apps.get_model("democracy", "Ballot")
    for ballot in Ballot.objects.filter(sealed__isnull=False):
        fmt, digest, choice, length, rest = ballot.sealed.split("\n", 4)
        assert fmt == FORMAT, fmt
        ballot.choice, ballot.reason = choice, rest[: int(length)]
        ballot.receipt_digest, ballot.sealed, ballot.receipt_index = digest, None, None
        ballot.save(update_fields=["choice", "reason", "receipt_digest", "sealed", "receipt_index"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_sealed_file_name"),
        ("democracy", "0006_sealed_secret_ballots"),
    ]

    operations = [migrations.RunPython(seal_open_ballots, open_sealed_ballots)]
