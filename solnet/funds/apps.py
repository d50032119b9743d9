from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "solnet.funds"
    label = "funds"
    verbose_name = _("Funds")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from solnet.core.navigation import NavEntry, register
        from solnet.funds import access, dues, guard, services

        connection_created.connect(guard.on_connection, dispatch_uid="funds.ledger_guard")
        services.register()
        dues.register()
        register(NavEntry("funds", _("Funds"), "funds:home", access.can_see_funds, 55))

        from solnet.funds import journal_exports

        journal_exports.register()

        from solnet.funds import aid, aid_payments

        aid.register()
        aid_payments.register()

        from solnet.funds import statement_tasks, supplies  # noqa: F401  (the worker's tasks)

        supplies.register()  # the supplies panel beside an action's turnout count
