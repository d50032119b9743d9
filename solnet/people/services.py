"""Everything that changes people's records: each step validated, written at once, audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.members.models import Invitation, Member
from solnet.people import access, extensions
from solnet.people.models import (
    Answer,
    Availability,
    ChannelKind,
    Commitment,
    ContactChannel,
    JoinRequest,
    Outcome,
    Person,
    PersonSkill,
    SavedFilter,
    Tag,
)


def _set_channel(person: Person, kind: str, value: str, *, consent: bool) -> None:
    """One channel of a kind: replaced when the value changes, removed when emptied."""
    existing = person.channels.filter(kind=kind).first()
    value = ContactChannel.stored_value(kind, value or "")
    if not value:
        if existing:
            existing.delete()
        return
    now = timezone.now()
    if existing is None or existing.value != value:
        if existing:
            existing.delete()
        ContactChannel.objects.create(
            person=person, kind=kind, value=value, consent_at=now if consent else None
        )
    elif consent and existing.consent_at is None:
        existing.consent_at = now
        existing.save(update_fields=["consent_at"])


@transaction.atomic
def record_person(*, by: Member, **fields: Any) -> Person:
    """An organizer records someone the network now knows (from a call, a meeting, a form)."""
    if not access.can_record_people(by):
        raise PermissionDenied
    person = Person()
    _apply(person, fields)
    audit.record("person.recorded", actor=by, target=person)
    return person


@transaction.atomic
def update_person(*, person: Person, by: Member, **fields: Any) -> Person:
    if not access.can_record_people(by):
        raise PermissionDenied
    _apply(person, fields)
    audit.record("person.updated", actor=by, target=person)
    return person


def _apply(person: Person, fields: dict[str, Any]) -> None:
    for name in (
        "display_name",
        "tier",
        "languages",
        "interpreter_needed",
        "notice_needed",
        "transport",
    ):
        setattr(person, name, fields[name])
    person.notes = fields.get("notes") or None
    person.full_clean(exclude=["member"])
    person.save()
    person.tags.set(fields.get("tags") or [])
    consent = bool(fields.get("consent"))
    _set_channel(person, ChannelKind.EMAIL, fields.get("email") or "", consent=consent)
    _set_channel(person, ChannelKind.CALL, fields.get("phone") or "", consent=consent)


@transaction.atomic
def own_record(*, member: Member) -> Person:
    """A member's own record, made from their account the first time they look at it."""
    person = Person.objects.filter(member=member).first()
    if person is None:
        person = Person.objects.create(
            member=member,
            display_name=member.display_name,
            tier=member.tier,
            joined_on=timezone.localdate(member.joined_at),
        )
        audit.record("person.recorded", actor=member, target=person, own=True)
    return person


@transaction.atomic
def update_own_record(*, member: Member, **fields: Any) -> Person:
    person = own_record(member=member)
    for name in ("display_name", "languages", "interpreter_needed", "notice_needed", "transport"):
        setattr(person, name, fields[name])
    person.full_clean(exclude=["member"])
    person.save()
    audit.record("person.updated", actor=member, target=person, own=True)
    return person


def _set_reachable(channel: ContactChannel, *, reachable: bool) -> bool:
    """Consent given again, or an opt-out; True when something changed."""
    if reachable == channel.usable:
        return False
    if reachable:
        channel.consent_at, channel.opted_out_at = timezone.now(), None
    else:
        channel.opted_out_at = timezone.now()
    channel.save(update_fields=["consent_at", "opted_out_at"])
    return True


@transaction.atomic
def set_own_channel(*, member: Member, channel: ContactChannel, reachable: bool) -> None:
    """A member stops being reached one way (an opt-out), or agrees to it again."""
    if channel.person.member_id != member.pk:
        raise PermissionDenied
    if _set_reachable(channel, reachable=reachable):
        action = "channel.consented" if reachable else "channel.opted_out"
        audit.record(action, actor=member, target=channel.person, own=True, kind=channel.kind)


