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

        from solnet.fights import network_settings, start

        network_settings.register()  # who decides a fight's moves, on the settings page
        from solnet.fights.services import forget_subject
        from solnet.people import extensions

        extensions.on_erase(forget_subject)  # the intake of a fight they brought alone

        start.register_lists()  # its lists on the start page
