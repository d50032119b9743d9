"""The dispatchers' weekly rota: slots with a primary and a backup, swaps for a day (covers),
who is on shift now and next, the unfilled duties of the coming week, and handover notes.

A slot is a weekday, a start time and a length; its shift on a given day is that day's
occurrence, with any cover for that day taking the place of the slot's own primary or backup.
Times are the network's local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.defense import access
from solnet.defense.models import Cover, Duty, Handover, Slot
from solnet.members.models import Member, Role

# How far ahead a swap may be arranged, and how far ahead unfilled duties are warned of.
COVER_AHEAD = timedelta(days=60)
WARN_AHEAD = timedelta(days=7)


@dataclass(frozen=True)
class Shift:
    slot: Slot
    day: Date
    starts: datetime
    ends: datetime
    primary: Member | None
    backup: Member | None

    @property
    def missing(self) -> list[str]:
        """The duties nobody holds on this day."""
        return [
            str(label)
            for duty, label, holder in (
                (Duty.PRIMARY, Duty.PRIMARY.label, self.primary),
                (Duty.BACKUP, Duty.BACKUP.label, self.backup),
            )
            if holder is None
        ]

    def holds(self, member: Member) -> bool:
        return member.pk in (getattr(self.primary, "pk", None), getattr(self.backup, "pk", None))


def _at(day: Date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def shifts_between(start: datetime, end: datetime) -> list[Shift]:
    """Every shift that overlaps [start, end), earliest first, covers applied. Members are
    read for the shifts found only (a member's row is decrypted as it is read)."""
    first = timezone.localtime(start).date() - timedelta(days=1)  # a night shift from before
    last = timezone.localtime(end).date()
    slots = Slot.objects.all()
    if (last - first).days < 6:
        days = {(first + timedelta(days=n)).weekday() for n in range((last - first).days + 1)}
        slots = slots.filter(weekday__in=sorted(days))
    slots = list(slots)
    if not slots:
        return []
    covers = {
        (cover.slot_id, cover.on, cover.duty): cover.member_id
        for cover in Cover.objects.filter(on__range=(first, last)).only(
            "slot_id", "on", "duty", "member_id"
        )
    }
    found = []
    day = first
    while day <= last:
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            starts = _at(day, slot.starts)
            ends = starts + timedelta(hours=slot.hours)
            if ends <= start or starts >= end:
                continue
            primary = covers.get((slot.pk, day, Duty.PRIMARY), slot.primary_id)
            backup = covers.get((slot.pk, day, Duty.BACKUP), slot.backup_id)
            found.append((slot, day, starts, ends, primary, backup))
        day += timedelta(days=1)
    wanted = {pk for *_rest, primary, backup in found for pk in (primary, backup) if pk}
    members = Member.objects.in_bulk(wanted) if wanted else {}
    shifts = [
        Shift(
            slot=slot,
            day=day,
            starts=starts,
            ends=ends,
            primary=members.get(primary) if primary else None,
            backup=members.get(backup) if backup else None,
        )
        for slot, day, starts, ends, primary, backup in found
    ]
    return sorted(shifts, key=lambda shift: (shift.starts, shift.slot.pk))


def on_shift(now: datetime | None = None) -> Shift | None:
    """The shift running now (the latest started, where two overlap)."""
    now = now or timezone.now()
    running = shifts_between(now, now + timedelta(seconds=1))
    return running[-1] if running else None


def _holders(now: datetime) -> dict[int, Member]:
    """The primaries and backups of the shifts running now."""
    found: dict[int, Member] = {}
    for shift in shifts_between(now, now + timedelta(seconds=1)):
        for member in (shift.primary, shift.backup):
            if member is not None and access.is_dispatcher(member):
                found.setdefault(member.pk, member)
    return found


def on_duty(member: Member, now: datetime | None = None) -> bool:
    """A dispatcher holding a shift running now, or any dispatcher while no shift runs with
    somebody on it (a gap in the rota must not leave the desk without hands)."""
    if not access.is_dispatcher(member):
        return False
    holders = _holders(now or timezone.now())
    return not holders or member.pk in holders


def check_on_duty(member: Member) -> None:
    """Refuses the desk's live work (taking a call or a text, sending verifiers, alerting,
    answering, closing) to a dispatcher whose shift ended: the one on shift has it now."""
    if not access.is_dispatcher(member):
        raise PermissionDenied
    if not on_duty(member):
        raise ValidationError(
            _(
                "Your shift is over: the dispatcher on shift takes it from here. "
                "Leave them a handover note if they need to know something."
            )
        )


def on_duty_dispatchers(now: datetime | None = None) -> list[Member]:
    """Who is told what reaches the hotline: the primary and backup of the shifts running now,
    or every dispatcher while nobody holds one."""
    holders = _holders(now or timezone.now())
    return list(holders.values()) or dispatchers()


def dispatchers() -> list[Member]:
    """Every dispatcher, in the order they joined."""
    granted = Member.objects.active().filter(role_grants__role=Role.DISPATCHER).distinct()
    return [member for member in granted.order_by("pk") if access.is_dispatcher(member)]


def next_shift(now: datetime | None = None) -> Shift | None:
    now = now or timezone.now()
    coming = [s for s in shifts_between(now, now + timedelta(days=8)) if s.starts > now]
    return coming[0] if coming else None


def unfilled(now: datetime | None = None) -> list[Shift]:
    """Shifts of the next seven days with a duty nobody holds."""
    now = now or timezone.now()
    return [shift for shift in shifts_between(now, now + WARN_AHEAD) if shift.missing]


def week(now: datetime | None = None) -> list[Shift]:
    now = now or timezone.now()
    return shifts_between(now, now + WARN_AHEAD)


# --- changing the rota ------------------------------------------------------------------------


def _check_dispatcher(member: Member | None, field: str) -> None:
    if member is not None and not access.is_dispatcher(member):
        raise ValidationError({field: _("Choose a member who is a dispatcher.")})


@transaction.atomic
def save_slot(
    *,
    by: Member,
    weekday: int,
    starts: time,
    hours: int,
    primary: Member | None,
    backup: Member | None,
    slot: Slot | None = None,
) -> Slot:
    """Adds a slot to the rota, or changes one. Dispatchers keep the rota."""
    if not access.is_dispatcher(by):
        raise PermissionDenied
    if not 1 <= hours <= 24:
        raise ValidationError({"hours": _("A shift lasts from 1 to 24 hours.")})
    if weekday not in range(7):
        raise ValidationError({"weekday": _("Choose a day from the list.")})
    _check_dispatcher(primary, "primary")
    _check_dispatcher(backup, "backup")
    if primary is not None and backup is not None and primary.pk == backup.pk:
        raise ValidationError({"backup": _("The backup must be someone other than the primary.")})
    slot = slot or Slot()
    slot.weekday, slot.starts, slot.hours = weekday, starts, hours
    slot.primary, slot.backup = primary, backup
    try:
        with transaction.atomic():
            slot.save()
    except IntegrityError:
        raise ValidationError(
            {"starts": _("Another shift already starts then on that day.")}
        ) from None
    audit.record("defense.slot_saved", actor=by, target=slot)
    return slot


@transaction.atomic
def remove_slot(*, slot: Slot, by: Member) -> None:
    if not access.is_dispatcher(by):
        raise PermissionDenied
    audit.record("defense.slot_removed", actor=by, target=slot)
    slot.delete()


def holder(slot: Slot, day: Date, duty: str) -> Member | None:
    """Who holds a duty of a slot on a day, covers applied."""
    cover = Cover.objects.filter(slot=slot, on=day, duty=duty).select_related("member").first()
    if cover is not None:
        return cover.member
    return slot.primary if duty == Duty.PRIMARY else slot.backup


@transaction.atomic
def cover(*, slot: Slot, day: Date, duty: str, member: Member, by: Member) -> Cover:
    """A swap for one day: `member` takes the slot's `duty` on `day`. A dispatcher may take a
    duty themself, or hand a duty they hold to another dispatcher."""
    if not access.is_dispatcher(by):
        raise PermissionDenied
    if duty not in Duty.values:
        raise ValidationError({"duty": _("Choose primary or backup.")})
    _check_dispatcher(member, "member")
    today = timezone.localdate()
    if day.weekday() != slot.weekday:
        raise ValidationError({"day": _("That shift is not on that day of the week.")})
    if not today <= day <= today + COVER_AHEAD:
        raise ValidationError({"day": _("Choose a day from today to two months ahead.")})
    Slot.objects.select_for_update().filter(pk=slot.pk).first()  # one swap of a slot at a time
    current = holder(slot, day, duty)
    if by.pk != member.pk and (current is None or current.pk != by.pk):
        raise ValidationError(
            _("You can take a duty yourself, or hand over one you hold: not arrange others'.")
        )
    other = Duty.BACKUP if duty == Duty.PRIMARY else Duty.PRIMARY
    other_holder = holder(slot, day, other)
    if other_holder is not None and other_holder.pk == member.pk:
        raise ValidationError(
            {"member": _("The primary and the backup must be two different people.")}
        )
    taken, _created = Cover.objects.update_or_create(
        slot=slot, on=day, duty=duty, defaults={"member": member, "created_by": by}
    )
    audit.record("defense.covered", actor=by, target=slot, day=day.isoformat(), duty=duty)
    return taken


@transaction.atomic
def hand_over(*, by: Member, note: str) -> Handover:
    """A note for the next shifts."""
    if not access.is_dispatcher(by):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what the next dispatcher needs to know.")})
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep it under 2,000 characters.")})
    handover = Handover.objects.create(written_by=by, note=note)
    audit.record("defense.handover", actor=by)
    return handover
