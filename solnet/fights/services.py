"""Writes of the fights app: leads, taking a lead on as a fight, intake, the fight team, and
moving a fight through its stages on a decision."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit, sealed
from solnet.fights import access, evidence, portfolios, stages, winnability
from solnet.fights.models import (
    OPEN_LEAD_STATUSES,
    Demand,
    DemandKind,
    DemandLetter,
    Evidence,
    Fight,
    FightDecision,
    FightMove,
    FightSubject,
    FightTeamMember,
    FollowUp,
    Lead,
    LeadChannel,
    LeadStatus,
    PlanStep,
    PressurePoint,
    RiskFlag,
    Tactic,
    Target,
    TargetLink,
    TargetResponse,
    WinnabilityAssessment,
    WinnabilityCriterion,
    WinnabilityScore,
)
from solnet.fights.retention import strip_leads
from solnet.members.access import is_member
from solnet.members.models import Member
from solnet.network.models import Network
from solnet.people.models import ContactChannel, Person

# --- leads ---------------------------------------------------------------------------------


@transaction.atomic
def submit_lead(
    *,
    display_name: str,
    contact_kind: str,
    contact: str,
    language: str,
    issue_type: str,
    story: str,
    heard_from: str,
) -> Lead:
    """Someone brought their fight through the public page."""
    lead = Lead(
        display_name=display_name,
        contact_kind=contact_kind,
        contact=contact,
        language=language,
        issue_type=issue_type,
        story=story or None,
        heard_from=heard_from,
        channel=LeadChannel.WEB,
    )
    lead.full_clean()
    lead.save()
    audit.record("lead.received", target=lead, channel=lead.channel)
    return lead


@transaction.atomic
def record_lead(
    *,
    by: Member,
    display_name: str,
    contact_kind: str,
    contact: str,
    language: str,
    issue_type: str,
    story: str,
    channel: str,
    heard_from: str,
) -> Lead:
    """An organizer writes down a call, a voicemail or a conversation; they call back."""
    if not access.can_handle_leads(by):
        raise PermissionDenied
    lead = Lead(
        display_name=display_name,
        contact_kind=contact_kind,
        contact=contact,
        language=language,
        issue_type=issue_type,
        story=story or None,
        channel=channel,
        heard_from=heard_from,
        callback_owner=by,
    )
    lead.full_clean()
    lead.save()
    audit.record("lead.recorded", actor=by, target=lead, channel=channel)
    return lead


@transaction.atomic
def update_lead(*, lead: Lead, status: str, callback_owner: Member | None, by: Member) -> Lead:
    """Who calls back, and how far it got. Taking it on as a fight is `take_lead`."""
    if not access.can_handle_leads(by):
        raise PermissionDenied
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if not lead.is_open:
        raise ValidationError(_("This lead is closed."), code="closed")
    if status == LeadStatus.TAKEN:
        raise ValidationError(_("Take the lead on as a fight with its own button."))
    if callback_owner is not None and not access.can_handle_leads(callback_owner):
        raise ValidationError(_("Only someone on the organizing team can call back."))
    lead.status = status
    lead.callback_owner = callback_owner
    lead.updated_at = timezone.now()
    lead.full_clean()
    lead.save()
    if not lead.is_open:  # referred or dropped: nothing personal is kept any longer
        strip_leads(Lead.objects.filter(pk=lead.pk))
    audit.record("lead.updated", actor=by, target=lead, status=status)
    return lead


@transaction.atomic
def take_lead(*, lead: Lead, title: str, by: Member) -> Fight:
    """Intake begins: the caller becomes a person the network knows and the campaign subject
    of a new fight, whose team starts with the organizer who took it (as point person). The
    lead keeps only how it came in."""
    if not access.can_handle_leads(by):
        raise PermissionDenied
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status not in OPEN_LEAD_STATUSES:
        raise ValidationError(_("This lead is closed."), code="closed")
    fight = Fight(
        title=title,
        issue_type=lead.issue_type,
        language=lead.language,
        facts=lead.story,
    )
    fight.full_clean()
    fight.save()
    person = Person.objects.create(
        display_name=lead.display_name or title,
        languages=[lead.language] if lead.language else [],
    )
    if lead.contact:
        ContactChannel.objects.create(
            person=person,
            kind=lead.contact_kind,
            value=lead.contact,
            # They asked the network to get back to them this way.
            consent_at=lead.created_at,
        )
    FightSubject.objects.create(fight=fight, person=person)
    FightTeamMember.objects.create(fight=fight, member=by, is_point_person=True)
    Lead.objects.filter(pk=lead.pk).update(
        status=LeadStatus.TAKEN, fight=fight, updated_at=timezone.now()
    )
    strip_leads(Lead.objects.filter(pk=lead.pk))
    audit.record("fight.opened", actor=by, target=fight, lead=lead.public_id)
    return fight


# --- intake --------------------------------------------------------------------------------


@transaction.atomic
def update_intake(
    *,
    fight: Fight,
    by: Member,
    title: str,
    issue_type: str,
    language: str,
    facts: str,
    goals: str,
    pod: str,
    risks: list[str],
    amount_claimed: Decimal | None,
) -> Fight:
    """The fight team writes down what intake found."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    unknown = [code for code in risks if code not in RiskFlag.values]
    if unknown:
        raise ValidationError(_("Unknown risk."))
    fight.title = title
    fight.issue_type = issue_type
    fight.language = language
    fight.facts = facts or None
    fight.goals = goals or None
    fight.pod = pod or None
    fight.risk_flags = ",".join(sorted(set(risks))) or None
    fight.amount_claimed = amount_claimed
    fight.updated_at = timezone.now()
    fight.full_clean()
    fight.save()
    audit.record("fight.intake_updated", actor=by, target=fight)
    return fight


