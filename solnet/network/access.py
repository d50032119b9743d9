"""Who may change the network's settings."""

from solnet.members.access import is_organizer
from solnet.network.models import Network


def can_configure(member, network: Network) -> bool:
    if network.founded_at is None:
        return member.is_active and member.is_founder
    return is_organizer(member)


def can_configure_current(member) -> bool:
    return can_configure(member, Network.objects.current())
