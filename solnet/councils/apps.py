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

        from solnet.people import extensions

        # The person's page shows their councils; the people list filters by council.
        extensions.register_panel(
            extensions.PersonPanel("councils", "councils/people/person_panel.html", _person_panel)
        )
        extensions.register_filter_choices("council", access.visible_councils)


def _person_panel(viewer, person) -> dict:
    from solnet.councils import access
    from solnet.councils.models import Role

    return {
        "memberships": access.memberships_of(viewer, person),
        "councils": access.visible_councils(viewer).prefetch_related("sites"),
        "roles": Role.choices,
    }
