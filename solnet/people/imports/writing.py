"""The worker imports in ONE transaction, so a killed import leaves nobody behind: rows read back
chunk by chunk (as the check kept them, while the file, the columns and the fixes are the ones it
read), written in batches with `executemany`, each value encrypted on its way."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from solnet.core import audit
from solnet.core.models import new_public_id
from solnet.people.import_rows import (
    LEFT_OUT,
    ColumnReader,
    Decision,
    Parsed,
)
from solnet.people.import_values import NO_CONSENT, OPTED_OUT
from solnet.people.imports.files import (
    BATCH,
    LISTED_DUPLICATES,
    LISTED_ERRORS,
    batches,
    checked_rows,
    file_still_there,
    headers_of,
    load_fixes,
    refused_rows,
)
from solnet.people.imports.progress import Beat, claim
from solnet.people.models import (
    ChannelKind,
    ContactChannel,
    ImportStatus,
    Person,
    PersonFlag,
    PersonImport,
    Tag,
)

logger = logging.getLogger(__name__)


# --- the worker: importing -----------------------------------------------------------------


_STRICTNESS = {"": 0, NO_CONSENT: 1, OPTED_OUT: 2}  # a row's own opt-out always wins


@dataclass(eq=False, slots=True)
class _Plan:
    """A row on its way into the database (and the rows whose details it absorbed)."""

    row: int
    parsed: Parsed
    # kind, value, index, and what the row says of consent ("", NO_CONSENT or OPTED_OUT)
    channels: list[list[str]] = field(default_factory=list)
    indexes: tuple[str, ...] = ()  # the channels' blind indexes
    duplicate_of: int | _Plan | None = None
    public_id: str = ""

    def add_channel(self, kind: str, value: str, index: str, state: str = "") -> None:
        if index in self.indexes:
            for channel in self.channels:
                if channel[2] == index and _STRICTNESS[state] > _STRICTNESS[channel[3]]:
                    channel[3] = state
            return
        self.channels.append([kind, value, index, state])
        self.indexes += (index,)

    def absorb(self, other: _Plan) -> None:
        """Another row of the file about the same person: its details join this one's."""
        for kind, value, index, state in other.channels:
            self.add_channel(kind, value, index, state)
        mine, theirs = self.parsed, other.parsed
        mine.languages += [code for code in theirs.languages if code not in mine.languages]
        mine.tags += [name for name in theirs.tags if name not in mine.tags]
        if theirs.notes and theirs.notes not in mine.notes:
            mine.notes = f"{mine.notes}\n{theirs.notes}".strip()
        if theirs.joined_on and (not mine.joined_on or theirs.joined_on < mine.joined_on):
            mine.joined_on = theirs.joined_on
        mine.flags += [flag for flag in theirs.flags if flag[1] != "named_by_email"]


