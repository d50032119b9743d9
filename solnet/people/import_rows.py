"""What a row of an imported file means: the reading and checking of one row (`ColumnReader`,
`validate`), with its problems put in words in the reader's language. Where the columns go
and the presets are in `import_presets`, single values in `import_values`. Plain functions, no
database: the import service (`people.imports`) and the fix form use them alike.

A row becomes a person whenever something tells who they are: a name or an email address. A
value that cannot be read (a phone number that is not one, an unknown language, a date, a tier,
a tag too long) is left out of the record and noted on it, to be checked (`Parsed.flags`);
only a row with neither a name nor an email is refused. Rows about organizations and
households (CiviCRM's "Contact Type") are left out: SolNet keeps people."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.core.phones import read_phone
from solnet.members.models import Tier
from solnet.people.import_presets import (
    FALLBACK_PRESET,
    NAME_TARGETS,
    PRESETS,
    REPEATABLE,
    Preset,
    Target,
    apply_preset,
    check_columns,
    detect_preset,
    normalize_header,
)
from solnet.people.import_values import (
    NO_CONSENT,
    OPTED_OUT,
    Reading,
    left_out_kind,
    read_date,
    read_languages,
    read_opt_out,
    reading_for,
    tier_names,
)
from solnet.people.models import Tag

__all__ = [
    "FALLBACK_PRESET",
    "NAME_TARGETS",
    "PRESETS",
    "REPEATABLE",
    "Preset",
    "Reading",
    "Target",
    "apply_preset",
    "check_columns",
    "detect_preset",
    "normalize_header",
    "reading_for",
]

SHOWN_VALUE = 60  # characters of a bad value quoted back in an error
TAG_LENGTH = Tag._meta.get_field("name").max_length or 40

# One row's values as the fix form holds them: plain text, one string per field.
VALUE_FIELDS = (
    "display_name",
    "email",
    "phone",
    "languages",
    "tags",
    "notes",
    "joined_on",
    "tier",
)
# Values the fix form does not change, kept with a fixed row as the file gave them.
KEPT_FIELDS = ("no_email", "no_phone", "no_text", "opt_out", "contact_type")
# A row that is not imported for this reason is left out, not refused: no fixing, no download.
LEFT_OUT = {"organization", "household"}
# Noted on the record, never an error in the fix form.
NOTICES = {"named_by_email"}


class Decision(models.TextChoices):
    """What happens to a row that matches someone already known."""

    ADD = "add", gettext_lazy("Add its details to that person")
    SKIP = "skip", gettext_lazy("Skip this row")
    CREATE = "create", gettext_lazy("Record a new person anyway")


# --- reading and checking one row ----------------------------------------------------------


class ColumnReader:
    """Reads a row's values by field, as plain text, before any checking. Made once per
    mapping: a file of a hundred thousand rows goes through `values` once per row."""

    def __init__(self, columns: list[str]) -> None:
        self.slots = [
            (index, str(target)) for index, target in enumerate(columns) if target != Target.IGNORE
        ]

    def values(self, cells: list[str]) -> dict[str, str]:
        found: dict[str, list[str]] = {}
        width = len(cells)
        for index, target in self.slots:
            if index < width:
                text = cells[index].strip()
                if text:
                    found.setdefault(target, []).append(text)
        if not found:
            return dict.fromkeys(VALUE_FIELDS + KEPT_FIELDS, "")
        name = " ".join(found.get("display_name", ())) or " ".join(
            found.get("first_name", []) + found.get("last_name", [])
        )
        return {
            "display_name": " ".join(name.split()),
            "email": found["email"][0] if "email" in found else "",
            "phone": found["phone"][0] if "phone" in found else "",
            "languages": ", ".join(found.get("languages", ())),
            "tags": ", ".join(found.get("tags", ())),
            "notes": "\n".join(found.get("notes", ())),
            "joined_on": found["joined_on"][0] if "joined_on" in found else "",
            "tier": found["tier"][0] if "tier" in found else "",
            **{name: "\n".join(found.get(name, ())) for name in KEPT_FIELDS},
        }


def raw_values(cells: list[str], columns: list[str]) -> dict[str, str]:
    """A row's values by field, as plain text, before any checking."""
    return ColumnReader(columns).values(cells)


