from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "solnet.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from solnet.core.navigation import NavEntry, register
        from solnet.members import (  # noqa: F401 - wiring only
            access,
            adapters,  # registers the second-factor secrets with the key rotation
            services,  # registers two-person actions
            signals,  # records the session epoch at sign-in
        )

        register(NavEntry("members", _("Members"), "members:list", access.is_member, order=20))
        register(NavEntry("invitations", _("Invite"), "members:invitations", access.can_invite, 30))
        register(NavEntry("me", _("You"), "members:me", lambda m: m.is_active, order=90))

        from solnet.core import start

        start.register_count(
            start.StartCount(
                "joiners",
                lambda member: access.pending_joiners(member).count(),
                "members/start/joiners.html",
                order=20,
            )
        )

        from solnet.network import access as network_access

        # The network's settings know no tiers: who organizes is for the members app to say.
        network_access.set_organizer_test(access.is_organizer)
