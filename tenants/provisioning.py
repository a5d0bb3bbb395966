"""The pool of spare organization schemas.

Spares are complete, migrated schemas named `_wb_spare_<random>`. Handing one to a new
organization is a rename inside the signup transaction (milliseconds); the pool is refilled
afterwards by a Celery task. Spares carry the fingerprint of the migrations they hold and only
current ones are handed out; `manage.py migrate` migrates spares with everything else.
"""

import logging
import secrets

from django.conf import settings
from django.db import transaction

from tenants.locks import advisory_xact_lock
from tenants.models import SpareSchema
from tenants.schemas import SPARE_PREFIX, current_fingerprint, schema_build, schema_rename

logger = logging.getLogger(__name__)

_POOL_LOCK = "tenants.spare-pool"


def spare_claim(schema_name: str) -> bool:
    """Rename a current spare to `schema_name` inside the caller's transaction.

    Concurrent claims skip each other's locked rows, so two signups never get the same spare.
    Returns False when the pool is empty.
    """
    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=current_fingerprint())
        .order_by("created", "id")
        .first()
    )
    if spare is None:
        return False
    schema_rename(spare.schema_name, schema_name)
    spare.delete()
    return True


def spare_create() -> SpareSchema:
    """Build one spare schema from the current snapshot, in one transaction."""
    schema_name = SPARE_PREFIX + secrets.token_hex(8)
    with transaction.atomic():
        schema_build(schema_name)
        return SpareSchema.objects.create(schema_name=schema_name, fingerprint=current_fingerprint())


def spare_pool_refill(target: int | None = None) -> int:
    """Create spares until `target` (default WIREBOOK_SPARE_SCHEMAS) current ones exist.

    Safe to run concurrently: refills take turns under an advisory lock. Returns how many
    spares were created.
    """
    target = settings.WIREBOOK_SPARE_SCHEMAS if target is None else target
    created = 0
    while True:
        with transaction.atomic():
            advisory_xact_lock(_POOL_LOCK)
            if SpareSchema.objects.filter(fingerprint=current_fingerprint()).count() >= target:
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
