"""What a row of an imported file means: the person fields columns go to (`Target`), the
presets that place the columns of common exports (`PRESETS`), and the reading and checking of
one row (`raw_values`, `validate`), with its problems put in words in the reader's language.
Plain functions, no database: the import service (`people.imports`) and the fix form use
them alike."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.members.models import Tier
from solnet.people.forms import PHONE_RULE
from solnet.people.models import Tag

SHOWN_VALUE = 60  # characters of a bad value quoted back in an error
TAG_LENGTH = Tag._meta.get_field("name").max_length or 40


class Target(models.TextChoices):
    """Where a column of the file goes."""

    IGNORE = "ignore", gettext_lazy("Leave out")
    DISPLAY_NAME = "display_name", gettext_lazy("Display name")
    FIRST_NAME = "first_name", gettext_lazy("First name (joined with the last name)")
    LAST_NAME = "last_name", gettext_lazy("Last name (joined with the first name)")
    EMAIL = "email", gettext_lazy("Email")
    PHONE = "phone", gettext_lazy("Phone")
    LANGUAGES = "languages", gettext_lazy("Languages")
    TAGS = "tags", gettext_lazy("Tags")
    NOTES = "notes", gettext_lazy("Notes")
    JOINED_ON = "joined_on", gettext_lazy("Joined on")
    TIER = "tier", gettext_lazy("Tier")


# Several columns may feed these; every other field takes one column at most.
REPEATABLE = {Target.IGNORE, Target.TAGS, Target.NOTES}
NAME_TARGETS = {Target.DISPLAY_NAME, Target.FIRST_NAME, Target.LAST_NAME}
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


class Decision(models.TextChoices):
    """What happens to a row that matches someone already known."""

    ADD = "add", gettext_lazy("Add its details to that person")
    SKIP = "skip", gettext_lazy("Skip this row")
    CREATE = "create", gettext_lazy("Record a new person anyway")


# --- presets -------------------------------------------------------------------------------


def normalize_header(text: str) -> str:
    """`first_name`, `First Name` and ` first-name ` are the same column."""
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


@dataclass(frozen=True)
class Preset:
    key: str
    label: Any
    # (normalized header, target) in order of preference: when two columns could feed a field
    # that takes one, the earlier wins (Action Network's can2_phone before phone_number).
    columns: tuple[tuple[str, str], ...]
    # Headers this tool's exports have and other files rarely do.
    signature: frozenset[str] = frozenset()


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            "action_network",
            gettext_lazy("Action Network export"),
            columns=(
                ("first name", Target.FIRST_NAME),
                ("last name", Target.LAST_NAME),
                ("email", Target.EMAIL),
                ("can2 phone", Target.PHONE),
                ("mobile number", Target.PHONE),
                ("phone number", Target.PHONE),
                ("can2 user tags", Target.TAGS),
            ),
            signature=frozenset(
                {
                    "uuid",
                    "zip code",
                    "can2 phone",
                    "can2 user address",
                    "can2 user city",
                    "can2 state abbreviated",
                    "can2 county",
                    "can2 user tags",
                    "can2 subscription date",
                }
            ),
        ),
        Preset(
            "civicrm",
            gettext_lazy("CiviCRM export"),
            columns=(
                ("display name", Target.DISPLAY_NAME),
                ("first name", Target.FIRST_NAME),
                ("last name", Target.LAST_NAME),
                ("email", Target.EMAIL),
                ("phone", Target.PHONE),
                ("preferred language", Target.LANGUAGES),
                ("tag(s)", Target.TAGS),
                ("note(s)", Target.NOTES),
            ),
            signature=frozenset(
                {
                    "internal contact id",
                    "contact id",
                    "contact type",
                    "contact subtype",
                    "sort name",
                    "preferred language",
                    "tag(s)",
                    "group(s)",
                    "do not email",
                    "do not phone",
                    "is opt out",
                    "street address",
                    "postal code",
                }
            ),
        ),
        Preset(
            "spreadsheet",
            gettext_lazy("Plain spreadsheet"),
            columns=(
                *((h, Target.DISPLAY_NAME) for h in ("name", "full name", "display name")),
                *((h, Target.DISPLAY_NAME) for h in ("nickname", "nombre", "nombre completo")),
                *((h, Target.FIRST_NAME) for h in ("first name", "first", "given name")),
                *((h, Target.LAST_NAME) for h in ("last name", "last", "surname", "family name")),
                *((h, Target.EMAIL) for h in ("email", "e mail", "email address", "correo")),
                *((h, Target.EMAIL) for h in ("correo electrónico", "correo electronico")),
                *((h, Target.PHONE) for h in ("phone", "phone number", "mobile", "cell")),
                *((h, Target.PHONE) for h in ("telephone", "tel", "teléfono", "telefono")),
                *((h, Target.PHONE) for h in ("celular", "móvil", "movil")),
                *((h, Target.LANGUAGES) for h in ("languages", "language", "idiomas", "idioma")),
                *((h, Target.TAGS) for h in ("tags", "tag", "labels", "etiquetas")),
                *((h, Target.NOTES) for h in ("notes", "note", "comments", "notas")),
                *((h, Target.JOINED_ON) for h in ("joined on", "joined", "join date", "since")),
                *((h, Target.TIER) for h in ("tier", "nivel")),
            ),
        ),
    )
}
FALLBACK_PRESET = "spreadsheet"


def detect_preset(headers: list[str]) -> str:
    """The preset whose tool most likely made the file: the most signature headers, then the
    most columns it can place; a plain spreadsheet when no tool's signature shows."""
    present = {normalize_header(h) for h in headers}
    best, best_score = FALLBACK_PRESET, (0, 0)
    for preset in PRESETS.values():
        hits = len(present & preset.signature)
        if not hits:
            continue
        placed = sum(1 for target in apply_preset(headers, preset.key) if target != Target.IGNORE)
        if (hits, placed) > best_score:
            best, best_score = preset.key, (hits, placed)
    return best


