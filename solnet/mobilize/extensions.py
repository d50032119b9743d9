"""What the apps above mobilize add to an action's pages, registered in their AppConfig.ready():
mobilize knows nothing of them, as the menu knows nothing of the apps (`core/navigation.py`).

- **Alert panels.** An alert's pages — the one-tap answer page a responder opens from the
  message, and the alert's own page — show a panel for each app that registers one (defense:
  the network's know-your-rights cards). Its `context(alert)` returns None to be left out.
- **Panels.** The action's page shows, beside the turnout count, a panel for each app that
  registers one (funds: the supplies still needed). A panel marked `public` also shows on the
  action's public page, where there is no viewer (`viewer` is None). A panel whose `context`
  returns None is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ActionPanel:
    key: str
    template: str  # given `action` and `data` (what `context` returns)
    context: Callable[[Any, Any], dict[str, Any] | None]  # context(viewer, action)
    order: int = 50
    public: bool = False  # also on the public page, with viewer None


_PANELS: dict[str, ActionPanel] = {}


def register_panel(panel: ActionPanel) -> None:
    _PANELS[panel.key] = panel


def panels_for(viewer: Any, action: Any, *, public: bool = False) -> list[dict[str, Any]]:
    """The registered panels in their order, each as its template and its data."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if public and not panel.public:
            continue
        data = panel.context(None if public else viewer, action)
        if data is not None:
            shown.append({"template": panel.template, "data": data})
    return shown


@dataclass(frozen=True)
class AlertPanel:
    key: str
    template: str  # given `alert` and `data` (what `context` returns)
    context: Callable[[Any], dict[str, Any] | None]  # context(alert)
    order: int = 50


_ALERT_PANELS: dict[str, AlertPanel] = {}


def register_alert_panel(panel: AlertPanel) -> None:
    _ALERT_PANELS[panel.key] = panel


def alert_panels(alert: Any) -> list[dict[str, Any]]:
    shown = []
    for panel in sorted(_ALERT_PANELS.values(), key=lambda p: (p.order, p.key)):
        data = panel.context(alert)
        if data is not None:
            shown.append({"template": panel.template, "data": data})
    return shown
