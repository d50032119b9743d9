from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FightsConfig(AppConfig):
    name = "solnet.fights"
    label = "fights"
    verbose_name = _("Fights")

    def ready(self) -> None:
        from solnet.core.navigation import NavEntry, register
        from solnet.fights import access

        register(
            NavEntry("fights", _("Fights"), "fights:list", access.can_see_fights, 15, daily=True)
        )
        register(NavEntry("leads", _("Leads"), "fights:leads", access.can_handle_leads, 16))

        from solnet.fights import start

        start.register_lists()  # its lists on the start page
