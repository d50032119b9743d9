"""Who may change the network's settings."""

from collections.abc import Callable
from typing import Any

from solnet.network.models import Network

# Who organizes is the members app's to say: it sets its test at start-up (members/apps.py), as
# the apps register their menu entries, so the network, below members, knows no tiers. Until
# it has, nobody is an organizer.
_is_organizer: Callable[[Any], bool] = lambda member: False  # noqa: E731 - a default test


def set_organizer_test(test: Callable[[Any], bool]) -> None:
    global _is_organizer
    _is_organizer = test


def can_configure(member, network: Network) -> bool:
    if network.founded_at is None:
        return member.is_active and member.is_founder
    return _is_organizer(member)


def can_configure_current(member) -> bool:
    return can_configure(member, Network.objects.current())