def apply_preset(headers: list[str], key: str) -> list[str]:
    """One target per column, as the preset places them; the rest are left out."""
    normalized = [normalize_header(h) for h in headers]
    targets = [str(Target.IGNORE)] * len(headers)
    used: set[str] = set()
    for header, target in PRESETS[key].columns:
        if target in used and target not in REPEATABLE:
            continue
        for index, name in enumerate(normalized):
            if name == header and targets[index] == Target.IGNORE:
                targets[index] = str(target)
                used.add(target)
                if target not in REPEATABLE:
                    break
    return targets


def check_columns(columns: list[str], width: int) -> None:
    """A mapping must place a name, and put at most one column into a one-value field."""
    if len(columns) != width or any(c not in Target.values for c in columns):
        raise ValidationError(_("Choose a field for every column."), code="columns")
    if not NAME_TARGETS & set(columns):
        raise ValidationError(
            _("Choose the column with the name (or the first and last names)."), code="no_name"
        )
    counts = Counter(columns)
    for target, count in counts.items():
        if count > 1 and target not in REPEATABLE:
            raise ValidationError(
                _("Only one column can go to “%(field)s”.") % {"field": Target(target).label},
                code="twice",
            )


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
            return dict.fromkeys(VALUE_FIELDS, "")
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
        }


def raw_values(cells: list[str], columns: list[str]) -> dict[str, str]:
    """A row's values by field, as plain text, before any checking."""
    return ColumnReader(columns).values(cells)


@dataclass(slots=True)  # slots: an import holds a batch of these at a time
class Parsed:
    """A row that passed every check: what the person's record will hold."""

    display_name: str
    email: str
    phone: str
    languages: list[str]
    tags: list[str]
    notes: str
    joined_on: date | None
    tier: int

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
        }


# (field, code, params): what is wrong, to be put in words in the reader's language.
Problem = tuple[str, str, dict[str, Any]]
_PHONE = re.compile(PHONE_RULE)
_SPLIT_LIST = re.compile(r"[,;|/\n]")
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$")
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


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_VALUE else value[: SHOWN_VALUE - 1] + "…"


@cache
def _language_names() -> dict[str, str]:
    """Codes, English names, their own names and their names in every language SolNet speaks,
    each to a language code (`es_MX`, `Spanish`, `español`, `inglés`)."""
    names: dict[str, str] = {}
    for code, info in LANG_INFO.items():
        if "name" not in info:
            continue
        base = code.split("-")[0] if code.split("-")[0] in LANG_INFO else code
        for name in (code, info["name"], info["name_local"]):
            names.setdefault(name.casefold(), base)
        for language, _label in settings.LANGUAGES:
            with translation.override(language):
                names.setdefault(translation.gettext(info["name"]).casefold(), base)
    return names


@cache
def _spoken() -> frozenset[str]:
    return frozenset(code for code, _label in settings.LANGUAGES)


