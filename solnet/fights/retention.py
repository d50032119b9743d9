"""Retention rules of the fights app that depend on the network's own settings."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from solnet.fights.models import OPEN_LEAD_STATUSES, Lead, LeadStatus
from solnet.network.models import Network


def strip_stale_leads(cutoff) -> int:
    """Leads untouched for the days the network chose (never more than the policy's period,
    `cutoff`) lose their name, contact and story; how they came in stays."""
    days = Network.objects.current().lead_retention_days
    own_cutoff = max(cutoff, timezone.now() - timedelta(days=days))
    return strip_leads(
        Lead.objects.filter(updated_at__lt=own_cutoff, stripped_at__isnull=True).exclude(
            status__in=[LeadStatus.TAKEN]
        )
    )


def strip_leads(leads) -> int:
    """Removes the personal data of these leads. An open one is closed as dropped."""
    now = timezone.now()
    leads.filter(status__in=OPEN_LEAD_STATUSES).update(status=LeadStatus.DROPPED)
    return leads.update(
        display_name="", contact=None, story=None, callback_owner=None, stripped_at=now
    )


def purge_closed_fight_evidence(cutoff) -> int:
    """Evidence of fights closed longer ago than the network keeps it (never longer than the
    policy's period, `cutoff`) goes: row, key and bytes."""
    from solnet.core.sealed import delete_sealed_file
    from solnet.fights.models import Evidence

    days = Network.objects.current().evidence_days_after_close
    own_cutoff = max(cutoff, timezone.now() - timedelta(days=days))
    gone = 0
    for evidence in Evidence.objects.filter(fight__closed_at__lt=own_cutoff).select_related("file"):
        sealed = evidence.file
        evidence.delete()
        delete_sealed_file(sealed)
        gone += 1
    return gone
