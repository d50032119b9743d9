"""A fight's own steps in the demo's story, from the first call to the outcome: what the
fight team does, and what the campaign subject decides (recorded by the team, since the
demo's subjects have no accounts). `solnet.demo.story.Story` puts them on its timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from solnet.demo import content
from solnet.demo.stories import FightStory, Response
from solnet.democracy import services as democracy
from solnet.democracy.models import Status
from solnet.fights import services as fights
from solnet.fights import winnability
from solnet.fights.models import Fight, Lead, Tactic
from solnet.fights.stages import Stage
from solnet.members.models import Member, Tier
from solnet.people import services as people_services
from solnet.people.models import Person

DAY = dt.timedelta(days=1)
# People at each fight's delivery of the demand, and what the target did, in turn.
TURNOUT = (28, 22, 31, 18, 25, 20, 34, 16, 24, 27, 19, 30)
REACTIONS = (
    "The manager took the letter and said nothing.",
    "The owner came out, shouted, and took the letter inside.",
    "Nobody would take it: read out at the counter and left there.",
    "The office locked its door; the letter went under it and onto their voicemail.",
)


class FightSteps:
    """The steps, as methods of the story that holds the accounts, people and fights."""

    accounts: dict[str, Member]
    people: dict[str, Person]
    councils: dict[str, Any]
    fights: dict[str, Fight]
    leads: dict[str, Lead]

    def member(self, username: str) -> Member:
        return self.accounts[username]

    def fight(self, story: FightStory) -> Fight:
        """The fight as it is now (each service works on its own fresh copy)."""
        return Fight.objects.get(pk=self.fights[story.key].pk)

    def _point(self, story: FightStory) -> Member:
        return self.member(story.point or content.ORGANIZER)

    def _arrives(
        self, name: str, language: str, issue: str, channel: str, heard_from: str, text: str
    ) -> Lead:
        """A lead: through the public page, or written down by the organizer who answered."""
        contact = content.phone(50 + len(self.leads))
        if channel == "web":
            return fights.submit_lead(
                display_name=name,
                contact_kind="call",
                contact=contact,
                language=language,
                issue_type=issue,
                story=text,
                heard_from=heard_from,
            )
        return fights.record_lead(
            by=self.member(content.ORGANIZER),
            display_name=name,
            contact_kind="text" if channel == "text" else "call",
            contact=contact,
            language=language,
            issue_type=issue,
            story=text,
            channel=channel,
            heard_from=heard_from,
        )

    def _lead(self, lead: tuple) -> None:
        """A lead still open: new, called back, or with an intake meeting set."""
        name, language, issue, channel, heard_from, status, text = lead
        found = self.leads[name] = self._arrives(name, language, issue, channel, heard_from, text)
        if status != "new":
            organizer = self.member(content.ORGANIZER)
            fights.update_lead(lead=found, status=status, callback_owner=organizer, by=organizer)

    def _record_lead(self, story: FightStory) -> None:
        self.leads[story.key] = self._arrives(
            story.subject, story.language, story.issue, story.channel, story.heard_from, story.story
        )

    def _take(self, story: FightStory) -> None:
        """The intake meeting: the caller goes ahead, and the fight begins."""
        organizer = self.member(content.ORGANIZER)
        lead = self.leads[story.key]
        fight = fights.take_lead(lead=lead, title=story.title, by=organizer)
        self.fights[story.key] = fight
        fights.update_intake(
            fight=fight,
            by=organizer,
            title=story.title,
            issue_type=story.issue,
            language=story.language,
            facts=story.facts,
            goals=story.goals,
            pod=story.pod,
            risks=list(story.risks),
            amount_claimed=Decimal(story.amount) if story.amount else None,
        )
        name, kind, address = story.target
        fights.add_target_to_fight(fight=fight, name=name, kind=kind, address=address, by=organizer)
        for username in story.team:
            fights.add_to_team(fight=fight, member=self.member(username), by=organizer)
        if story.point:
            fights.make_point_person(fight=fight, member=self.member(story.point), by=organizer)
        subject = fight.subjects.get().person
        self.people[story.subject] = subject
        place = {
            "pine": ("pine", "204", None),
            "quickship": ("warehouse", "Picking", "Night shift"),
        }
        if story.key in place:
            self._join_council(subject, *place[story.key])

    def _join_council(self, person: Person, key: str, section: str, shift: str | None) -> None:
        from solnet.councils import services as councils

        council = self.councils[key]
        site = council.sites.get()
        membership = councils.add_member(
            council=council,
            person=person,
            role="member",
            site=site,
            by=self.member(content.ORGANIZER),
        )
        councils.place_member(
            membership=membership,
            site=site,
            section=site.sections.get(name=section),
            shift=site.sections.get(name=shift) if shift else None,
            by=self.member(content.ORGANIZER),
        )

    def _move(self, story: FightStory, target: Stage, note: str = "") -> None:
        fight = self.fight(story)
        fights.move_fight(fight=fight, target=target, by=self._point(story), note=note)
        if target == Stage.RESEARCHING:
            target_obj = fight.targets.get()
            for kind, description, source in story.pressure:
                fights.add_pressure_point(
                    target=target_obj,
                    kind=kind,
                    description=description,
                    source=source,
                    by=self._point(story),
                )

    def _assess(self, story: FightStory) -> None:
        criteria = list(winnability.criteria())
        scores = list(story.scores) + [1] * len(criteria)
        fights.assess_winnability(
            fight=self.fight(story),
            scores={c.pk: (scores[n], "") for n, c in enumerate(criteria)},
            summary="Winnable if the subject's pod comes out."
            if min(scores[:3]) > 0
            else "A must-have is missing.",
            by=self._point(story),
        )

    def _early_votes(self, story: FightStory) -> None:
        """This week's take-on vote: a few have voted already; the member has not."""
        proposal = self.fight(story).proposals.get(status=Status.VOTING)
        for username, choice in (("dana", "yes"), ("fatima", "yes"), ("tom", "abstain")):
            democracy.cast_ballot(proposal=proposal, voter=self.member(username), choice=choice)

    def _draft(self, story: FightStory) -> None:
        fight = self.fight(story)
        by = self._point(story)
        today = timezone.localdate()
        for demand in story.demands:
            fights.add_demand(
                fight=fight,
                kind=demand.kind,
                text=demand.en,
                amount=Decimal(demand.amount) if demand.amount else None,
                due_on=today + (4 + demand.due_days) * DAY if demand.due_days else None,
                by=by,
            )
        fights.save_letter(fight=fight, language="en", body=_letter(story, "en"), by=by)
        if story.summary_es:
            fights.save_letter(fight=fight, language="es", body=_letter(story, "es"), by=by)
        fights.move_fight(fight=fight, target=Stage.DEMAND_DRAFTED, by=by)

    def _pool(self, number: int) -> list[Person]:
        """Six people of the phone tree for a fight's action, a different six each time."""
        tree = [p.name for p in content.PEOPLE if p.tier >= Tier.PHONE_TREE]
        return [self.people[tree[(number * 5 + i) % len(tree)]] for i in range(6)]

    def _ask_for_delivery(self, story: FightStory, number: int) -> None:
        organizer = self.member(content.ORGANIZER)
        for i, person in enumerate(self._pool(number)):
            people_services.log_ask(
                person=person,
                ask=f"Deliver the demand: {story.title}"[:200],
                answer=("yes", "yes", "maybe", "yes", "no", "yes")[i],
                by=organizer,
            )

    def _deliver(self, story: FightStory, number: int) -> None:
        fight = self.fight(story)
        by = self._point(story)
        step = fights.add_plan_step(
            fight=fight,
            tactic=Tactic.objects.get(builtin="delivery"),
            planned_on=timezone.localdate(),
            turnout_needed=None,
            roles="",
            by=by,
        )
        fights.record_action(
            step=step,
            done_on=timezone.localdate(),
            turnout=TURNOUT[number % len(TURNOUT)],
            tier_done="T0",
            reaction=REACTIONS[number % len(REACTIONS)],
            police_contact=False,
            by=by,
        )
        organizer = self.member(content.ORGANIZER)
        ask = f"Deliver the demand: {story.title}"[:200]
        for i, person in enumerate(self._pool(number)):
            commitment = person.commitments.get(ask=ask)
            if commitment.answer in ("yes", "maybe"):
                people_services.settle_commitment(
                    commitment=commitment,
                    answer=commitment.answer,
                    outcome="no_show" if i == 2 else "showed",
                    by=organizer,
                )
        fights.move_fight(fight=fight, target=Stage.DEMAND_DELIVERED, by=by)

    def _await(self, story: FightStory) -> None:
        fight = self.fight(story)
        fights.move_fight(fight=fight, target=Stage.AWAITING_DEADLINE, by=self._point(story))
        fights.set_deadline(
            fight=fight,
            deadline=timezone.localdate() + story.deadline_days * DAY,
            by=self._point(story),
        )

    def _respond(self, story: FightStory, response: Response) -> None:
        fights.log_response(
            fight=self.fight(story),
            kind=response.kind,
            happened_on=timezone.localdate(),
            amount=Decimal(response.amount) if response.amount else None,
            note=response.note,
            by=self._point(story),
        )

    def _subject_decides(self, story: FightStory, target: Stage) -> None:
        first = story.subject.split()[0]
        if target == Stage.WITHDRAWN:
            note = story.motions.get(target, f"{first} decided not to go on.")
        else:
            offers = [r for r in story.responses if r.kind == "offer"]
            for offer in offers:
                self._respond(story, offer)
            note = f"{first} accepted the offer on the phone: {offers[0].note}" if offers else ""
        # The subject has no account: the team records the decision as they gave it.
        self._move(story, target, note=note)

    def _outcome(self, story: FightStory) -> None:
        fights.record_outcome(
            fight=self.fight(story),
            amount_recovered=Decimal(story.recovered) if story.recovered else None,
            lessons=story.lessons,
            watch_days=None,
            by=self._point(story),
        )

    def _follow_up(self, story: FightStory) -> None:
        fights.add_follow_up(
            fight=self.fight(story),
            task=story.follow_up or f"Invite {story.subject.split()[0]} to the next meeting",
            due_on=timezone.localdate() + 14 * DAY,
            assigned_to=self._point(story),
            by=self._point(story),
        )

    def _posters(self, story: FightStory) -> None:
        by = self._point(story)
        step = fights.add_plan_step(
            fight=self.fight(story),
            tactic=Tactic.objects.get(builtin="posters"),
            planned_on=timezone.localdate(),
            turnout_needed=6,
            roles="",
            by=by,
        )
        fights.record_action(
            step=step,
            done_on=timezone.localdate(),
            turnout=7,
            tier_done="T1",
            reaction="Posters torn down within a day; customers asking questions.",
            police_contact=False,
            by=by,
        )


def _letter(story: FightStory, language: str) -> str:
    """The demand letter in one language, from the fight's demands."""
    target = story.target[0]
    if language == "es":
        items = "\n".join(f"- {d.es}" for d in story.demands)
        return (
            f"A {target}:\n\n{story.summary_es}\n\nExigimos:\n{items}\n- Ninguna represalia "
            f"contra {story.subject.split()[0]} ni contra quienes apoyan esta lucha.\n\n"
            f"Esperamos su respuesta "
            f"en un plazo de {story.deadline_days} días. Hasta que estas demandas se cumplan, "
            f"seguiremos actuando juntos.\n\n{story.subject.split()[0]} y {content.NETWORK_NAME}"
        )
    items = "\n".join(f"- {d.en}" for d in story.demands)
    return (
        f"To {target}:\n\n{story.summary_en}\n\nWe demand:\n{items}\n- No retaliation against "
        f"{story.subject.split()[0]} or anyone who supports them.\n\nWe expect your answer "
        f"within {story.deadline_days} days. Until these demands are met, we will keep acting "
        f"together.\n\n{story.subject.split()[0]} and {content.NETWORK_NAME}"
    )
