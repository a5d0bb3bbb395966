"""Custom field choice sets' write services: a choice set's labels are part of the definitions every
object's `custom_fields` is read and checked with, cached per schema (core.customfields)."""

from collections.abc import Sequence

from django.db import models

from core.customfields import definitions_changed
from core.services import ObjectWrite, objects_create, objects_delete, objects_update


def choice_sets_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    definitions_changed()
    return objects_create(writes)


def choice_sets_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    definitions_changed()
    return objects_update(writes)


def choice_sets_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    definitions_changed()
    objects_delete(instances, message=message)
