from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfederationConfig(AppConfig):
    name = "solnet.confederation"
    label = "confederation"
    verbose_name = _("Confederation")

    def ready(self) -> None:
        from solnet.confederation import (
            access,
            alliance,
            callouts,
            pairing,
            rotation,
            start,
            tasks,
        )
        from solnet.core.navigation import NavEntry, register

        register(NavEntry("allies", _("Allies"), "confederation:peers", access.can_see_peers, 70))
        pairing.register()
        alliance.register()
        rotation.register()
        callouts.register()
        tasks.register()
        start.register_lists()
