import django.db.models.functions.text
from django.db import migrations, models

NAME_MAX_LENGTH = 200


def rename_duplicates(apps, schema_editor):
    """Stores that already share a name (ignoring case) within a client keep it on the oldest;
    each later one becomes "Name (2)", "Name (3)"…, as connecting does from now on."""
    Store = apps.get_model("storefronts", "Store")
    taken = {}
    for store in Store.objects.order_by("client_id", "id"):
        names = taken.setdefault(store.client_id, set())
        name, number = store.name, 1
        while name.lower() in names:
            number += 1
            suffix = f" ({number})"
            name = store.name[: NAME_MAX_LENGTH - len(suffix)] + suffix
        names.add(name.lower())
        if name != store.name:
            Store.objects.filter(pk=store.pk).update(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("connect", "0002_initial"),
        ("storefronts", "0004_store_webhooks"),
    ]

    operations = [
        migrations.RunPython(rename_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="store",
            constraint=models.UniqueConstraint(
                models.F("client"),
                django.db.models.functions.text.Lower("name"),
                name="store_unique_name_per_client",
            ),
        ),
    ]
