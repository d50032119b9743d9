"""Writes of a fight's own life: leads and taking them on, intake, the evidence vault, the
fight team, and moving a fight through its stages on a decision."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit, sealed
from solnet.fights import access, evidence, stages
from solnet.fights.models import (
    OPEN_LEAD_STATUSES,
    Evidence,
    Fight,
    FightDecision,
    FightMove,
    FightSubject,
    FightTeamMember,
    Lead,
    LeadChannel,
    LeadStatus,
    RiskFlag,
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
    person = _lead_person(lead, title=title)
    FightSubject.objects.create(fight=fight, person=person)
    FightTeamMember.objects.create(fight=fight, member=by, is_point_person=True)
    Lead.objects.filter(pk=lead.pk).update(
        status=LeadStatus.TAKEN, fight=fight, updated_at=timezone.now()
    )
    strip_leads(Lead.objects.filter(pk=lead.pk))
    audit.record("fight.opened", actor=by, target=fight, lead=lead.public_id)
    return fight


def _lead_person(lead: Lead, *, title: str) -> Person:
    """Who the caller is: the person the network already knows by that address or number
    (the earliest recorded, whatever way the number was written), else a new record. The
    organizer taking the lead on is the one who sees the match, on the fight's page."""
    kind, value = (
        lead.contact_kind,
        ContactChannel.stored_value(lead.contact_kind or "", lead.contact or ""),
    )
    known = None
    if value:
        index = ContactChannel._meta.get_field("value_index").lookup_value(value)  # type: ignore[union-attr]
        known = (
            ContactChannel.objects.filter(value_index=index, kind=kind)
            .select_related("person")
            .order_by("person_id")
            .first()
        ) or (
            ContactChannel.objects.filter(value_index=index)
            .select_related("person")
            .order_by("person_id")
            .first()
        )
    if known is not None:
        person = known.person
        if lead.language and lead.language not in person.languages:
            person.languages = [*person.languages, lead.language]
            person.save(update_fields=["languages", "updated_at"])
        channel = person.channels.filter(kind=kind, value_index=index).first()
        if channel is None:
            ContactChannel.objects.create(
                person=person, kind=kind, value=value, consent_at=lead.created_at
            )
        elif channel.opted_out_at is None or channel.opted_out_at < lead.created_at:
            # Asking the network to get back to them this way is their consent, newer than
            # any earlier opt-out.
            channel.consent_at, channel.opted_out_at = lead.created_at, None
            channel.save(update_fields=["consent_at", "opted_out_at"])
        return person
    person = Person.objects.create(
        display_name=lead.display_name or title,
        languages=[lead.language] if lead.language else [],
    )
    if value:
        ContactChannel.objects.create(
            person=person,
            kind=kind,
            value=value,
            # They asked the network to get back to them this way.
            consent_at=lead.created_at,
        )
    return person


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
        filename=evidence.stored_name(content_type),
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
    """A meeting's decision as a passed proposal's tally gives it (`democracy`'s effect)."""

    decided_on: datetime.date
    motion: str
    # Who was present at the meeting that closed the vote, from its attendance; None when the
    # vote ran to its deadline (ballots cast from anywhere, no meeting).
    present: int | None
    votes_for: int
    votes_against: int
    abstentions: int = 0
    # The public id of the passed proposal this vote is.
    proposal_ref: str = ""


def _check_vote(vote: Vote) -> None:
    errors: dict[str, Any] = {}
    if vote.decided_on > timezone.localdate():
        errors["decided_on"] = _("A decision cannot be in the future.")
    counts = (vote.present or 0, vote.votes_for, vote.votes_against, vote.abstentions)
    if any(count < 0 for count in counts):
        errors["present"] = _("Counts cannot be negative.")
    elif vote.votes_for <= vote.votes_against:
        errors["votes_for"] = _("A motion passes with more votes for than against.")
    if not vote.motion.strip():
        errors["motion"] = _("Say what the meeting decided.")
    if errors:
        raise ValidationError(errors)


def subject_topics() -> list[str]:
    return list(Network.objects.current().subject_decisions or [])


def team_topics() -> list[str]:
    return list(Network.objects.current().team_decisions or [])


# Apps above fights that act when a fight moves (democracy puts a fight proposed to the
# meeting on its agenda): listener(fight=, move=, by=), inside the move's transaction.
_MOVE_LISTENERS: list = []


def add_move_listener(listener) -> None:
    if listener not in _MOVE_LISTENERS:
        _MOVE_LISTENERS.append(listener)


@transaction.atomic
def move_fight(*, fight: Fight, target: str, by: Member, note: str = "") -> FightMove:
    """Moves a fight one stage on by hand. Before the proposal the fight team moves it
    freely, and later too where the network's rule makes the move the team's own
    (`Network.team_decisions`: the demand, by default). The topics the network gives its
    subjects, and withdrawing, are the campaign subject's own decision, taken by the subject
    from their account (or recorded by the team on the word of a subject who has none).
    Every other move is the meeting's: it is refused here, and made only by a passed
    proposal (`move_fight_by_decision`)."""
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
    elif stages.is_teams(edge.topic, subject_topics(), team_topics()):
        # The network's rule makes this move the fight team's own: no vote.
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
        raise ValidationError(
            _("This move needs the meeting's decision: put it to the vote."), code="needs_vote"
        )
    return _carry_move(fight, edge, decision, by)


@transaction.atomic
def move_fight_by_decision(
    *, fight: Fight, target: str, vote: Vote, by_subject: bool, by: Member | None
) -> FightMove:
    """Moves a fight on as a passed proposal decided (the effect of `democracy`): the one way
    a meeting's decision moves a fight. The vote is the proposal's tally, `by` whoever put it
    forward. A decision the network gives the campaign subject passes only as the subject's
    (`by_subject`: only subjects voted)."""
    fight = Fight.objects.select_for_update().get(pk=fight.pk)
    edge = stages.move(fight.stage, target)
    if edge is None or edge.topic is None:
        raise ValidationError(
            _("A fight cannot go from “%(source)s” to “%(target)s”.")
            % {"source": fight.get_stage_display(), "target": target},
            code="no_such_move",
        )
    subjects = stages.is_subjects(edge.topic, subject_topics())
    if subjects != by_subject:
        raise ValidationError(
            _("This decision is the campaign subject's: they take it from their own page.")
            if subjects
            else _("This decision is the meeting's, not the campaign subject's alone."),
            code="subjects_decision",
        )
    _check_vote(vote)
    decision = FightDecision.objects.create(
        fight=fight,
        topic=edge.topic,
        by_subject=by_subject,
        decided_on=vote.decided_on,
        motion=vote.motion.strip(),
        present=vote.present,
        votes_for=vote.votes_for,
        votes_against=vote.votes_against,
        abstentions=vote.abstentions,
        recorded_by=by,
        proposal_ref=vote.proposal_ref,
    )
    return _carry_move(fight, edge, decision, by)


def _carry_move(fight: Fight, edge, decision: FightDecision | None, by) -> FightMove:
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
    for listener in _MOVE_LISTENERS:
        listener(fight=fight, move=record, by=by)
    return record
