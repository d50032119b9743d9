"""System checks: every stored field has a sensitivity class, contact and sensitive fields are
encrypted, and every record class declares its retention."""

from __future__ import annotations

from django.apps import apps
from django.core import checks

from solnet.core.crypto import BlindIndexField, EncryptedTextField
from solnet.core.data import Sensitivity, policy_of


@checks.register(checks.Tags.models)
def check_data_policies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.auto_created:
            # A many-to-many link table: classified by the field that made it.
            continue
        label = model._meta.label
        policy = policy_of(model)
        if policy is None:
            errors.append(
                checks.Error(
                    f"{label} declares no data_policy (sensitivity and retention)",
                    hint="Add data_policy = DataPolicy(...) to the model, or an entry in "
                    "solnet/core/library_data.py for a library's model.",
                    obj=model,
                    id="solnet.E001",
                )
            )
            continue
        names = {f.name for f in model._meta.concrete_fields}
        names |= {f.name for f in model._meta.local_many_to_many}
        for name in sorted(names - policy.sensitivity.keys()):
            errors.append(
                checks.Error(
                    f"{label}.{name} has no sensitivity class",
                    hint=f"Classify it as one of {', '.join(Sensitivity.ALL)}.",
                    obj=model,
                    id="solnet.E002",
                )
            )
        for name in sorted(policy.sensitivity.keys() - names):
            errors.append(
                checks.Error(
                    f"{label} classifies {name}, which is not one of its fields",
                    obj=model,
                    id="solnet.E003",
                )
            )
        for name, klass in policy.sensitivity.items():
            if klass not in Sensitivity.ALL:
                errors.append(
                    checks.Error(
                        f"{label}.{name} has the unknown sensitivity class {klass!r}",
                        obj=model,
                        id="solnet.E004",
                    )
                )
            if klass in Sensitivity.MUST_BE_ENCRYPTED and name in names and not policy.unused:
                field = model._meta.get_field(name)
                if not isinstance(field, EncryptedTextField | BlindIndexField):
                    errors.append(
                        checks.Error(
                            f"{label}.{name} is {klass} but stored in clear",
                            hint="Use EncryptedTextField (and a BlindIndexField for lookups).",
                            obj=model,
                            id="solnet.E005",
                        )
                    )
    return errors
