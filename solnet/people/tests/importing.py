"""Helpers of the import and merge tests, and the objects the authorization matrix needs."""

from __future__ import annotations

import io
from typing import Any

from solnet.members.models import Member
from solnet.people.imports import checking, files
from solnet.people.imports import services as import_services
from solnet.people.models import Person, PersonFlag, PersonImport


def upload(text: str | bytes, *, by: Member) -> PersonImport:
    data = text.encode() if isinstance(text, str) else text
    return files.store_upload(upload=io.BytesIO(data), by=by)


def checked(person_import: PersonImport, *, by: Member, **mapping: Any) -> PersonImport:
    """Saves the mapping (the preset's, unless given) and runs the check at once, as the
    worker would once the mapping's transaction commits."""
    import_services.save_mapping(
        person_import=person_import,
        columns=mapping.get("columns", person_import.mapping["columns"]),
        phone_kind=mapping.get("phone_kind", "call"),
        consent=mapping.get("consent", False),
        area_code=mapping.get("area_code", ""),
        by=by,
    )
    checking.check_import(public_id=person_import.public_id)
    person_import.refresh_from_db()
    return person_import


def matrix_objects(objects: dict[str, Any]) -> dict[str, Any]:
    """The organizer persona's import, checked (row 3 is refused: no name, no email), and a
    second record to merge with the objects' person. Made once per matrix run."""
    if "person_import" not in objects:
        organizer = objects["personas"]["organizer"].member
        person_import = upload("Name,Email\nAna,ana@example.org\n,not-an-email\n", by=organizer)
        objects["person_import"] = checked(person_import, by=organizer)
        objects["merge_other"] = Person.objects.create(display_name="Neighbour Twin")
    return objects


def import_kwargs(objects: dict[str, Any]) -> dict[str, str]:
    return {"public_id": matrix_objects(objects)["person_import"].public_id}


def fix_kwargs(objects: dict[str, Any]) -> dict[str, Any]:
    return {**import_kwargs(objects), "row": 3}


def merge_kwargs(objects: dict[str, Any]) -> dict[str, str]:
    return {
        "public_id": objects["person"].public_id,
        "other_id": matrix_objects(objects)["merge_other"].public_id,
    }


def flag_kwargs(objects: dict[str, Any]) -> dict[str, str]:
    """A value an import left out of the objects' person's record, to dismiss."""
    if "person_flag" not in objects:
        objects["person_flag"] = PersonFlag.objects.create(
            person=objects["person"], field="phone", problem="phone_invalid", value="12"
        )
    return {"public_id": objects["person"].public_id, "flag_id": objects["person_flag"].public_id}
