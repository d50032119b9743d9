"""The effect that changes who decides a fight's moves (`Network.subject_decisions` and
`Network.team_decisions`): after founding, only the general meeting changes these, since they
say which moves need its vote at all."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from solnet.core import audit
from solnet.fights.stages import SUBJECT_TOPIC_CHOICES, Topic
from solnet.network.models import Network

TOPICS = [value for value, _label in SUBJECT_TOPIC_CHOICES]


def clean(raw: dict[str, Any]) -> dict[str, list[str]]:
    subject = sorted({str(t) for t in raw.get("subject_decisions") or []})
    team = sorted({str(t) for t in raw.get("team_decisions") or []})
    errors: dict[str, str] = {}
    if not set(subject) <= set(TOPICS):
        errors["subject_decisions"] = _("Choose decisions from the list.")
    if not set(team) <= set(TOPICS):
        errors["team_decisions"] = _("Choose decisions from the list.")
    elif Topic.TAKE_ON.value in team:
        errors["team_decisions"] = _("Taking a fight on is always the meeting's decision.")
    if set(subject) & set(team):
        errors["team_decisions"] = _("A decision is the subject's or the team's, not both.")
    if errors:
        raise ValidationError(errors)
    return {"subject_decisions": subject, "team_decisions": team}


def describe(params: dict[str, Any]) -> str:
    labels = dict(SUBJECT_TOPIC_CHOICES)

    def names(values: list[str]) -> str:
        return ", ".join(str(labels.get(v, v)) for v in values) or "—"

    return _(
        "Who decides a fight's moves: the campaign subject decides %(subject)s; the fight "
        "team decides %(team)s; the general meeting decides the rest"
    ) % {
        "subject": names(params["subject_decisions"]),
        "team": names(params["team_decisions"]),
    }


def run(params: dict[str, Any], decision_ref: str) -> None:
    network = Network.objects.select_for_update().get(pk=Network.objects.current().pk)
    network.subject_decisions = params["subject_decisions"]
    network.team_decisions = params["team_decisions"]
    network.save(update_fields=["subject_decisions", "team_decisions"])
    audit.record("network.fight_rules_changed", target="network.network:1", decision=decision_ref)
