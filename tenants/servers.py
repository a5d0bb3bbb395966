"""More than one database server: a directory of PostgreSQL servers keyed by organization.

Each organization records the server holding its schema (`Organization.database`, an alias of
settings.DATABASES). "default" is the server of the public schema -- organizations, users, billing,
tokens -- and, with no WIREBOOK_DATABASE_SERVERS, of every organization's schema as well. The
others are named by WIREBOOK_DATABASE_SERVERS; new organizations go to
WIREBOOK_NEW_ORGANIZATIONS_SERVER.

`tenants.context.tenant_context` makes the organization's server the thread's default connection
for the block; `OrganizationServerRouter` sends the models of the public schema's apps to the public
server meanwhile. `manage.py organization_move` moves an organization to another server.
"""

import functools

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

from tenants.context import PUBLIC_SERVER, server_swapped
from tenants.db.base import PUBLIC_SCHEMA


def servers() -> list[str]:
    """Every server organizations' schemas may live on, the public one first."""
    return [DEFAULT_DB_ALIAS, *(alias for alias in settings.DATABASES if alias != DEFAULT_DB_ALIAS)]


def server_check(alias: str) -> str:
    if alias not in settings.DATABASES:
        raise ImproperlyConfigured(
            f"No database server {alias!r}: the servers are {', '.join(servers())} (WIREBOOK_DATABASE_SERVERS)."
        )
    return alias


def new_organizations_server() -> str:
    return server_check(settings.WIREBOOK_NEW_ORGANIZATIONS_SERVER)


@functools.cache
def _public_only_apps() -> frozenset[str]:
    tenant_labels = {name.rsplit(".", 1)[-1] for name in settings.TENANT_APPS}
    return frozenset(
        config.label
        for config in apps.get_app_configs()
        if config.name in settings.SHARED_APPS and config.label not in tenant_labels
    )


class OrganizationServerRouter:
    """While an organization on another server is selected (tenants.context), the public schema's
    models -- those of apps in SHARED_APPS only -- are read and written on the public server. Says
    nothing otherwise: with one server every query goes to the default connection, as before."""

    def _route(self, model, **hints):
        if not server_swapped():
            return None
        return PUBLIC_SERVER if model._meta.app_label in _public_only_apps() else None

    db_for_read = _route
    db_for_write = _route

    def allow_relation(self, obj1, obj2, **hints):
        # An organization's rows and the public rows they name (read through the public server's
        # alias) belong together, whatever alias each was read under.
        return True if server_swapped() else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """An organization schema on another server migrates its apps as on the public server
        (django-tenants' router admits the default alias only)."""
        if db in (DEFAULT_DB_ALIAS, PUBLIC_SERVER):
            return None
        connection = connections[db]
        if getattr(connection, "schema_name", PUBLIC_SCHEMA) == PUBLIC_SCHEMA:
            return False  # the public schema lives on the public server only
        return app_label in {name.rsplit(".", 1)[-1] for name in settings.TENANT_APPS}


class MoveRefused(Exception):
    """The organization cannot be moved as asked; the message says why."""


def organization_move(organization, target: str, *, progress=None) -> dict:
    """Move `organization`'s schema to the server `target`: a copy of the schema (its tables, rows,
    identity positions, constraints and indexes: `tenants.schemas.snapshot_take`) replayed there in
    one transaction, then the organization switched to it, then the old schema dropped.

    The organization's tables are locked against writes (reads go on) from before the copy until its
    old schema is gone: a write waits for the move, then fails (its schema no longer exists there) and
    the next request reaches the new server. Returns the copy's size and the servers."""
    from django.db import connection, transaction

    from tenants.context import public_context, server_context
    from tenants.schemas import quote, schema_drop, schema_exists, snapshot_take

    say = progress or (lambda message: None)
    server_check(target)
    source = organization.database
    if source == target:
        raise MoveRefused(f"{organization.slug} is on server {target} already.")
    schema_name = organization.schema_name
    with server_context(target):
        if schema_exists(schema_name):
            raise MoveRefused(f"Server {target} has a schema {schema_name} already; drop it or choose another server.")
    with server_context(source), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema_name])
            tables = ", ".join(
                f"{quote(schema_name)}.{connection.ops.quote_name(name)}" for (name,) in cursor.fetchall()
            )
            if tables:
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        say(f"copying {schema_name} from server {source}")
        sql = snapshot_take(schema_name)
        with server_context(target), transaction.atomic(), connection.cursor() as cursor:
            say(f"restoring {schema_name} on server {target} ({len(sql)} bytes of SQL)")
            cursor.execute(sql)
        try:
            with public_context(), transaction.atomic():
                organization.database = target
                organization.save(update_fields=["database"])
        except BaseException:
            organization.database = source
            with server_context(target):
                schema_drop(schema_name)
            raise
        say(f"{organization.slug} switched to server {target}; dropping {schema_name} on server {source}")
        schema_drop(schema_name)
    return {"schema": schema_name, "from": source, "to": target, "size": len(sql)}
