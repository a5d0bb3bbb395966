from django.conf import settings
from django.db import migrations, models


def from_deployment_setting(apps, schema_editor):
    """Organizations keep what the deployment enforced before the setting was theirs."""
    if not getattr(settings, "WIREBOOK_ENFORCE_GLOBAL_UNIQUE", True):
        apps.get_model("tenants", "Organization").objects.update(enforce_global_unique=False)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0014_audit_restore_requested"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="enforce_global_unique",
            field=models.BooleanField(
                default=True,
                help_text="Prefixes and IP addresses outside any VRF (the global table) may not repeat.",
                verbose_name="enforce global uniqueness",
            ),
        ),
        migrations.RunPython(from_deployment_setting, migrations.RunPython.noop),
    ]
