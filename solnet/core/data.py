"""What every stored field is and how long every record lives.

Each model declares a `data_policy`::

    data_policy = DataPolicy(
        sensitivity={"display_name": PERSONAL, "email": CONTACT, ...},
        retention=Retention(period=timedelta(days=30), basis="created_at", action=DELETE),
    )

Models of installed libraries are declared in `solnet.core.library_data`. A system check
(`solnet.core.checks`) fails on a field without a class, a contact or sensitive field stored in
clear, and a model without retention; the periodic purge job (`purge_expired`) applies the
retention rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string


class Sensitivity:
    PUBLIC = "public"  # may be shown to anyone, and to peer networks
    INTERNAL = "internal"  # network business or bookkeeping that describes nobody
    PERSONAL = "personal"  # identifies or describes a member: a name, a tier, a date joined
    CONTACT = "contact"  # how to reach someone: must be encrypted or a blind index
    SENSITIVE = "sensitive"  # intake notes, incident reports, evidence: must be encrypted
    SECRET = "secret"  # credentials and keys, hashed or wrapped; never shown or exported  # noqa: S105

    ALL = (PUBLIC, INTERNAL, PERSONAL, CONTACT, SENSITIVE, SECRET)
    MUST_BE_ENCRYPTED = (CONTACT, SENSITIVE)


PUBLIC = Sensitivity.PUBLIC
INTERNAL = Sensitivity.INTERNAL
PERSONAL = Sensitivity.PERSONAL
CONTACT = Sensitivity.CONTACT
SENSITIVE = Sensitivity.SENSITIVE
SECRET = Sensitivity.SECRET

DELETE = "delete"
STRIP = "strip"
KEEP = "keep"


@dataclass(frozen=True)
class Retention:
    """How long records of a class live.

    * ``action=DELETE``: rows whose `basis` date is older than `period` are deleted.
    * ``action=STRIP``: those rows keep their statistics but the `strip` fields are set to the
      given values (personal data removed).
    * ``action=KEEP``: the record lives as long as what it belongs to (a member's account); the
      `reason` says so and another rule or a person's own request ends it.
    * ``applies_to`` narrows the rule to rows matching a filter (say, used invitations).
    * ``purge`` replaces the generic rule with a function of the cutoff (the audit log keeps its
      chain verifiable while it drops old rows).
    """

    action: str
    reason: str
    period: timedelta | None = None
    basis: str = ""
    strip: dict[str, Any] = field(default_factory=dict)
    applies_to: str = ""  # dotted path of a function() -> Q narrowing the rule
    purge: str = ""  # dotted path of a function(cutoff) -> rows purged

    def __post_init__(self) -> None:
        if self.action not in (DELETE, STRIP, KEEP):
            raise ValueError(f"unknown retention action {self.action}")
        if self.action != KEEP and (self.period is None or not self.basis):
            raise ValueError("a deleting or stripping retention needs a period and a basis")
        if self.action == STRIP and not self.strip:
            raise ValueError("a stripping retention must name the fields it strips")

    def cutoff(self):
        assert self.period is not None
        return timezone.now() - self.period


@dataclass(frozen=True)
class DataPolicy:
    sensitivity: dict[str, str]
    retention: Retention
    # A library's table SolNet never writes to (a test keeps it empty), so its clear-text
    # contact columns hold nothing.
    unused: bool = False


# The policies of the models that come with installed libraries, by model label: declared in
# `solnet.core.library_data`, which the core app registers at start-up.
_LIBRARY_POLICIES: dict[str, DataPolicy] = {}


def register_library_policies(policies: dict[str, DataPolicy]) -> None:
    _LIBRARY_POLICIES.update(policies)


def policy_of(model: type[models.Model]) -> DataPolicy | None:
    own = model.__dict__.get("data_policy")
    if isinstance(own, DataPolicy):
        return own
    return _LIBRARY_POLICIES.get(model._meta.label)


def purge_model(model: type[models.Model], policy: DataPolicy) -> int:
    """Applies one model's retention rule now; returns how many rows it purged or stripped."""
    retention = policy.retention
    if retention.action == KEEP:
        return 0
    cutoff = retention.cutoff()
    if retention.purge:
        return import_string(retention.purge)(cutoff)
    rows = model._default_manager.filter(**{f"{retention.basis}__lt": cutoff})
    if retention.applies_to:
        rows = rows.filter(import_string(retention.applies_to)())
    if retention.action == DELETE:
        deleted, _ = rows.delete()
        return deleted
    strip_query = models.Q()
    for name, value in retention.strip.items():
        strip_query |= (
            ~models.Q(**{name: value})
            if value is not None
            else models.Q(**{f"{name}__isnull": False})
        )
    return rows.filter(strip_query).update(**retention.strip)
