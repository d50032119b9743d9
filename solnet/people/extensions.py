"""What the apps above people add to a person, registered in their AppConfig.ready(): people
know nothing of councils or fights, as the menu knows nothing of the apps (`core/navigation.py`).

- **Erasure.** When a person's record is erased, each app forgets what it holds of them first
  (fights: the intake of a fight they brought alone).
- **Panels.** The person's page shows a panel for each app that registers one (councils: the
  person's memberships and the form to add them to one).
- **Filter choices.** The people filter's "council" list is the councils the viewer may see,
  given by the councils app; with nothing registered the filter has no such field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

_FORGETTERS: list[Callable[..., None]] = []


def on_erase(forget: Callable[..., None]) -> None:
    """`forget(person=person)` runs inside the erasure's transaction, before the record goes."""
    if forget not in _FORGETTERS:
        _FORGETTERS.append(forget)


def forget_everywhere(person: Any) -> None:
    for forget in _FORGETTERS:
        forget(person=person)


@dataclass(frozen=True)
class PersonPanel:
    key: str
    template: str  # given `person`, `viewer` and what `context` returns
    context: Callable[[Any, Any], dict[str, Any]]  # context(viewer, person)
    order: int = 50


_PANELS: dict[str, PersonPanel] = {}


def register_panel(panel: PersonPanel) -> None:
    _PANELS[panel.key] = panel


def panels_for(viewer: Any, person: Any) -> list[dict[str, Any]]:
    """The registered panels in their order, each as its template and its data."""
    return [
        {"template": panel.template, "data": panel.context(viewer, person)}
        for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key))
    ]


_FILTER_CHOICES: dict[str, Callable[[Any], QuerySet]] = {}


def register_filter_choices(name: str, choices: Callable[[Any], QuerySet]) -> None:
    """`choices(viewer)`: the rows the viewer may filter the people list by, for the filter
    field `name`."""
    _FILTER_CHOICES[name] = choices


def filter_choices(name: str, viewer: Any) -> QuerySet | None:
    """What the viewer may filter by in `name`, or None when no app offers that filter."""
    choices = _FILTER_CHOICES.get(name)
    return choices(viewer) if choices is not None else None
