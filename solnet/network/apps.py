from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "solnet.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from solnet.core.navigation import NavEntry, register
        from solnet.network.access import can_configure_current

        # On a phone the network's name at the top leads to the start page; "Start" is under "More".
        register(NavEntry("home", _("Start"), "home", lambda m: m.is_active, order=10))
        register(NavEntry("settings", _("Settings"), "network:setup", can_configure_current, 80))

        from solnet.core import phones
        from solnet.network import start
        from solnet.network.models import Network

        # Numbers written without a country code are read as the network's country's.
        phones.use_region(lambda: Network.objects.values_list("country", flat=True).get(pk=1))

        start.register_counts()  # two-person approvals waiting, first on the start page
