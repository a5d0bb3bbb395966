"""The only way code outside `tenants/` selects an organization's schema.

    with tenant_context(organization):
        ...   # queries see the organization's tables (and the public ones)

The previous selection is always restored, also when the block raises.

An organization's schema lives on the database server its `database` names (an alias of
settings.DATABASES: "default", the server of the public schema, or one of
WIREBOOK_DATABASE_SERVERS). Selecting it makes that server's connection the thread's default one
for the block, so every query, cursor and `transaction.atomic()` inside reaches that server; the
models of the public schema's apps are sent back to the public server by
`tenants.servers.OrganizationServerRouter`. With one server nothing is swapped.
"""

from contextlib import contextmanager
from typing import cast

from asgiref.local import Local
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import connection as _connection
from django.utils.functional import SimpleLazyObject
from django_tenants.postgresql_backend.base import FakeTenant

from tenants.db.base import PUBLIC_SCHEMA, DatabaseWrapper

# The default connection, typed as our backend (it always is: ENGINE "tenants.db").
connection = cast(DatabaseWrapper, _connection)


def current_schema_name() -> str:
    return connection.schema_name


def current_organization():
    """The organization whose schema is selected, or None in the public schema."""
    tenant = connection.tenant
    if connection.schema_name == PUBLIC_SCHEMA or not getattr(tenant, "pk", None):
        return None
    return tenant


# The alias under which the public server's connection stays reachable while another server's is the
# thread's default (tenants.servers.OrganizationServerRouter sends the public apps' models there).
PUBLIC_SERVER = "wirebook_public"
# Per thread (and per asyncio task, as Django's connections are): the public server's connection
# while another server's stands in for it as the default.
_swapped = Local()


def public_server_connection() -> DatabaseWrapper:
    return getattr(_swapped, "public", None) or cast(DatabaseWrapper, connections[DEFAULT_DB_ALIAS])


def server_swapped() -> bool:
    """Whether another server than the public one is the thread's default connection."""
    return getattr(_swapped, "public", None) is not None


def current_server() -> str:
    """The alias of the server whose connection is the thread's default (settings.DATABASES)."""
    return connection.alias


@contextmanager
def _on_server(server: str):
    public = public_server_connection()
    target = public if server == DEFAULT_DB_ALIAS else cast(DatabaseWrapper, connections[server])
    current = connections[DEFAULT_DB_ALIAS]
    if target is current:
        yield
        return
    previous_public = getattr(_swapped, "public", None)
    connections[DEFAULT_DB_ALIAS] = target
    connections[PUBLIC_SERVER] = public
    _swapped.public = None if target is public else public
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = current
        _swapped.public = previous_public


@contextmanager
def _selected(tenant, include_public, server=DEFAULT_DB_ALIAS):
    with _on_server(server):
        previous_tenant = connection.tenant
        previous_include_public = connection.include_public_schema
        connection.set_tenant(tenant, include_public=include_public)
        try:
            yield tenant
        finally:
            connection.set_tenant(previous_tenant, include_public=previous_include_public)
            # Leaving a schema (a request's, a task's, one of a loop over organizations) is where a
            # connection that served too many is let go (tenants.db: CONN_MAX_SCHEMAS, CONN_MAX_MEMORY_MB).
            connection.close_if_overgrown()


def tenant_context(organization):
    """Run the block inside `organization`'s schema."""
    if not getattr(organization, "pk", None):
        raise ValueError("tenant_context needs a saved organization")
    return _selected(organization, include_public=True, server=organization.database)


@contextmanager
def public_context():
    """Run the block in the public schema (platform tables only)."""
    with _selected(FakeTenant(schema_name=PUBLIC_SCHEMA), include_public=True):
        yield


def schema_context(schema_name: str, *, include_public: bool = True, server: str | None = None):
    """Select a schema by name, on `server` (default: the current connection's). For `tenants`
    internals (provisioning, migrations) only."""
    return _selected(
        FakeTenant(schema_name=schema_name), include_public=include_public, server=server or current_server()
    )


def server_context(server: str):
    """Run the block on `server`'s connection (an alias of settings.DATABASES), in its public schema:
    for `tenants` internals that create, migrate, copy or drop schemas there."""
    return schema_context(PUBLIC_SCHEMA, server=server)


def cache_key(key, key_prefix, version):
    """Cache keys carry the schema so organizations never read each other's entries."""
    return schema_cache_key(connection.schema_name, key, key_prefix, version)


def schema_cache_key(schema_name: str, key, key_prefix, version) -> str:
    """`cache_key` in the schema `schema_name`, whichever is selected."""
    return f"{key_prefix}:{schema_name}:{version}:{key}"


def organization_context_processor(request):
    return {
        "organization": getattr(request, "organization", None),
        "membership": getattr(request, "membership", None),
        # The organization switcher's list: one query, and only when a page shows it.
        "my_organizations": SimpleLazyObject(lambda: _my_organizations(request)),
    }


def _my_organizations(request) -> list:
    """Slug, name and -- while it is pending deletion (shown to owners only) -- deletion date of
    each organization the user is listed in (`tenants.members.memberships_listed`)."""
    from django.db.models import F

    from tenants.members import memberships_listed

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    with public_context():
        return list(
            memberships_listed(user)
            .order_by("organization__name")
            .values(
                slug=F("organization__slug"),
                name=F("organization__name"),
                deletion_due=F("organization__deletion_due"),
            )
        )
