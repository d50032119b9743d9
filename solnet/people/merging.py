"""Merging two records of the same person into one.

`merge_people` keeps one record and folds the other into it, in one transaction:

* For each field in `CHOSEN_FIELDS` the organizer picks whose value stays (by default the one
  that is not empty, the kept record's when both have one). The other fields follow a rule:
  the earlier date they joined, the later last contact, both records' notes and languages, and
  the member account of whichever record has one. Two records that both have an account are
  refused: two accounts mean two people signed in, and merging would lock one of them out.
* Every row of another table that points at the removed person moves to the kept one. The
  relations are found by walking `Person._meta.related_objects` (and Person's own
  many-to-many fields, such as tags), so what other apps add later — council memberships,
  assessments, one-on-ones — is covered without a change here.
* Where moving a row would break a unique constraint (the same council or the same skill on
  both records), the kept person's row stays, takes what it lacks from the other, and keeps the
  earlier of two dates — when someone joined a council or got a training — but the later of
  two "last …" dates. Contact channels with the same address are treated the same way, so an
  opt-out on either record stays in force. Rows pointing at a row folded away move too.

The audit log records the merge by internal ids and counts only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.members.models import Member
from solnet.people import access
from solnet.people.models import Person

# Fields whose value the organizer chooses on the merge page.
CHOSEN_FIELDS = (
    "display_name",
    "legal_name",
    "tier",
    "interpreter_needed",
    "notice_needed",
    "transport",
)

# Rows that are "the same thing" although no database constraint says so: the same address on
# both records is one channel, not two.
SAME_THING: dict[str, list[tuple[str, ...]]] = {
    "people.contactchannel": [("person", "value_index")],
}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def default_choices(keep: Person, remove: Person) -> dict[str, str]:
    """For each chosen field: "this" (the kept record's value) or "other" — the value that
    is not empty, the kept record's when both have one."""
    return {
        name: "other"
        if is_empty(getattr(keep, name)) and not is_empty(getattr(remove, name))
        else "this"
        for name in CHOSEN_FIELDS
    }


def refusal(keep: Person, remove: Person) -> str:
    """Why these two records cannot be merged, or an empty string."""
    if keep.pk == remove.pk:
        return _("A record cannot be merged with itself.")
    if keep.member_id and remove.member_id:
        return _(
            "Both records belong to members with their own accounts. Two accounts are two "
            "people signing in: they cannot be merged."
        )
    return ""


@transaction.atomic
def merge_people(
    *, keep: Person, remove: Person, take_from_other: Iterable[str], by: Member
) -> Person:
    """Folds `remove` into `keep` (see the module's description); returns `keep`."""
    if not access.can_merge_people(by):
        raise PermissionDenied
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    remove = Person.objects.select_for_update().get(pk=remove.pk)
    problem = refusal(keep, remove)
    if problem:
        raise ValidationError(problem, code="refused")
    take = set(take_from_other)
    if take - set(CHOSEN_FIELDS):
        raise ValidationError(_("Choose values from the two records only."), code="fields")

    mover = _Mover()
    for relation in Person._meta.related_objects:
        mover.move(*_rows_pointing(relation), source=remove, target=keep)
    for m2m in Person._meta.many_to_many:  # Person's own: its tags
        links: Any = m2m.remote_field.through
        mover.move(links, links._meta.get_field(m2m.m2m_field_name()), remove, keep)

    for name in take:
        setattr(keep, name, getattr(remove, name))
    keep.joined_on = min(keep.joined_on, remove.joined_on)
    contacts = [at for at in (keep.last_contact_at, remove.last_contact_at) if at]
    keep.last_contact_at = max(contacts) if contacts else None
    keep.created_at = min(keep.created_at, remove.created_at)
    keep.languages = keep.languages + [c for c in remove.languages if c not in keep.languages]
    notes = [text for text in (keep.notes, remove.notes) if text]
    keep.notes = "\n\n".join(dict.fromkeys(notes)) or None
    member = remove.member
    if member is not None:
        # The account follows the record that stays; the link is unique, so it leaves first.
        remove.member = None
        remove.save(update_fields=["member"])
        keep.member = member
    keep.full_clean(exclude=["member"])
    keep.save()
    removed_id = remove.public_id
    remove.delete()
    audit.record(
        "people.merged",
        actor=by,
        target=keep,
        removed=f"people.person:{removed_id}",
        moved=mover.moved,
        folded=mover.folded,
    )
    return keep


class _Mover:
    """Moves rows that point at one object so they point at another, folding rows together
    where a unique constraint (or `SAME_THING`) says they would be the same."""

    def __init__(self) -> None:
        self.moved = 0
        self.folded = 0

    def move(
        self, model: type[models.Model], fk: Any, source: models.Model, target: models.Model
    ) -> None:
        manager = model._base_manager
        rows = manager.filter(**{fk.name: source})
        identities = _identities(model, fk)
        if not identities:
            self.moved += rows.update(**{fk.name: target})
            return
        for row in rows.order_by("pk"):
            twin = self._twin(model, fk, row, target, identities)
            if twin is None:
                self.moved += manager.filter(pk=row.pk).update(**{fk.name: target})
            else:
                self.fold(twin, row)

    def _twin(self, model, fk, row, target, identities) -> models.Model | None:
        manager = model._base_manager
        for names, condition in identities:
            lookup: dict[str, Any] = {fk.attname: target.pk}
            for name in names:
                if name == fk.name:
                    continue
                attname = model._meta.get_field(name).attname
                value = getattr(row, attname)
                if value is None:
                    break  # NULLs never clash
                lookup[attname] = value
            else:
                candidates = manager.filter(**lookup).exclude(pk=row.pk)
                if condition is not None:
                    if not manager.filter(condition, pk=row.pk).exists():
                        continue
                    candidates = candidates.filter(condition)
                twin = candidates.order_by("pk").first()
                if twin is not None:
                    return twin
        return None

    def fold(self, keep: models.Model, other: models.Model) -> None:
        """`other` is the same thing as `keep`: `keep` takes what it lacks, the earlier of
        two start dates and the later of two "last" dates; whatever points at `other` moves to
        `keep`; then `other` goes."""
        changed = []
        for field in keep._meta.concrete_fields:
            if field.primary_key:
                continue
            mine, theirs = getattr(keep, field.attname), getattr(other, field.attname)
            if is_empty(theirs) or mine == theirs:
                continue
            if is_empty(mine) and not isinstance(field, models.BooleanField):
                value = theirs
            elif isinstance(field, models.DateField) and not getattr(field, "auto_now", False):
                later = field.name.startswith("last")
                value = max(mine, theirs) if later else min(mine, theirs)
            else:
                continue
            setattr(keep, field.attname, value)
            changed.append(field.attname)
        for relation in other._meta.related_objects:
            self.move(*_rows_pointing(relation), source=other, target=keep)
        other.delete()
        if changed:
            keep.save(update_fields=changed)
        self.folded += 1


def _rows_pointing(relation: Any) -> tuple[type[models.Model], Any]:
    """The model whose rows point at the object, and the foreign key that does: the related
    model itself, or for a many-to-many relation its table of links."""
    if relation.many_to_many:
        through = relation.through
        return through, through._meta.get_field(relation.field.m2m_reverse_field_name())
    return relation.related_model, relation.field


def _identities(model: type[models.Model], fk: Any) -> list[tuple[tuple[str, ...], Any]]:
    """The sets of fields (with the foreign key among them) that make two rows the same: its
    unique constraints (with their condition, if any), unique_together, a unique foreign key
    (a one-to-one), and `SAME_THING`."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and fk.name in constraint.fields:
            found.append((tuple(constraint.fields), constraint.condition))
    for together in model._meta.unique_together:
        if fk.name in together:
            found.append((tuple(together), None))
    if fk.unique:
        found.append(((fk.name,), None))
    for names in SAME_THING.get(model._meta.label_lower, []):
        if fk.name in names:
            found.append((names, None))
    return found
