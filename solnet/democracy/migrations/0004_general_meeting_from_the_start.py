from django.db import migrations


def make_general_meeting(apps, schema_editor):
    """The general meeting exists from the start, so a new network can call its first
    meeting before it has any fight."""
    Body = apps.get_model("democracy", "Body")
    if not Body.objects.filter(kind="general").exists():
        Body.objects.create(kind="general")


class Migration(migrations.Migration):
    dependencies = [("democracy", "0003_fight_rules")]

    operations = [migrations.RunPython(make_general_meeting, migrations.RunPython.noop)]
