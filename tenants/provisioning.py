"""The pool of spare organization schemas.

Spares are complete, migrated schemas named `_wb_spare_<random>`. Handing one to a new
organization is a rename inside the signup transaction (milliseconds); the pool is refilled
afterwards by a Celery task. Spares carry the fingerprint of the migrations they hold and only
current ones are handed out; `manage.py migrate` migrates spares with everything else.

Spares wait on the server new organizations go to (WIREBOOK_NEW_ORGANIZATIONS_SERVER: tenants.servers);
each records its server, and a claim takes one of the server it runs on only.
"""

import logging
import secrets

from django.conf import settings
from django.db import transaction

from tenants.context import current_server, server_context
from tenants.locks import advisory_xact_lock
from tenants.models import SpareSchema
from tenants.schemas import SPARE_PREFIX, current_fingerprint, schema_build, schema_rename

logger = logging.getLogger(__name__)

_POOL_LOCK = "tenants.spare-pool"


def spare_claim(schema_name: str) -> bool:
    """Rename a current spare of the current server (tenants.context.server_context) to `schema_name`
    inside the caller's transaction.

    Concurrent claims skip each other's locked rows, so two signups never get the same spare.
    Returns False when the pool is empty.
    """
    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=current_fingerprint(), database=current_server())
        .order_by("created", "id")
        .first()
    )
    if spare is None:
        return False
    schema_rename(spare.schema_name, schema_name)
    spare.delete()
    return True


def spare_create() -> SpareSchema:
    """Build one spare schema on the current server from the current snapshot, in one transaction."""
    schema_name = SPARE_PREFIX + secrets.token_hex(8)
    with transaction.atomic():
        schema_build(schema_name)
        return SpareSchema.objects.create(
            schema_name=schema_name, fingerprint=current_fingerprint(), database=current_server()
        )


def spare_pool_refill(target: int | None = None) -> int:
    """Create spares on the new organizations' server until `target` (default WIREBOOK_SPARE_SCHEMAS)
    current ones exist there.

    Safe to run concurrently: refills take turns under an advisory lock. Returns how many
    spares were created.
    """
    from tenants.servers import new_organizations_server

    target = settings.WIREBOOK_SPARE_SCHEMAS if target is None else target
    created = 0
    with server_context(new_organizations_server()):
        server = current_server()
        while True:
            with transaction.atomic():
                advisory_xact_lock(_POOL_LOCK)
                if SpareSchema.objects.filter(fingerprint=current_fingerprint(), database=server).count() >= target:
                    return created
                spare_create()
                created += 1


def spare_pool_schedule_refill() -> None:
    """After the current transaction commits, ask a worker to refill the pool."""
    if settings.WIREBOOK_SPARE_SCHEMAS <= 0:
        return

    def send():
        from tenants.tasks import spare_pool_refill as task

        task.delay()

    transaction.on_commit(send, robust=True)
