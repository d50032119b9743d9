"""The models of direct democracy, by area: decisions (bodies, proposals, options), ballots
(with who took part), effects, meetings (agenda, attendance, speakers, notices) and delegates
(with proxies)."""

from solnet.democracy.models.ballots import Ballot, Participation
from solnet.democracy.models.decisions import (
    CHOICE_METHODS,
    CLOSED,
    DECIDED_KEPT,
    MOTION_METHODS,
    NEEDS_REASON,
    POSITIONS,
    Body,
    BodyKind,
    Method,
    Option,
    Position,
    Proposal,
    Status,
    random_ballot_id,
)
from solnet.democracy.models.delegates import Delegate, DelegateVote, Proxy
from solnet.democracy.models.effects import Effect, EffectKind
from solnet.democracy.models.meetings import (
    AgendaItem,
    AgendaKind,
    Attendance,
    AttendanceMode,
    Meeting,
    MeetingStatus,
    Notice,
    NoticeKind,
    SpeakerRequest,
)

__all__ = [
    "CHOICE_METHODS",
    "CLOSED",
    "DECIDED_KEPT",
    "MOTION_METHODS",
    "NEEDS_REASON",
    "POSITIONS",
    "AgendaItem",
    "AgendaKind",
    "Attendance",
    "AttendanceMode",
    "Ballot",
    "Body",
    "BodyKind",
    "Delegate",
    "DelegateVote",
    "Effect",
    "EffectKind",
    "Meeting",
    "MeetingStatus",
    "Method",
    "Notice",
    "NoticeKind",
    "Option",
    "Participation",
    "Position",
    "Proposal",
    "Proxy",
    "SpeakerRequest",
    "Status",
    "random_ballot_id",
]
