"""Webhook deliveries: one attempt, its outcome in the delivery log, retries, auto-disable, resend."""

import logging
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from jinja2 import TemplateError

from automation.delivery import Outcome, request_build, request_send
from automation.models import Webhook, WebhookDelivery, WebhookDeliveryStatus
from core.context import SYSTEM
from core.registry import registry
from core.usecases import Item, write_objects
from tenants.context import current_organization

logger = logging.getLogger(__name__)


class Attempt(Enum):
    DONE = "done"  # delivered, failed for good, or nothing left to do
    RETRY = "retry"


def webhook_delivery_attempt(delivery_pk: int, *, final: bool) -> Attempt:
    """Send the delivery once and log the outcome. `final`: no retry follows a failure."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_pk).first()
    if delivery is None or delivery.status in (WebhookDeliveryStatus.SUCCEEDED, WebhookDeliveryStatus.FAILED):
        return Attempt.DONE  # deleted with its webhook, or redelivered after it was finished
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
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
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


def webhook_delivery_resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery of the same event to the same webhook (a new idempotency key: it is sent on purpose)."""
    from automation.events import deliveries_queue

    organization = current_organization()
    with transaction.atomic():
        copy = WebhookDelivery.objects.create(
            webhook_id=delivery.webhook_id,
            event_rule_id=delivery.event_rule_id,
            event=delivery.event,
            object_type_id=delivery.object_type_id,
            object_id=delivery.object_id,
            object_repr=delivery.object_repr,
            request_id=delivery.request_id,
            context=delivery.context,
        )
        transaction.on_commit(lambda: deliveries_queue(organization, [copy.pk]))
    return copy


def webhook_deliveries_prune(*, batch: int = 5000) -> int:
    """Delete at most `batch` deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS; how many went."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    old = WebhookDelivery.objects.filter(created__lt=cutoff).order_by("created").values("pk")[:batch]
    deleted, _ = WebhookDelivery.objects.filter(pk__in=old).delete()
    return deleted
