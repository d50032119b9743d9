from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "solnet.councils"
    label = "councils"
    verbose_name = _("Councils")

    def ready(self) -> None:
        from solnet.core.navigation import NavEntry, register
        from solnet.councils import access

        register(NavEntry("councils", _("Councils"), "councils:list", access.can_see_councils, 25))
