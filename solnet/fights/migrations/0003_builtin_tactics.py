import secrets

from django.db import migrations

# key, tier, kind, fewest, ideal, risk, research needed (DOMAIN.md §4)
TACTICS = [
    ("delivery", "T0", "reputational", 20, 40, "low", ""),
    ("voicemail", "T0", "reputational", 2, 10, "low", ""),
    ("posters", "T1", "reputational", 2, 10, "low", ""),
    ("call_in", "T1", "nuisance", 5, 30, "low", ""),
    ("story", "T1", "reputational", 1, 3, "low", ""),
    ("picket", "T2", "economic", 10, 30, "medium", ""),
    ("dont_shop", "T2", "economic", 10, 30, "medium", ""),
    ("third_party", "T3", "third_party", 2, 20, "low", "partners, suppliers, funders"),
    ("home_flyering", "T4", "reputational", 10, 40, "medium", "home address"),
    ("peak_picket", "T5", "economic", 20, 40, "medium", ""),
    ("regulator", "side", "legal", 1, 3, "low", ""),
]


def seed(apps, schema_editor):
    Tactic = apps.get_model("fights", "Tactic")
    for key, tier, kind, fewest, ideal, risk, research in TACTICS:
        Tactic.objects.get_or_create(
            builtin=key,
            defaults={
                "public_id": secrets.token_urlsafe(12),
                "tier": tier,
                "kind": kind,
                "min_turnout": fewest,
                "ideal_turnout": ideal,
                "risk": risk,
                "needs_research": research,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("fights", "Tactic").objects.filter(builtin__gt="").delete()


class Migration(migrations.Migration):
    dependencies = [("fights", "0002_builtin_criteria")]

    operations = [migrations.RunPython(seed, unseed)]
