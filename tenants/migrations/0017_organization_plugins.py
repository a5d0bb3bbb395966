import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0016_organization_and_spare_database_server"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="plugins",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=50),
                blank=True,
                default=list,
                help_text="The installed plugins this organization has enabled.",
                size=None,
                verbose_name="plugins",
            ),
        ),
    ]
