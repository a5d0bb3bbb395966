"""Event rules: committed object events (core.events) matched against the organization's rules and
turned into webhook deliveries, queued for the Celery worker.

Per transaction: one query for the rules that could apply, one for their webhooks, one per model for
the objects' REST representation (only for events some rule wants), one INSERT for the deliveries.
"""

import json
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from automation.conditions import conditions_met
from automation.models import EventRule, EventRuleAction, EventType, Webhook, WebhookDelivery
from core.events import CREATE, DELETE, UPDATE, ObjectEvent
from core.registry import registry
from core.representation import Links, optimize, render_many
from tenants.context import current_organization, tenant_context

logger = logging.getLogger(__name__)

EVENT_TYPES = {CREATE: EventType.OBJECT_CREATED, UPDATE: EventType.OBJECT_UPDATED, DELETE: EventType.OBJECT_DELETED}
# What NetBox's payload calls each event.
PAYLOAD_EVENTS: dict[str, str] = {
    EventType.OBJECT_CREATED: "created",
    EventType.OBJECT_UPDATED: "updated",
    EventType.OBJECT_DELETED: "deleted",
}


def organization_links(organization) -> Links:
    return Links.for_root(f"{settings.WIREBOOK_PUBLIC_URL}/o/{organization.slug}/")


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _representations(events: list[ObjectEvent], links: Links) -> dict[tuple[type[Model], int], dict]:
    """The REST representation of each created or updated object, one query (and its prefetches) per model."""
    by_model: dict[type[Model], list[int]] = defaultdict(list)
    for event in events:
        if event.action != DELETE:
            by_model[event.model].append(event.pk)
    found: dict[tuple[type[Model], int], dict] = {}
    for model, pks in by_model.items():
        spec = registry.find(model)
        if spec is None:
            continue
        rows = list(optimize(model._base_manager.filter(pk__in=pks), spec, brief=False, tags=False))
        for row, data in zip(rows, render_many(rows, links), strict=True):
            found[(model, row.pk)] = _json(data)
    return found


def context_of(event: ObjectEvent, event_type: str, data: dict) -> dict:
    """The template context and default body of a webhook, as NetBox builds it."""
    content_type = ContentType.objects.get_for_model(event.model)
    return {
        "event": PAYLOAD_EVENTS.get(event_type, event_type),
        "timestamp": event.time.isoformat(),
        "object_type": f"{content_type.app_label}.{content_type.model}",
        "model": content_type.model,
        "username": event.user_name,
        "request_id": str(event.request_id) if event.request_id else None,
        "data": data,
        "snapshots": {"prechange": _json(event.before), "postchange": _json(event.after)},
    }


def _rules_for(event: ObjectEvent, rules: list[EventRule], content_types: dict, types_of: dict) -> list[EventRule]:
    event_type = EVENT_TYPES[event.action]
    content_type = content_types[event.model].pk
    return [rule for rule in rules if content_type in types_of[rule.pk] and event_type in rule.event_types]


def object_events_consume(events: list[ObjectEvent]) -> None:
    """core.events' consumer: queue a delivery for every (event, rule) whose conditions hold."""
    organization = current_organization()
    if organization is None:
        return
    content_types = {model: ContentType.objects.get_for_model(model) for model in {e.model for e in events}}
    wanted = {EVENT_TYPES[event.action] for event in events}
    rules = list(
        EventRule.objects.filter(
            enabled=True,
            action_type=EventRuleAction.WEBHOOK,
            object_types__in=list(content_types.values()),
            event_types__overlap=sorted(wanted),
        )
        .distinct()
        .prefetch_related("object_types")
    )
    if not rules:
        return
    webhooks = Webhook.objects.filter(pk__in={rule.action_object_id for rule in rules}, enabled=True).in_bulk()
    rules = [rule for rule in rules if rule.action_object_id in webhooks]
    types_of = {rule.pk: {content_type.pk for content_type in rule.object_types.all()} for rule in rules}
    matching = [(event, _rules_for(event, rules, content_types, types_of)) for event in events]
    matching = [(event, found) for event, found in matching if found]
    if not matching:
        return
    links = organization_links(organization)
    representations = _representations([event for event, _rules in matching], links)
    deliveries = []
    for event, found in matching:
        event_type = EVENT_TYPES[event.action]
        rendered = representations.get((event.model, event.pk))
        if rendered is None:  # deleted (or gone again since the commit): its last known state
            rendered = {"id": event.pk, **_json((event.before if event.action == DELETE else event.after) or {})}
        data = rendered
        context = context_of(event, event_type, data)
        for rule in found:
            if rule.action_object_id is None or not conditions_met(rule.conditions, data):
                continue
            deliveries.append(
                WebhookDelivery(
                    webhook_id=rule.action_object_id,
                    event_rule=rule,
                    event=event_type,
                    object_type=content_types[event.model],
                    object_id=event.pk,
                    object_repr=event.object_repr,
                    request_id=event.request_id,
                    context=context,
                )
            )
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries)
        deliveries_queue(organization, [delivery.pk for delivery in deliveries])


def deliveries_queue(organization, pks: list[int]) -> None:
    """Queue the deliveries' tasks, stamped with the organization's schema whatever is selected when
    this runs (an on-commit callback may run after the request left the organization)."""
    from automation.tasks import webhook_deliver

    with tenant_context(organization):
        for pk in pks:
            webhook_deliver.delay(organization.pk, pk)
