"""PostgreSQL advisory locks keyed per organization.

Advisory lock keys are global to the database, so a bare key would make every organization
wait on every other. Keys here are derived from (schema, name): organizations never contend.
"""

import hashlib

from django.db import transaction

from tenants.context import connection


def advisory_lock_id(name: str, schema_name: str) -> int:
    digest = hashlib.blake2b(f"{schema_name}\0{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_xact_lock(name: str, *, organization=None) -> None:
    """Wait for the lock `name` in `organization` (default: the selected schema) until the
    surrounding transaction ends. Must be called inside `transaction.atomic()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("advisory_xact_lock needs an open transaction (use transaction.atomic())")
    schema_name = organization.schema_name if organization is not None else connection.schema_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [advisory_lock_id(name, schema_name)])
