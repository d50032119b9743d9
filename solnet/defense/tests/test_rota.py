"""The dispatchers' rota: shifts with a primary and a backup, swaps for a day, who is on shift
now and next, the unfilled duties of the coming week, and handover notes."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, sign_in
from solnet.core.models import AuditEvent
from solnet.core.retention import purge_expired
from solnet.defense import rota
from solnet.defense.models import Cover, Duty, Handover, Slot
from solnet.defense.tests.making import make_slot
from solnet.members.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(personas):
    """Three dispatchers and a member who is not one."""
    first = personas["dispatcher"].member
    second = make_member("second_dispatcher", roles=(Role.DISPATCHER,))[0]
    third = make_member("third_dispatcher", roles=(Role.DISPATCHER,))[0]
    return first, second, third, personas["member"].member


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _next(weekday: int):
    """The next day (tomorrow or later) falling on `weekday`."""
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def test_shifts_follow_the_weekly_slots_with_swaps_applied(desk):
    first, second, third, _member = desk
    day = _next(2)
    slot = make_slot(weekday=2, starts=time(18), hours=6, primary=first, backup=second)
    [shift] = rota.shifts_between(_at(day, 0), _at(day, 23, 59))
    assert (shift.starts, shift.ends) == (_at(day, 18), _at(day, 18) + timedelta(hours=6))
    assert (shift.primary, shift.backup) == (first, second)
    rota.cover(slot=slot, day=day, duty=Duty.PRIMARY, member=third, by=third)
    [shift] = rota.shifts_between(_at(day, 0), _at(day, 23, 59))
    assert (shift.primary, shift.backup) == (third, second)
    # The swap is for that day only.
    [later] = rota.shifts_between(_at(day + timedelta(days=7), 0), _at(day + timedelta(days=7), 23))
    assert later.primary == first


def test_who_is_on_shift_now_and_next_including_a_night_shift(desk):
    first, second, third, _member = desk
    day = _next(4)
    make_slot(weekday=4, starts=time(22), hours=8, primary=first, backup=second)
    make_slot(weekday=5, starts=time(8), hours=4, primary=third)
    # At 3 in the morning after Friday, Friday's night shift is still on.
    now = rota.on_shift(_at(day + timedelta(days=1), 3))
    assert now is not None and now.primary == first and now.day == day
    following = rota.next_shift(_at(day + timedelta(days=1), 3))
    assert following is not None and following.primary == third
    assert rota.on_shift(_at(day + timedelta(days=1), 12, 30)) is None


def test_the_week_ahead_warns_of_duties_nobody_holds(desk):
    first, *_rest = desk
    make_slot(weekday=0, starts=time(9), primary=first)  # no backup
    make_slot(weekday=3, starts=time(9))  # nobody
    make_slot(weekday=5, starts=time(9), primary=first, backup=desk[1])
    missing = {(shift.slot.weekday, tuple(shift.missing)) for shift in rota.unfilled()}
    assert missing == {(0, ("Backup",)), (3, ("Primary", "Backup"))}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"hours": 0}, "hours"),
        ({"hours": 25}, "hours"),
        ({"weekday": 7}, "weekday"),
        ({"primary": "member"}, "primary"),
        ({"backup": "first"}, "backup"),
        ({"starts": time(18)}, "starts"),
    ],
    ids=["no hours", "too long", "no such day", "not a dispatcher", "same person", "taken"],
)
def test_a_slot_that_cannot_be_is_refused_and_changes_nothing(desk, changes, field):
    first, second, _third, member = desk
    make_slot(weekday=1, starts=time(18))
    people = {"member": member, "first": first}
    fields = {
        "weekday": 1,
        "starts": time(12),
        "hours": 4,
        "primary": first,
        "backup": second,
    }
    fields.update({k: people.get(v, v) if isinstance(v, str) else v for k, v in changes.items()})
    before = list(Slot.objects.values_list("weekday", "starts", "hours"))
    with pytest.raises(ValidationError) as refused:
        rota.save_slot(by=first, **fields)
    assert field in refused.value.message_dict
    assert list(Slot.objects.values_list("weekday", "starts", "hours")) == before


def test_only_dispatchers_keep_the_rota(desk, personas):
    _first, _second, _third, member = desk
    slot = make_slot()
    organizer = personas["organizer"].member
    for outsider in (member, organizer):
        with pytest.raises(PermissionDenied):
            rota.save_slot(
                by=outsider, weekday=0, starts=time(6), hours=2, primary=None, backup=None
            )
        with pytest.raises(PermissionDenied):
            rota.remove_slot(slot=slot, by=outsider)
        with pytest.raises(PermissionDenied):
            rota.hand_over(by=outsider, note="x")
    assert Slot.objects.count() == 1


def test_a_dispatcher_cannot_swap_someone_elses_duty_away(desk):
    """Attack: a dispatcher hands another's shift to a friend (or to themself as both
    duties). They may take a duty themself or hand over one they hold, nothing else."""
    first, second, third, _member = desk
    day = _next(1)
    slot = make_slot(weekday=1, starts=time(18), primary=first, backup=second)
    with pytest.raises(ValidationError):  # third gives first's duty to second
        rota.cover(slot=slot, day=day, duty=Duty.PRIMARY, member=second, by=third)
    with pytest.raises(ValidationError):  # second, the backup, takes the primary as well
        rota.cover(slot=slot, day=day, duty=Duty.PRIMARY, member=second, by=second)
    assert not Cover.objects.exists()
    # first hands their own duty to third: allowed, and audited.
    rota.cover(slot=slot, day=day, duty=Duty.PRIMARY, member=third, by=first)
    assert rota.holder(slot, day, Duty.PRIMARY) == third
    assert AuditEvent.objects.filter(action="defense.covered", actor_id=first.pk).exists()
    # Now first no longer holds it, and cannot take it back by handing it on.
    with pytest.raises(ValidationError):
        rota.cover(slot=slot, day=day, duty=Duty.PRIMARY, member=second, by=first)


# The next such day is 1 to 7 days ahead: two weeks before it is always past.
@pytest.mark.parametrize("offset, message", [(1, "not on that day"), (-14, "from today")])
def test_a_swap_on_a_day_the_shift_is_not_is_refused(desk, offset, message):
    first, *_rest = desk
    day = _next(1)
    slot = make_slot(weekday=1, starts=time(18), primary=first)
    with pytest.raises(ValidationError) as refused:
        rota.cover(
            slot=slot, day=day + timedelta(days=offset), duty="primary", member=first, by=first
        )
    assert message in str(refused.value)
    assert not Cover.objects.exists()


def test_a_member_who_is_not_a_dispatcher_cannot_be_put_on_a_shift(desk):
    first, _second, _third, member = desk
    slot = make_slot(weekday=1, starts=time(18), primary=first)
    with pytest.raises(ValidationError):
        rota.cover(slot=slot, day=_next(1), duty="primary", member=member, by=first)


def test_the_rota_on_its_pages(desk):
    first, second, *_rest = desk
    client = sign_in(Client(), first)
    response = client.post(
        reverse("defense:rota"),
        {
            "weekday": "2",
            "starts": "19:00",
            "hours": "5",
            "primary": first.pk,
            "backup": second.pk,
        },
    )
    assert response.status_code == 302
    slot = Slot.objects.get()
    page = client.get(reverse("defense:rota")).content.decode()
    assert first.display_name in page and second.display_name in page
    # A swap from the slot's page: second takes the primary duty on the next Wednesday...
    day = _next(2)
    response = sign_in(Client(), second).post(
        reverse("defense:slot_cover", args=[slot.public_id]),
        {"day": day.isoformat(), "duty": "backup", "member": desk[2].pk},
    )
    assert response.status_code == 302
    assert rota.holder(slot, day, Duty.BACKUP) == desk[2]
    # ...and a bad one is refused on the page, in Spanish too.
    refused = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), second).post(
        reverse("defense:slot_cover", args=[slot.public_id]),
        {"day": (day + timedelta(days=1)).isoformat(), "duty": "primary", "member": second.pk},
    )
    assert refused.status_code == 422
    assert "no es ese día de la semana" in refused.content.decode()
    client.post(reverse("defense:slot_remove", args=[slot.public_id]))
    assert not Slot.objects.exists()


def test_the_desk_shows_who_is_on_and_the_handover_note(desk):
    first, second, *_rest = desk
    now = timezone.localtime()
    make_slot(weekday=now.weekday(), starts=time(0), hours=24, primary=first, backup=second)
    client = sign_in(Client(), first)
    response = client.post(reverse("defense:handover"), {"note": "Call back Doña Marta at 9."})
    assert response.status_code == 302
    page = sign_in(Client(), second).get(reverse("defense:home")).content.decode()
    assert "Call back Doña Marta at 9." in page
    assert first.display_name in page and "Nobody is on shift now" not in page
    empty = client.post(reverse("defense:handover"), {"note": "  "})
    assert empty.status_code == 422 and Handover.objects.count() == 1


def test_handover_notes_go_after_a_week(desk):
    first, *_rest = desk
    rota.hand_over(by=first, note="The family at 3B wants a call back.")
    Handover.objects.update(created_at=timezone.now() - timedelta(days=8))
    purge_expired()
    assert not Handover.objects.exists()
