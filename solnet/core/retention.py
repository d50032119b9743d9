"""The retention purge: every record class loses what has outlived its declared period."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction

from solnet.core import audit
from solnet.core.data import KEEP, policy_of, purge_model


def purge_expired() -> dict[str, int]:
    """Applies every model's retention rule; returns rows purged or stripped per model."""
    results: dict[str, int] = {}
    for model in apps.get_models():
        policy = policy_of(model)
        if policy is None or policy.retention.action == KEEP:
            continue
        with transaction.atomic():
            count = purge_model(model, policy)
        if count:
            results[model._meta.label] = count
    if results:
        with transaction.atomic():
            audit.record("retention.purged", **{k.replace(".", "_"): v for k, v in results.items()})
    return results
