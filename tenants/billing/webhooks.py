"""Stripe's webhook: `POST /billing/stripe/webhook/` on the public site (docs/billing.md).

- Authentic only: the Stripe-Signature header must sign the exact body with STRIPE_WEBHOOK_SECRET
  within Stripe's 5-minute tolerance (`stripe.Webhook.construct_event`); anything else is refused
  and changes nothing.
- Once: each event id is stored, under a unique constraint, in the transaction of its effect; a
  redelivery finds it and changes nothing.
- In any order: an event only says *which* subscription changed. The subscription is fetched
  from Stripe while its organization's billing account is locked, so whatever the order of
  delivery, the last event applied leaves Stripe's current state.
- Scoped: an event acts on the organization whose Stripe customer it names, and only on it.
"""

import logging
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tenants.billing import billing_enabled
from tenants.billing.services import stripe_client, subscription_apply
from tenants.context import public_context
from tenants.models import BillingAccount, StripeEvent

logger = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = frozenset(
    {"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"}
)
INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_failed"})
CHECKOUT_COMPLETED = "checkout.session.completed"


class WebhookRejected(Exception):
    """The request is not an authentic Stripe event (400)."""


def stripe_event_verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event, if `signature` is Stripe's for `payload`; raises WebhookRejected otherwise."""
    if not signature:
        raise WebhookRejected("Missing Stripe-Signature header.")
    try:
        event = stripe.Webhook.construct_event(payload.decode("utf-8"), signature, settings.STRIPE_WEBHOOK_SECRET)
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected("Invalid signature.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise WebhookRejected("Invalid payload.") from error
    data = event.to_dict()
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise WebhookRejected("Invalid payload.")
    return data


def _invoice_subscription(invoice: dict) -> str:
    """The invoice's subscription: on `parent` since API version 2025-03-31, on the invoice before."""
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    return str(parent.get("subscription") or invoice.get("subscription") or "")


def _target(event: dict) -> tuple[str, str]:
    """(customer id, subscription id) the event is about; ("", "") when it concerns us not."""
    kind = event["type"]
    obj = (event.get("data") or {}).get("object") or {}
    if kind in SUBSCRIPTION_EVENTS:
        return str(obj.get("customer") or ""), str(obj.get("id") or "")
    if kind in INVOICE_EVENTS:
        return str(obj.get("customer") or ""), _invoice_subscription(obj)
    if kind == CHECKOUT_COMPLETED and obj.get("mode") == "subscription":
        return str(obj.get("customer") or ""), str(obj.get("subscription") or "")
    return "", ""


def stripe_event_handle(event: dict[str, Any]) -> str:
    """Apply a verified event once; return what was done (stored with the event).

    Raises stripe.StripeError when Stripe cannot be asked for the subscription: nothing is then
    recorded, and Stripe delivers the event again later."""
    created = datetime.fromtimestamp(int(event.get("created") or 0), tz=UTC)
    with public_context(), transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event["id"], type=event["type"][:100], created=created)
        except IntegrityError:
            return "duplicate"
        record.outcome = _apply(event, record)
        record.save(update_fields=["outcome", "organization"])
    return record.outcome


def _apply(event: dict, record: StripeEvent) -> str:
    customer, subscription_id = _target(event)
    if not customer:
        return "ignored: not a billing event"
    account = BillingAccount.objects.select_for_update().filter(stripe_customer_id=customer).first()
    if account is None:
        logger.info("Stripe event %s names customer %s, which is no organization's", event["id"], customer)
        return "ignored: unknown customer"
    record.organization_id = account.organization_id
    obj = event["data"]["object"]
    if event["type"] == CHECKOUT_COMPLETED and obj.get("client_reference_id") not in (
        None,
        str(account.organization_id),
    ):
        logger.warning("Checkout session %s: customer and organization disagree", obj.get("id"))
        return "ignored: customer and client reference disagree"
    subscription_id = subscription_id or account.stripe_subscription_id
    if not subscription_id:
        return "ignored: no subscription"
    try:
        subscription = stripe_client().v1.subscriptions.retrieve(subscription_id).to_dict()
    except stripe.InvalidRequestError as error:
        if error.http_status != 404:
            raise
        return "ignored: no such subscription"
    if str(subscription.get("customer") or "") != customer:
        return "ignored: subscription of another customer"
    return subscription_apply(account=account, subscription=subscription, event_id=event["id"])


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not billing_enabled():
        return JsonResponse({"detail": "Billing is not enabled on this server."}, status=404)
    try:
        event = stripe_event_verify(request.body, request.headers.get("Stripe-Signature"))
    except WebhookRejected as error:
        return JsonResponse({"detail": str(error)}, status=400)
    try:
        outcome = stripe_event_handle(event)
    except stripe.StripeError:
        # Nothing was recorded; Stripe retries the delivery.
        logger.exception("Stripe event %s could not be applied", event["id"])
        return JsonResponse({"detail": "Stripe could not be reached; retry later."}, status=503)
    return JsonResponse({"received": True, "outcome": outcome})
