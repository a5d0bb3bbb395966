import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0016_virtual_machine_type")]

    operations = [
        migrations.CreateModel(
            name="PortTemplateMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "front_port_position",
                    models.PositiveSmallIntegerField(
                        default=1,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(1024),
                        ],
                        verbose_name="front port position",
                    ),
                ),
                (
                    "rear_port_position",
                    models.PositiveSmallIntegerField(
                        default=1,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(1024),
                        ],
                        verbose_name="rear port position",
                    ),
                ),
                (
                    "front_port",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mappings",
                        to="inventory.frontporttemplate",
                        verbose_name="front port template",
                    ),
                ),
                (
                    "rear_port",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mappings",
                        to="inventory.rearporttemplate",
                        verbose_name="rear port template",
                    ),
                ),
            ],
            options={
                "verbose_name": "port template mapping",
                "verbose_name_plural": "port template mappings",
                "ordering": ["front_port", "front_port_position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("front_port", "front_port_position"),
                        name="inventory_porttemplatemapping_unique_front_port_position",
                    ),
                    models.UniqueConstraint(
                        fields=("rear_port", "rear_port_position"),
                        name="inventory_porttemplatemapping_unique_rear_port_position",
                    ),
                ],
            },
        ),
    ]
