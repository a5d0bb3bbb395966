from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_userpreference"),
    ]

    operations = [
        migrations.AddField(
            model_name="objectchange",
            name="token_created_by",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=254, verbose_name="token created by"
            ),
            preserve_default=False,
        ),
    ]
