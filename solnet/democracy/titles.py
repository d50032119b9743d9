"""Titles the app writes for a proposal, read in each reader's language.

A title someone typed is stored as typed. A title the app wrote (taking a fight on when it is
proposed to the meeting, or a title filled in for a fight's move or a recall and left as it
was) is stored as what it is made of: a key into `TITLES` and its parameters — public ids and
values, never personal data, like an effect's. `Proposal.display_title` renders it with
gettext in the current language; `Proposal.title` keeps the words as first written, for the
admin, the audit and wherever no language is chosen, and for a title whose parts are gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from solnet.fights.models import Fight
from solnet.fights.stages import Stage

if TYPE_CHECKING:
    from solnet.democracy.models import Proposal

TAKE_ON = "take_on"
MOVE_FIGHT = "move_fight"
RECALL = "recall"


@dataclass(frozen=True)
class Title:
    # The words, with %(name)s for each value.
    template: Promise
    # The values in the current language, from the parameters (None: a part is gone).
    values: Callable[[dict[str, Any], Proposal | None], dict[str, str] | None]


def _fight(params: dict[str, Any], proposal: Proposal | None) -> Fight | None:
    public_id = str(params.get("fight", ""))
    # A proposal about a fight has it at hand (and lists fetch it with the proposal).
    known = proposal.fight if proposal is not None else None
    if known is not None and known.public_id == public_id:
        return known
    return Fight.objects.filter(public_id=public_id).first()


def _take_on(params: dict[str, Any], proposal: Proposal | None) -> dict[str, str] | None:
    fight = _fight(params, proposal)
    return {"fight": str(fight)} if fight is not None else None


def _move(params: dict[str, Any], proposal: Proposal | None) -> dict[str, str] | None:
    fight = _fight(params, proposal)
    if fight is None or params.get("to") not in Stage.values:
        return None
    return {"fight": str(fight), "stage": str(Stage(params["to"]).label)}


def _recall(params: dict[str, Any], proposal: Proposal | None) -> dict[str, str] | None:
    # From Django's registry: the models render their titles with this module.
    delegate = (
        apps.get_model("democracy", "Delegate")
        .objects.filter(public_id=str(params.get("delegate", "")))
        .select_related("member")
        .first()
    )
    if delegate is None:
        return None
    return {"member": str(delegate.member), "assembly": delegate.assembly}


TITLES: dict[str, Title] = {
    TAKE_ON: Title(_("Take on the fight “%(fight)s”"), _take_on),
    # The same words as the effects' descriptions, which fill in the title on the form.
    MOVE_FIGHT: Title(_("Move the fight “%(fight)s” to “%(stage)s”"), _move),
    RECALL: Title(_("Recall %(member)s, delegate to %(assembly)s"), _recall),
}


def render(key: str, params: dict[str, Any], proposal: Proposal | None = None) -> str | None:
    """The title `key` with `params`, in the current language; None for an unknown key or
    when what it names is gone."""
    title = TITLES.get(key)
    if title is None:
        return None
    values = title.values(params, proposal)
    if values is None:
        return None
    return str(title.template) % values
