import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction: the delivery log is big

    dependencies = [
        ("automation", "0011_script_module_plugin"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="job",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="automation.job",
            ),
        ),
        AddIndexConcurrently(
            model_name="webhookdelivery",
            index=models.Index(fields=["job"], name="automation_delivery_job"),
        ),
    ]
