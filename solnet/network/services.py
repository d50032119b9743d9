"""Changes to the network's own settings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from solnet.core import audit
from solnet.network import access
from solnet.network.models import Network


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
) -> Network:
    """Names the network (the founder, once) or changes its settings (the organizing team)."""
    network = Network.objects.select_for_update().get(pk=Network.objects.current().pk)
    if not access.can_configure(by, network):
        raise PermissionDenied
    founding = network.founded_at is None
    network.name = name
    network.city_region = city_region
    network.languages = languages
    network.default_language = default_language
    network.approvals_to_join = approvals_to_join
    network.second_factor_for_all = second_factor_for_all
    if support_scale is not None:
        network.support_scale = support_scale
    if lead_retention_days is not None:
        network.lead_retention_days = lead_retention_days
    if subject_decisions is not None:
        network.subject_decisions = sorted(set(subject_decisions))
    if minimal_notices is not None:
        network.minimal_notices = minimal_notices
    if founding:
        # The founder sets these once; later only a decision may (they guard decisions).
        if waiting_days is not None:
            network.waiting_days = waiting_days
        if founding_size is not None:
            network.founding_size = founding_size
        network.founded_at = timezone.now()
    network.full_clean()
    network.save()
    audit.record(
        "network.founded" if founding else "network.configured",
        actor=by,
        target="network.network:1",
        approvals_to_join=approvals_to_join,
        second_factor_for_all=second_factor_for_all,
    )
    return network
