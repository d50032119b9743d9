"""Writes of a fight's campaign: demands, the deadline and letters, the escalation plan,
the target's responses, the outcome and follow-up."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.fights import access, stages
from solnet.fights.models import (
    Demand,
    DemandKind,
    DemandLetter,
    Fight,
    FollowUp,
    PlanStep,
    Tactic,
    TargetResponse,
)
from solnet.members.models import Member

# --- demands, the deadline and letters -----------------------------------------------------


@transaction.atomic
def add_demand(
    *,
    fight: Fight,
    kind: str,
    text: str,
    amount: Decimal | None,
    due_on: datetime.date | None,
    by: Member,
    language: str = "",
) -> Demand:
    """One item of the demand, with the `language` its words are in. The first one brings
    the no-retaliation clause with it (the team may take it out)."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the demand exactly.")})
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose a language from the list.")})
    if kind == DemandKind.AMOUNT and amount is None:
        raise ValidationError({"amount": _("Give the amount.")})
    first = not fight.demands.exists()
    demand = Demand(
        fight=fight,
        kind=kind,
        text=text.strip(),
        language=language,
        amount=amount,
        due_on=due_on,
    )
    demand.full_clean()
    demand.save()
    if first and kind != DemandKind.NO_RETALIATION:
        Demand.objects.create(fight=fight, kind=DemandKind.NO_RETALIATION, text="")
    audit.record("fight.demand_added", actor=by, target=fight, demand=demand.public_id)
    return demand


@transaction.atomic
def settle_demand(*, demand: Demand, met_on: datetime.date | None, by: Member) -> None:
    """The target did it (or, with None, the team takes that back)."""
    if not access.is_on_team(by, demand.fight):
        raise PermissionDenied
    if met_on and met_on > timezone.localdate():
        raise ValidationError(_("That date is in the future."))
    demand.met_on = met_on
    demand.save(update_fields=["met_on"])
    audit.record("fight.demand_met", actor=by, target=demand.fight, demand=demand.public_id)


@transaction.atomic
def remove_demand(*, demand: Demand, by: Member) -> None:
    if not access.is_on_team(by, demand.fight):
        raise PermissionDenied
    audit.record("fight.demand_removed", actor=by, target=demand.fight, demand=demand.public_id)
    demand.delete()


@transaction.atomic
def set_deadline(*, fight: Fight, deadline: datetime.date | None, by: Member) -> None:
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    fight.deadline = deadline
    fight.deadline_reminded = None
    fight.updated_at = timezone.now()
    fight.save(update_fields=["deadline", "deadline_reminded", "updated_at"])
    audit.record("fight.deadline_set", actor=by, target=fight, deadline=str(deadline or ""))


@transaction.atomic
def save_letter(*, fight: Fight, language: str, body: str, by: Member) -> DemandLetter:
    """A new version of the letter in that language; earlier versions stay."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError({"body": _("The letter is empty.")})
    if not fight.targets.exists():
        raise ValidationError(
            _("Name the target on the fight's page first: a letter needs someone to go to."),
            code="no_target",
        )
    last = fight.letters.filter(language=language).order_by("-version").first()
    letter = DemandLetter.objects.create(
        fight=fight,
        language=language,
        version=(last.version + 1) if last else 1,
        body=body.strip(),
        written_by=by,
    )
    audit.record("fight.letter_saved", actor=by, target=fight, letter=letter.public_id)
    return letter


def remind_deadlines(*, today: datetime.date | None = None) -> int:
    """Mails each fight team about deadlines from two days ahead until the day itself, once a
    day (run daily by the worker). Returns how many fights were reminded."""
    from solnet.core.tasks import queue_mail

    today = today or timezone.localdate()
    due = (
        Fight.objects.open()
        .filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=2))
        .exclude(deadline_reminded=today)
    )
    reminded = 0
    for fight in due:
        with transaction.atomic():
            if (
                not Fight.objects.filter(pk=fight.pk)
                .exclude(deadline_reminded=today)
                .update(deadline_reminded=today)
            ):
                continue  # another worker took it
            for seat in fight.team.select_related("member"):
                member = seat.member
                if not member.email or member.contacts_hidden:
                    continue
                with translation.override(member.preferred_language or None):
                    days = (fight.deadline - today).days
                    queue_mail(
                        to=member.email,
                        subject=_("Deadline: %(fight)s") % {"fight": fight},
                        body=(
                            _("The deadline of “%(fight)s” is today.")
                            if days == 0
                            else _("The deadline of “%(fight)s” is in %(days)d days.")
                        )
                        % {"fight": fight, "days": days},
                    )
            reminded += 1
    return reminded


# --- the escalation plan -------------------------------------------------------------------


@transaction.atomic
def add_plan_step(
    *,
    fight: Fight,
    tactic: Tactic,
    planned_on: datetime.date,
    turnout_needed: int | None,
    roles: str,
    by: Member,
) -> PlanStep:
    """A step of the escalation plan, at the tactic's tier and (unless said) its ideal
    turnout."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    step = PlanStep.objects.create(
        fight=fight,
        tactic=tactic,
        planned_on=planned_on,
        tier=tactic.tier,
        turnout_needed=turnout_needed if turnout_needed is not None else tactic.ideal_turnout,
        roles=roles.strip() or tactic.roles,
    )
    audit.record("fight.step_planned", actor=by, target=fight, step=step.public_id)
    return step


