"""Writes of research: targets, their links and pressure points, and the winnability
sheet."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.fights import access, portfolios, winnability
from solnet.fights.models import (
    Fight,
    PressurePoint,
    Target,
    TargetLink,
    WinnabilityAssessment,
    WinnabilityCriterion,
    WinnabilityScore,
)
from solnet.members.models import Member

# --- targets and research ------------------------------------------------------------------


def _find_or_make_target(*, name: str, kind: str, address: str, by: Member) -> Target:
    """The target of that name (and, if given, address), or a new one. Several of that name
    and no address to tell them apart: the organizer must choose from the target's page."""
    key = portfolios.name_key(name)
    if not key:
        raise ValidationError({"name": _("Give the target's name.")})
    same = Target.objects.filter(name_key=key)
    if address:
        same = same.filter(address_key=portfolios.address_key(address))
    found = list(same[:2])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ValidationError(
            {"name": _("Several targets have that name: add the address to say which.")}
        )
    target = Target(
        name=name.strip(),
        kind=kind,
        address=address.strip(),
        name_key=key,
        address_key=portfolios.address_key(address),
        created_by=by,
    )
    target.full_clean()
    target.save()
    audit.record("target.recorded", actor=by, target=target)
    return target


@transaction.atomic
def add_target_to_fight(*, fight: Fight, name: str, kind: str, address: str, by: Member) -> Target:
    """Whom the fight is against: a target already researched, or a new one."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    target = _find_or_make_target(name=name, kind=kind, address=address, by=by)
    fight.targets.add(target)
    portfolios.refresh()
    audit.record("fight.target_added", actor=by, target=fight, target_id=target.public_id)
    return target


@transaction.atomic
def record_target(*, name: str, kind: str, address: str, notes: str, by: Member) -> Target:
    if not access.can_research(by):
        raise PermissionDenied
    target = _find_or_make_target(name=name, kind=kind, address=address, by=by)
    if notes:
        target.notes = notes
        target.save(update_fields=["notes"])
    portfolios.refresh()
    return target


@transaction.atomic
def update_target(
    *, target: Target, name: str, kind: str, address: str, notes: str, by: Member
) -> Target:
    if not access.can_research(by):
        raise PermissionDenied
    target.name, target.kind, target.address = name.strip(), kind, address.strip()
    target.name_key = portfolios.name_key(name)
    target.address_key = portfolios.address_key(address)
    if not target.name_key:
        raise ValidationError({"name": _("Give the target's name.")})
    target.notes = notes or None
    target.full_clean()
    target.save()
    portfolios.refresh()
    audit.record("target.updated", actor=by, target=target)
    return target


@transaction.atomic
def link_targets(
    *,
    source: Target,
    kind: str,
    name: str,
    other_kind: str,
    address: str,
    found_in: str,
    by: Member,
) -> TargetLink:
    """`source` owns / manages / is an officer of … another target, found or made by name."""
    if not access.can_research(by):
        raise PermissionDenied
    other = _find_or_make_target(name=name, kind=other_kind, address=address, by=by)
    if other.pk == source.pk:
        raise ValidationError({"name": _("A target cannot be linked to itself.")})
    link, made = TargetLink.objects.get_or_create(
        source=source, kind=kind, other=other, defaults={"found_in": found_in}
    )
    if not made:
        raise ValidationError(_("That link is already recorded."))
    portfolios.refresh()
    audit.record("target.linked", actor=by, target=source, other=other.public_id, kind=kind)
    return link


@transaction.atomic
def add_pressure_point(
    *, target: Target, kind: str, description: str, source: str, by: Member
) -> PressurePoint:
    if not access.can_research(by):
        raise PermissionDenied
    if not description.strip():
        raise ValidationError({"description": _("Say what and where.")})
    point = PressurePoint.objects.create(
        target=target,
        kind=kind,
        description=description.strip(),
        source=source or None,
        added_by=by,
    )
    audit.record("target.pressure_point", actor=by, target=target)
    return point


# --- the winnability sheet -----------------------------------------------------------------


@transaction.atomic
def assess_winnability(
    *, fight: Fight, scores: dict[int, tuple[int, str]], summary: str, by: Member
) -> WinnabilityAssessment:
    """The team fills in the sheet: a score from 0 to 2 and a note for every criterion in use."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    in_use = {c.pk: c for c in winnability.criteria()}
    if set(scores) != set(in_use):
        raise ValidationError(_("Score every question of the sheet."))
    if any(score not in (0, 1, 2) for score, _note in scores.values()):
        raise ValidationError(_("Scores are 0, 1 or 2."))
    assessment = WinnabilityAssessment.objects.create(
        fight=fight, made_by=by, summary=summary.strip() or None
    )
    WinnabilityScore.objects.bulk_create(
        WinnabilityScore(
            assessment=assessment, criterion=in_use[pk], score=score, note=note.strip() or None
        )
        for pk, (score, note) in scores.items()
    )
    audit.record("fight.assessed", actor=by, target=fight, assessment=assessment.public_id)
    return assessment


@transaction.atomic
def save_criterion(
    *,
    criterion: WinnabilityCriterion | None,
    name: str,
    question: str,
    must_have: bool,
    active: bool,
    by: Member,
) -> WinnabilityCriterion:
    """The organizing team edits the network's sheet (or adds a question to it)."""
    if not access.can_edit_sheet(by):
        raise PermissionDenied
    if criterion is None:
        if not (name.strip() and question.strip()):
            raise ValidationError(_("A new question needs a name and the question itself."))
        last = WinnabilityCriterion.objects.order_by("-order").first()
        criterion = WinnabilityCriterion(order=(last.order + 10) if last else 0)
    elif not criterion.builtin and not (name.strip() and question.strip()):
        raise ValidationError(_("A question of your own needs a name and the question itself."))
    criterion.name = name.strip()
    criterion.question = question.strip()
    criterion.must_have = must_have
    criterion.active = active
    criterion.full_clean()
    criterion.save()
    audit.record("fight.sheet_changed", actor=by, target=criterion)
    return criterion
