from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "solnet.core"
    label = "core"
    verbose_name = "Core machinery"

    def ready(self) -> None:
        from solnet.core import checks  # noqa: F401 - registers the system checks
        from solnet.core.data import register_library_policies
        from solnet.core.library_data import LIBRARY_POLICIES

        register_library_policies(LIBRARY_POLICIES)
        from solnet.core.navigation import NavEntry, register

        register(
            NavEntry(
                "approvals",
                _("Approvals"),
                "core:approvals",
                lambda m: m.is_active and getattr(m, "is_approved", False),
                order=70,
            )
        )