def forget_subject(*, person: Person) -> int:
    """Part of a person's erasure: the intake of every fight they brought alone (facts, goals,
    pod, risks) goes with them; a fight they brought with others keeps it. Returns how many
    fights lost their intake."""
    alone = [
        subject.fight_id
        for subject in FightSubject.objects.filter(person=person)
        if not FightSubject.objects.filter(fight_id=subject.fight_id)
        .exclude(person=person)
        .exists()
    ]
    return Fight.objects.filter(pk__in=alone).update(
        facts=None, goals=None, pod=None, risk_flags=None, updated_at=timezone.now()
    )


# --- the evidence vault ---------------------------------------------------------------------


@transaction.atomic
def add_evidence(*, fight: Fight, data: bytes, label: str, by: Member) -> Evidence:
    """Seals a document or photo into the fight's vault (see `solnet.fights.evidence`)."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    if not label.strip():
        raise ValidationError({"label": _("Say what it is.")})
    kept, content_type = evidence.clean(data)
    file = sealed.create_sealed_file(
        owner=by,
        purpose="fights.evidence",
        filename=evidence.download_name(label, content_type),
        content_type=content_type,
        total=1,
        lifetime=None,
    )
    with sealed.writing(file) as writer:
        writer.write(kept)
    sealed.mark_ready(file, size=writer.size, done=1)
    item = Evidence.objects.create(
        fight=fight,
        file=file,
        label=label.strip(),
        content_type=content_type,
        size=len(kept),
        uploaded_by=by,
    )
    audit.record("fight.evidence_added", actor=by, target=fight, evidence=item.public_id)
    return item


@transaction.atomic
def delete_evidence(*, item: Evidence, by: Member) -> None:
    if not access.is_on_team(by, item.fight):
        raise PermissionDenied
    file = item.file
    audit.record("fight.evidence_deleted", actor=by, target=item.fight, evidence=item.public_id)
    item.delete()
    sealed.delete_sealed_file(file)


# --- the fight team ------------------------------------------------------------------------


@transaction.atomic
def add_to_team(*, fight: Fight, member: Member, by: Member) -> FightTeamMember:
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    if not is_member(member):
        raise ValidationError(_("Only members of the network can join a fight team."))
    if fight.team.filter(member=member).exists():
        raise ValidationError(_("%(name)s is already on the team.") % {"name": member})
    seat = FightTeamMember.objects.create(fight=fight, member=member)
    audit.record("fight.team_added", actor=by, target=fight, member=member.pk)
    return seat


@transaction.atomic
def remove_from_team(*, fight: Fight, member: Member, by: Member) -> None:
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    seats = list(FightTeamMember.objects.select_for_update().filter(fight=fight))
    seat = next((s for s in seats if s.member_id == member.pk), None)
    if seat is None:
        raise ValidationError(_("%(name)s is not on the team.") % {"name": member})
    if len(seats) == 1:
        raise ValidationError(_("A fight needs at least one person on its team."))
    if seat.is_point_person:
        raise ValidationError(_("Choose another point person first."))
    seat.delete()
    audit.record("fight.team_removed", actor=by, target=fight, member=member.pk)


@transaction.atomic
def make_point_person(*, fight: Fight, member: Member, by: Member) -> None:
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    seats = FightTeamMember.objects.select_for_update().filter(fight=fight)
    if not seats.filter(member=member).exists():
        raise ValidationError(_("%(name)s is not on the team.") % {"name": member})
    seats.update(is_point_person=False)
    seats.filter(member=member).update(is_point_person=True)
    audit.record("fight.point_person", actor=by, target=fight, member=member.pk)


# --- moving through the stages -------------------------------------------------------------


@dataclass
class Vote:
    """A meeting's decision as the fight team records it (until meetings vote in SolNet)."""

    decided_on: datetime.date
    motion: str
    present: int
    votes_for: int
    votes_against: int
    abstentions: int = 0


