"""Webhook deliveries: one attempt, its outcome in the delivery log, retries, auto-disable, resend.

Each batch of deliveries -- those one committed change queued, or one resend -- is a background job
(`/api/core/jobs/`, the Jobs page), as NetBox users expect of everything a worker does. The deliveries
are still sent by their own tasks, each with its retries, so that one slow receiver holds up nothing
else; the batch's job follows them: pending until the first is attempted, running until the last has
ended, then completed (all delivered) or failed (naming the deliveries that failed). Cancelling the
job while it is pending sends none of them. A batch's job fires no job event rules: a rule on job
completion that sends a webhook would otherwise feed itself.
"""

import logging
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef
from django.utils import timezone
from jinja2 import TemplateError

from automation.delivery import Outcome, request_build, request_send
from automation.models import Job, JobStatus, Webhook, WebhookDelivery, WebhookDeliveryStatus
from automation.services import JobEnded, job_function_path
from core.context import SYSTEM
from core.registry import registry
from core.usecases import Item, write_objects
from tenants.context import current_organization

logger = logging.getLogger(__name__)


class Attempt(Enum):
    DONE = "done"  # delivered, failed for good, or nothing left to do
    RETRY = "retry"


def webhook_batch(job: Job) -> dict:
    """What a batch's job names as its function. Its work is done by its deliveries' own tasks, which end
    the job (below): queued as a job of its own, it ends errored and sends nothing."""
    raise JobEnded(JobStatus.ERRORED, error="A batch of webhook deliveries is sent by its deliveries' own tasks.")


WEBHOOK_BATCH_NAME = "Webhook deliveries"
WEBHOOK_BATCH_FUNCTION = job_function_path(webhook_batch)
ENDED = (WebhookDeliveryStatus.SUCCEEDED, WebhookDeliveryStatus.FAILED)
JOB_ENDED = (JobStatus.COMPLETED, JobStatus.ERRORED, JobStatus.FAILED)
LOGGED_FAILURES = 20  # of a batch, named one by one in its job's log


def webhook_batch_job(deliveries: list[WebhookDelivery], *, user_id: int | None) -> Job:
    """Record the job of `deliveries`, a batch about to be written, and point each of them at it."""
    job = Job.objects.create(
        name=WEBHOOK_BATCH_NAME,
        function=WEBHOOK_BATCH_FUNCTION,
        arguments={"deliveries": len(deliveries)},
        user_id=user_id,
    )
    for delivery in deliveries:
        delivery.job = job
    return job


def _job_claimed(delivery: WebhookDelivery) -> bool:
    """Its batch's job is running from the first attempt of any of its deliveries on; False when the job
    was cancelled before that (the delivery is then not sent)."""
    if delivery.job_id is None or delivery.job_status == JobStatus.RUNNING:  # type: ignore[attr-defined]
        return True
    if Job.objects.filter(pk=delivery.job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started=timezone.now()
    ):
        return True
    status = Job.objects.filter(pk=delivery.job_id).values_list("status", flat=True).first()
    return status not in JOB_ENDED


