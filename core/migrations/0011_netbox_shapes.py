from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0010_netbox_import")]

    operations = [
        migrations.AddField(
            model_name="customfieldchoiceset",
            name="choice_colors",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The color of each choice, by its value (blue, indigo, purple, pink, red, ...)",
                verbose_name="choice colors",
            ),
        ),
        migrations.AddField(
            model_name="customfield",
            name="nulls_first",
            field=models.BooleanField(
                default=True,
                help_text="Sort null values before non-null values when ordering by this field",
                verbose_name="nulls first",
            ),
        ),
        migrations.AddField(
            model_name="customfield",
            name="status",
            field=models.CharField(
                choices=[("active", "Active"), ("provisioning", "Provisioning"), ("deleting", "Deleting")],
                default="active",
                editable=False,
                max_length=50,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="customfield",
            name="validation_schema",
            field=models.JSONField(
                blank=True,
                help_text="A JSON schema definition for validating the custom field value",
                null=True,
                verbose_name="validation schema",
            ),
        ),
    ]