def _check_vote(vote: Vote) -> None:
    errors: dict[str, Any] = {}
    if vote.decided_on > timezone.localdate():
        errors["decided_on"] = _("A decision cannot be in the future.")
    counts = (vote.present, vote.votes_for, vote.votes_against, vote.abstentions)
    if any(count < 0 for count in counts):
        errors["present"] = _("Counts cannot be negative.")
    elif vote.votes_for + vote.votes_against + vote.abstentions > vote.present:
        errors["present"] = _("More votes than people present.")
    elif vote.votes_for <= vote.votes_against:
        errors["votes_for"] = _("A motion passes with more votes for than against.")
    if not vote.motion.strip():
        errors["motion"] = _("Say what the meeting decided.")
    if errors:
        raise ValidationError(errors)


def subject_topics() -> list[str]:
    return list(Network.objects.current().subject_decisions or [])


@transaction.atomic
def move_fight(
    *,
    fight: Fight,
    target: str,
    by: Member,
    vote: Vote | None = None,
    note: str = "",
) -> FightMove:
    """Moves a fight one stage on. Before the proposal the fight team moves it freely; every
    later move carries a decision: a meeting's passed vote (`vote`), or — for the topics the
    network gives its subjects, and withdrawing — the campaign subject's own decision, taken
    by the subject from their account (or recorded by the team on the word of a subject who
    has none)."""
    fight = Fight.objects.select_for_update().get(pk=fight.pk)
    on_team = access.is_on_team(by, fight)
    subject = access.is_subject(by, fight)
    if not (on_team or subject):
        raise PermissionDenied
    edge = stages.move(fight.stage, target)
    if edge is None:
        raise ValidationError(
            _("A fight cannot go from “%(source)s” to “%(target)s”.")
            % {"source": fight.get_stage_display(), "target": target},
            code="no_such_move",
        )
    decision = None
    if edge.topic is None:
        if not on_team:
            raise PermissionDenied
    elif stages.is_subjects(edge.topic, subject_topics()):
        if not subject and access.subjects_can_decide_here(fight):
            raise ValidationError(
                _("This decision is the campaign subject's: they take it from their own page."),
                code="subjects_decision",
            )
        decision = FightDecision.objects.create(
            fight=fight,
            topic=edge.topic,
            by_subject=True,
            motion=note.strip() or None,
            recorded_by=by,
        )
    else:
        if not on_team:
            raise PermissionDenied
        if vote is None:
            raise ValidationError(
                _("This move needs the meeting's decision: record the vote."), code="needs_vote"
            )
        _check_vote(vote)
        decision = FightDecision.objects.create(
            fight=fight,
            topic=edge.topic,
            decided_on=vote.decided_on,
            motion=vote.motion.strip(),
            present=vote.present,
            votes_for=vote.votes_for,
            votes_against=vote.votes_against,
            abstentions=vote.abstentions,
            recorded_by=by,
        )
    now = timezone.now()
    record = FightMove.objects.create(
        fight=fight, source=fight.stage, target=edge.target, decision=decision, moved_by=by
    )
    fight.stage = edge.target
    if stages.is_closed(edge.target) and fight.closed_at is None:
        fight.closed_at = now
    fight.updated_at = now
    fight.save(update_fields=["stage", "closed_at", "updated_at"])
    audit.record(
        "fight.moved",
        actor=by,
        target=fight,
        source=record.source,
        to=record.target,
        decision=decision.public_id if decision else "",
    )
    return record


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
) -> Demand:
    """One item of the demand. The first one brings the no-retaliation clause with it (the
    team may take it out)."""
    if not access.is_on_team(by, fight):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the demand exactly.")})
    if kind == DemandKind.AMOUNT and amount is None:
        raise ValidationError({"amount": _("Give the amount.")})
    first = not fight.demands.exists()
    demand = Demand(fight=fight, kind=kind, text=text.strip(), amount=amount, due_on=due_on)
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