@dataclass(slots=True)  # slots: an import holds a batch of these at a time
class Parsed:
    """A row to import: what the person's record will hold, what was left out of it (`flags`:
    field, problem, the value as the file had it) and the channels its opt-outs cover
    (`opt_outs`: channel kind → OPTED_OUT or NO_CONSENT)."""

    display_name: str
    email: str
    phone: str
    languages: list[str]
    tags: list[str]
    notes: str
    joined_on: date | None
    tier: int
    flags: list[list[str]] = field(default_factory=list)
    opt_outs: dict[str, str] = field(default_factory=dict)
    # The date read both ways (3/4/2021) and the country's order decided: the check says so.
    date_assumed: bool = field(default=False, compare=False)

    def preview(self, row: int) -> dict[str, Any]:
        return {
            "row": row,
            "display_name": self.display_name,
            "email": self.email,
            "phone": self.phone,
            "languages": self.languages,
            "tags": self.tags,
            "notes": self.notes[:80],
            "joined_on": self.joined_on.isoformat() if self.joined_on else "",
            "tier": self.tier,
            "opt_outs": self.opt_outs,
        }


# (field, code, params): what is wrong, to be put in words in the reader's language.
Problem = tuple[str, str, dict[str, Any]]
MAX_LENGTHS = {"display_name": 80, "email": 254, "notes": 4000}


class _EmailValidator(EmailValidator):
    """Django's check of an email address, its patterns compiled once here: the stock
    validator reaches them through lazy objects on every call, which on a file of a hundred
    thousand rows costs more than the matching itself."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(
        EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags
    )
    literal_regex = re.compile(
        EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags
    )


validate_email = _EmailValidator()


def shown(value: str) -> str:
    return value if len(value) <= SHOWN_VALUE else value[: SHOWN_VALUE - 1] + "…"


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """(tags, tags too long to keep)."""
    names: list[str] = []
    too_long: list[str] = []
    for item in re.split(r"[,;|\n]", text):
        name = " ".join(item.split())
        if not name:
            continue
        if len(name) > TAG_LENGTH:
            too_long.append(name)
        elif name not in names:
            names.append(name)
    return names, too_long


def parse_date(text: str, reading: Reading | None = None) -> date | None:
    """The date of a cell, in any of the usual spreadsheet forms; ValueError otherwise."""
    found, _assumed = read_date(text.strip(), (reading or reading_for()).day_first)
    return found


_CHANNELS_OF = {
    "no_email": ("email",),
    "no_phone": ("call", "text"),
    "no_text": ("text",),
}


def _opt_outs(values: dict[str, str]) -> dict[str, str]:
    """Channel kind → OPTED_OUT or NO_CONSENT, from the row's opt-out columns. CiviCRM's
    "Is Opt Out" is no to every bulk channel (email and texts), and no consent for calls."""
    states: dict[str, str] = {}
    if not (
        values.get("no_email") or values.get("no_phone") or values.get("no_text")
    ) and not values.get("opt_out"):
        return states  # most files: no opt-out column at all

    def note(kind: str, state: str) -> None:
        if state == OPTED_OUT or states.get(kind) != OPTED_OUT:
            states[kind] = state

    for name, kinds in _CHANNELS_OF.items():
        for line in values.get(name, "").split("\n"):
            state = read_opt_out(line)
            for kind in kinds if state else ():
                note(kind, state)
    for line in values.get("opt_out", "").split("\n"):
        state = read_opt_out(line)
        if state:
            note("email", state)
            note("text", state)
            note("call", NO_CONSENT)
    return states


def validate(
    values: dict[str, str], reading: Reading | None = None
) -> tuple[Parsed | None, list[Problem]]:
    """Reads one row's values. Returns the row to import (None when it is refused or left
    out) and every problem found: for a row imported, the values it was imported without.
    Without a `reading`, numbers and dates are read as in the network's country."""
    reading = reading or reading_for()
    kind = left_out_kind(values.get("contact_type", ""))
    if kind:
        return None, [("contact_type", kind, {})]
    problems: list[Problem] = []
    flags: list[list[str]] = []

    def drop(field_name: str, code: str, value: str, **params: Any) -> None:
        problems.append((field_name, code, {"value": shown(value), **params}))
        flags.append([field_name, code, value])

    name = " ".join(values.get("display_name", "").split())
    email = values.get("email", "").strip()
    if email:
        try:
            if len(email) > MAX_LENGTHS["email"]:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            drop("email", "email_invalid", email)
            email = ""
    if not name and not email:
        problems.insert(0, ("display_name", "nothing_to_know", {}))
        return None, problems
    if not name:
        name = email.split("@")[0][: MAX_LENGTHS["display_name"]]
        problems.append(("display_name", "named_by_email", {"value": shown(name)}))
        flags.append(["display_name", "named_by_email", ""])
    elif len(name) > MAX_LENGTHS["display_name"]:
        drop("display_name", "too_long", name, field="display_name", limit=80)
        name = name[: MAX_LENGTHS["display_name"]].rstrip()
    notes = values.get("notes", "").strip()
    if len(notes) > MAX_LENGTHS["notes"]:
        drop("notes", "too_long", notes[MAX_LENGTHS["notes"] :], field="notes", limit=4000)
        notes = notes[: MAX_LENGTHS["notes"]]
    phone = values.get("phone", "").strip()
    if phone:
        read = read_phone(phone, region=reading.region, area_code=reading.area_code)
        if read is None:
            drop("phone", "phone_invalid", phone)
        phone = read or ""
    languages: list[str] = []
    if values.get("languages"):
        codes, unknown = read_languages(values["languages"])
        languages = list(codes)
        for label in unknown:
            drop("languages", "language_unknown", label)
    tags: list[str] = []
    if values.get("tags"):
        tags, too_long = parse_tags(values["tags"])
        for tag in too_long:
            drop("tags", "tag_too_long", tag)
    joined_on = None
    assumed = False
    joined_text = values.get("joined_on", "").strip()
    if joined_text:
        try:
            joined_on, assumed = read_date(joined_text, reading.day_first)
        except ValueError:
            drop("joined_on", "date_invalid", joined_text)
    tier_text = values.get("tier", "").strip()
    tier = Tier.SUPPORTER.value
    if tier_text:
        found = tier_names().get(" ".join(tier_text.split()).casefold())
        if found is None:
            drop("tier", "tier_unknown", tier_text)
        else:
            tier = found
    parsed = Parsed(
        name, email, phone, languages, tags, notes, joined_on, tier, flags, _opt_outs(values)
    )
    parsed.date_assumed = assumed
    return parsed, problems


