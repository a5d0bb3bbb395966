"""New indexes on big tables are built concurrently (tests/test_architecture.py requires it): in an
organization's schema too, where no transaction-local search_path can reach the statement."""

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import NotSupportedError, connection, models
from django.db.migrations.state import ProjectState

from inventory.models import Site
from tenants.context import tenant_context
from tests.tenants.test_schema_switching import session_search_path

INDEX = models.Index(fields=["description"], name="inventory_site_concurrent_probe")


def schemas_with_index(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname FROM pg_indexes WHERE indexname = %s ORDER BY 1", [name])
        return [row[0] for row in cursor.fetchall()]


def run(operation, organization, state):
    """Apply `operation` as the migrate command does in a non-atomic migration: in autocommit."""
    new_state = state.clone()
    operation.state_forwards("inventory", new_state)
    statements = []
    with (
        tenant_context(organization),
        connection.observe_statements(lambda kind, sql: statements.append(kind)),
        connection.schema_editor(atomic=False) as editor,
    ):
        operation.database_forwards("inventory", editor, state, new_state)
    return new_state, statements


def test_an_index_is_built_and_dropped_concurrently_in_the_organizations_schema(committed):
    # given two organizations
    acme, other = committed.organization("concurrent-a"), committed.organization("concurrent-b")
    state = ProjectState.from_apps(Site._meta.apps)

    # when a non-atomic migration adds an index concurrently in one of them
    state, statements = run(AddIndexConcurrently("site", INDEX), acme, state)

    # then the index is in that organization's schema only, built outside any transaction, and
    # no search_path was left on the connection
    assert schemas_with_index(INDEX.name) == [acme.schema_name]
    assert statements == ["query"]
    assert session_search_path() == "public"

    # when it is removed concurrently
    run(RemoveIndexConcurrently("site", INDEX.name), acme, state)

    # then it is gone, and the other organization never had it
    assert schemas_with_index(INDEX.name) == []
    assert other.schema_name not in schemas_with_index(INDEX.name)


def test_a_concurrent_statement_that_does_not_name_its_schema_is_refused(committed):
    organization = committed.organization("concurrent-raw")

    with (
        tenant_context(organization),
        connection.cursor() as cursor,
        pytest.raises(NotSupportedError, match="must name the schema"),
    ):
        cursor.execute(f"CREATE INDEX CONCURRENTLY {INDEX.name} ON inventory_site (description)")

    assert schemas_with_index(INDEX.name) == []
