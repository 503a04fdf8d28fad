from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sandbox", "0010_rate_limits_off"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="test",
            field=models.BooleanField(default=False),
        ),
    ]
