"""A custom field's definition changes, and the values objects store follow: when and how.

The custom field's write services (registered for core's CustomField in automation.api) write the
definition through the generic services, then rewrite the stored values as NetBox does
(core.customfield_values: the default filled in, values dropped, a rename kept):

- inline, in the definition's own transaction, when the tables of its object types hold fewer than
  WIREBOOK_CUSTOM_FIELD_BACKGROUND_ROWS rows: the change and its values commit together;
- otherwise as a background job (`custom_field_values_job`, with progress on its page) that goes
  over the rows slice by slice, each slice in a short transaction of its own.

The definition's change-log entry says what happened to the values (how many objects, or which
job is rewriting them). While a job rewrites the values of some names, a definition change that
would rewrite values of one of them is refused until the job is done: two rewrites of one name
must not overtake each other.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from automation.models import Job, JobStatus
from automation.services import job_enqueue, job_function_path, job_progress_report, job_uncancellable
from core.context import current_actor
from core.customfield_values import (
    FieldState,
    ValueRewrite,
    field_states,
    rewrite_values,
    rows_at_least,
    value_rewrites,
)
from core.customfields import definitions_changed
from core.models import CustomField, CustomFieldStatus, ObjectChange
from core.services import ObjectWrite, WritesInvalid, objects_create, objects_delete, objects_update

# Rows a background job rewrites per statement (and per transaction).
CHUNK_ROWS = 5000
# A job pending or running for longer than this is taken for dead (a worker lost): it no longer
# holds its names.
STALE_AFTER = datetime.timedelta(hours=6)


def custom_fields_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    definitions_changed()
    fields = objects_create(writes)
    after = field_states(fields)
    provisioning = _values_follow([_change(field.pk, None, after[field.pk]) for field in fields], refuse=_refuse_writes)
    if provisioning:
        # Not live until the job has filled its default in (NetBox's provisioning status).
        CustomField.objects.filter(pk__in=provisioning).update(status=CustomFieldStatus.PROVISIONING)
        for field in fields:
            if field.pk in provisioning:
                cast(CustomField, field).status = CustomFieldStatus.PROVISIONING
    return fields


def custom_fields_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    before = field_states([cast(models.Model, write.instance) for write in writes])  # as stored: before they change
    definitions_changed()
    fields = objects_update(writes)
    after = field_states(fields)
    _values_follow([_change(field.pk, before[field.pk], after[field.pk]) for field in fields], refuse=_refuse_writes)
    return fields


def custom_fields_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    before = field_states(instances)
    changes = [_change(field.pk, before[field.pk], None) for field in instances]
    definitions_changed()
    objects_delete(instances, message=message)
    _values_follow(changes, refuse=_refuse_deletion)


@dataclass(frozen=True)
class _Change:
    pk: int
    rewrites: list[ValueRewrite]
    names: set[str]  # the names whose stored values the change rewrites or starts reading


def _change(pk: int, before: FieldState | None, after: FieldState | None) -> _Change:
    rewrites = value_rewrites(before, after)
    names = {name for rewrite in rewrites for name in rewrite.names}
    if after is not None and (before is None or before.name != after.name or after.object_types - before.object_types):
        names.add(after.name)  # values stored under it would now be read as this field's
    return _Change(pk, rewrites, names)


def _refuse_writes(refusals: dict[int, str]) -> None:
    raise WritesInvalid({position: ValidationError(message) for position, message in refusals.items()})


def _refuse_deletion(refusals: dict[int, str]) -> None:
    raise ValidationError(list(refusals.values()))


def _values_follow(changes: list[_Change], *, refuse) -> set[int]:
    """Rewrite the values the definition changes call for, inline or in the background, and note it
    in each definition's change-log entry. `changes` are in the batch's order. The definitions whose
    values a background job rewrites."""
    busy = names_being_rewritten()
    refusals = {
        position: _(
            "The values of custom field '{name}' are still being rewritten by job {job}; "
            "change it again when that job has finished."
        ).format(name=name, job=busy[name])
        for position, change in enumerate(changes)
        for name in sorted(change.names & set(busy))[:1]
    }
    if refusals:
        refuse(refusals)
    rewrites = [rewrite for change in changes for rewrite in change.rewrites]
    if not rewrites:
        return set()
    threshold = settings.WIREBOOK_CUSTOM_FIELD_BACKGROUND_ROWS
    notes: dict[int, str] = {}
    rows_in_background = rows_at_least(rewrites, threshold) >= threshold
    if rows_in_background:
        names = sorted({rewrite.name for rewrite in rewrites})
        job = job_enqueue(
            name=f"Rewrite the values of custom field{'s' if len(names) > 1 else ''} {', '.join(names)}",
            function=custom_field_values_job,
            arguments={"rewrites": [rewrite.as_json() for rewrite in rewrites]},
            user_id=current_actor().user_id,
        )
        for change in changes:
            if change.rewrites:
                what = ", ".join(rewrite.describe() for rewrite in change.rewrites)
                notes[change.pk] = f"values {what} in the background (job {job.pk})"
    else:
        counts = iter(count for _rewrite, count in rewrite_values(rewrites))
        for change in changes:
            if change.rewrites:
                notes[change.pk] = "values " + ", ".join(rewrite.describe(next(counts)) for rewrite in change.rewrites)
    _note_in_change_log(notes)
    return set(notes) if rows_in_background else set()


def names_being_rewritten() -> dict[str, int]:
    """The names whose values a live job is rewriting, with the job's id."""
    live = Job.objects.filter(
        function=VALUES_JOB_FUNCTION,
        status__in=(JobStatus.PENDING, JobStatus.RUNNING),
        created__gte=timezone.now() - STALE_AFTER,
    )
    return {
        name: pk
        for pk, arguments in live.values_list("pk", "arguments")
        for data in arguments.get("rewrites", [])
        for name in ValueRewrite.from_json(data).names
    }


