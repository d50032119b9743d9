from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilizeConfig(AppConfig):
    name = "solnet.mobilize"
    label = "mobilize"
    verbose_name = _("Actions")

    def ready(self) -> None:
        from solnet.core.navigation import NavEntry, register
        from solnet.mobilize import access

        register(
            NavEntry(
                "actions", _("Actions"), "mobilize:index", access.can_see_actions, 14, daily=True
            )
        )

        from solnet.mobilize import start

        start.register_lists()  # its lists on the start page
