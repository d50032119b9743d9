"""The values an import left out of a person's record (`PersonFlag`): the "To check" box on
the person's page, and dismissing a note once someone has checked it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from solnet.core import audit
from solnet.core.access import get_or_404
from solnet.members.access import can_read_contacts
from solnet.members.models import Member
from solnet.people import access
from solnet.people.import_rows import left_out_text
from solnet.people.models import Person, PersonFlag


def can_check_flags(member: Member) -> bool:
    """Whoever keeps the records checks what an import left out of them."""
    return access.can_record_people(member)


def _values_shown(viewer: Member, person: Person) -> bool:
    """A value left out may be an address or a number: shown to whoever may see the person's
    contact details (and never past their panic button)."""
    if not can_read_contacts(viewer):
        return False
    return person.member is None or not person.member.contacts_hidden


def panel_context(viewer: Member, person: Person) -> dict[str, Any]:
    """The "To check" box of the person's page: each value left out and why."""
    if not can_check_flags(viewer):
        return {"flags": []}
    shown = _values_shown(viewer, person)
    flags = []
    for flag in person.flags.all():
        value = (flag.value or "") if shown else "…"
        flags.append({"flag": flag, "text": left_out_text(flag.field, flag.problem, value)})
    return {"flags": flags}


def get_flag_or_404(viewer: Member, person: Person, public_id: str) -> PersonFlag:
    flags = person.flags.all() if can_check_flags(viewer) else PersonFlag.objects.none()
    return get_or_404(flags, public_id=public_id)


@transaction.atomic
def dismiss_flag(*, flag: PersonFlag, by: Member) -> None:
    """Someone checked the value left out (and corrected the record, or not): the note goes."""
    if not can_check_flags(by):
        raise PermissionDenied
    audit.record(
        "people.flag_dismissed",
        actor=by,
        target=flag.person,
        field=flag.field,
        problem=flag.problem,
    )
    flag.delete()
