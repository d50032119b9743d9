from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemocracyConfig(AppConfig):
    name = "solnet.democracy"
    label = "democracy"
    verbose_name = _("Decisions")

    def ready(self) -> None:
        from solnet.core import twoperson
        from solnet.core.navigation import NavEntry, register
        from solnet.democracy import (
            access,
            notices,
            second_person,  # noqa: F401 - registers its two-person action
        )

        twoperson.add_listener(notices.announce_approved)
        from solnet.democracy import fight_moves
        from solnet.fights.services import add_move_listener

        add_move_listener(fight_moves.put_take_on_to_the_meeting)
        from solnet.democracy import founding
        from solnet.network.services import add_founding_listener

        add_founding_listener(founding.set_up_general_meeting)

        register(
            NavEntry(
                "decisions",
                _("Decisions"),
                "democracy:index",
                access.can_see_democracy,
                12,
                daily=True,
            )
        )

        from solnet.democracy import start

        start.register_lists()  # its lists on the start page
