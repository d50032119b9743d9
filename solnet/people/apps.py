from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "solnet.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from solnet.core.navigation import NavEntry, register
        from solnet.people import access, export_requests, extensions
        from solnet.people.imports import flags

        register(NavEntry("people", _("People"), "people:list", access.can_list_people, 15))
        export_requests.register_action()
        # What an import left out of a record, first among the panels: it is to be checked.
        extensions.register_panel(
            extensions.PersonPanel(
                "import_flags", "people/import_flags_panel.html", flags.panel_context, order=5
            )
        )
