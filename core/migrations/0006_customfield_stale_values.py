"""Drop the values objects still hold of custom fields their type no longer has.

Until custom field changes rewrote stored values, the values of a deleted field (or of an object
type a field was taken from) stayed in the objects' rows until each was next written. Changes now
rewrite the values at once, and a write keeps what it does not know (a background rename may be
moving it), so the leftovers are dropped here, once: per table holding custom field data, one read
of the names its rows hold that no field of its type defines, and one UPDATE of the rows holding
any. SQL only, so `manage.py migrate` replays it in every organization (a table's content type is
found by Django's table name, <app label>_<model>, which every model of ours keeps).
"""

from django.db import migrations

STALE_VALUES_DROP = """
DO $drop_stale_values$
DECLARE
    target record;
    stale text[];
BEGIN
    FOR target IN
        SELECT columns.table_name, types.id AS type_id
        FROM information_schema.columns AS columns
        JOIN django_content_type AS types ON columns.table_name = types.app_label || '_' || types.model
        WHERE columns.table_schema = current_schema() AND columns.column_name = 'custom_field_data'
    LOOP
        EXECUTE format(
            'SELECT array_agg(DISTINCT stored.key) FROM %I AS objects, '
            'jsonb_object_keys(CASE WHEN jsonb_typeof(objects.custom_field_data) = ''object'' '
            'THEN objects.custom_field_data ELSE ''{}''::jsonb END) AS stored(key) '
            'WHERE stored.key NOT IN (SELECT field.name FROM core_customfield AS field '
            'JOIN core_customfield_object_types AS assigned ON assigned.customfield_id = field.id '
            'WHERE assigned.contenttype_id = $1)',
            target.table_name
        ) INTO stale USING target.type_id;
        IF stale IS NOT NULL THEN
            EXECUTE format(
                'UPDATE %I SET custom_field_data = custom_field_data - $1 WHERE custom_field_data ?| $1',
                target.table_name
            ) USING stale;
        END IF;
    END LOOP;
END
$drop_stale_values$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_objectchange_token_created_by"),
    ]

    operations = [migrations.RunSQL(STALE_VALUES_DROP, migrations.RunSQL.noop)]
