"""The network `make load` measures: a made-up network of a realistic size, written in bulk.

Fifty members sign in with a password and an authenticator app: fifteen on the organizing team,
each on the teams of thirty of the forty fights, and thirty-five members on the teams of three
fights each. Two thousand people, six councils with their sites, the general meeting's and the
councils' votes (open ones with ballots, decided ones counted), an action with its public page
and a call list split among all fifty members. What the load's members need to find their way
(their sign-ins and the ids of the pages they use) is written to a plan file readable by its
owner alone, beside the data directory's keys.

Accounts, people and fights are written as rows, like the benchmarks' data; votes, meetings,
targets, demands, follow-ups, the action and its call list go through the apps' services. It
refuses a database that holds a network (`solnet.demo.safety`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from solnet.core import audit, crypto
from solnet.councils import services as councils
from solnet.councils.models import CouncilKind, Role, SectionKind, SiteKind
from solnet.demo.signins import new_password
from solnet.democracy import services as democracy
from solnet.democracy.models import Body, Proposal
from solnet.fights import services as fights
from solnet.fights.models import (
    DemandKind,
    Fight,
    FightMove,
    FightSubject,
    FightTeamMember,
    IssueType,
    TargetKind,
)
from solnet.fights.stages import CLOSED, Stage
from solnet.members import services as members
from solnet.members.models import Member, Tier
from solnet.mobilize import services as mobilize
from solnet.mobilize.models import CallResult
from solnet.network import services as network_services
from solnet.people.models import (
    Availability,
    Commitment,
    ContactChannel,
    Person,
    PersonSkill,
    Skill,
    Tag,
)

LOAD_BUILT = "load.built"
PLAN_FILE = "load-plan.json"

ORGANIZERS = 15
MEMBERS = 50
PEOPLE = 2_000
FIGHTS = 40
FIGHTS_PER_ORGANIZER = 30
FIGHTS_PER_MEMBER = 3
OPEN_GENERAL_VOTES = 12
DECIDED_GENERAL_VOTES = 20

FIRST = [
    "Ana", "Beto", "Carla", "Dolores", "Esteban", "Fatima", "Gus", "Hana", "Ivan", "Jamal",
    "Kim", "Lucia", "Marcus", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tomas",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe",
]  # fmt: skip
LAST = [
    "Alvarez", "Brown", "Chen", "Diaz", "Evans", "Flores", "Garcia", "Haddad", "Ibrahim",
    "Johnson", "Kowalski", "Lopez", "Martinez", "Nguyen", "Okafor", "Park", "Quispe", "Reyes",
    "Singh", "Torres", "Usman", "Vega", "Williams", "Xu", "Young", "Zhang",
]  # fmt: skip
TAGS = ["Pine Street", "QuickShip", "night shift", "building A", "Spanish speakers"]
LANGUAGES = [["en"], ["en"], ["es"], ["es", "en"], ["en"], ["en", "es"], ["en"]]
PEOPLE_TIERS = [Tier.SUPPORTER] * 5 + [Tier.PHONE_TREE] * 3 + [Tier.MEMBER] * 2
COUNCILS = [
    ("Pine Street Tenants", CouncilKind.TENANT, "1400 Pine St", SiteKind.BUILDING),
    ("Greenway Tenants", CouncilKind.TENANT, "22 Greenway Ave", SiteKind.BUILDING),
    ("Harbor View Tenants", CouncilKind.TENANT, "8 Harbor View Rd", SiteKind.BUILDING),
    ("QuickShip Workers", CouncilKind.INDUSTRIAL, "QuickShip warehouse", SiteKind.WORKPLACE),
    ("Joe's Diner Workers", CouncilKind.INDUSTRIAL, "Joe's Diner", SiteKind.WORKPLACE),
    ("Riverside Care Workers", CouncilKind.INDUSTRIAL, "Riverside Care Home", SiteKind.WORKPLACE),
]
TARGET_NAMES = [
    "QuickShip Logistics", "Joe's Diner", "Harbor View Properties", "Greenway Management",
    "Pine Street Holdings", "Riverside Care", "Eastside Auto", "Sunrise Cleaning",
    "Metro Security", "Bayfront Hotel", "Northgate Apartments", "Lakeside Grocers",
    "Summit Staffing", "Cedar Realty", "Union Bakery", "Golden Wok", "Starlight Laundry",
    "Parkview Towers", "Coastal Movers", "Maple Nursing",
]  # fmt: skip
MOTIONS = [
    "buy a second megaphone",
    "hold the winter assembly at the library",
    "join the citywide tenants' day of action",
    "open a strike fund for the QuickShip night shift",
    "translate every leaflet into Spanish",
    "meet every other week in summer",
    "support the bus drivers' picket",
    "print the know-your-rights cards again",
]
# The stages a fight walks through to reach each stage, for its history.
PATH = [
    Stage.INTAKE,
    Stage.RESEARCHING,
    Stage.PROPOSED,
    Stage.ACCEPTED,
    Stage.DEMAND_DRAFTED,
    Stage.DEMAND_DELIVERED,
    Stage.AWAITING_DEADLINE,
    Stage.ESCALATING,
    Stage.NEGOTIATING,
]
OPEN_STAGES = PATH
CLOSED_STAGES = [
    Stage.WON,
    Stage.FOLLOW_UP,
    Stage.PARTIAL_WIN,
    Stage.LOST,
    Stage.WITHDRAWN,
    Stage.ARCHIVED,
]


def build_load_network() -> dict[str, Any]:
    """Makes the network in one transaction and returns the plan the load's members follow."""
    with transaction.atomic():
        plan = _Builder(random.Random(20261205)).build()  # noqa: S311  # made-up data
        audit.record(LOAD_BUILT, target="network.network:1")
    return plan


