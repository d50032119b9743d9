"""Evidence uploaded before: its sealed file's row kept the start of the label in clear as the
file's name. It takes a random name now, like new evidence (`evidence.stored_name`)."""

import secrets

from django.db import migrations


def random_names(apps, schema_editor):
    SealedFile = apps.get_model("core", "SealedFile")
    files = SealedFile.objects.filter(purpose="fights.evidence").only("pk", "filename")
    for file in files:
        extension = file.filename.rsplit(".", 1)[-1] if "." in file.filename else "bin"
        SealedFile.objects.filter(pk=file.pk).update(
            filename=f"evidence-{secrets.token_hex(8)}.{extension}"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_sealed_file_name"),
        ("fights", "0004_demand_language"),
    ]

    operations = [migrations.RunPython(random_names, migrations.RunPython.noop)]
