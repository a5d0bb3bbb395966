"""The table list Django's migrate asks for, found from the schemas on the search path."""

import pytest
from django.db import connection
from django.db.backends.postgresql.introspection import DatabaseIntrospection

from tenants.context import public_context, schema_context
from tenants.db.introspection import SchemaScopedIntrospection


def both_lists():
    with connection.cursor() as cursor:
        scoped = SchemaScopedIntrospection(connection).get_table_list(cursor)
        django = DatabaseIntrospection(connection).get_table_list(cursor)
    return sorted(scoped), sorted(django)


@pytest.mark.parametrize("include_public", [True, False])
def test_an_organization_schema_lists_what_djangos_query_lists(org_a, include_public):
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE VIEW "{org_a.organization.schema_name}".a_view AS SELECT 1 AS one')
        cursor.execute("CREATE TEMPORARY TABLE a_temporary_table (x int)")
    with schema_context(org_a.organization.schema_name, include_public=include_public):
        scoped, django = both_lists()

    assert scoped == django
    names = {table.name for table in scoped}
    assert {"automation_job", "django_migrations", "a_view", "a_temporary_table"} <= names
    assert ("saas_platform_user" in names) is include_public
    assert ("a_view", "v", None) in {(t.name, t.type, t.comment) for t in scoped}


def test_the_public_schema_lists_what_djangos_query_lists(org_a):
    with public_context():
        scoped, django = both_lists()

    assert scoped == django
    assert "tenants_organization" in {table.name for table in scoped}
    assert "automation_job" not in {table.name for table in scoped}


def test_the_list_is_found_through_an_index_not_by_reading_every_relation(org_a):
    scoped = _plan(SchemaScopedIntrospection)

    # each dependency on a schema of the search path, then each of those relations by its oid...
    assert "pg_depend_reference_index" in scoped
    assert "pg_class_oid_index" in scoped
    # ...where Django reads all of pg_class (by a scan, or the whole of an index led by the name)
    assert "Seq Scan on pg_class" not in scoped
    assert "pg_class_relname_nsp_index" not in scoped
    assert "pg_class_relname_nsp_index" in _plan(DatabaseIntrospection)


def test_migrate_uses_the_scoped_list():
    assert isinstance(connection.introspection, SchemaScopedIntrospection)


def _plan(introspection_class):
    """The query plan of the class's table list, as the planner chooses once pg_class is big."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + _table_list_sql(introspection_class))
        return "\n".join(row[0] for row in cursor.fetchall())


def _table_list_sql(introspection_class):
    seen = []

    class Recording:
        def execute(self, sql, params=None):
            seen.append(sql)

        def fetchall(self):
            return []

    introspection_class(connection).get_table_list(Recording())
    return seen[0]
