from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "solnet.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from solnet.core.navigation import NavEntry, register
        from solnet.people import access, export_requests

        register(NavEntry("people", _("People"), "people:list", access.can_list_people, 15))
        export_requests.register_action()
