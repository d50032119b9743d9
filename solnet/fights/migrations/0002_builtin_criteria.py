import secrets

from django.db import migrations

KEYS = [
    ("concrete_demand", True),
    ("target_can_grant", True),
    ("subject_commitment", True),
    ("sympathy", False),
    ("evidence", False),
    ("leverage", False),
    ("cost_vs_pressure", False),
    ("capacity", False),
    ("duration", False),
    ("risk", False),
    ("strategic_value", False),
]


def seed(apps, schema_editor):
    Criterion = apps.get_model("fights", "WinnabilityCriterion")
    for order, (key, must_have) in enumerate(KEYS):
        Criterion.objects.get_or_create(
            builtin=key,
            defaults={
                "must_have": must_have,
                "order": order * 10,
                "public_id": secrets.token_urlsafe(12),
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("fights", "WinnabilityCriterion").objects.filter(builtin__gt="").delete()


class Migration(migrations.Migration):
    dependencies = [("fights", "0001_fights")]

    operations = [migrations.RunPython(seed, unseed)]
