"""S-1 of `make verify`: secret-ballot choices attributable from a copy of the database taken
after every vote.

The attacker here has what a leak, a seizure of backups or a hostile database administrator
gives: a full copy of the database (every row of every table, with each row's place in its
file: SQLite's rowid, PostgreSQL's ctid, and the sequences) taken after each vote, and after
the close. They do not have the master key, which never lives in the database. They know who
voted at each step (the worst case: the list of who took part tells them anyway), they know
the code, and they have accounts of their own, which vote known choices in a vote of the same
kind to learn what each choice looks like once stored. Between two copies they read:

* what appeared: any stored value equal to a possible choice, in any table;
* what counts went up: a number that grew, under a choice's name, in a column or in JSON;
* sizes: the length of every new value, against the lengths their own known votes left;
* after the close, any new value first seen in the step of one voter (a key, a digest, a
  ciphertext) found again in a row that now holds a choice in the clear.

A vote is attributed when all that leaves exactly one possible choice, and it is the right one.
The figure is the count of votes attributed; it must be 0.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import permutations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.democracy import services
from solnet.democracy.models import Body, Proposal
from solnet.democracy.testing import close_in_meeting
from solnet.members.models import Member, Tier

pytestmark = pytest.mark.django_db

# The place of a row in its file, which a copy of the file (not a dump) shows.
PLACE = "#place"
# Values shorter than this (flags, small counts, positions) say nothing about one voter.
LINK_LENGTH = 8


@dataclass
class Table:
    columns: list[str]
    key: int | None  # index of the primary key's column, to pair a row's two versions
    rows: Counter[tuple[str | None, ...]]


Copy = dict[str, Table]


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def copy_of_database() -> Copy:
    """Every row of every table with its place in the file, and the sequences: what a copy of
    the database files (SQLite's `.backup`, or PostgreSQL's files and `pg_dump`) holds."""
    copy: Copy = {}
    place = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT {place}, * FROM {quoted}")
            columns = [PLACE] + [d[0] for d in cursor.description[1:]]
            rows = Counter(tuple(_cell(v) for v in row) for row in cursor.fetchall())
            key_name = connection.introspection.get_primary_key_column(cursor, table)
            key = columns.index(key_name) if key_name in columns else None
            copy[table] = Table(columns, key, rows)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences")
        else:
            cursor.execute(
                "SELECT name, seq FROM sqlite_sequence "
                "WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence')"
            )
        rows = Counter(tuple(_cell(v) for v in row) for row in cursor.fetchall())
        copy["#sequences"] = Table(["name", "last_value"], 0, rows)
    return copy


@dataclass
class Diff:
    """What changed between two copies, table by table and column by column."""

    added: dict[str, list[tuple]] = field(default_factory=dict)
    removed: dict[str, list[tuple]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)

    def new_values(self) -> Iterable[tuple[str, str, str]]:
        """(table, column, value) of every value whose count in its column went up."""
        for table, added in self.added.items():
            columns = self.columns[table]
            for index, name in enumerate(columns):
                if name == PLACE:
                    continue
                grew = Counter(r[index] for r in added) - Counter(
                    r[index] for r in self.removed.get(table, [])
                )
                for value in grew:
                    if value is not None:
                        yield table, name, value

    def changed_rows(self, keys: dict[str, int | None]) -> Iterable[tuple[str, tuple, tuple]]:
        """(table, old, new) for each row whose key stayed and whose values changed."""
        for table, added in self.added.items():
            key = keys.get(table)
            if key is None:
                continue
            old = {r[key]: r for r in self.removed.get(table, [])}
            for row in added:
                if row[key] in old:
                    yield table, old[row[key]], row


def diff(before: Copy, after: Copy) -> tuple[Diff, dict[str, int | None]]:
    found = Diff()
    keys = {}
    for name, table in after.items():
        earlier = before.get(name, Table(table.columns, table.key, Counter()))
        added = list((table.rows - earlier.rows).elements())
        removed = list((earlier.rows - table.rows).elements())
        if added or removed:
            found.added[name], found.removed[name] = added, removed
            found.columns[name] = table.columns
            keys[name] = table.key
    return found, keys


def _numbers(text: str | None, path: str = "") -> dict[str, float]:
    """The numbers in a JSON value (or a plain number), by their path: a running count."""
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    found: dict[str, float] = {}

    def walk(item, where: str) -> None:
        if isinstance(item, bool):
            return
        if isinstance(item, (int, float)):
            found[where] = item
        elif isinstance(item, dict):
            for key, inner in item.items():
                walk(inner, f"{where}/{key}")
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                walk(inner, f"{where}/{index}")

    walk(value, path)
    return found


def _lengths(found: Diff) -> dict[tuple[str, str], Counter[int]]:
    """The lengths of the new values that are not plain numbers, by column."""
    lengths: dict[tuple[str, str], Counter[int]] = {}
    for table, column, value in found.new_values():
        if not value.lstrip("-").isdigit():
            lengths.setdefault((table, column), Counter())[len(value)] += 1
    return lengths


@dataclass
class Attacker:
    """Reads diffs of successive copies; `learned` holds what their own known votes left."""

    candidates: list[str]
    learned: dict[str, dict[tuple[str, str], Counter[int]]] = field(default_factory=dict)

    def learn(self, choice: str, before: Copy, after: Copy) -> None:
        self.learned[choice] = _lengths(diff(before, after)[0])

    def guess(self, before: Copy, after: Copy) -> set[str]:
        """The choices the change between two copies leaves possible."""
        found, keys = diff(before, after)
        possible = set(self.candidates)
        # What appeared: a choice stored as itself.
        shown = {value for _t, _c, value in found.new_values()} & possible
        if shown:
            possible &= shown
        # Which count went up: a number under a choice's name, in a column or in JSON.
        grew: set[str] = set()
        for table, old, new in found.changed_rows(keys):
            columns = found.columns[table]
            for index, name in enumerate(columns):
                if name == PLACE or old[index] == new[index]:
                    continue
                was, now = _numbers(old[index], name), _numbers(new[index], name)
                for path, value in now.items():
                    if value > was.get(path, 0):
                        grew |= {c for c in self.candidates if c in path.split("/")}
                        grew |= {c for c in self.candidates if c in name}
        if grew:
            possible &= grew
        # Sizes: each column's new lengths against those a known choice left.
        seen = _lengths(found)
        for column, lengths in seen.items():
            fits = {c for c in possible if self.learned.get(c, {}).get(column) == lengths}
            if fits and fits != possible:
                possible = fits
        return possible


def link_at_close(
    first_seen: dict[str, set[str]], after_close: Copy, before_close: Copy, candidates: list[str]
) -> dict[str, set[str]]:
    """For each voter, the choices held in the clear by rows that, after the close, carry a
    value first seen in that voter's step (a ballot's key, a digest, a ciphertext)."""
    found, _keys = diff(before_close, after_close)
    linked: dict[str, set[str]] = {}
    for added in found.added.values():
        for row in added:
            clear = {value for value in row if value in candidates}
            if not clear:
                continue
            values = {v for v in row[1:] if v is not None and len(v) >= LINK_LENGTH}
            for voter, theirs in first_seen.items():
                if values & theirs:
                    linked.setdefault(voter, set()).update(clear)
    return linked


def _all_values(copy: Copy) -> set[str]:
    return {
        value
        for table in copy.values()
        for row in table.rows
        for index, value in enumerate(row)
        if index != 0 and value is not None
    }


# --- the votes -------------------------------------------------------------------------------

RANKINGS = [",".join(p) for p in permutations("123")]


@dataclass(frozen=True)
class Vote:
    voter: str
    proposal: str
    choice: str
    reason: str = ""
    change: bool = False


@dataclass(frozen=True)
class Kind:
    method: str
    candidates: list[str]
    options: tuple[str, ...] = ()


KINDS = {
    "majority": Kind("majority", ["yes", "no", "abstain"]),
    "consent": Kind("consent", ["consent", "concern", "object"]),
    "ranked": Kind("ranked", RANKINGS, ("Ana", "Ben", "Cruz")),
}
VOTES = [
    Vote("v1", "majority", "yes"),
    Vote("v2", "majority", "no"),
    Vote("v3", "majority", "abstain"),
    Vote("v4", "majority", "yes"),
    Vote("v5", "majority", "no"),
    Vote("v6", "consent", "object", "The hall has no ramp; we would shut some of us out."),
    Vote("v7", "consent", "consent"),
    Vote("v8", "consent", "concern", "Ask for the deposit back in writing."),
    Vote("v9", "ranked", "2,1,3"),
    Vote("v10", "ranked", "3,1,2"),
    # A voter changes their vote with their receipt.
    Vote("v1", "majority", "no", change=True),
]


def _post(proposal: Proposal, choice: str, reason: str, receipt: str = "") -> dict[str, str]:
    if proposal.method == "ranked":
        data = {f"rank_{n}": str(place) for place, n in enumerate(choice.split(","), start=1)}
    else:
        data = {"choice": choice, "reason": reason}
    if receipt:
        data["receipt"] = receipt
    return data


def _vote(client: Client, proposal: Proposal, vote: Vote, receipt: str = "") -> str:
    response = client.post(
        reverse("democracy:vote", args=[proposal.public_id]),
        _post(proposal, vote.choice, vote.reason, receipt),
    )
    if receipt:
        # A change: back to the proposal, with a message.
        assert response.status_code == 302, response.status_code
        assert response["Location"].endswith(f"/{proposal.public_id}/")
        return receipt
    assert response.status_code == 200, response.status_code
    return response.context["receipt"]


def _open(organizer: Member, kind: str, title: str) -> Proposal:
    spec = KINDS[kind]
    proposal = services.propose(
        body=Body.objects.general(),
        by=organizer,
        title=title,
        method=spec.method,
        options=spec.options,
        secret=True,
    )
    return services.open_voting(
        proposal=proposal, by=organizer, closes_at=timezone.now() + timedelta(days=3)
    )


def attributed_votes() -> tuple[int, int]:
    """Runs the votes with a copy after each; returns (attributed, votes)."""
    organizer = make_member("org", tier=Tier.ORGANIZING_TEAM, with_totp=False)[0]
    voters = {v.voter for v in VOTES}
    clients = {name: sign_in(Client(), make_member(name)[0]) for name in sorted(voters)}
    spies = {
        kind: [
            sign_in(Client(), make_member(f"spy_{kind}_{n}")[0])
            for n in range(len(spec.candidates))
        ]
        for kind, spec in KINDS.items()
    }
    proposals = {kind: _open(organizer, kind, f"A {kind} vote") for kind in KINDS}
    # The spies' own vote of each kind, with known choices: what each choice looks like.
    attackers = {}
    for kind, spec in KINDS.items():
        attacker = Attacker(candidates=spec.candidates)
        trial = _open(organizer, kind, f"A trial {kind} vote")
        for client, choice in zip(spies[kind], spec.candidates, strict=True):
            reason = "I have my reasons." if choice in ("object", "concern") else ""
            before = copy_of_database()
            _vote(client, trial, Vote("spy", kind, choice, reason))
            attacker.learn(choice, before, copy_of_database())
        attackers[kind] = attacker

    receipts: dict[str, str] = {}
    first_seen: dict[str, dict[str, set[str]]] = {kind: {} for kind in KINDS}
    final: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    step_of: dict[tuple[str, str], list[int]] = {}
    hits: dict[int, bool] = {}
    copy = copy_of_database()
    for step, vote in enumerate(VOTES):
        proposal = proposals[vote.proposal]
        receipts[vote.voter] = _vote(
            clients[vote.voter], proposal, vote, receipts.get(vote.voter, "")
        )
        after = copy_of_database()
        guess = attackers[vote.proposal].guess(copy, after)
        hits[step] = guess == {vote.choice}
        new = _all_values(after) - _all_values(copy)
        mine = first_seen[vote.proposal].setdefault(vote.voter, set())
        mine |= {v for v in new if len(v) >= LINK_LENGTH}
        final[vote.proposal][vote.voter] = vote.choice
        step_of.setdefault((vote.proposal, vote.voter), []).append(step)
        copy = after
    # The close: every ballot readable now, in the clear or not, against what each step left.
    for kind, proposal in proposals.items():
        close_in_meeting(proposal, by=organizer)
        after = copy_of_database()
        linked = link_at_close(first_seen[kind], after, copy, KINDS[kind].candidates)
        for voter, choices in linked.items():
            if choices == {final[kind][voter]}:
                hits[step_of[(kind, voter)][-1]] = True
        copy = after
        proposal.refresh_from_db()
        assert proposal.turnout == len(final[kind])
    attributed = sum(hits.values())
    return attributed, len(VOTES)


@pytest.mark.verify
def test_no_secret_ballot_is_attributable_from_copies_after_every_vote(network, figures):
    """S-1: secret-ballot choices attributable from a copy of the database after every vote."""
    attributed, votes = attributed_votes()
    figures(
        "S-1",
        attributed,
        unit=f"of {votes} votes",
        target="0",
        ok=attributed == 0,
    )
    assert attributed == 0, f"{attributed} of {votes} secret votes attributed"


# --- the attacker itself, on planted leaks: a figure of 0 means nothing if it reads nothing ---


def _copy(**tables: tuple[list[str], list[tuple]]) -> Copy:
    return {
        name: Table([PLACE, *columns], 1, Counter((str(i), *row) for i, row in enumerate(rows)))
        for name, (columns, rows) in tables.items()
    }


def test_the_attacker_reads_a_choice_stored_as_itself():
    attacker = Attacker(candidates=["yes", "no", "abstain"])
    before = _copy(ballot=(["id", "choice"], [("k1", "yes")]))
    after = _copy(ballot=(["id", "choice"], [("k1", "yes"), ("k2", "no")]))
    assert attacker.guess(before, after) == {"no"}


def test_the_attacker_reads_a_running_count():
    attacker = Attacker(candidates=["yes", "no", "abstain"])
    before = _copy(proposal=(["id", "counts"], [("p1", '{"no": 2, "yes": 1}')]))
    after = _copy(proposal=(["id", "counts"], [("p1", '{"no": 2, "yes": 2}')]))
    assert attacker.guess(before, after) == {"yes"}
    before = _copy(tally=(["id", "no_votes", "yes_votes"], [("p1", "4", "3")]))
    after = _copy(tally=(["id", "no_votes", "yes_votes"], [("p1", "5", "3")]))
    assert attacker.guess(before, after) == {"no"}


def test_the_attacker_reads_the_size_of_a_ciphertext():
    attacker = Attacker(candidates=["yes", "no", "abstain"])
    empty = _copy(ballot=(["id", "sealed"], []))
    for choice in attacker.candidates:
        attacker.learn(choice, empty, _copy(ballot=(["id", "sealed"], [("k", "x" * len(choice))])))
    after = _copy(ballot=(["id", "sealed"], [("k9", "z" * len("abstain"))]))
    assert attacker.guess(empty, after) == {"abstain"}
    # Of one size whatever the choice: nothing to read.
    for choice in attacker.candidates:
        attacker.learn(choice, empty, _copy(ballot=(["id", "sealed"], [("k", "x" * 40)])))
    after = _copy(ballot=(["id", "sealed"], [("k9", "z" * 40)]))
    assert attacker.guess(empty, after) == set(attacker.candidates)


def test_the_attacker_follows_a_value_from_a_vote_to_the_counted_ballot():
    before = _copy(ballot=(["id", "choice", "digest"], [("k1", "", "sealed-one-digest")]))
    after = _copy(ballot=(["id", "choice", "digest"], [("k7", "no", "sealed-one-digest")]))
    linked = link_at_close({"v1": {"sealed-one-digest"}}, after, before, ["yes", "no"])
    assert linked == {"v1": {"no"}}