@transaction.atomic
def set_channel_consent(*, channel: ContactChannel, reachable: bool, by: Member) -> None:
    """An organizer notes what the person said: they agreed to be reached this way, or they
    asked not to be any more."""
    if not access.can_record_people(by):
        raise PermissionDenied
    if _set_reachable(channel, reachable=reachable):
        action = "channel.consented" if reachable else "channel.opted_out"
        audit.record(action, actor=by, target=channel.person, kind=channel.kind)


def export_own_record(*, member: Member) -> dict[str, Any]:
    """Everything stored about a member that they can take with them (their own data)."""
    person = own_record(member=member)
    return {
        "account": {
            "sign_in_name": member.username,
            "display_name": member.display_name,
            "tier": str(member.get_tier_display()),
            "joined_at": member.joined_at.isoformat(),
            "preferred_language": member.preferred_language,
            "email": member.email,
            "phone": member.phone,
            "roles": sorted(member.role_set()),
        },
        "record": {
            "display_name": person.display_name,
            "legal_name": person.legal_name,
            "tier": str(person.get_tier_display()),
            "joined_on": person.joined_on.isoformat(),
            "languages": person.languages,
            "interpreter_needed": person.interpreter_needed,
            "notice_needed": person.notice_needed,
            "transport": person.transport,
            "notes": person.notes,
            "tags": [tag.name for tag in person.tags.all()],
            "last_contact_at": person.last_contact_at.isoformat()
            if person.last_contact_at
            else None,
            "contact_channels": [
                {
                    "kind": channel.kind,
                    "value": channel.value,
                    "consent_at": channel.consent_at.isoformat() if channel.consent_at else None,
                    "opted_out_at": channel.opted_out_at.isoformat()
                    if channel.opted_out_at
                    else None,
                }
                for channel in person.channels.all()
            ],
        },
    }


@transaction.atomic
def erase_own_record(*, member: Member) -> None:
    """A member's deletion request: their record, its contact channels and their account go.

    The audit log keeps that it happened (by internal id only, no content)."""
    member_id = member.pk
    # What the apps above hold of them goes first (fights: the intake of a fight they brought
    # alone is their story).
    for person in Person.objects.filter(member=member):
        extensions.forget_everywhere(person)
    Person.objects.filter(member=member).delete()  # channels and tag links cascade
    # What others typed about them when inviting them goes too.
    Invitation.objects.filter(used_by=member).update(label="", email=None)
    audit.record("person.erased", actor=member_id, target=f"members.member:{member.public_id}")
    member.delete()


@transaction.atomic
def create_tag(*, name: str, by: Member) -> Tag:
    if not access.can_record_people(by):
        raise PermissionDenied
    tag, _created = Tag.objects.get_or_create(name=name.strip())
    return tag


# --- commitments ---------------------------------------------------------------------------


@transaction.atomic
def log_ask(*, person: Person, ask: str, answer: str, by: Member) -> Commitment:
    """Someone was asked to come to something or do something; note it and their answer."""
    if not access.can_record_people(by):
        raise PermissionDenied
    commitment = Commitment(person=person, ask=ask, answer=answer, asked_by=by)
    commitment.full_clean()
    commitment.save()
    note_contact(person=person, at=commitment.asked_at)
    audit.record("commitment.logged", actor=by, target=person)
    return commitment


def note_contact(*, person: Person, at: datetime) -> None:
    """Someone from the network spoke with them at `at`: the list's "last contact" moves on,
    never back."""
    Person.objects.filter(pk=person.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)
    ).update(last_contact_at=at)


@transaction.atomic
def settle_commitment(*, commitment: Commitment, answer: str, outcome: str, by: Member) -> None:
    """Their answer changed, or the day came and we know whether they showed up."""
    if not access.can_record_people(by):
        raise PermissionDenied
    if outcome != Outcome.OPEN and answer not in (Answer.YES, Answer.MAYBE):
        raise ValidationError(
            {"outcome": _("Only someone who said yes or maybe can show up or not.")}
        )
    commitment.answer = answer
    commitment.outcome = outcome
    commitment.full_clean()
    commitment.save(update_fields=["answer", "outcome"])