def save_plan(plan: dict[str, Any]) -> Path:
    """Written readable by its owner alone: it holds the members' password and secrets."""
    path = Path(settings.DATA_DIR) / PLAN_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(plan, handle, indent=1)
    return path


class _Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.password = new_password()
        self.accounts: list[dict[str, Any]] = []

    def build(self) -> dict[str, Any]:
        founder = self._found()
        team = [founder, *self._members(founder)]
        organizers, rank_and_file = team[:ORGANIZERS], team[ORGANIZERS:]
        people = self._people()
        council_list = self._councils(founder, team, people)
        fight_list = self._fights(organizers, rank_and_file, people)
        open_votes = self._votes(founder, team, council_list, fight_list)
        action, call_list = self._action(founder, team)
        team_fights: dict[int, list[str]] = {}
        for seat in FightTeamMember.objects.select_related("fight"):
            team_fights.setdefault(seat.member_id, []).append(seat.fight.public_id)
        for account in self.accounts:
            account["fights"] = team_fights.get(account.pop("pk"), [])
        return {
            "password": self.password,
            "accounts": self.accounts,
            "proposals": open_votes,
            "action": action.public_id,
            "call_list": call_list.public_id,
            "public_token": action.public_token,
            "tags": TAGS,
            "councils": [c.public_id for c in council_list],
        }

    # --- members -----------------------------------------------------------------------------

    def _found(self) -> Member:
        _invitation, token = members.issue_founding_invitation() or (None, "")
        if not token:
            raise RuntimeError("The database already has members.")
        founder = members.accept_invitation(
            token=token, username="load00", display_name="Ana Alvarez", password=self.password
        )
        network_services.configure_network(
            by=founder,
            name="Load Test Solidarity Network",
            city_region="Seattle",
            languages=["en", "es"],
            default_language="en",
            approvals_to_join=1,
            second_factor_for_all=True,
            country="US",
            currency="USD",
            gm_quorum_percent=20,
            gm_quorum_minimum=3,
            gm_notice_hours=48,
        )
        Member.objects.filter(pk=founder.pk).update(
            joined_at=self.now - dt.timedelta(days=400),
            approved_at=self.now - dt.timedelta(days=400),
        )
        founder.refresh_from_db()
        self._second_factor(founder, "organizer")
        return founder

    def _members(self, founder: Member) -> list[Member]:
        # One Argon2 hash for them all: signing in still verifies it for real, each time.
        hashed = make_password(self.password)
        made = []
        for n in range(1, MEMBERS):
            joined = self.now - dt.timedelta(days=380 - 7 * n)
            member = Member.objects.create(
                username=f"load{n:02d}",
                display_name=f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}",
                tier=Tier.ORGANIZING_TEAM if n < ORGANIZERS else Tier.MEMBER,
                status=Member.Status.ACTIVE,
                joined_at=joined,
                approved_at=joined,
                invited_by=founder,
                preferred_language="es" if n % 6 == 0 else "en",
                password=hashed,
            )
            self._second_factor(member, "organizer" if n < ORGANIZERS else "member")
            made.append(member)
        return made

    def _second_factor(self, member: Member, role: str) -> None:
        secret = generate_totp_secret()
        TOTP.activate(member, secret)
        RecoveryCodes.activate(member)
        Person.objects.update_or_create(
            member=member,
            defaults={
                "display_name": member.display_name,
                "tier": member.tier,
                "languages": ["es", "en"] if member.preferred_language == "es" else ["en"],
                "joined_on": timezone.localdate(member.joined_at),
                "last_contact_at": self.now - dt.timedelta(days=self.rng.randint(0, 20)),
            },
        )
        self.accounts.append(
            {"username": member.username, "totp_secret": secret, "role": role, "pk": member.pk}
        )

    # --- people ------------------------------------------------------------------------------

    def _people(self) -> list[Person]:
        """The people the network knows, with their channels, tags, skills and free days."""
        rng = self.rng
        crypto.active_key("field")
        crypto.active_key("index")
        start = self.today - dt.timedelta(days=900)
        Person.objects.bulk_create(
            (
                Person(
                    display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {n:04d}",
                    tier=PEOPLE_TIERS[n % len(PEOPLE_TIERS)],
                    languages=LANGUAGES[n % len(LANGUAGES)],
                    interpreter_needed=n % 17 == 0,
                    joined_on=start + dt.timedelta(days=n % 880),
                    last_contact_at=(
                        None if n % 4 == 0 else self.now - dt.timedelta(days=rng.randint(0, 200))
                    ),
                )
                for n in range(PEOPLE)
            ),
            batch_size=500,
        )
        people = list(Person.objects.filter(member__isnull=True).order_by("pk"))
        ContactChannel.objects.bulk_create(
            [
                ContactChannel(
                    person=person,
                    kind=kind,
                    value=value,
                    consent_at=self.now - dt.timedelta(days=30),
                )
                for n, person in enumerate(people)
                for kind, value in (
                    ("email", f"person{n}@example.org" if n % 10 < 7 else ""),
                    ("call", f"+1206555{n:04d}" if n % 10 < 8 else ""),  # E.164
                )
                if value
            ],
            batch_size=500,
        )
        tags = [Tag.objects.create(name=name) for name in TAGS]
        through = Person.tags.through
        through.objects.bulk_create(
            through(person_id=person.pk, tag_id=tags[(n // 5) % len(tags)].pk)
            for n, person in enumerate(people)
            if n % 5 == 0
        )
        skills = list(Skill.values)
        PersonSkill.objects.bulk_create(
            PersonSkill(person=person, skill=skills[(n // 9) % len(skills)])
            for n, person in enumerate(people)
            if n % 9 == 0
        )
        Availability.objects.bulk_create(
            Availability(person=person, weekday=n % 7, starts=dt.time(9 + n % 9), ends=dt.time(21))
            for n, person in enumerate(people)
            if n % 8 == 0
        )
        return people

    # --- councils ----------------------------------------------------------------------------

    def _councils(self, founder: Member, team: list[Member], people: list[Person]) -> list:
        made = []
        own = {p.member_id: p for p in Person.objects.filter(member__in=team)}
        for number, (name, kind, site_name, site_kind) in enumerate(COUNCILS):
            council = councils.create_council(name=name, kind=kind, by=founder)
            site = councils.add_site(council=council, name=site_name, kind=site_kind, by=founder)
            section_kind = (
                SectionKind.UNIT if site_kind == SiteKind.BUILDING else SectionKind.DEPARTMENT
            )
            for section in ("North", "South", "East"):
                councils.add_section(site=site, kind=section_kind, name=section, by=founder)
            # Forty people each, and a third of the members (each member sits on two).
            placed = [own[m.pk] for m in _council_members(team, number)]
            placed += people[number * 40 : (number + 1) * 40]
            for i, person in enumerate(placed):
                councils.add_member(
                    council=council,
                    person=person,
                    role=Role.ORGANIZING if i < 2 else Role.MEMBER,
                    site=site,
                    by=founder,
                )
            made.append(council)
        return made

    # --- fights ------------------------------------------------------------------------------

    def _fights(
        self, organizers: list[Member], rank_and_file: list[Member], people: list[Person]
    ) -> list[Fight]:
        rng = self.rng
        issues = list(IssueType.values)
        made = []
        for n in range(FIGHTS):
            stage = (
                OPEN_STAGES[n % len(OPEN_STAGES)]
                if n < FIGHTS - len(CLOSED_STAGES)
                else CLOSED_STAGES[n - (FIGHTS - len(CLOSED_STAGES))]
            )
            opened = self.now - dt.timedelta(days=10 + 4 * n)
            closed = stage in CLOSED
            made.append(
                Fight.objects.create(
                    title=f"{TARGET_NAMES[n % len(TARGET_NAMES)]}: case {n + 1}",
                    issue_type=issues[n % len(issues)],
                    stage=stage,
                    language="es" if n % 4 == 0 else "en",
                    facts="Made up for the load test: what happened, amounts and dates.",
                    goals="Get back what is owed.",
                    amount_claimed=Decimal(500 + 137 * n),
                    amount_recovered=Decimal(400 + 100 * n) if stage == Stage.WON else None,
                    deadline=(
                        self.today + dt.timedelta(days=n % 15 - 3)
                        if stage in (Stage.AWAITING_DEADLINE, Stage.DEMAND_DELIVERED)
                        else None
                    ),
                    opened_at=opened,
                    updated_at=opened + dt.timedelta(days=5),
                    closed_at=opened + dt.timedelta(days=60) if closed else None,
                )
            )
        seats = []
        for i, member in enumerate(organizers):
            for k in range(FIGHTS_PER_ORGANIZER):
                seats.append((made[(3 * i + k) % FIGHTS], member))
        for j, member in enumerate(rank_and_file):
            for k in range(FIGHTS_PER_MEMBER):
                seats.append((made[(7 * j + 13 * k) % FIGHTS], member))
        pointed: set[int] = set()
        rows = []
        for fight, member in seats:
            rows.append(
                FightTeamMember(fight=fight, member=member, is_point_person=fight.pk not in pointed)
            )
            pointed.add(fight.pk)
        FightTeamMember.objects.bulk_create(rows)
        FightSubject.objects.bulk_create(
            FightSubject(fight=fight, person=people[500 + n]) for n, fight in enumerate(made)
        )
        for n, fight in enumerate(made):
            point = fight.team.get(is_point_person=True).member
            self._history(fight, point)
            for k in range(1 + n % 2):
                name = TARGET_NAMES[(n + 7 * k) % len(TARGET_NAMES)]
                fights.add_target_to_fight(
                    fight=fight,
                    name=name,
                    kind=TargetKind.COMPANY if k == 0 else TargetKind.MANAGER,
                    address=f"{100 + (n + 7 * k) % len(TARGET_NAMES)} Main St",
                    by=point,
                )
            if fight.stage not in PATH[:4]:  # from "demand drafted" on
                fights.add_demand(
                    fight=fight,
                    kind=DemandKind.AMOUNT,
                    text=f"Pay the wages owed: ${fight.amount_claimed}",
                    amount=fight.amount_claimed,
                    due_on=self.today + dt.timedelta(days=14),
                    by=point,
                )
            # Follow-ups after a fight, and on a few open ones: most fights have none.
            if fight.stage in (Stage.FOLLOW_UP, Stage.WON) or n % 11 == 5:
                for task in ("Invite them to the general meeting", "Check for retaliation"):
                    fights.add_follow_up(
                        fight=fight,
                        task=task,
                        due_on=self.today + dt.timedelta(days=rng.randint(-5, 30)),
                        assigned_to=point,
                        by=point,
                    )
        return made

    def _history(self, fight: Fight, by: Member) -> None:
        """The moves that brought it to its stage, for its page and the network's figures."""
        stage = Stage(fight.stage)
        if stage in OPEN_STAGES:
            path = PATH[: PATH.index(stage) + 1]
        elif stage == Stage.WITHDRAWN:
            path = [*PATH[:6], stage]
        else:
            outcome = Stage.WON if stage in (Stage.FOLLOW_UP, Stage.ARCHIVED) else stage
            path = [*PATH, outcome]
            if stage in (Stage.FOLLOW_UP, Stage.ARCHIVED):
                path.append(Stage.FOLLOW_UP)
            if stage == Stage.ARCHIVED:
                path.append(Stage.ARCHIVED)
        FightMove.objects.bulk_create(
            FightMove(
                fight=fight,
                source=source,
                target=target,
                moved_by=by,
                moved_at=fight.opened_at + dt.timedelta(days=3 * step),
            )
            for step, (source, target) in enumerate(itertools.pairwise(path), start=1)
        )

    # --- votes -------------------------------------------------------------------------------

    def _votes(
        self, founder: Member, team: list[Member], council_list: list, fight_list: list[Fight]
    ) -> list[str]:
        """Votes open and decided in the general meeting, the councils and some fights;
        returns the open general-meeting proposals the load's members vote on."""
        rng = self.rng
        general = Body.objects.general()
        open_ids = []
        for n in range(OPEN_GENERAL_VOTES + DECIDED_GENERAL_VOTES):
            proposal = democracy.propose(
                body=general,
                by=team[n % len(team)],
                title=f"Motion {n + 1}: {MOTIONS[n % len(MOTIONS)]}",
                text="Made up for the load test. " * 8,
                closes_at=self.now + dt.timedelta(days=3 + n % 7),
            )
            self._ballots(proposal, team, share=0.3 + 0.4 * rng.random())
            if n < OPEN_GENERAL_VOTES:
                open_ids.append(proposal.public_id)
            else:
                self._decide(proposal)
        for number, council in enumerate(council_list):
            body = democracy.body_of_council(council)
            voters = _council_members(team, number)
            for k in range(4):
                proposal = democracy.propose(
                    body=body,
                    by=voters[k % len(voters)],
                    title=f"{council.name}: {MOTIONS[(number + k) % len(MOTIONS)]}",
                    text="Made up for the load test.",
                    closes_at=self.now + dt.timedelta(days=3 + k),
                )
                self._ballots(proposal, voters, share=0.6)
                if k >= 2:
                    self._decide(proposal)
        for fight in fight_list[:12]:
            body = democracy.body_of_fight(fight)
            voters = [seat.member for seat in fight.team.select_related("member")]
            proposal = democracy.propose(
                body=body,
                by=voters[0],
                title=f"{fight.title}: who speaks to the press",
                text="Made up for the load test.",
                closes_at=self.now + dt.timedelta(days=4),
            )
            self._ballots(proposal, voters, share=0.5)
        callers = [(general, founder)] + [
            (democracy.body_of_council(c), _council_members(team, n)[0])
            for n, c in enumerate(council_list)
        ]
        for days, (body, by) in enumerate(callers, start=3):
            democracy.call_meeting(
                body=body,
                by=by,
                title="Weekly meeting",
                starts_at=self.now + dt.timedelta(days=days),
                place="Community hall",
            )
        return open_ids

    def _ballots(self, proposal: Proposal, voters: list[Member], *, share: float) -> None:
        for voter in voters:
            if self.rng.random() < share:
                democracy.cast_ballot(
                    proposal=proposal,
                    voter=voter,
                    choice=self.rng.choice(["yes", "yes", "yes", "no", "abstain"]),
                )

    @staticmethod
    def _decide(proposal: Proposal) -> None:
        """Counted as at its deadline, which is moved into the past first."""
        Proposal.objects.filter(pk=proposal.pk).update(
            closes_at=timezone.now() - dt.timedelta(minutes=1)
        )
        democracy.close_proposal(proposal=Proposal.objects.get(pk=proposal.pk))

    # --- an action with a call list ----------------------------------------------------------

    def _action(self, founder: Member, team: list[Member]):
        starts = (self.now + dt.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
        action = mobilize.plan_action(
            by=founder,
            title="Picket at QuickShip at the shift change",
            description="Made up for the load test: bring signs, water and a friend.",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            place="QuickShip warehouse, north gate",
            tier=Tier.PHONE_TREE,
            turnout_target=60,
            reminder_hours=[24, 2],
        )
        for hour in (0, 1.5):
            mobilize.add_shift(
                action=action,
                starts_at=starts + dt.timedelta(hours=hour),
                ends_at=starts + dt.timedelta(hours=hour + 1.5),
                needed=25,
                by=founder,
            )
        mobilize.set_public(action=action, public=True, by=founder)
        called = Person.objects.filter(member__isnull=True, tier__gte=Tier.PHONE_TREE)
        call_list = mobilize.build_call_list(
            action=action,
            people=called,
            name="Phone tree for the picket",
            script="Hi, this is {name} from the network. We picket QuickShip on Friday…",
            callers=team,
            by=founder,
        )
        # A day of calling already done: some reached and answered, some voicemails.
        for n, call in enumerate(call_list.calls.select_related("ask__commitment")):
            if n % 3 == 0:
                call.result = CallResult.REACHED if n % 2 else CallResult.VOICEMAIL
                call.save(update_fields=["result"])
                if call.result == CallResult.REACHED:
                    Commitment.objects.filter(pk=call.ask.commitment_id).update(
                        answer=self.rng.choice(["yes", "maybe", "no"])
                    )
        return action, call_list


def _council_members(team: list[Member], number: int) -> list[Member]:
    """The members on council `number`: each member sits on two councils."""
    seats = (number, (number + 1) % len(COUNCILS))
    return [m for i, m in enumerate(team) if i % len(COUNCILS) in seats]