def errors_of(problems: list[Problem]) -> list[Problem]:
    """The problems a fix must not have: all but what is only noted."""
    return [problem for problem in problems if problem[1] not in NOTICES]


def problem_text(code: str, params: dict[str, Any]) -> str:
    """A problem in words, in the reader's language (no row number)."""
    field_names = {
        "display_name": _("name"),
        "notes": _("notes"),
    }
    texts = {
        "nothing_to_know": _("there is no name and no email address to know them by"),
        "name_missing": _("there is no name"),
        "named_by_email": _("there is no name: they are called “%(value)s” from their email"),
        "too_long": _("the %(field)s are longer than %(limit)s characters")
        if params.get("field") == "notes"
        else _("the %(field)s is longer than %(limit)s characters"),
        "email_invalid": _("the email “%(value)s” is not an email address"),
        "phone_invalid": _("the phone number “%(value)s” is not a phone number"),
        "language_unknown": _("“%(value)s” is not a language we know"),
        "tag_too_long": _("the tag “%(value)s” is longer than 40 characters"),
        "date_invalid": _("“%(value)s” is not a date we can read"),
        "tier_unknown": _(
            "“%(value)s” is not a tier (list supporter, phone tree, member or organizing team)"
        ),
        "organization": _("this is an organization, not a person"),
        "household": _("this is a household, not a person"),
    }
    values = {
        **params,
        "field": field_names.get(params.get("field", ""), ""),
        "languages": ", ".join(str(label) for _code, label in settings.LANGUAGES),
    }
    return texts.get(code, _("this value cannot be imported")) % values


def row_problem_text(row: int, code: str, params: dict[str, Any]) -> str:
    """“Row 7: the email “x@” is not an email address.”"""
    return _("Row %(row)s: %(problem)s.") % {"row": row, "problem": problem_text(code, params)}


FLAG_FIELDS = {
    "display_name": gettext_lazy("name"),
    "email": gettext_lazy("email"),
    "phone": gettext_lazy("phone number"),
    "languages": gettext_lazy("language"),
    "tags": gettext_lazy("tag"),
    "notes": gettext_lazy("end of the notes"),
    "joined_on": gettext_lazy("date they joined"),
    "tier": gettext_lazy("tier"),
}


def left_out_reason(code: str) -> str:
    """Why a value was left out, without the value: “it is not a phone number we can read”."""
    reasons = {
        "email_invalid": _("it is not an email address"),
        "phone_invalid": _("it is not a phone number we can read"),
        "language_unknown": _("it is not a language we know"),
        "tag_too_long": _("a tag holds at most 40 characters"),
        "date_invalid": _("it is not a date we can read"),
        "tier_unknown": _("it is not a tier"),
        "too_long": _("it is longer than the record holds"),
        "named_by_email": _("there was no name: the name comes from their email address"),
    }
    return reasons.get(code, _("it cannot be imported"))


def left_out_text(field_name: str, code: str, value: str) -> str:
    """What was left out of a record and why: “The phone number “abc” was left out: it is not
    a phone number we can read.”"""
    if code == "named_by_email":
        return _("There was no name: the name comes from their email address.")
    return _("The %(field)s “%(value)s” was left out: %(reason)s.") % {
        "field": FLAG_FIELDS.get(field_name, field_name),
        "value": shown(value),
        "reason": left_out_reason(code),
    }
