from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction: the interface table is big

    dependencies = [
        ("inventory", "0014_wireless"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="interface",
            index=models.Index(fields=["wireless_link"], name="inventory_if_wireless_link"),
        ),
    ]
