"""What the apps above the network add to its settings page, registered in their
AppConfig.ready(): the network's settings know no domain (fights adds who decides a fight's
moves), as the menu knows no app (`core/navigation.py`).

A section adds fields to the settings form after a field the form has, may add errors to it,
and may show a panel below it once the network is founded. What its fields hold is saved on
the network's row by `network.services.configure_network`, under the fields' names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms


@dataclass(frozen=True)
class SettingsSection:
    key: str
    fields: Callable[[], dict[str, forms.Field]]
    after: str  # the settings form's field these follow
    founding_only: bool = False  # asked at founding; changed later only by a decision
    clean: Callable[[forms.Form, dict[str, Any]], None] | None = None  # may add_error
    panel: str = ""  # a template, given `data`, shown below the form after founding
    panel_data: Callable[[Any], Any] | None = None  # panel_data(network)


_SECTIONS: dict[str, SettingsSection] = {}


def register(section: SettingsSection) -> None:
    _SECTIONS[section.key] = section


def all_sections() -> list[SettingsSection]:
    return sorted(_SECTIONS.values(), key=lambda s: s.key)


def panels(network: Any) -> list[dict[str, Any]]:
    return [
        {"template": s.panel, "data": s.panel_data(network) if s.panel_data else None}
        for s in all_sections()
        if s.panel
    ]