class _Insert:
    """An executemany INSERT into a model's table: the named columns per row, every other
    column at its default (worked out once), so a field added to the model later is written
    too. Values go through each field's own preparation: encryption and blind indexes
    included."""

    def __init__(self, model: type[models.Model], names: list[str], instance: Any) -> None:
        by_name = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
        rest = [f for name, f in by_name.items() if name not in names]
        # The named columns first, then the others: a row is its values and the defaults.
        fields = [by_name[name] for name in names] + rest
        self.defaults = tuple(
            f.get_db_prep_save(getattr(instance, f.attname), connection) for f in rest
        )
        quote = connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
            quote(model._meta.db_table),
            ", ".join(quote(str(f.column)) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )

    def row(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return values + self.defaults

    def run(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)


class _Writer:
    """Writes a batch of planned people, their channels, their tags and the values left out of
    their records."""

    def __init__(self, *, phone_kind: str, consent: bool, person_import: PersonImport) -> None:
        now = timezone.now()
        self.now = now
        self.phone_kind = phone_kind
        self.person_import = person_import
        self.consent_at = now if consent else None
        self.person_fields = {f.name: f for f in Person._meta.concrete_fields}
        self.people = _Insert(
            Person,
            ["public_id", "display_name", "tier", "joined_on", "languages", "notes"],
            Person(created_at=now, updated_at=now),
        )
        self.channels = _Insert(
            ContactChannel,
            ["person", "kind", "value", "value_index", "consent_at", "opted_out_at"],
            ContactChannel(created_at=now),
        )
        moment = ContactChannel._meta.get_field("consent_at")
        # consent_at and opted_out_at by what the row says: the box's answer, none, opted out
        self.consent_columns = {
            "": (moment.get_db_prep_save(self.consent_at, connection), None),
            NO_CONSENT: (None, None),
            OPTED_OUT: (None, moment.get_db_prep_save(now, connection)),
        }
        self.flags = _Insert(
            PersonFlag,
            ["public_id", "person", "field", "problem", "value", "person_import"],
            PersonFlag(created_at=now),
        )
        through = Person.tags.through
        self.tag_links = _Insert(through, ["person", "tag"], through())
        self.tag_ids: dict[str, int] = {}
        self.language_values: dict[tuple[str, ...], Any] = {}
        self.today = self.person_fields["joined_on"].get_db_prep_save(
            timezone.localdate(), connection
        )

    def plan(self, row: int, parsed: Parsed, indexes: tuple[str, str]) -> _Plan:
        """A row on its way in, with the blind indexes of its email and phone."""
        plan = _Plan(row, parsed)
        email_index, phone_index = indexes
        states = parsed.opt_outs
        if parsed.email:
            plan.add_channel(
                ChannelKind.EMAIL.value, parsed.email, email_index, states.get("email", "")
            )
        if parsed.phone:
            plan.add_channel(
                self.phone_kind, parsed.phone, phone_index, states.get(self.phone_kind, "")
            )
        return plan

    def _languages(self, codes: list[str]) -> Any:
        key = tuple(codes)
        if key not in self.language_values:  # a handful of combinations in a whole file
            field = self.person_fields["languages"]
            self.language_values[key] = field.get_db_prep_save(codes, connection)
        return self.language_values[key]

    def _tag_id(self, name: str) -> int:
        if name not in self.tag_ids:
            self.tag_ids[name] = Tag.objects.get_or_create(name=name)[0].pk
        return self.tag_ids[name]

    def _flag_rows(self, pk: int, flags: list[list[str]]) -> list[tuple[Any, ...]]:
        value_field = PersonFlag._meta.get_field("value")
        return [
            self.flags.row(
                (
                    new_public_id(),
                    pk,
                    field_name,
                    code,
                    value_field.get_prep_value(value) if value else None,
                    self.person_import.pk,
                )
            )
            for field_name, code, value in flags
        ]

    def insert(self, plans: list[_Plan]) -> None:
        if not plans:
            return
        fields = self.person_fields
        rows = []
        for plan in plans:
            parsed = plan.parsed
            plan.public_id = new_public_id()
            rows.append(
                self.people.row(
                    (
                        plan.public_id,
                        parsed.display_name,
                        parsed.tier,
                        fields["joined_on"].get_db_prep_save(parsed.joined_on, connection)
                        if parsed.joined_on
                        else self.today,
                        self._languages(parsed.languages),
                        fields["notes"].get_prep_value(parsed.notes) if parsed.notes else None,
                    )
                )
            )
        self.people.run(rows)
        ids = dict(_select_in(IDS_SQL, [plan.public_id for plan in plans]))
        value_field = ContactChannel._meta.get_field("value")
        channel_rows, tag_rows, flag_rows = [], [], []
        for plan in plans:
            pk = ids[plan.public_id]
            for kind, value, index, state in plan.channels:
                channel_rows.append(
                    self.channels.row(
                        (pk, kind, value_field.get_prep_value(value), index)
                        + self.consent_columns[state]
                    )
                )
            for name in plan.parsed.tags:
                tag_rows.append(self.tag_links.row((pk, self._tag_id(name))))
            if plan.parsed.flags:
                flag_rows += self._flag_rows(pk, plan.parsed.flags)
        self.channels.run(channel_rows)
        self.tag_links.run(tag_rows)
        self.flags.run(flag_rows)

    def add_to(self, pk: int, plans: list[_Plan]) -> None:
        """The rows' new details go onto someone already recorded: new channels (with this
        import's consent, unless the row opted out), an opt-out of a channel they already have,
        tags, languages, notes, the earlier date they joined, and the values left out."""
        person = Person.objects.get(pk=pk)
        have = dict(person.channels.values_list("value_index", "pk"))
        tag_ids: set[int] = set()
        flag_rows = []
        for plan in plans:
            for kind, value, index, state in plan.channels:
                consent_at = self.consent_at if not state else None
                opted_out_at = self.now if state == OPTED_OUT else None
                if index not in have:
                    channel = ContactChannel.objects.create(
                        person=person,
                        kind=kind,
                        value=value,
                        consent_at=consent_at,
                        opted_out_at=opted_out_at,
                    )
                    have[index] = channel.pk
                elif opted_out_at:
                    ContactChannel.objects.filter(
                        person=person, value_index=index, opted_out_at__isnull=True
                    ).update(opted_out_at=opted_out_at)
            parsed = plan.parsed
            person.languages = person.languages + [
                code for code in parsed.languages if code not in person.languages
            ]
            if parsed.notes and parsed.notes not in (person.notes or ""):
                person.notes = f"{person.notes or ''}\n{parsed.notes}".strip()
            if parsed.joined_on and parsed.joined_on < person.joined_on:
                person.joined_on = parsed.joined_on
            tag_ids.update(self._tag_id(name) for name in parsed.tags)
            flags = [flag for flag in parsed.flags if flag[1] != "named_by_email"]
            flag_rows += self._flag_rows(pk, flags)
        person.save(update_fields=["languages", "notes", "joined_on", "updated_at"])
        through = Person.tags.through
        through.objects.bulk_create(
            [through(person_id=pk, tag_id=tag_id) for tag_id in tag_ids], ignore_conflicts=True
        )
        self.flags.run(flag_rows)


def _select_in(sql: str, values: list[str]) -> list[tuple[Any, Any]]:
    """Rows of a two-column query with `IN ({marks})`: written out by hand because these two
    lookups run once per batch with a thousand values each, where the ORM's preparation of
    every value costs more than the query."""
    if not values:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql.format(marks=", ".join(["%s"] * len(values))), values)
        return cursor.fetchall()


