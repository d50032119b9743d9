"""Fights and the leads they grow from (DOMAIN.md §2), by area: leads, fights (with their
teams and subjects), moves (decisions and stages), evidence, targets (with their links and
pressure points), winnability, demands (and letters), escalation (tactics, the plan, the
target's responses) and outcomes (follow-ups)."""

# Imported in the order the models were defined in before the split: Django registers models
# in import order, which is the order of `apps.get_models()` and of the relations in
# `_meta.related_objects` (the retention purge, the merge page). Keep it when adding a module.
# isort: off
from solnet.fights.models.leads import (
    OPEN_LEAD_STATUSES,
    HeardFrom,
    IssueType,
    Lead,
    LeadChannel,
    LeadStatus,
)
from solnet.fights.models.fights import (
    CLOSED_FIGHT_KEPT,
    Fight,
    FightQuerySet,
    FightSubject,
    FightTeamMember,
    RiskFlag,
)
from solnet.fights.models.moves import DecisionResult, FightDecision, FightMove
from solnet.fights.models.evidence import Evidence
from solnet.fights.models.targets import (
    LinkKind,
    PressureKind,
    PressurePoint,
    Target,
    TargetKind,
    TargetLink,
)
from solnet.fights.models.winnability import (
    BUILTIN_CRITERIA,
    WinnabilityAssessment,
    WinnabilityCriterion,
    WinnabilityScore,
)
from solnet.fights.models.demands import Demand, DemandKind, DemandLetter
from solnet.fights.models.escalation import (
    BUILTIN_TACTICS,
    COUNTER_MOVES,
    TIER_HEIGHT,
    PlanStep,
    ResponseKind,
    RiskLevel,
    Tactic,
    TacticKind,
    TargetResponse,
    Tier,
)
from solnet.fights.models.outcomes import FollowUp
# isort: on

__all__ = [
    "BUILTIN_CRITERIA",
    "BUILTIN_TACTICS",
    "CLOSED_FIGHT_KEPT",
    "COUNTER_MOVES",
    "OPEN_LEAD_STATUSES",
    "TIER_HEIGHT",
    "DecisionResult",
    "Demand",
    "DemandKind",
    "DemandLetter",
    "Evidence",
    "Fight",
    "FightDecision",
    "FightMove",
    "FightQuerySet",
    "FightSubject",
    "FightTeamMember",
    "FollowUp",
    "HeardFrom",
    "IssueType",
    "Lead",
    "LeadChannel",
    "LeadStatus",
    "LinkKind",
    "PlanStep",
    "PressureKind",
    "PressurePoint",
    "ResponseKind",
    "RiskFlag",
    "RiskLevel",
    "Tactic",
    "TacticKind",
    "Target",
    "TargetKind",
    "TargetLink",
    "TargetResponse",
    "Tier",
    "WinnabilityAssessment",
    "WinnabilityCriterion",
    "WinnabilityScore",
]
