"""What PostgreSQL's catalog says about one schema, comparable between schemas.

Two schemas built different ways (migrated one by one, migrated by a replayed plan, built from
the snapshot) must end up identical: same tables, columns, defaults, constraints, indexes,
sequences, comments, migration rows and content types. The schema's own name is replaced by
`<schema>` so that two schemas compare equal.
"""

import re

from django.db import connection

_QUERIES = {
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence, c.reloptions, obj_description(c.oid, 'pg_class')
        FROM pg_class c WHERE c.relnamespace = %(oid)s ORDER BY c.relname
    """,
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
               a.attgenerated, pg_get_expr(d.adbin, d.adrelid), co.collname, col_description(c.oid, a.attnum),
               rank() OVER (PARTITION BY c.oid ORDER BY a.attnum)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
        WHERE c.relnamespace = %(oid)s AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
    """,
    "constraints": """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable, k.condeferred
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        WHERE k.connamespace = %(oid)s ORDER BY c.relname, k.conname
    """,
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(name)s ORDER BY indexname
    """,
    "sequences": """
        SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by, cycle, cache_size,
               last_value
        FROM pg_sequences WHERE schemaname = %(name)s ORDER BY sequencename
    """,
    "triggers": """
        SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %(oid)s AND NOT t.tgisinternal ORDER BY 1, 2
    """,
    "other_objects": """
        SELECT classid::regclass::text, count(*) FROM pg_depend
        WHERE refclassid = 'pg_namespace'::regclass AND refobjid = %(oid)s AND classid <> 'pg_class'::regclass
        GROUP BY 1 ORDER BY 1
    """,
}


def schema_catalog(schema_name: str) -> dict[str, list]:
    catalog: dict[str, list] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema_name])
        oid = cursor.fetchone()[0]
        for name, query in _QUERIES.items():
            cursor.execute(query, {"oid": oid, "name": schema_name})
            catalog[name] = [_normalized(row, schema_name) for row in cursor.fetchall()]
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations ORDER BY app, name')
        catalog["migrations"] = cursor.fetchall()
        cursor.execute(f'SELECT id, app_label, model FROM "{schema_name}".django_content_type ORDER BY id')
        catalog["content_types"] = cursor.fetchall()
    return catalog


def catalog_differences(left: dict[str, list], right: dict[str, list]) -> dict[str, tuple[list, list]]:
    """What each catalog has that the other lacks, per kind of object (empty when identical)."""
    differences = {}
    for kind in left:
        if left[kind] == right[kind]:  # the usual case, in one pass (each row looked up in the other is quadratic)
            continue
        only_left = [row for row in left[kind] if row not in right[kind]]
        only_right = [row for row in right[kind] if row not in left[kind]]
        if only_left or only_right or left[kind] != right[kind]:
            differences[kind] = (only_left[:10], only_right[:10])
    return differences


def _normalized(row, schema_name):
    pattern = re.compile(rf"(?<![\w$]){re.escape(schema_name)}(?![\w$])")
    return tuple(pattern.sub("<schema>", value) if isinstance(value, str) else value for value in row)
