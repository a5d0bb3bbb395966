from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0010_job_log_entries"),
    ]

    operations = [
        migrations.AddField(
            model_name="scriptmodule",
            name="plugin",
            field=models.CharField(blank=True, default="", editable=False, max_length=50, verbose_name="plugin"),
        ),
    ]