def webhook_delivery_attempt(delivery_pk: int, *, final: bool) -> Attempt:
    """Send the delivery once and log the outcome. `final`: no retry follows a failure."""
    delivery = (
        WebhookDelivery.objects.select_related("webhook")
        .annotate(job_status=F("job__status"))
        .filter(pk=delivery_pk)
        .first()
    )
    if delivery is None or delivery.status in ENDED:
        return Attempt.DONE  # deleted with its webhook, or redelivered after it was finished
    if not _job_claimed(delivery):
        WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status__in=ENDED).update(
            status=WebhookDeliveryStatus.FAILED, error="Not sent: its job was cancelled."
        )
        return Attempt.DONE
    webhook = delivery.webhook
    if not webhook.enabled:
        outcome = Outcome(False, None, 0, "", "The webhook is disabled.")
    else:
        try:
            request = request_build(webhook, delivery.context, str(delivery.idempotency_key))
        except (TemplateError, ValidationError) as error:
            outcome = Outcome(False, None, 0, "", f"The webhook's templates failed on this event: {error}")
        else:
            outcome = request_send(webhook, request)
    if outcome.ok:
        status = WebhookDeliveryStatus.SUCCEEDED
    elif outcome.retryable and not final:
        status = WebhookDeliveryStatus.RETRYING
    else:
        status = WebhookDeliveryStatus.FAILED
    _outcome_save(
        delivery,
        status=status,
        attempts=F("attempts") + 1,
        last_attempt=timezone.now(),
        response_code=outcome.response_code,
        duration_ms=outcome.duration_ms,
        response_body=outcome.response_body,
        error=outcome.error,
    )
    if status == WebhookDeliveryStatus.SUCCEEDED:
        Webhook.objects.filter(pk=webhook.pk, consecutive_failures__gt=0).update(consecutive_failures=0)
    elif status == WebhookDeliveryStatus.FAILED and webhook.enabled:
        _failure_count(webhook)
    return Attempt.RETRY if status == WebhookDeliveryStatus.RETRYING else Attempt.DONE


def _outcome_save(delivery: WebhookDelivery, **values) -> None:
    """Write the attempt's outcome; the delivery that ends its batch last ends the batch's job. The job's
    row is locked first, so of two deliveries ending at once the later sees the other's outcome."""
    if delivery.job_id is None or values["status"] not in ENDED:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**values)
        return
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=delivery.job_id).exclude(status__in=JOB_ENDED).first()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**values)
        if job is None:
            return
        if job.arguments.get("deliveries") == 1:  # the batch's only delivery (most changes): its outcome is the batch's
            _batch_end(job, counts={values["status"]: 1})
        elif not WebhookDelivery.objects.filter(job_id=job.pk).exclude(status__in=ENDED).exists():
            _batch_end(job)


def _batch_end(job: Job, *, note: str = "", counts: dict[str, int] | None = None) -> None:
    """End a batch's job from its deliveries' outcomes (`counts` by status, when known): completed when every
    one was delivered, failed (naming up to LOGGED_FAILURES of them) when any failed for good."""
    rows = WebhookDelivery.objects.filter(job_id=job.pk)
    if counts is None:
        counts = dict(rows.values_list("status").annotate(Count("pk")).order_by())
    delivered = counts.get(WebhookDeliveryStatus.SUCCEEDED, 0)
    failed = counts.get(WebhookDeliveryStatus.FAILED, 0)
    if note:
        job.log("warning", note)
    job.log("info", f"{delivered} of {delivered + failed} deliveries delivered.")
    failures = rows.filter(status=WebhookDeliveryStatus.FAILED).select_related("webhook").order_by("pk")
    for delivery in failures[:LOGGED_FAILURES] if failed else ():
        answer = f"HTTP {delivery.response_code}" if delivery.response_code else delivery.error
        job.log("error", f"Delivery {delivery.pk} ({delivery}) to webhook {delivery.webhook.name}: {answer}")
    if failed > LOGGED_FAILURES:
        job.log("error", f"...and {failed - LOGGED_FAILURES} more failed deliveries (see the webhooks' delivery logs).")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED if failed else JobStatus.COMPLETED,
        started=job.started or timezone.now(),
        completed=timezone.now(),
        data={"delivered": delivered, "failed": failed},
        error=f"{failed} of {delivered + failed} deliveries failed." if failed else "",
        log_entries=job.log_entries,
    )


# A batch whose deliveries were all deleted (with their webhook) before the last one ended is ended by
# the jobs' housekeeping once it is this old.
STALE_BATCH = timedelta(days=1)


