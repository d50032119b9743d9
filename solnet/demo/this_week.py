"""This week in the demo network: the next general meeting called with its agenda, votes open
on it, a proposal still under discussion, the tenants' council calling its own meeting, the
picket the last meeting adopted being called out through the phone tree, and the tenants
asked to go door-knocking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from solnet.demo import content
from solnet.demo.story import DAY, HOUR, Story
from solnet.democracy import services as democracy
from solnet.democracy.models import AgendaKind, Body
from solnet.members.models import Tier
from solnet.mobilize import services as mobilize
from solnet.mobilize.models import CallResult
from solnet.people.models import Person

# How the calls made so far went: result, answer.
CALLS_MADE = [
    (CallResult.REACHED, "yes"),
    (CallResult.REACHED, "yes"),
    (CallResult.VOICEMAIL, ""),
    (CallResult.REACHED, "maybe"),
    (CallResult.NO_ANSWER, ""),
    (CallResult.REACHED, "no"),
    (CallResult.REACHED, "yes"),
    (CallResult.WRONG_NUMBER, ""),
    (CallResult.REACHED, "yes"),
]
# Members who signed up for the picket themselves: shift (1 or 2), role, answer.
SIGN_UPS = {
    "marcus": (1, "marshal", "yes"),
    "jorge": (2, "marshal", "yes"),
    "tom": (1, "legal_observer", "yes"),
    "fatima": (2, "food", "yes"),
    "ana": (1, "interpreter", "maybe"),
}
ROLES = {
    "marshal": 3,
    "police_liaison": 1,
    "legal_observer": 2,
    "interpreter": 1,
    "check_in": 1,
    "food": 2,
    "medic": 1,
}


def schedule(story: Story) -> None:
    """Puts this week on the story's timeline, after the last meeting held."""
    at = story.timeline.at
    last = story.meetings[-1]
    state: dict[str, Any] = {}
    at(story.upcoming_called, _call_next_meeting, story, state)
    at(last.closes + 1 * HOUR, _plan_picket, story, state)
    at(story.days_ago(1, 10), _proposals, story, state)
    at(story.days_ago(1, 12), _council, story)
    at(story.days_ago(1, 17), _sign_ups, story, state)
    for number in range(len(CALLS_MADE)):
        at(story.days_ago(1, 18, 5 * number), _call, story, state, number)
    at(story.days_ago(0.5, 9), _door_knocking, story)


def _call_next_meeting(story: Story, state: dict[str, Any]) -> None:
    organizer = story.member(content.ORGANIZER)
    meeting = democracy.call_meeting(
        body=Body.objects.general(),
        by=organizer,
        title="Weekly general meeting",
        starts_at=story.next_meeting,
        place=content.MEETING_PLACE,
        facilitator=story.member("fatima"),
        note_taker=story.member("jorge"),
    )
    democracy.add_agenda_item(
        meeting=meeting,
        by=organizer,
        title="Reports from the fight teams",
        kind=AgendaKind.REPORT,
    )
    democracy.add_agenda_item(
        meeting=meeting,
        by=organizer,
        title="May Day march: who speaks, and in which languages",
        kind=AgendaKind.DISCUSSION,
    )
    state["meeting"] = meeting


def _proposals(story: Story, state: dict[str, Any]) -> None:
    """A vote open until the meeting, a few ballots in; and a proposal being discussed."""
    general = Body.objects.general()
    flyers = democracy.propose(
        body=general,
        by=story.member("ana"),
        title="Print 1,000 flyers in English and Spanish",
        text="Know-your-rights flyers for the training, about $120 from the donations.",
        closes_at=story.next_meeting + 3 * HOUR,
    )
    democracy.add_agenda_item(
        meeting=state["meeting"], by=story.member(content.ORGANIZER), title="", proposal=flyers
    )
    for username, choice in (("ana", "yes"), ("marcus", "yes"), ("jorge", "abstain")):
        democracy.cast_ballot(proposal=flyers, voter=story.member(username), choice=choice)
    federation = democracy.propose(
        body=general,
        by=story.member("tom"),
        title="Join the citywide tenants' federation",
        text="Send a delegate to its monthly assembly; we keep our own decisions.",
    )
    democracy.add_agenda_item(
        meeting=state["meeting"],
        by=story.member(content.ORGANIZER),
        title="",
        proposal=federation,
    )