@transaction.atomic
def adopt_plan_step(
    *,
    fight: Fight,
    tactic: Tactic,
    planned_on: datetime.date,
    turnout_needed: int | None,
    decision_ref: str,
) -> PlanStep:
    """A step of the escalation plan the meeting adopted (a passed proposal): it becomes the
    fight's action to organize, as one the team planned would."""
    step = PlanStep.objects.create(
        fight=fight,
        tactic=tactic,
        planned_on=planned_on,
        tier=tactic.tier,
        turnout_needed=turnout_needed if turnout_needed is not None else tactic.ideal_turnout,
        roles=tactic.roles,
    )
    audit.record("fight.step_planned", target=fight, step=step.public_id, decision=decision_ref)
    return step


@transaction.atomic
def record_action(
    *,
    step: PlanStep,
    done_on: datetime.date,
    turnout: int,
    tier_done: str,
    reaction: str,
    police_contact: bool,
    by: Member,
) -> PlanStep:
    """The step happened: when, how many came, the tier it reached, what the target did."""
    if not access.is_on_team(by, step.fight):
        raise PermissionDenied
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("That date is in the future.")})
    step.done_on = done_on
    step.turnout = turnout
    step.tier_done = tier_done or step.tier
    step.reaction = reaction.strip() or None
    step.police_contact = police_contact
    step.full_clean()
    step.save()
    Fight.objects.filter(pk=step.fight_id).update(updated_at=timezone.now())
    audit.record("fight.action_done", actor=by, target=step.fight, step=step.public_id)
    return step


@transaction.atomic
def remove_plan_step(*, step: PlanStep, by: Member) -> None:
    if not access.is_on_team(by, step.fight):
        raise PermissionDenied
    if step.done_on:
        raise ValidationError(_("An action that happened stays on the record."))
    audit.record("fight.step_removed", actor=by, target=step.fight, step=step.public_id)
    step.delete()


@transaction.atomic
def log_response(
    *,
    fight: Fight,
    kind: str,
    happened_on: datetime.date,
    amount: Decimal | None,
    note: str,
    by: Member,
) -> TargetResponse:
    """What the target did: a promise, an offer, a refusal, or a counter-move."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("That date is in the future.")})
    response = TargetResponse(
        fight=fight,
        kind=kind,
        happened_on=happened_on,
        amount=amount,
        note=note.strip() or None,
        recorded_by=by,
    )
    response.full_clean()
    response.save()
    audit.record("fight.target_responded", actor=by, target=fight, kind=kind)
    return response


@transaction.atomic
def save_tactic(*, tactic: Tactic | None, by: Member, **fields: Any) -> Tactic:
    """The organizing team keeps the network's tactics catalogue."""
    if not access.can_edit_sheet(by):
        raise PermissionDenied
    if tactic is None:
        if not fields.get("name", "").strip():
            raise ValidationError({"name": _("Name the tactic.")})
        tactic = Tactic()
    elif not tactic.builtin and not fields.get("name", "").strip():
        raise ValidationError({"name": _("Name the tactic.")})
    for name, value in fields.items():
        setattr(tactic, name, value.strip() if isinstance(value, str) else value)
    if tactic.min_turnout > tactic.ideal_turnout:
        raise ValidationError({"ideal_turnout": _("The ideal turnout is below the fewest.")})
    tactic.full_clean()
    tactic.save()
    audit.record("fight.tactic_saved", actor=by, target=tactic)
    return tactic


# --- outcome and follow-up -----------------------------------------------------------------

RETALIATION_WATCH = datetime.timedelta(days=90)


@transaction.atomic
def record_outcome(
    *,
    fight: Fight,
    amount_recovered: Decimal | None,
    lessons: str,
    watch_days: int | None,
    by: Member,
) -> Fight:
    """What a closed fight won and taught; how long to watch for retaliation."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    if fight.closed_at is None or fight.stage not in [*stages.OUTCOMES, stages.Stage.FOLLOW_UP]:
        raise ValidationError(_("Record the outcome once the fight has one."))
    fight.amount_recovered = amount_recovered
    fight.lessons = lessons.strip() or None
    days = RETALIATION_WATCH.days if watch_days is None else watch_days
    fight.watch_until = fight.closed_at.date() + datetime.timedelta(days=days) if days else None
    fight.updated_at = timezone.now()
    fight.full_clean()
    fight.save()
    audit.record("fight.outcome_recorded", actor=by, target=fight)
    return fight


@transaction.atomic
def add_follow_up(
    *,
    fight: Fight,
    task: str,
    due_on: datetime.date | None,
    assigned_to: Member | None,
    by: Member,
) -> FollowUp:
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    if not task.strip():
        raise ValidationError({"task": _("Say what needs doing.")})
    if assigned_to is not None and not access.is_on_team(assigned_to, fight):
        raise ValidationError({"assigned_to": _("Choose someone on the fight team.")})
    follow_up = FollowUp.objects.create(
        fight=fight, task=task.strip(), due_on=due_on, assigned_to=assigned_to
    )
    audit.record("fight.follow_up_added", actor=by, target=fight)
    return follow_up


@transaction.atomic
def finish_follow_up(*, follow_up: FollowUp, by: Member) -> None:
    if not access.is_on_team(by, follow_up.fight):
        raise PermissionDenied
    follow_up.done_at = None if follow_up.done_at else timezone.now()
    follow_up.save(update_fields=["done_at"])
