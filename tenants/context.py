"""The only way code outside `tenants/` selects an organization's schema.

    with tenant_context(organization):
        ...   # queries see the organization's tables (and the public ones)

The previous selection is always restored, also when the block raises.
"""

from contextlib import contextmanager
from typing import cast

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


@contextmanager
def _selected(tenant, include_public):
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
    return _selected(organization, include_public=True)


@contextmanager
def public_context():
    """Run the block in the public schema (platform tables only)."""
    with _selected(FakeTenant(schema_name=PUBLIC_SCHEMA), include_public=True):
        yield


def schema_context(schema_name: str, *, include_public: bool = True):
    """Select a schema by name. For `tenants` internals (provisioning, migrations) only."""
    return _selected(FakeTenant(schema_name=schema_name), include_public=include_public)


def cache_key(key, key_prefix, version):
    """Cache keys carry the schema so organizations never read each other's entries."""
    return f"{key_prefix}:{connection.schema_name}:{version}:{key}"


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