# --- the public "join the network" page ----------------------------------------------------


@transaction.atomic
def submit_join_request(
    *, display_name: str, kind: str, value: str, language: str, message: str
) -> JoinRequest:
    request = JoinRequest(
        display_name=display_name,
        kind=kind,
        value=value,
        language=language,
        message=message or None,
    )
    request.full_clean()
    request.save()
    audit.record("join_request.received", target=request)
    return request


@transaction.atomic
def accept_join_request(*, join_request: JoinRequest, by: Member) -> Person:
    """An organizer takes someone in as a list supporter; the request itself goes."""
    if not access.can_record_people(by):
        raise PermissionDenied
    person = Person.objects.create(
        display_name=join_request.display_name,
        languages=[join_request.language] if join_request.language else [],
    )
    ContactChannel.objects.create(
        person=person,
        kind=join_request.kind,
        value=ContactChannel.stored_value(join_request.kind, join_request.value),
        consent_at=join_request.created_at,  # they ticked the consent box on the form
    )
    audit.record("join_request.accepted", actor=by, target=person)
    join_request.delete()
    return person


@transaction.atomic
def decline_join_request(*, join_request: JoinRequest, by: Member) -> None:
    if not access.can_record_people(by):
        raise PermissionDenied
    audit.record("join_request.declined", actor=by, target=join_request)
    join_request.delete()


# --- lists: tags and saved filters ---------------------------------------------------------


@transaction.atomic
def tag_people(*, people, tag: Tag, by: Member) -> int:
    """Puts one tag on many people at once; returns how many got it newly."""
    if not access.can_record_people(by):
        raise PermissionDenied
    through = Person.tags.through
    already = set(
        through.objects.filter(tag=tag, person__in=people).values_list("person_id", flat=True)
    )
    new = [through(person_id=p.pk, tag_id=tag.pk) for p in people if p.pk not in already]
    through.objects.bulk_create(new)
    audit.record("people.tagged", actor=by, target=f"people.tag:{tag.pk}", count=len(new))
    return len(new)


@transaction.atomic
def save_filter(*, owner: Member, name: str, query: dict[str, str]) -> SavedFilter:
    if not access.can_list_people(owner):
        raise PermissionDenied
    saved, _created = SavedFilter.objects.update_or_create(
        owner=owner, name=name.strip(), defaults={"query": query}
    )
    return saved


@transaction.atomic
def delete_filter(*, saved: SavedFilter, by: Member) -> None:
    if saved.owner_id != by.pk:
        raise PermissionDenied
    saved.delete()


# --- skills and availability ---------------------------------------------------------------


@transaction.atomic
def add_skill(*, person: Person, skill: str, trained_on, by: Member) -> PersonSkill:
    if not access.can_record_people(by):
        raise PermissionDenied
    held, _created = PersonSkill.objects.update_or_create(
        person=person, skill=skill, defaults={"trained_on": trained_on}
    )
    audit.record("person.skill_added", actor=by, target=person, skill=skill)
    return held


@transaction.atomic
def remove_skill(*, held: PersonSkill, by: Member) -> None:
    if not access.can_record_people(by):
        raise PermissionDenied
    held.delete()


@transaction.atomic
def add_availability(*, person: Person, weekday: int, starts, ends, by: Member) -> Availability:
    if not access.can_record_people(by):
        raise PermissionDenied
    window = Availability(person=person, weekday=weekday, starts=starts, ends=ends)
    window.full_clean()
    window.save()
    return window


@transaction.atomic
def remove_availability(*, window: Availability, by: Member) -> None:
    if not access.can_record_people(by):
        raise PermissionDenied
    window.delete()
