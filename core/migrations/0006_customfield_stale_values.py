"""Drop the values objects still hold of custom fields their type no longer has.

Until custom field changes rewrote stored values, the values of a deleted field (or of an object
type a field was taken from) stayed in the objects' rows until each was next written. Changes now
rewrite the values at once, and a write keeps what it does not know (a background rename may be
moving it), so the leftovers are dropped here, once: one read of the keys per table, and one
UPDATE of the rows holding leftovers. Nothing to do in an organization without custom fields.
"""

from django.db import migrations


def stale_values_drop(apps, schema_editor):
    CustomField = apps.get_model("core", "CustomField")
    ContentType = apps.get_model("contenttypes", "ContentType")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    defined: dict[int, set[str]] = {}
    for name, type_id in CustomField.objects.values_list("name", "object_types"):
        if type_id is not None:
            defined.setdefault(type_id, set()).add(name)
    # Our models keep Django's table names, <app label>_<model>: the table's content type by its name.
    types = {f"{row.app_label}_{row.model}": row.pk for row in ContentType.objects.all()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'custom_field_data'"
        )
        tables = sorted(row[0] for row in cursor.fetchall() if row[0] in types)
        for table in tables:
            known = defined.get(types[table], set())
            cursor.execute(
                f"SELECT DISTINCT jsonb_object_keys(custom_field_data) FROM {quote(table)} "  # noqa: S608
                "WHERE jsonb_typeof(custom_field_data) = 'object'"
            )
            stale = sorted({row[0] for row in cursor.fetchall()} - known)
            if stale:
                cursor.execute(
                    f"UPDATE {quote(table)} SET custom_field_data = custom_field_data - %s::text[] "  # noqa: S608
                    "WHERE custom_field_data ?| %s::text[]",
                    [stale, stale],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_objectchange_token_created_by"),
    ]

    operations = [migrations.RunPython(stale_values_drop, migrations.RunPython.noop)]