def webhook_batches_close(*, batch: int = 1000) -> int:
    """End at most `batch` batch jobs left pending or running with no delivery still to send (their
    webhook was deleted meanwhile); how many."""
    unfinished = WebhookDelivery.objects.filter(job_id=OuterRef("pk")).exclude(status__in=ENDED)
    stale = (
        Job.objects.filter(
            function=WEBHOOK_BATCH_FUNCTION,
            status__in=(JobStatus.PENDING, JobStatus.RUNNING),
            created__lt=timezone.now() - STALE_BATCH,
        )
        .exclude(Exists(unfinished))
        .order_by("pk")[:batch]
    )
    closed = 0
    for job in stale:
        with transaction.atomic():
            locked = Job.objects.select_for_update().filter(pk=job.pk).exclude(status__in=JOB_ENDED).first()
            if locked is None or WebhookDelivery.objects.filter(job_id=job.pk).exclude(status__in=ENDED).exists():
                continue
            _batch_end(locked, note="Deliveries of this batch were deleted with their webhook before they ended.")
            closed += 1
    return closed


def webhook_delivery_timeout(delivery_pk: int) -> int:
    """Seconds the delivery's webhook waits for its receiver."""
    timeout = WebhookDelivery.objects.filter(pk=delivery_pk).values_list("webhook__timeout", flat=True).first()
    return timeout or settings.WEBHOOK_TIMEOUT


def _failure_count(webhook: Webhook) -> None:
    """One more failed delivery in a row; at WEBHOOK_DISABLE_AFTER_FAILURES the webhook is switched off."""
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    with transaction.atomic():
        locked = Webhook.objects.select_for_update().filter(pk=webhook.pk, enabled=True).first()
        if locked is None or not limit or locked.consecutive_failures < limit:
            return
        message = f"Disabled after {locked.consecutive_failures} failed deliveries in a row"
        write_objects(
            registry.get(Webhook),
            SYSTEM,
            [Item({"enabled": False, "changelog_message": message}, pk=locked.pk)],
            partial=True,
        )
    _admins_notify(locked)


def _admins_notify(webhook: Webhook) -> None:
    from tenants.models import Membership
    from tenants.models.members import MANAGER_ROLES

    organization = current_organization()
    if organization is None:
        return
    recipients = sorted(
        Membership.objects.filter(organization=organization, role__in=MANAGER_ROLES).values_list(
            "user__email", flat=True
        )
    )
    if not recipients:
        return
    subject = f"[Wirebook] Webhook {webhook.name} of {organization.name} was disabled"
    body = (
        f"The webhook {webhook.name!r} failed {webhook.consecutive_failures} deliveries in a row, so Wirebook "
        f"stopped sending to {webhook.payload_url}.\n\nIts delivery log shows what the receiver answered: "
        f"{settings.WIREBOOK_PUBLIC_URL}/o/{organization.slug}/extras/webhooks/{webhook.pk}/deliveries/\n"
        "Enable the webhook again once the receiver works.\n"
    )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("could not tell the admins of %s that webhook %s was disabled", organization.slug, webhook.pk)


def webhook_delivery_resend(delivery: WebhookDelivery, *, user_id: int | None = None) -> WebhookDelivery:
    """A new delivery of the same event to the same webhook (a new idempotency key: it is sent on
    purpose), in a batch of its own, the job of member `user_id`."""
    from automation.events import deliveries_queue

    organization = current_organization()
    with transaction.atomic():
        copy = WebhookDelivery(
            webhook_id=delivery.webhook_id,
            event_rule_id=delivery.event_rule_id,
            event=delivery.event,
            object_type_id=delivery.object_type_id,
            object_id=delivery.object_id,
            object_repr=delivery.object_repr,
            request_id=delivery.request_id,
            context=delivery.context,
        )
        webhook_batch_job([copy], user_id=user_id)
        copy.save(force_insert=True)
        transaction.on_commit(lambda: deliveries_queue(organization, [copy.pk]))
    return copy


def webhook_deliveries_prune(*, batch: int = 5000) -> int:
    """Delete at most `batch` deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS; how many went."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    old = WebhookDelivery.objects.filter(created__lt=cutoff).order_by("created").values("pk")[:batch]
    deleted, _ = WebhookDelivery.objects.filter(pk__in=old).delete()
    return deleted