def _sql(text: str, **names: str) -> str:
    return text.format(**{key: connection.ops.quote_name(value) for key, value in names.items()})


# Blind index → person. No ORDER BY: with statistics taken when the table was smaller (after an
# ANALYZE), SQLite walked the whole table in person order to save the sort instead of looking
# each index up — a walk per batch, which made a 100,000-row import 2.5 times slower.
HOLDERS_SQL = _sql(
    "SELECT {index}, {person} FROM {table} WHERE {index} IN ({{marks}})",
    table=ContactChannel._meta.db_table,
    index=str(ContactChannel._meta.get_field("value_index").column),
    person=str(ContactChannel._meta.get_field("person").column),
)


def _earliest_holders(indexes: list[str]) -> dict[str, int]:
    """Blind index → whoever has held it longest (the lowest id)."""
    holders: dict[str, int] = {}
    for index, person in _select_in(HOLDERS_SQL, indexes):
        if index not in holders or person < holders[index]:
            holders[index] = person
    return holders


IDS_SQL = _sql(
    "SELECT {public_id}, {id} FROM {table} WHERE {public_id} IN ({{marks}})",
    table=Person._meta.db_table,
    public_id="public_id",
    id="id",
)


def run_import(*, public_id: str) -> None:
    """The worker's import: everything in one transaction, or nothing at all."""
    person_import = PersonImport.objects.filter(public_id=public_id).first()
    if person_import is None:
        return
    beat = claim(person_import, waiting=ImportStatus.QUEUED, working=ImportStatus.RUNNING)
    if beat is None:
        return
    try:
        with transaction.atomic():
            file_still_there(person_import)  # never "done" with nobody from a purged file
            counts = _write(person_import, beat)
            refused = _refused(person_import) if counts["skipped"] else None
            person_import.chunks.all().delete()  # the file goes with the import's success
            PersonImport.objects.filter(pk=person_import.pk).update(
                status=ImportStatus.DONE,
                finished_at=timezone.now(),
                findings=refused,
                fixes=None,
                result=counts,
            )
            audit.record(
                "people.imported",
                actor=person_import.created_by_id,
                target=person_import,
                **{k: v for k, v in counts.items() if isinstance(v, int)},
            )
    except Exception as error:
        # The class only: a database's message may quote a value.
        logger.error("import %s failed: %s", public_id, type(error).__name__)
        failure = "gone" if getattr(error, "code", "") == "gone" else "error"
        with transaction.atomic():
            PersonImport.objects.filter(pk=person_import.pk).update(
                status=ImportStatus.FAILED, failure=failure
            )
            audit.record(
                "people.import_failed",
                actor=person_import.created_by_id,
                target=person_import,
                reason=failure,
            )
    finally:
        beat.end()


def _refused(person_import: PersonImport) -> str:
    """The rows the import refused, with the file's header, kept (encrypted, like the
    findings they replace) so that they can be downloaded, fixed and imported again."""
    rows = [[row, cells, problems] for row, cells, problems in refused_rows(person_import)]
    return json.dumps({"headers": headers_of(person_import), "refused": rows}, ensure_ascii=False)


