"""Changes to the network's own settings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solnet.core import audit, phones
from solnet.network import access, places
from solnet.network.models import Network

# Apps above this one that set themselves up when the network is founded (democracy makes the
# general meeting with the rules the founder chose): listener(network=, general_meeting=).
_FOUNDING_LISTENERS: list = []


def add_founding_listener(listener) -> None:
    if listener not in _FOUNDING_LISTENERS:
        _FOUNDING_LISTENERS.append(listener)


@transaction.atomic
def configure_network(
    *,
    by,
    name: str,
    city_region: str,
    languages: list[str],
    default_language: str,
    approvals_to_join: int,
    second_factor_for_all: bool,
    support_scale: list[str] | None = None,
    lead_retention_days: int | None = None,
    subject_decisions: list[str] | None = None,
    minimal_notices: bool | None = None,
    waiting_days: int | None = None,
    founding_size: int | None = None,
    team_decisions: list[str] | None = None,
    country: str | None = None,
    currency: str | None = None,
    public_forms_per_hour: int | None = None,
    backup_days: int | None = None,
    gm_quorum_percent: int | None = None,
    gm_quorum_minimum: int | None = None,
    gm_notice_hours: int | None = None,
    organizes: str | None = None,
) -> Network:
    """Names the network (the founder, once) or changes its settings (the organizing team)."""
    network = Network.objects.select_for_update().get(pk=Network.objects.current().pk)
    if not access.can_configure(by, network):
        raise PermissionDenied
    founding = network.founded_at is None
    network.name = name
    network.city_region = city_region
    if organizes is not None:
        network.organizes = organizes
    network.languages = languages
    network.default_language = default_language
    if country is not None:
        if not places.is_country(country):
            raise ValidationError({"country": _("Choose a country from the list.")})
        network.country = country
    if currency is not None:
        if not places.is_currency(currency):
            raise ValidationError({"currency": _("Choose a currency from the list.")})
        network.currency = currency
    if public_forms_per_hour is not None:
        network.public_forms_per_hour = public_forms_per_hour
    network.approvals_to_join = approvals_to_join
    network.second_factor_for_all = second_factor_for_all
    if support_scale is not None:
        network.support_scale = support_scale
    if lead_retention_days is not None:
        network.lead_retention_days = lead_retention_days
    if backup_days is not None:
        network.backup_days = backup_days
    if minimal_notices is not None:
        network.minimal_notices = minimal_notices
    if founding:
        # The founder sets these once; later only a decision may (they guard decisions, and
        # say which moves need the meeting's vote).
        if waiting_days is not None:
            network.waiting_days = waiting_days
        if founding_size is not None:
            network.founding_size = founding_size
        if subject_decisions is not None:
            network.subject_decisions = sorted(set(subject_decisions))
        if team_decisions is not None:
            network.team_decisions = sorted(set(team_decisions))
        network.founded_at = timezone.now()
        rules = {
            "quorum_percent": gm_quorum_percent,
            "quorum_minimum": gm_quorum_minimum,
            "notice_hours": gm_notice_hours,
        }
        for listener in _FOUNDING_LISTENERS:
            listener(
                network=network, general_meeting={k: v for k, v in rules.items() if v is not None}
            )
    network.full_clean()
    network.save()
    # This process reads new numbers in the new country at once; others within a minute.
    transaction.on_commit(phones.forget_region)
    audit.record(
        "network.founded" if founding else "network.configured",
        actor=by,
        target="network.network:1",
        approvals_to_join=approvals_to_join,
        second_factor_for_all=second_factor_for_all,
    )
    return network
