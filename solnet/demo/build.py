"""Builds the demo network through the apps' own services, as its members would have made
it over five months: founded through the founding link, members joining by invitation,
people recorded, councils set up; then the fights and meetings of `solnet.demo.story` and
this week's `solnet.demo.this_week`.

Every step is put on one timeline and taken in order of time on the story's clock
(`solnet.demo.clock`). Everything is written in one transaction: a build that fails leaves
nothing behind.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction
from django.utils import timezone, translation

from solnet.core import audit
from solnet.councils import services as councils
from solnet.councils.models import Council, SectionKind
from solnet.demo import content, signins, this_week
from solnet.demo.clock import Timeline, story_clock
from solnet.demo.safety import DEMO_BUILT
from solnet.demo.story import Story
from solnet.members import services as members
from solnet.members.models import Member, Tier
from solnet.network import services as network_services
from solnet.people import services as people
from solnet.people.models import Person, Tag, Weekday

# The network was founded this many days before today.
HISTORY_DAYS = 150
# Trainings that come with a date; other skills are just known.
TRAININGS = {"marshal", "marshal_captain", "legal_observer", "medic", "copwatch"}


def build_demo() -> list[signins.SignIn]:
    """Makes the demo network; returns the organizer's and the member's sign-ins."""
    with story_clock() as clock, transaction.atomic():
        timeline = Timeline()
        builder = _Builder(timeline, timezone.now() - dt.timedelta(days=HISTORY_DAYS))
        builder.schedule()
        story = Story(
            timeline=timeline,
            accounts=builder.accounts,
            people=builder.people,
            councils=builder.councils,
        )
        story.schedule()
        this_week.schedule(story)
        timeline.tell(clock)
        clock.back_to_now()
        audit.record(DEMO_BUILT, target="network.network:1")
        return builder.sign_ins()


class _Builder:
    """The network's first months. The dictionaries fill as the steps run."""

    def __init__(self, timeline: Timeline, founded: dt.datetime):
        self.timeline = timeline
        self.founded = timezone.localtime(founded)
        self.accounts: dict[str, Member] = {}
        self.people: dict[str, Person] = {}
        self.councils: dict[str, Council] = {}
        self.tags: dict[str, Tag] = {}
        self.passwords = {a.username: signins.new_password() for a in content.ACCOUNTS}
        self.totp_secrets: dict[str, str] = {}
        self.tokens: dict[str, str] = {}

    def on(self, day: float, hour: int, step: Callable[..., object], *args: object) -> None:
        """Puts `step(*args)` `day` days after the founding, at `hour` o'clock."""
        moment = self.founded.replace(hour=hour, minute=0, second=0, microsecond=0)
        self.timeline.at(moment + dt.timedelta(days=day), step, *args)

    @property
    def organizer(self) -> Member:
        return self.accounts[content.ORGANIZER]

    def schedule(self) -> None:
        self.on(0, 9, self._found)
        for plan in content.ACCOUNTS[1:]:
            self.on(plan.joined_day - 1, 19, self._invite, plan)
            self.on(plan.joined_day, 20, self._join, plan)
            if plan.approved_by:
                self.on(plan.joined_day + 1, 18, self._approve, plan)
        self.on(content.PEOPLE_FROM_DAY - 1, 11, self._tags)
        for number, plan in enumerate(content.PEOPLE):
            day = content.PEOPLE_FROM_DAY + number * 1.2
            self.on(day, 17, self._record, number, plan)
        self.on(content.TRAINED_DAY, 14, self._trainings)
        for plan in content.COUNCILS:
            self._schedule_council(plan)
        for key, name, day, *talk in content.ONE_ON_ONES:
            self.on(day, 16, self._one_on_one, key, name, *talk)

    def sign_ins(self) -> list[signins.SignIn]:
        return [
            signins.SignIn(
                role=role,
                username=username,
                display_name=self.accounts[username].display_name,
                language=self.accounts[username].preferred_language,
                password=self.passwords[username],
                totp_secret=self.totp_secrets[username],
            )
            for role, username in (
                ("Organizer (organizing team)", content.ORGANIZER),
                ("Member (who speaks Spanish)", content.MEMBER),
            )
        ]

    # --- the network and its members ---------------------------------------------------------

    def _found(self) -> None:
        issued = members.issue_founding_invitation()
        if issued is None:
            raise RuntimeError("The database already has members.")
        self.tokens[content.ORGANIZER] = issued[1]
        founder = self._join(content.ACCOUNTS[0])
        network_services.configure_network(
            by=founder,
            name=content.NETWORK_NAME,
            city_region=content.CITY,
            languages=["en", "es"],
            default_language="en",
            approvals_to_join=1,
            second_factor_for_all=True,
            country="US",
            currency="USD",
            gm_quorum_percent=30,
            gm_quorum_minimum=3,
            gm_notice_hours=48,
        )

    def _invite(self, plan: content.Account) -> None:
        _invitation, token = members.create_invitation(
            created_by=self.accounts[plan.invited_by or content.ORGANIZER],
            tier=Tier.MEMBER,
            label=plan.display_name,
        )
        self.tokens[plan.username] = token

    def _join(self, plan: content.Account) -> Member:
        """Joins with the link (in their own language, which the account keeps), enrols an
        authenticator app and recovery codes, and says which languages they speak."""
        shown = plan.username in (content.ORGANIZER, content.MEMBER)
        with translation.override(plan.language):
            member = members.accept_invitation(
                token=self.tokens.pop(plan.username),
                username=plan.username,
                display_name=plan.display_name,
                # Nobody signs in as the other members: their passwords are never shown.
                password=self.passwords[plan.username] if shown else secrets.token_urlsafe(24),
            )
        self.accounts[plan.username] = member
        secret = generate_totp_secret()
        TOTP.activate(member, secret)
        RecoveryCodes.activate(member)
        self.totp_secrets[plan.username] = secret
        self.people[plan.display_name] = people.update_own_record(
            member=member,
            display_name=plan.display_name,
            languages=list(plan.languages),
            interpreter_needed=False,
            notice_needed="",
            transport="",
        )
        return member

    def _approve(self, plan: content.Account) -> None:
        self.accounts[plan.username] = members.approve_joiner(
            joiner=self.accounts[plan.username],
            approver=self.accounts[plan.approved_by or content.ORGANIZER],
        )

    # --- people ------------------------------------------------------------------------------

    def _tags(self) -> None:
        for key, name in (("pine", "Pine Street"), ("warehouse", "QuickShip")):
            self.tags[key] = people.create_tag(name=name, by=self.organizer)

    def _record(self, number: int, plan: content.Someone) -> None:
        slug = plan.name.split()[0].lower()
        person = people.record_person(
            by=self.organizer,
            display_name=plan.name,
            tier=plan.tier,
            languages=list(plan.languages),
            interpreter_needed=plan.interpreter,
            notice_needed=plan.notice,
            transport=plan.transport,
            notes=plan.notes,
            tags=[self.tags[plan.place[0]]] if plan.place else [],
            consent=True,
            email=f"{_ascii(slug)}.{number}@example.org" if plan.email else "",
            phone=content.phone(number),
        )
        self.people[plan.name] = person
        for skill in plan.skills:
            self._skill(person, skill)
        if not plan.place and plan.tier == Tier.PHONE_TREE:
            saturday = number % 2 == 1
            people.add_availability(
                person=person,
                weekday=Weekday.SATURDAY if saturday else Weekday.TUESDAY,
                starts=dt.time(10 if saturday else 17),
                ends=dt.time(14 if saturday else 21),
                by=self.organizer,
            )

    def _skill(self, person: Person, skill: str) -> None:
        people.add_skill(
            person=person,
            skill=skill,
            trained_on=timezone.localdate() if skill in TRAININGS else None,
            by=self.organizer,
        )

    def _trainings(self) -> None:
        for username, skills in content.ACCOUNT_SKILLS.items():
            for skill in skills:
                self._skill(self.people[self.accounts[username].display_name], skill)

    # --- councils ----------------------------------------------------------------------------

    def _schedule_council(self, plan: content.CouncilPlan) -> None:
        self.on(plan.day, 18, self._set_up, plan)
        placed: list[tuple[str, tuple[str, ...], str, int | None]] = [
            (self._display_name(username), (section, shift), role, None)
            for username, (key, section, shift, role) in content.ACCOUNT_PLACES.items()
            if key == plan.key
        ]
        placed += [
            (p.name, p.place[1:], "member", p.support)
            for p in content.PEOPLE
            if p.place and p.place[0] == plan.key
        ]
        for offset, (name, where, role, support) in enumerate(placed):
            self.on(plan.day + 1 + offset * 0.4, 19, self._place, plan, name, where, role, support)
        self.on(plan.day + 7, 19, self._committee, plan)

    @staticmethod
    def _display_name(username: str) -> str:
        return next(a.display_name for a in content.ACCOUNTS if a.username == username)

    def _set_up(self, plan: content.CouncilPlan) -> None:
        council = councils.create_council(name=plan.name, kind=plan.kind, by=self.organizer)
        site = councils.add_site(
            council=council, name=plan.site, kind=plan.site_kind, by=self.organizer
        )
        kind = SectionKind.UNIT if plan.site_kind == "building" else SectionKind.DEPARTMENT
        for name in plan.sections:
            councils.add_section(site=site, kind=kind, name=name, by=self.organizer)
        for name in plan.shifts:
            councils.add_section(site=site, kind=SectionKind.SHIFT, name=name, by=self.organizer)
        self.councils[plan.key] = council

    def _place(
        self,
        plan: content.CouncilPlan,
        name: str,
        where: tuple[str, ...],
        role: str,
        support: int | None,
    ) -> None:
        council = self.councils[plan.key]
        site = council.sites.get()
        membership = councils.add_member(
            council=council, person=self.people[name], role=role, site=site, by=self.organizer
        )
        section, shift = [*where, "", ""][:2]
        councils.place_member(
            membership=membership,
            site=site,
            section=site.sections.filter(name=section).exclude(kind=SectionKind.SHIFT).first(),
            shift=site.sections.filter(name=shift, kind=SectionKind.SHIFT).first(),
            by=self.organizer,
        )
        if support is not None:
            councils.assess(membership=membership, level=support, by=self.organizer)

    def _committee(self, plan: content.CouncilPlan) -> None:
        council = self.councils[plan.key]
        committee = councils.create_committee(
            council=council, name=plan.committee, purpose=plan.purpose, by=self.organizer
        )
        for name in plan.committee_people:
            councils.add_to_committee(
                committee=committee, person=self.people[name], by=self.organizer
            )

    def _one_on_one(
        self, key: str, name: str, good: bool, notes: str, follow_up: str, level: int
    ) -> None:
        council = self.councils[key]
        today = timezone.localdate()
        councils.log_one_on_one(
            membership=council.memberships.get(person=self.people[name]),
            held_on=today,
            good=good,
            notes=notes,
            follow_up=follow_up,
            follow_up_on=today + dt.timedelta(days=10) if follow_up else None,
            level=level,
            by=self.organizer,
        )


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("áéíóúñÁÉÍÓÚÑ", "aeiounAEIOUN"))