def _write(person_import: PersonImport, beat: Beat) -> dict[str, Any]:
    mapping, decisions = person_import.mapping, person_import.decisions
    reader = ColumnReader(mapping["columns"])
    default = decisions.get("default", Decision.ADD)
    chosen = decisions.get("rows", {})
    fixes = load_fixes(person_import)
    writer = _Writer(
        phone_kind=mapping["phone_kind"], consent=mapping["consent"], person_import=person_import
    )
    counts = Counter(
        {
            "rows": 0,
            "created": 0,
            "added_to_existing": 0,
            "skipped_duplicates": 0,
            "skipped": 0,
            **{f"left_out_{kind}": 0 for kind in sorted(LEFT_OUT)},
            "flagged": 0,
        }
    )
    possible_duplicates: list[tuple[_Plan, int | _Plan]] = []
    flagged: list[tuple[int, int | _Plan, str, str]] = []  # row, whose record, field, problem
    # Rows as the check read them, where the file, the columns and the fixes are still what it
    # read them from; checked again where they are not.
    for batch in batches(checked_rows(person_import, reader, fixes), BATCH):
        plans = []
        for row, parsed, indexes, problems in batch:
            if parsed is None:
                left_out = {code for _field, code, _params in problems} & LEFT_OUT
                counts[f"left_out_{left_out.pop()}" if left_out else "skipped"] += 1
            else:
                plans.append(writer.plan(row, parsed, indexes))
        # Whoever already holds one of these addresses: people recorded before, and people
        # this import wrote in earlier batches (the same transaction sees them).
        everything = [index for plan in plans for index in plan.indexes]
        claims: dict[str, int | _Plan] = dict(_earliest_holders(everything))
        new: list[_Plan] = []
        additions: dict[int, list[_Plan]] = {}
        for plan in plans:
            holder = next((claims[i] for i in plan.indexes if i in claims), None)
            record: int | _Plan = plan
            if holder is not None:
                decision = chosen.get(str(plan.row), default)
                if decision == Decision.SKIP:
                    counts["skipped_duplicates"] += 1
                    continue
                if decision == Decision.ADD:
                    if isinstance(holder, _Plan):
                        holder.absorb(plan)
                    else:
                        additions.setdefault(holder, []).append(plan)
                    for index in plan.indexes:
                        claims.setdefault(index, holder)
                    counts["added_to_existing"] += 1
                    record = holder
                else:
                    plan.duplicate_of = holder
                    if len(possible_duplicates) < LISTED_DUPLICATES:
                        possible_duplicates.append((plan, holder))
            if plan.parsed.flags:
                counts["flagged"] += 1
                for field_name, code, _value in plan.parsed.flags:
                    if len(flagged) < LISTED_FLAGS:
                        flagged.append((plan.row, record, field_name, code))
            if record is plan:
                new.append(plan)
                for index in plan.indexes:
                    claims.setdefault(index, plan)
        writer.insert(new)
        for pk, added in additions.items():
            writer.add_to(pk, added)
        counts["created"] += len(new)
        counts["rows"] += len(batch)
        beat(counts["rows"])
    result: dict[str, Any] = dict(counts)
    result["possible_duplicates"] = _merge_suggestions(possible_duplicates)
    result["flags"] = _flag_list(flagged)
    return result


LISTED_FLAGS = 5 * LISTED_ERRORS  # values left out listed in the report, with their records


def _public_ids(records: list[int | _Plan]) -> dict[int, str]:
    pks = [record for record in records if isinstance(record, int)]
    return dict(Person.objects.filter(pk__in=pks).values_list("pk", "public_id"))


def _flag_list(flagged: list[tuple[int, int | _Plan, str, str]]) -> list[list[Any]]:
    """(row, the record's public id, field, problem) of the values left out: no value, no
    name (the result is kept in clear)."""
    public_ids = _public_ids([record for _row, record, _f, _c in flagged])
    return [
        [row, record.public_id if isinstance(record, _Plan) else public_ids[record], name, code]
        for row, record, name, code in flagged
    ]


def _merge_suggestions(pairs: list[tuple[_Plan, int | _Plan]]) -> list[list[str]]:
    """(new person, the one they may duplicate) as public ids, for the "merge" links."""
    pks = [holder for _plan, holder in pairs if isinstance(holder, int)]
    public_ids = dict(Person.objects.filter(pk__in=pks).values_list("pk", "public_id"))
    return [
        [plan.public_id, holder.public_id if isinstance(holder, _Plan) else public_ids[holder]]
        for plan, holder in pairs
    ]
