"""Community self-defense (DOMAIN.md §8), by area: the hotline's settings, the dispatchers'
weekly rota, the reports they take (in the SALUTE or ALERTA form, unverified until a verifier
says otherwise, read by dispatchers alone, and never published anywhere), the phone line,
the field notes observers keep at a confirmed incident, and jail support for those arrested.

What a report says can point at a family under threat: its words are encrypted at rest and go
after the hotline's period (30 days unless the network sets another); what stays is that there
was a report, in which zone, when, and how it ended.
"""

from solnet.defense.models.field import Audible, CheckIn, EntryKind, FieldEntry, FieldMedia
from solnet.defense.models.hotline import Hotline, new_address
from solnet.defense.models.jail import (
    Arrestee,
    ArresteeStatus,
    BirthConsent,
    CourtDate,
    FamilyTask,
)
from solnet.defense.models.legal import LegalHandoff
from solnet.defense.models.line import CallOutcome, Conversation, HotlineCall, HotlineText
from solnet.defense.models.reports import (
    Finding,
    Outcome,
    Report,
    ReportForm,
    ReportStatus,
    Source,
    Verification,
)
from solnet.defense.models.rights import RightsCard
from solnet.defense.models.rota import Cover, Duty, Handover, Slot

__all__ = [
    "Arrestee",
    "ArresteeStatus",
    "Audible",
    "BirthConsent",
    "CallOutcome",
    "CheckIn",
    "Conversation",
    "CourtDate",
    "Cover",
    "Duty",
    "EntryKind",
    "FamilyTask",
    "FieldEntry",
    "FieldMedia",
    "Finding",
    "Handover",
    "Hotline",
    "HotlineCall",
    "HotlineText",
    "LegalHandoff",
    "Outcome",
    "Report",
    "ReportForm",
    "ReportStatus",
    "RightsCard",
    "Slot",
    "Source",
    "Verification",
    "new_address",
]
