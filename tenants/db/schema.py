"""The schema editor of organization schemas: concurrent index changes name their schema, and
every statement it sends can be observed (`DatabaseWrapper.observe_schema_statements`: how
`tenants.migration_plan` records a migration's SQL once to replay it in other schemas).

PostgreSQL runs `CREATE INDEX CONCURRENTLY` and `DROP INDEX CONCURRENTLY` (Django's
`AddIndexConcurrently`, `RemoveIndexConcurrently`) only outside a transaction block, where no
transaction-local `search_path` (tenants.db) can choose the schema. So these statements name the
schema of the connection themselves, and the backend sends them as they are.
"""

from django.db.backends.ddl_references import Table
from django.db.backends.postgresql.schema import DatabaseSchemaEditor


class TableInSchema(Table):
    """A table reference rendered with its schema: `"org_acme"."inventory_site"`."""

    def __init__(self, schema: str, table: str, quote_name):
        super().__init__(table, quote_name)
        self.schema = schema

    def __str__(self):
        return f"{self.quote_name(self.schema)}.{self.quote_name(self.table)}"


class SchemaEditor(DatabaseSchemaEditor):
    # django-stubs leaves out the private methods overridden here and tenants.db's `schema_name`.

    def execute(self, sql, params=()):
        if params is not None:  # merged here as Django's PostgreSQL editor would, so observers see what is sent
            sql, params = self.connection.ops.compose_sql(str(sql), params), None
        if not self.collect_sql:
            for observer in self.connection.schema_statement_observers:  # type: ignore[attr-defined]
                observer(str(sql))
        return super().execute(sql, params)

    def _schema(self) -> str:
        return self.connection.schema_name  # type: ignore[attr-defined]

    def _create_index_sql(self, model, *, concurrently=False, **kwargs):
        statement = super()._create_index_sql(model, concurrently=concurrently, **kwargs)  # type: ignore[misc]
        if concurrently:
            statement.parts["table"] = TableInSchema(self._schema(), model._meta.db_table, self.quote_name)
        return statement

    def _delete_index_sql(self, model, name, sql=None, concurrently=False):
        statement = super()._delete_index_sql(model, name, sql=sql, concurrently=concurrently)  # type: ignore[misc]
        if concurrently:
            statement.parts["name"] = f"{self.quote_name(self._schema())}.{self.quote_name(name)}"
        return statement
