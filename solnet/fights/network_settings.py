"""Who decides a fight's moves: the fights app's part of the network's settings page
(`network/sections.py`). Asked at founding; afterwards changed only by a decision of the
general meeting (`democracy/network_rules.py`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solnet.fights.stages import SUBJECT_TOPIC_CHOICES, Topic


def fields() -> dict[str, forms.Field]:
    return {
        "team_decisions": forms.MultipleChoiceField(
            label=gettext_lazy("Decisions the fight team takes on its own"),
            choices=SUBJECT_TOPIC_CHOICES,
            required=False,
            initial=[Topic.DEMAND],
            widget=forms.CheckboxSelectMultiple,
            help_text=gettext_lazy(
                "These moves need no vote: by default drafting, delivering and waiting on the "
                "demand. The general meeting decides the rest, and always takes a fight on."
            ),
        ),
        "subject_decisions": forms.MultipleChoiceField(
            label=gettext_lazy("Decisions the campaign subject takes"),
            choices=SUBJECT_TOPIC_CHOICES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=gettext_lazy(
                "In a fight, these are decided by the person or group who brought it rather "
                "than the meeting. Withdrawing is always theirs."
            ),
        ),
    }


def clean(form: forms.Form, data: dict[str, Any]) -> None:
    team = set(data.get("team_decisions") or [])
    if team & set(data.get("subject_decisions") or []):
        form.add_error("team_decisions", _("A decision is the subject's or the team's, not both."))
    if Topic.TAKE_ON in team:
        form.add_error("team_decisions", _("Taking a fight on is always the meeting's decision."))


def who_decides(network: Any) -> list[tuple[str, str]]:
    """Who decides each of a fight's moves, as the network's rules say now."""
    rows = []
    for value, label in SUBJECT_TOPIC_CHOICES:
        if value in (network.subject_decisions or []):
            who = _("the campaign subject")
        elif value in (network.team_decisions or []):
            who = _("the fight team")
        else:
            who = _("the general meeting")
        rows.append((str(label), str(who)))
    return rows


def register() -> None:
    from solnet.network import sections

    sections.register(
        sections.SettingsSection(
            "fight_rules",
            fields,
            after="gm_notice_hours",
            founding_only=True,
            clean=clean,
            panel="fights/network/who_decides.html",
            panel_data=who_decides,
        )
    )
