from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_kept_sealed_files'),
    ]

    operations = [
        migrations.AlterField(
            model_name='sealedfile',
            name='filename',
            field=models.CharField(help_text="Name offered at download of an export; a random name for a fight's evidence, whose download is named after its encrypted label. Says nothing about anyone", max_length=120),
        ),
    ]
