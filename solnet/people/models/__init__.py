"""The network's memory of who is who: only what organizing needs (DOMAIN.md §5).

Never modelled, on purpose: immigration status, criminal history, who did anything unlawful.

By area: people (tags, persons, contact channels), commitments (asks and reliability), joining
(requests from the public page), saved filters (of the people list), skills (and availability),
person imports (CSV files of people) and the values an import left out of a record
(flags, to be checked).
"""

# Imported in the order the models were defined in before the split: Django registers models
# in import order, which is the order of `apps.get_models()` and of the relations in
# `_meta.related_objects` (the retention purge, the merge page). Keep it when adding a module.
# isort: off
from solnet.people.models.people import (
    LAST_CONTACT_FILTERS,
    ChannelKind,
    ContactChannel,
    Notice,
    Person,
    PersonQuerySet,
    Tag,
    Transport,
)
from solnet.people.models.commitments import (
    RELIABILITY_WINDOW,
    Answer,
    Commitment,
    CommitmentQuerySet,
    Outcome,
    reliability,
)
from solnet.people.models.joining import JoinRequest
from solnet.people.models.saved_filters import SavedFilter
from solnet.people.models.skills import Availability, PersonSkill, Skill, Weekday
from solnet.people.models.person_imports import ImportStatus, PersonImport, PersonImportChunk
from solnet.people.models.person_flags import PersonFlag
# isort: on

__all__ = [
    "LAST_CONTACT_FILTERS",
    "RELIABILITY_WINDOW",
    "Answer",
    "Availability",
    "ChannelKind",
    "Commitment",
    "CommitmentQuerySet",
    "ContactChannel",
    "ImportStatus",
    "JoinRequest",
    "Notice",
    "Outcome",
    "Person",
    "PersonFlag",
    "PersonImport",
    "PersonImportChunk",
    "PersonQuerySet",
    "PersonSkill",
    "SavedFilter",
    "Skill",
    "Tag",
    "Transport",
    "Weekday",
    "reliability",
]