def _note_in_change_log(notes: dict[int, str]) -> None:
    """Add each note to the latest change-log entry of its custom field: the one this transaction
    just wrote (the field is locked, or new, or just deleted, so no other writer came between)."""
    if not notes:
        return
    content_type = ContentType.objects.get_for_model(CustomField)
    latest = (
        ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id__in=list(notes))
        .order_by("changed_object_id", "-pk")
        .distinct("changed_object_id")
        .only("pk", "changed_object_id", "message")
    )
    for change in latest:
        note = notes[change.changed_object_id]
        message = f"{change.message} ({note})" if change.message else note[:1].upper() + note[1:]
        ObjectChange.objects.filter(pk=change.pk).update(message=message[:200])


@job_uncancellable  # the definitions changed already: their stored values must follow
def custom_field_values_job(job: Job, *, rewrites: list[dict]) -> dict:
    """Job function: the rewrites, slice by slice, with progress on the job's page."""
    planned = [ValueRewrite.from_json(data) for data in rewrites]

    def progress(done: int, total: int) -> None:
        job_progress_report(job.pk, done, total, unit="objects")

    try:
        results = rewrite_values(planned, chunk=CHUNK_ROWS, progress=progress)
    finally:
        # The fields created for these values are live from now on (with the values written so far).
        names = {name for rewrite in planned for name in rewrite.names}
        if CustomField.objects.filter(name__in=names, status=CustomFieldStatus.PROVISIONING).update(
            status=CustomFieldStatus.ACTIVE
        ):
            definitions_changed()
    summary = "; ".join(f"{rewrite.new_name or rewrite.name}: {rewrite.describe(count)}" for rewrite, count in results)
    return {
        "summary": f"Custom field values rewritten ({summary})." if summary else "Nothing to rewrite.",
        "rewritten": [{**rewrite.as_json(), "objects": count} for rewrite, count in results],
    }


# How the jobs of this module are told apart from other jobs: the function they store.
VALUES_JOB_FUNCTION = job_function_path(custom_field_values_job)
