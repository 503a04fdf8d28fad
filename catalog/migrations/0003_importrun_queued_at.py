import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def from_created_at(apps, schema_editor):
    """Runs made before this field went to the worker when they were uploaded."""
    apps.get_model("catalog", "ImportRun").objects.update(queued_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_sync_progress"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(from_created_at, migrations.RunPython.noop),
    ]