def _council(story: Story) -> None:
    """The tenants' council talks rent strike, and calls its own meeting for it."""
    body = democracy.body_of_council(story.councils["pine"])
    lucia = story.member(content.MEMBER)
    democracy.propose(
        body=body,
        by=lucia,
        title="Collect rent-strike pledges if the repairs are not done",
        text="Juntar compromisos de huelga de alquiler, unidad por unidad, si las reparaciones "
        "no están hechas en la fecha. / Collect pledges, unit by unit, if the repairs are not "
        "done by the date.",
    )
    starts = timezone.localtime(story.now + 4 * DAY).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    democracy.call_meeting(
        body=body,
        by=lucia,
        title="Pine Street tenants' meeting / Reunión de inquilinos",
        starts_at=starts,
        place="Lobby, 1400 Pine St",
        facilitator=lucia,
    )


def _plan_picket(story: Story, state: dict[str, Any]) -> None:
    fight = story.fights["quickship"]
    marcus = story.member("marcus")
    starts = timezone.localtime(story.now + 3 * DAY).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    action = mobilize.plan_action(
        by=marcus,
        title="Picket at QuickShip: the night shift's back pay",
        description=content.ACTION_DESCRIPTION,
        fight=fight,
        plan_step=fight.plan.order_by("-pk").first(),
        starts_at=starts,
        ends_at=starts + 3 * HOUR,
        place="QuickShip Warehouse, 5th Ave S: the north gate",
        tier=Tier.PHONE_TREE,
        turnout_target=30,
    )
    half = dt.timedelta(minutes=90)
    state["shifts"] = [
        mobilize.add_shift(
            action=action, starts_at=starts, ends_at=starts + half, needed=15, by=marcus
        ),
        mobilize.add_shift(
            action=action, starts_at=starts + half, ends_at=starts + 2 * half, needed=15, by=marcus
        ),
    ]
    for role, needed in ROLES.items():
        mobilize.add_role(action=action, role=role, needed=needed, by=marcus)
    mobilize.set_public(action=action, public=True, by=marcus)
    callers = [story.member(u) for u in ("dana", "marcus", "lucia", "jorge")]
    phone_tree = Person.objects.filter(member__isnull=True, tier__gte=Tier.PHONE_TREE)
    state["call_list"] = mobilize.build_call_list(
        action=action,
        people=phone_tree,
        name="Phone tree: the QuickShip picket",
        script=content.CALL_SCRIPT,
        callers=callers,
        by=marcus,
    )
    # The member is asked too: the ask waits on her start page.
    mobilize.ask_people(
        action=action, people=Person.objects.filter(member=story.member(content.MEMBER)), by=marcus
    )
    state["action"] = action


def _sign_ups(story: Story, state: dict[str, Any]) -> None:
    for username, (shift, role, answer) in SIGN_UPS.items():
        mobilize.sign_up(
            action=state["action"],
            member=story.member(username),
            answer=answer,
            shift=state["shifts"][shift - 1],
            role=role,
        )


def _call(story: Story, state: dict[str, Any], number: int) -> None:
    """One call of the list, made by the caller it was given to (the member's are left)."""
    calls = (
        state["call_list"]
        .calls.exclude(caller=story.member(content.MEMBER))
        .order_by("caller__username", "pk")
    )
    call = calls[number]
    result, answer = CALLS_MADE[number]
    mobilize.record_call(
        call=call,
        result=result,
        by=call.caller,
        answer=answer,
        callback_at=timezone.now() + 2 * DAY if result == CallResult.NO_ANSWER else None,
    )


def _door_knocking(story: Story) -> None:
    """The tenants' council's own action, its tenants asked, some answers taken by phone."""
    organizer = story.member(content.ORGANIZER)
    council = story.councils["pine"]
    starts = timezone.localtime(story.now + 2 * DAY).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    action = mobilize.plan_action(
        by=organizer,
        title="Door-knocking for the repairs / Tocar puertas por las reparaciones",
        description="Two by two, floor by floor: the repairs list and the council meeting.",
        council=council,
        starts_at=starts,
        ends_at=starts + 3 * HOUR,
        place="Lobby, 1400 Pine St",
        tier=Tier.SUPPORTER,
        turnout_target=8,
    )
    tenants = Person.objects.filter(council_memberships__council=council, member__isnull=True)
    mobilize.ask_people(action=action, people=tenants, by=organizer)
    for ask, answer in zip(
        action.asks.order_by("pk")[:5], ("yes", "yes", "no", "maybe", "yes"), strict=True
    ):
        mobilize.answer_for(ask=ask, answer=answer, via="call", by=organizer)
