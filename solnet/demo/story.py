"""The demo network's last two months: its fights, from the first call to the outcome, and
the weekly general meetings that decide them; then this week, with votes open, the next
meeting called and a picket being called out.

Each fight walks its stages the only ways SolNet allows: the fight team moves it before the
proposal and through its own demand; the general meeting decides the rest by a vote closed
in a meeting in session; the campaign subject accepts an offer or withdraws. The meetings are
called with the general meeting's notice and held on their day (see `solnet.demo.clock`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from solnet.demo import content
from solnet.demo.clock import Timeline
from solnet.demo.fight_steps import FightSteps
from solnet.demo.stories import FIGHTS, OPEN_LEADS, OTHER_DECISIONS, FightStory
from solnet.democracy import access as democracy_access
from solnet.democracy import services as democracy
from solnet.democracy.models import AgendaKind, Body, EffectKind, Status
from solnet.fights import stages
from solnet.fights.models import Lead, Tactic
from solnet.fights.stages import Stage
from solnet.members.models import Member
from solnet.network.models import default_subject_decisions
from solnet.people.models import Person

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
# Past weekly general meetings; the next one is called for a few days from today.
MEETINGS_HELD = 8
NEXT_MEETING_IN = 5

# The meeting's decisions, by the stage a fight moves to: the motion's title and text.
MOTIONS = {
    Stage.DECLINED: ("Decline “{title}”", "We cannot win this one."),
    Stage.DEFERRED: ("Defer “{title}”", "Not yet."),
    Stage.ESCALATING: (
        "Escalate “{title}”",
        "The deadline passed without the demand met. Posters and flyers first, then a picket "
        "at the busiest time.",
    ),
    Stage.NEGOTIATING: (
        "Negotiate in “{title}”",
        "The target wants to talk. The team meets them with the subject; nothing is signed "
        "before the subject and the team have read it.",
    ),
    Stage.LOST: ("Close “{title}” as lost", "There is nothing left to press on."),
    Stage.DROPPED: ("Drop “{title}”", "We do not have the capacity to carry it on."),
    Stage.FOLLOW_UP: (
        "Close “{title}” and follow up",
        "The fight is over: watch for retaliation and invite the subject to the meetings.",
    ),
    Stage.ARCHIVED: ("Archive “{title}”", "Follow-up done; nothing more to watch."),
}
SUBJECT_TOPICS = default_subject_decisions()
TAKE_ON_RESULTS = (Stage.ACCEPTED, Stage.DECLINED, Stage.DEFERRED)
OUTCOMES_RECORDED = (Stage.WON, Stage.PARTIAL_WIN, Stage.LOST, Stage.DROPPED)
# Who facilitates and takes notes, in turns, and who is away, week by week.
FACILITATORS = ("ana", "marcus", "lucia", "tom", "dana", "fatima", "jorge")


@dataclass
class PlannedMeeting:
    starts: dt.datetime
    called: dt.datetime
    facilitator: str
    note_taker: str
    present: tuple[str, ...]
    slots: int = 0
    obj: Any = None

    def next_slot(self) -> dt.datetime:
        self.slots += 1
        if self.slots > 25:
            raise RuntimeError("A demo meeting holds at most 25 decisions.")
        return self.starts + dt.timedelta(minutes=6 + 4 * self.slots)

    @property
    def closes(self) -> dt.datetime:
        return self.starts + dt.timedelta(hours=2)


@dataclass
class Story(FightSteps):
    """Puts the past on the timeline; `accounts`, `people` and `councils` are filled in as
    the builder's own steps run, and read by these steps when their time comes."""

    timeline: Timeline
    accounts: dict[str, Member]
    people: dict[str, Person]
    councils: dict[str, Any]
    fights: dict[str, Any] = field(default_factory=dict)
    leads: dict[str, Lead] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.now = timezone.now()
        local = timezone.localtime(self.now)
        self.next_meeting = local.replace(hour=18, minute=30, second=0, microsecond=0) + (
            NEXT_MEETING_IN * DAY
        )
        self.meetings: list[PlannedMeeting] = []
        for weeks in range(MEETINGS_HELD, 0, -1):
            starts = self.next_meeting - weeks * 7 * DAY
            called = (
                self.meetings[-1].closes + dt.timedelta(minutes=5)
                if self.meetings
                else starts - 7 * DAY
            )
            turn = len(self.meetings)
            away = FACILITATORS[(turn + 3) % len(FACILITATORS)]
            facilitator = FACILITATORS[turn % len(FACILITATORS)]
            note_taker = FACILITATORS[(turn + 1) % len(FACILITATORS)]
            present = tuple(u for u in FACILITATORS if u != away or u == facilitator)
            self.meetings.append(PlannedMeeting(starts, called, facilitator, note_taker, present))
        self.upcoming_called = self.meetings[-1].closes + dt.timedelta(minutes=5)

    def days_ago(self, days: float, hour: int = 10, minute: int = 0) -> dt.datetime:
        moment = timezone.localtime(self.now - days * DAY)
        at_hour = moment.replace(hour=hour, minute=0, second=0, microsecond=0)
        return at_hour + dt.timedelta(minutes=minute)

    # --- scheduling ----------------------------------------------------------------------------

    def schedule(self) -> None:
        for meeting in self.meetings:
            self._schedule_meeting(meeting)
        for number, story in enumerate(FIGHTS):
            self._schedule_fight(number, story)
        for weeks, title, text, passes in OTHER_DECISIONS:
            meeting = self._meeting_at(self.next_meeting - weeks * 7 * DAY)
            self.timeline.at(
                meeting.next_slot(), self._other_decision, meeting, title, text, passes
            )
        for number, lead in enumerate(OPEN_LEADS):
            self.timeline.at(self.days_ago(6 - 2.5 * number, 11), self._lead, lead)

    def _meeting_at(self, starts: dt.datetime) -> PlannedMeeting:
        return next(m for m in self.meetings if m.starts == starts)

    def _next_meeting(self, after: dt.datetime) -> PlannedMeeting:
        for meeting in self.meetings:
            if meeting.starts >= after:
                return meeting
        raise RuntimeError(f"The demo's story needs a meeting after {after:%Y-%m-%d}.")

    def _schedule_meeting(self, meeting: PlannedMeeting) -> None:
        self.timeline.at(meeting.called, self._call, meeting)
        self.timeline.at(meeting.starts, self._open, meeting)
        self.timeline.at(meeting.closes, self._close, meeting)

    def _schedule_fight(self, number: int, story: FightStory) -> None:
        at = self.timeline.at
        t = self.days_ago(story.starts, 10, 5 * number)
        at(t, self._record_lead, story)
        t += DAY + 6 * HOUR
        at(t, self._take, story)
        stage, take_on, deadline = Stage.INTAKE, None, None
        for target in map(Stage, story.path):
            edge = stages.move(stage, target)
            if edge is None:
                raise RuntimeError(f"{story.key}: no move from {stage} to {target}")
            if edge.topic is None and target == Stage.PROPOSED:
                t += 4 * DAY
                if target == story.path[-1]:
                    # Proposed this week: its vote is open, for the next meeting.
                    t = max(t, self.upcoming_called + HOUR)
                else:
                    # Two days ahead at least: the take-on vote the move puts to the meeting
                    # then closes after it, as the body's notice asks.
                    take_on = self._next_meeting(t + 2 * DAY + HOUR)
                    t = max(t, take_on.called + HOUR)
                at(t - HOUR, self._assess, story)
                at(t, self._move, story, target)
                if target == story.path[-1]:
                    at(t + 3 * HOUR, self._early_votes, story)
            elif edge.topic is None:
                t += 2 * DAY
                at(t, self._move, story, target)
            elif stages.is_teams(edge.topic, SUBJECT_TOPICS, stages.DEFAULT_TEAM_TOPICS):
                if target == Stage.DEMAND_DRAFTED:
                    t += 3 * DAY
                    at(t, self._draft, story)
                elif target == Stage.DEMAND_DELIVERED:
                    t += 4 * DAY
                    at(t - 3 * DAY, self._ask_for_delivery, story, number)
                    at(t, self._deliver, story, number)
                    for i, response in enumerate(r for r in story.responses if r.kind != "offer"):
                        at(t + (3 + 3 * i) * DAY, self._respond, story, response)
                else:
                    t += HOUR
                    deadline = t + story.deadline_days * DAY
                    at(t, self._await, story)
            elif stages.is_subjects(edge.topic, SUBJECT_TOPICS):
                t += 5 * DAY
                at(t, self._subject_decides, story, target)
            else:
                if deadline is not None and stage == Stage.AWAITING_DEADLINE:
                    t = max(t, deadline + DAY)
                if target == Stage.NEGOTIATING and target == story.path[-1]:
                    # Still negotiating: the offer on the table came before the vote.
                    for offer in (r for r in story.responses if r.kind == "offer"):
                        at(t + HOUR, self._respond, story, offer)
                        t += 2 * HOUR
                meeting = take_on if target in TAKE_ON_RESULTS else self._next_meeting(t + DAY)
                t = meeting.next_slot()
                at(t, self._decide, story, target, meeting)
                if target == Stage.ESCALATING and t + 3 * DAY < self.now:
                    at(t + 3 * DAY, self._posters, story)
            if target in OUTCOMES_RECORDED or (target == Stage.WITHDRAWN and story.lessons):
                at(t + 2 * HOUR, self._outcome, story)
            if target == Stage.FOLLOW_UP:
                at(t + 3 * HOUR, self._follow_up, story)
            stage = target
        if story.key == "quickship":
            # The meeting adopts the next step of the plan: a picket, called out this week.
            last = self.meetings[-1]
            at(last.next_slot(), self._adopt_picket, story, last)

    # --- meetings ------------------------------------------------------------------------------

    def _call(self, meeting: PlannedMeeting) -> None:
        meeting.obj = democracy.call_meeting(
            body=Body.objects.general(),
            by=self.member(content.ORGANIZER),
            title="Weekly general meeting",
            starts_at=meeting.starts,
            place=content.MEETING_PLACE,
            facilitator=self.member(meeting.facilitator),
            note_taker=self.member(meeting.note_taker),
        )

    def _open(self, meeting: PlannedMeeting) -> None:
        facilitator = self.member(meeting.facilitator)
        democracy.open_meeting(meeting=meeting.obj, by=facilitator)
        for number, username in enumerate(meeting.present):
            democracy.attend(
                meeting=meeting.obj,
                member=self.member(username),
                mode="remote" if number == 2 else "in_person",
                by=facilitator,
            )
        democracy.add_agenda_item(
            meeting=meeting.obj,
            by=facilitator,
            title="Reports from the fight teams",
            kind=AgendaKind.REPORT,
        )

    def _close(self, meeting: PlannedMeeting) -> None:
        democracy.save_minutes(
            meeting=meeting.obj, by=self.member(meeting.note_taker), minutes=content.MINUTES
        )
        democracy.close_meeting(meeting=meeting.obj, by=self.member(meeting.facilitator))

    def _vote(self, proposal, meeting: PlannedMeeting, *, passing: bool) -> None:
        voters = democracy_access.electorate(proposal)
        present = [self.member(u) for u in meeting.present]
        for number, voter in enumerate(v for v in present if voters.filter(pk=v.pk).exists()):
            if passing:
                choice = "abstain" if (number + meeting.slots) % 5 == 4 else "yes"
            else:
                choice = "yes" if number % 3 == 0 else "no"
            democracy.cast_ballot(proposal=proposal, voter=voter, choice=choice)

    def _put(self, meeting: PlannedMeeting, proposal, fight=None) -> None:
        # The organizer keeps the agenda; the facilitator closes the vote in session.
        democracy.add_agenda_item(
            meeting=meeting.obj,
            by=self.member(content.ORGANIZER),
            title="",
            proposal=proposal,
            fight=fight,
        )

    def _decide(self, story: FightStory, target: Stage, meeting: PlannedMeeting) -> None:
        fight = self.fight(story)
        facilitator = self.member(meeting.facilitator)
        if target in TAKE_ON_RESULTS:
            take_on = fight.proposals.get(status=Status.VOTING)
            if target == Stage.DEFERRED:
                democracy.withdraw_proposal(proposal=take_on, by=take_on.proposed_by)
            else:
                self._vote(take_on, meeting, passing=target == Stage.ACCEPTED)
                democracy.close_proposal(proposal=take_on, by=facilitator)
                if target == Stage.ACCEPTED:
                    return
        title, text = MOTIONS[target]
        proposal = democracy.propose(
            body=Body.objects.general(),
            by=self._point(story),
            title=title.format(title=story.title),
            text=story.motions.get(target, text),
            effects_wanted=[
                democracy.EffectRequest(
                    EffectKind.MOVE_FIGHT, {"fight": fight.public_id, "to": target}
                )
            ],
            closes_at=timezone.now() + 49 * HOUR,
        )
        self._put(meeting, proposal, fight)
        self._vote(proposal, meeting, passing=True)
        democracy.close_proposal(proposal=proposal, by=facilitator)

    def _other_decision(self, meeting: PlannedMeeting, title: str, text: str, passes: bool):
        proposal = democracy.propose(
            body=Body.objects.general(),
            by=self.member("ana" if passes else "tom"),
            title=title,
            text=text,
            closes_at=timezone.now() + 49 * HOUR,
        )
        self._put(meeting, proposal)
        self._vote(proposal, meeting, passing=passes)
        democracy.close_proposal(proposal=proposal, by=self.member(meeting.facilitator))

    def _adopt_picket(self, story: FightStory, meeting: PlannedMeeting) -> None:
        fight = self.fight(story)
        picket = Tactic.objects.get(builtin="picket")
        on = timezone.localdate(self.now) + 3 * DAY
        proposal = democracy.propose(
            body=Body.objects.general(),
            by=self._point(story),
            title="A picket at QuickShip at the shift change",
            text="The posters did not move them. Picket at the shift change, with the night "
            "shift, and call out the phone tree.",
            effects_wanted=[
                democracy.EffectRequest(
                    EffectKind.ADOPT_STEP,
                    {
                        "fight": fight.public_id,
                        "tactic": picket.public_id,
                        "planned_on": on.isoformat(),
                        "turnout_needed": 30,
                    },
                )
            ],
            closes_at=timezone.now() + 49 * HOUR,
        )
        self._put(meeting, proposal, fight)
        self._vote(proposal, meeting, passing=True)
        democracy.close_proposal(proposal=proposal, by=self.member(meeting.facilitator))
