"""When the demo may be built: only on a database that holds nothing of a network yet.

"Nothing" is read from every table of SolNet's own apps, not from a list of the tables known
today, so a table added later that holds a real network's data stops the demo too. The rows
a fresh installation makes by itself before anyone joins are not data: the network's one
unfounded row, the general meeting's body, the data keys and the audit log, an unused
founding link (`make run` prints one), and the built-in tactics and winnability questions.

A demo network is recognised by the event its build writes last to the audit log. Finding
it, the command only prints the sign-ins again: it never writes to a database twice.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db.models import QuerySet

from solnet.core.models import AuditEvent

DEMO_BUILT = "demo.built"

# Rows a fresh installation makes by itself, per model label: how to leave them out.
_FRESH: dict[str, Callable[[QuerySet], QuerySet]] = {
    "core.auditevent": lambda rows: rows.none(),
    "core.datakey": lambda rows: rows.none(),
    "network.network": lambda rows: rows.exclude(founded_at__isnull=True, name=""),
    "democracy.body": lambda rows: rows.exclude(kind="general"),
    "members.invitation": lambda rows: rows.exclude(is_founding=True, used_at__isnull=True),
    "fights.tactic": lambda rows: rows.filter(builtin=""),
    "fights.winnabilitycriterion": lambda rows: rows.filter(builtin=""),
}


def demo_is_here() -> bool:
    """Whether this database holds the demo network the `demo` command built."""
    return AuditEvent.objects.filter(action=DEMO_BUILT).exists()


def what_is_here() -> list[str]:
    """The tables of SolNet's apps that hold something a fresh installation does not make by
    itself, as "label: count"; empty when the database holds no network yet."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("solnet."):
            continue
        for model in config.get_models():
            label = model._meta.label_lower
            rows = _FRESH.get(label, lambda rows: rows)(model._default_manager.all())
            count = rows.count()
            if count:
                found.append(f"{model._meta.label}: {count}")
    return found
