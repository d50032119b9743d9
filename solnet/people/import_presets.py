"""Where the columns of an imported file go: the person fields (`Target`) and the presets that
place the columns of common exports as those tools write them (`PRESETS`), with the check of a
mapping. Plain functions, no database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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
    # Opt-outs: a "yes" (or "unsubscribed") here means NO consent for that channel, whatever
    # the file-wide consent box says.
    NO_EMAIL = "no_email", gettext_lazy("Opted out of email (e.g. “Do Not Email”)")
    NO_PHONE = "no_phone", gettext_lazy("Opted out of calls and texts (e.g. “Do Not Phone”)")
    NO_TEXT = "no_text", gettext_lazy("Opted out of text messages (e.g. SMS status)")
    OPT_OUT = "opt_out", gettext_lazy("Opted out of all bulk messages (e.g. “Is Opt Out”)")
    CONTACT_TYPE = (
        "contact_type",
        gettext_lazy("Kind of contact (organizations and households are left out)"),
    )


# Several columns may feed these; every other field takes one column at most.
REPEATABLE = {
    Target.IGNORE,
    Target.TAGS,
    Target.NOTES,
    Target.NO_EMAIL,
    Target.NO_PHONE,
    Target.NO_TEXT,
    Target.OPT_OUT,
}
NAME_TARGETS = {Target.DISPLAY_NAME, Target.FIRST_NAME, Target.LAST_NAME}


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
                ("can2 subscription date", Target.JOINED_ON),
                ("email subscription status", Target.NO_EMAIL),
                ("can2 subscription status", Target.NO_EMAIL),
                ("subscription status", Target.NO_EMAIL),
                ("unsubscribed", Target.NO_EMAIL),
                ("can2 sms status", Target.NO_TEXT),
                ("sms subscription status", Target.NO_TEXT),
                ("mobile subscription status", Target.NO_TEXT),
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
                    "can2 sms status",
                    "email subscription status",
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
                ("contact type", Target.CONTACT_TYPE),
                ("do not email", Target.NO_EMAIL),
                ("do not phone", Target.NO_PHONE),
                ("do not sms", Target.NO_TEXT),
                ("is opt out", Target.OPT_OUT),
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
                *((h, Target.JOINED_ON) for h in ("date joined", "start date", "fecha de alta")),
                *((h, Target.TIER) for h in ("tier", "nivel")),
                *((h, Target.NO_EMAIL) for h in ("do not email", "no email", "unsubscribed")),
                *((h, Target.NO_PHONE) for h in ("do not call", "do not phone", "no calls")),
                *((h, Target.NO_TEXT) for h in ("do not text", "no texts", "no sms")),
                *((h, Target.OPT_OUT) for h in ("opt out", "opted out")),
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
