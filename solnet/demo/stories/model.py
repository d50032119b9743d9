"""The shape of a fight's story in the demo: its people and words, the stages it walks, its
demands (in English and Spanish, for the letters), the target's responses and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Demand:
    kind: str
    en: str
    es: str
    amount: int | None = None
    due_days: int | None = None  # for repairs: days after the delivery


@dataclass(frozen=True)
class Response:
    kind: str
    note: str
    amount: int | None = None


@dataclass(frozen=True)
class FightStory:
    key: str
    title: str
    subject: str
    language: str
    issue: str
    channel: str
    heard_from: str
    story: str  # what they said when they first called, in their language
    facts: str
    goals: str
    pod: str
    target: tuple[str, str, str]  # name, kind, address
    path: tuple[str, ...]  # the stages after intake, in order
    starts: int  # days before today when the lead came in
    amount: int | None = None
    risks: tuple[str, ...] = ()
    team: tuple[str, ...] = ()  # usernames besides the organizer who took it on
    point: str | None = None  # made point person instead of the organizer
    pressure: tuple[tuple[str, str, str], ...] = ()  # kind, description, source
    demands: tuple[Demand, ...] = ()
    summary_en: str = ""  # the letter's paragraph on what happened
    summary_es: str = ""
    deadline_days: int = 14
    responses: tuple[Response, ...] = ()
    recovered: int | None = None
    lessons: str = ""
    follow_up: str = ""
    # Motions for the meeting's decisions, by the stage they move to (a default otherwise).
    motions: dict[str, str] = field(default_factory=dict)
    scores: tuple[int, ...] = (2, 2, 2, 2, 1, 2, 1, 2, 2, 1, 1)


R = ("researching", "proposed")
TAKEN_ON = (*R, "accepted")
DELIVERED = (*TAKEN_ON, "demand_drafted", "demand_delivered", "awaiting_deadline")
