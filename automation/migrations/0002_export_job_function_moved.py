"""The organization export moved from core.export to automation.export: jobs recorded before the
move name the old path; point them at the new one so they stay listed and runnable."""

from django.db import migrations

OLD = "core.export.organization_export"
NEW = "automation.export.organization_export"


def forward(apps, schema_editor):
    apps.get_model("automation", "Job").objects.filter(function=OLD).update(function=NEW)


def backward(apps, schema_editor):
    apps.get_model("automation", "Job").objects.filter(function=NEW).update(function=OLD)


class Migration(migrations.Migration):
    dependencies = [("automation", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
