from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DefenseConfig(AppConfig):
    name = "solnet.defense"
    label = "defense"
    verbose_name = _("Community defense")

    def ready(self) -> None:
        from solnet.core.navigation import NavEntry, register
        from solnet.defense import access, legal, period, rights
        from solnet.mobilize.extensions import AlertPanel, register_alert_panel

        register(NavEntry("defense", _("Hotline"), "defense:home", access.can_file_report, 60))
        legal.register()
        period.register()
        register_alert_panel(AlertPanel("rights", "defense/_rights_panel.html", rights.panel))
