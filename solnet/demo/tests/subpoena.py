"""The subpoena drill (SECURITY.md's P-1): everything the database holds about one member,
found the way an investigator with a copy of it would look, against the list the network is
told of (docs/security.md, "What a subpoena about one member yields").

A *category* is a table and the column through which a row of it is about the member: a row
that points at their account or their person record (`fights.FightTeamMember` through
`member`), a row that points at such a row of theirs (`mobilize.Call` through `ask`), a blind
index holding the digest of their email or phone, an audit event naming them, a session
signed in as them."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models

from solnet.core.crypto import BlindIndexField
from solnet.core.models import AuditEvent
from solnet.members.models import Member
from solnet.people.models import ContactChannel, Person

DECLARED_IN = Path(__file__).resolve().parents[3] / "docs" / "security.md"
SECTION = "## What a subpoena about one member yields"
SUBJECTS = ("members.member", "people.person")
# A row reached through one of these is something the member did to a shared record (a
# proposal they put forward, an action they made): it is about them, but what points at it
# is about everyone, so the drill goes no further from it.
AUTHOR_FIELDS = re.compile(
    r"(_by|^caller|^facilitator|^note_taker|^callback_owner|^assigned_to|^owner)$"
)
DEPTH = 3

Category = tuple[str, str]  # ("mobilize.Call", "ask")


def declared(text: str | None = None) -> set[Category]:
    """The categories the documentation names (or `text`, a version of it): each row of the
    section's table is | `app.Model` | `field`, `field` | what it holds |."""
    text = DECLARED_IN.read_text() if text is None else text
    section = text[text.index(SECTION) :]
    section = section[: section.find("\n## ", len(SECTION))]
    found: set[Category] = set()
    for label, fields in re.findall(r"^\| `([\w.]+)` \| ([^|]+)\|", section, re.MULTILINE):
        for field in re.findall(r"`(\w+)`", fields):
            found.add((label, field))
    return found


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def possible() -> set[Category]:
    """Every column through which a row can be about a member: each relation to an account or
    a person record, and each blind index. The drill holds the list to these whether or not
    the data it walks happens to fill them."""
    found: set[Category] = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            related = field.related_model if field.is_relation else None
            if related is not None and related._meta.label_lower in SUBJECTS:
                found.add((_label(model), field.name))
            if isinstance(field, BlindIndexField):
                found.add((_label(model), field.name))
    return found


def about(member: Member) -> set[Category]:
    """The categories that hold something about `member` in the database as it is."""
    found: set[Category] = set()
    frontier: dict[str, set[int]] = {"members.member": {member.pk}}
    person = Person.objects.filter(member=member).first()
    if person is not None:
        frontier["people.person"] = {person.pk}
        found.add(("people.Person", "member"))
    seen: dict[str, set[int]] = {label: set(pks) for label, pks in frontier.items()}
    for _depth in range(DEPTH):
        reached: dict[str, set[int]] = {}
        for model in apps.get_models(include_auto_created=True):
            label = model._meta.label_lower
            for field in model._meta.concrete_fields:
                related = field.related_model if field.is_relation else None
                if related is None or related._meta.label_lower not in frontier:
                    continue
                rows = model._default_manager.filter(
                    **{f"{field.attname}__in": frontier[related._meta.label_lower]}
                )
                pks = set(rows.values_list("pk", flat=True))
                if not pks:
                    continue
                found.add((_label(model), field.name))
                # Another member's or person's row that names this one (who invited whom) is
                # about them too, but what points at that row is about the other person.
                if label in SUBJECTS or AUTHOR_FIELDS.search(field.name):
                    continue
                new = pks - seen.setdefault(label, set())
                if new:
                    seen[label] |= new
                    reached.setdefault(label, set()).update(new)
        frontier = reached
        if not frontier:
            break
    found |= _indexes_holding(member, person)
    if AuditEvent.objects.filter(actor_id=member.pk).exists():
        found.add(("core.AuditEvent", "actor_id"))
    targets = [f"members.member:{member.pk}"] + ([f"people.person:{person.pk}"] if person else [])
    if AuditEvent.objects.filter(target__in=targets).exists():
        found.add(("core.AuditEvent", "target"))
    if any(s.get_decoded().get("_auth_user_id") == str(member.pk) for s in Session.objects.all()):
        found.add(("sessions.Session", "session_data"))
    return found


def _indexes_holding(member: Member, person: Person | None) -> set[Category]:
    """Blind indexes holding the digest of one of the member's addresses or numbers, as an
    investigator who can compute digests (with the index key) would find them."""
    values = {member.email, member.phone} - {None, ""}
    if person is not None:
        values |= {channel.value for channel in person.channels.all()}
    digests: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, BlindIndexField) and field.source:
                digests |= {field.lookup_value(value) for value in values}
    # Indexes without a source of their own hold copies of a contact channel's.
    channel_index = ContactChannel._meta.get_field("value_index")
    digests |= {channel_index.lookup_value(value) for value in values}  # type: ignore[union-attr]
    found: set[Category] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, BlindIndexField):
                rows = model._default_manager.filter(**{f"{field.name}__in": digests})
                if rows.exists():
                    found.add((_label(model), field.name))
    return found