def parse_languages(text: str) -> tuple[list[str], list[Problem]]:
    codes: list[str] = []
    problems: list[Problem] = []
    spoken = _spoken()
    for item in _SPLIT_LIST.split(text):
        name = re.sub(r"\s*\(.*\)\s*$", "", item.strip())  # "English (United States)"
        if not name:
            continue
        key = name.casefold().replace("_", "-")
        code = _language_names().get(key) or _language_names().get(key.split("-")[0])
        if code is None:
            problems.append(("languages", "language_unknown", {"value": _shown(item.strip())}))
        elif code not in spoken:
            problems.append(("languages", "language_unsupported", {"value": _shown(item.strip())}))
        elif code not in codes:
            codes.append(code)
    return codes, problems


def parse_tags(text: str) -> tuple[list[str], list[Problem]]:
    names: list[str] = []
    problems: list[Problem] = []
    for item in re.split(r"[,;|\n]", text):
        name = " ".join(item.split())
        if not name:
            continue
        if len(name) > TAG_LENGTH:
            problems.append(("tags", "tag_too_long", {"value": _shown(name)}))
        elif name not in names:
            names.append(name)
    return names, problems


def parse_date(text: str) -> date | None:
    match = _ISO_DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


@cache
def _tier_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for tier in Tier:
        names[str(tier.value)] = tier.value
        names[tier.name.casefold()] = tier.value
        names[tier.name.casefold().replace("_", " ")] = tier.value
        for language, _label in settings.LANGUAGES:
            with translation.override(language):
                names[str(tier.label).casefold()] = tier.value
    names["supporter"] = Tier.SUPPORTER
    return names


def validate(values: dict[str, str]) -> tuple[Parsed | None, list[Problem]]:
    """Checks one row's values; a row with any problem is imported only once fixed."""
    problems: list[Problem] = []
    name = " ".join(values.get("display_name", "").split())
    if not name:
        problems.append(("display_name", "name_missing", {}))
    email = values.get("email", "").strip()
    phone = values.get("phone", "").strip()
    notes = values.get("notes", "").strip()
    for field_name, text in (("display_name", name), ("notes", notes)):
        if len(text) > MAX_LENGTHS[field_name]:
            problems.append(
                (field_name, "too_long", {"field": field_name, "limit": MAX_LENGTHS[field_name]})
            )
    if email:
        try:
            if len(email) > MAX_LENGTHS["email"]:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problems.append(("email", "email_invalid", {"value": _shown(email)}))
    if phone and not _PHONE.match(phone):
        problems.append(("phone", "phone_invalid", {"value": _shown(phone)}))
    languages: list[str] = []
    tags: list[str] = []
    if values.get("languages"):
        languages, language_problems = parse_languages(values["languages"])
        problems += language_problems
    if values.get("tags"):
        tags, tag_problems = parse_tags(values["tags"])
        problems += tag_problems
    joined_on = None
    joined_text = values.get("joined_on", "").strip()
    if joined_text:
        try:
            joined_on = parse_date(joined_text)
        except ValueError:
            problems.append(("joined_on", "date_invalid", {"value": _shown(joined_text)}))
    tier_text = values.get("tier", "").strip()
    tier = Tier.SUPPORTER.value
    if tier_text:
        found = _tier_names().get(" ".join(tier_text.split()).casefold())
        if found is None:
            problems.append(("tier", "tier_unknown", {"value": _shown(tier_text)}))
        else:
            tier = found
    if problems:
        return None, problems
    return Parsed(name, email, phone, languages, tags, notes, joined_on, tier), []


def problem_text(code: str, params: dict[str, Any]) -> str:
    """A problem in words, in the reader's language (no row number)."""
    field_names = {
        "display_name": _("name"),
        "notes": _("notes"),
    }
    texts = {
        "name_missing": _("there is no name"),
        "too_long": _("the %(field)s are longer than %(limit)s characters")
        if params.get("field") == "notes"
        else _("the %(field)s is longer than %(limit)s characters"),
        "email_invalid": _("the email “%(value)s” is not an email address"),
        "phone_invalid": _("the phone number “%(value)s” is not a phone number"),
        "language_unknown": _("“%(value)s” is not a language we know"),
        "language_unsupported": _(
            "“%(value)s” is not one of the languages SolNet works in (%(languages)s)"
        ),
        "tag_too_long": _("the tag “%(value)s” is longer than 40 characters"),
        "date_invalid": _("the date “%(value)s” is not a date written as YYYY-MM-DD"),
        "tier_unknown": _(
            "“%(value)s” is not a tier (list supporter, phone tree, member or organizing team)"
        ),
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
