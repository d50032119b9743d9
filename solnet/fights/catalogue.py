"""The built-in rows of the network's winnability sheet and tactics catalogue.

They are made the first time they are needed, from `BUILTIN_CRITERIA` and `BUILTIN_TACTICS`
(one source of truth, and a database emptied by a test or a restore gets them back). A built-in
row is never deleted, only taken out of use, so one query finds that all are there."""

from __future__ import annotations

from django.db import transaction

from solnet.fights.models import (
    BUILTIN_CRITERIA,
    BUILTIN_TACTICS,
    Tactic,
    WinnabilityCriterion,
)

# Details of the built-in tactics beyond their name (DOMAIN.md §4): risk, research needed.
_TACTIC_DETAILS = {
    "picket": ("medium", ""),
    "dont_shop": ("medium", ""),
    "third_party": ("low", "partners, suppliers, funders"),
    "home_flyering": ("medium", "home address"),
    "peak_picket": ("medium", ""),
}


def ensure_builtins() -> None:
    if len(set(WinnabilityCriterion.objects.exclude(builtin="").values_list("builtin"))) < len(
        BUILTIN_CRITERIA
    ) or len(set(Tactic.objects.exclude(builtin="").values_list("builtin"))) < len(BUILTIN_TACTICS):
        _make_missing()


@transaction.atomic
def _make_missing() -> None:
    have = set(WinnabilityCriterion.objects.values_list("builtin", flat=True))
    for order, (key, _name, _question, must_have) in enumerate(BUILTIN_CRITERIA):
        if key not in have:
            WinnabilityCriterion.objects.create(builtin=key, must_have=must_have, order=order * 10)
    have = set(Tactic.objects.values_list("builtin", flat=True))
    for key, _name, tier, kind, fewest, ideal in BUILTIN_TACTICS:
        if key not in have:
            risk, research = _TACTIC_DETAILS.get(key, ("low", ""))
            Tactic.objects.create(
                builtin=key,
                tier=tier,
                kind=kind,
                min_turnout=fewest,
                ideal_turnout=ideal,
                risk=risk,
                needs_research=research,
            )
