"""Services of the objects that record who made them: a journal entry's author, a saved filter's
owner. The acting user is stamped when they are created, whatever the writer sends (these fields
are not writable), before validation and the generic write (core.services.objects_create)."""

from collections.abc import Sequence

from django.db import models

from core.context import current_actor
from core.services import ObjectWrite, objects_create


def journal_entries_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    actor = current_actor()
    for write in writes:
        write.data.update(created_by_id=actor.user_id, created_by_name=actor.user_name)
    return objects_create(writes)


def saved_filters_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    actor = current_actor()
    for write in writes:
        write.data["user_id"] = actor.user_id
    return objects_create(writes)


def personal_objects_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    """Rows of a `personal` registration (a bookmark, a subscription) belong to whoever creates them."""
    from core.registry import registry

    actor = current_actor()
    for write in writes:
        spec = registry.find(write.model)
        if spec is not None and spec.access.personal is not None:
            write.data[spec.access.personal] = actor.user_id
    return objects_create(writes)
