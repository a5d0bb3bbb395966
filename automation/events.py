"""Event rules: committed object events (core.events) and job events (automation.tasks) matched
against the organization's rules and turned into webhook deliveries, queued for the Celery worker,
or notifications for the members of a notification group (automation.notifications).

Per transaction: no query for the rules (cached, below), one per model for the objects' REST
representation (only for events some rule wants), one INSERT for the deliveries (and one for
their batch's job, automation.webhooks) and one for the notifications.

The organization's rules (enabled, with an enabled webhook or an existing notification group) are cached
per schema in each process and checked against the schema's *generation*, a token in the cache (Redis,
whose keys carry the schema), as custom field definitions are (core.customfields): every write of a rule,
a webhook or a notification group replaces it through `event_rules_changed` -- at once, and again when
its transaction commits -- so a rule created in one process applies in every other from its commit on. A
write with no rules (or unchanged rules) costs one cache round trip, no statement. Writes that bypass the
services (a migration, an ORM update in a shell) are caught by the entries' TTL.
"""

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Model

from automation.conditions import conditions_met
from automation.models import (
    EventRule,
    EventRuleAction,
    EventType,
    Job,
    Notification,
    NotificationGroup,
    Script,
    Webhook,
    WebhookDelivery,
)
from automation.notifications import notification_for, notifications_create
from automation.webhooks import webhook_batch_job
from core.events import CREATE, DELETE, UPDATE, ObjectEvent
from core.generations import Generation
from core.models import ObjectChange, ObjectChangeAction
from core.registry import object_type_label, registry
from core.representation import Links, optimize, render_many
from core.services import ObjectWrite, objects_create, objects_delete, objects_update
from tenants.context import current_organization, current_schema_name, tenant_context

logger = logging.getLogger(__name__)

# The actions run here: a webhook delivery, notifications for a group's members, or a script's job.
ACTIONS = (EventRuleAction.WEBHOOK, EventRuleAction.NOTIFICATION, EventRuleAction.SCRIPT)
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
        "object_type": object_type_label(content_type),  # NetBox's "dcim.site", as receivers filter on it
        "model": content_type.model,
        "username": event.user_name,
        "request_id": str(event.request_id) if event.request_id else None,
        "data": data,
        "snapshots": {"prechange": _json(event.before), "postchange": _json(event.after)},
    }


# -- the organization's rules, cached per schema ------------------------------------------------------------------

# A backstop for rule and webhook writes that bypass the services: entries are re-read after this long.
RULES_TTL = 300
_GENERATION = Generation("eventrules:generation", read_with_requests=True)
_rules_lock = threading.Lock()


@dataclass(frozen=True)
class Rule:
    """What deciding and acting on an enabled rule needs: its webhook (enabled), the members of its
    notification group, or its script (executable) and whom it runs as."""

    pk: int
    action_type: str
    webhook_id: int | None
    notified_user_ids: tuple[int, ...]
    object_type_ids: frozenset[int]
    event_types: frozenset[str]
    conditions: Any
    # A script action: the script, and the member it runs as (who created the rule).
    script_id: int | None = None
    run_as: int | None = None


# (schema, organization id) -> (generation, read at (monotonic), the rules)
_rules: dict[tuple[str, Any], tuple[str, float, tuple[Rule, ...]]] = {}


def event_rules_changed() -> None:
    """Event rules or webhooks of the current schema changed in this transaction: every process reads
    them again (now, and once more when the transaction commits)."""
    _GENERATION.changed()


def forget_event_rules() -> None:
    """Empty this process's cache of rules (the next write of each schema reads them)."""
    with _rules_lock:
        _rules.clear()


def _read_rules() -> tuple[Rule, ...]:
    rules = list(
        EventRule.objects.filter(enabled=True, action_type__in=ACTIONS, action_object_id__isnull=False)
        .prefetch_related("object_types")
        .order_by("pk")
    )
    if not rules:
        return ()
    targets = {action: {rule.action_object_id for rule in rules if rule.action_type == action} for action in ACTIONS}
    webhooks = set(
        Webhook.objects.filter(pk__in=targets[EventRuleAction.WEBHOOK], enabled=True).values_list("pk", flat=True)
    )
    groups = dict(
        NotificationGroup.objects.filter(pk__in=targets[EventRuleAction.NOTIFICATION]).values_list("pk", "user_ids")
    )
    scripts = set(
        Script.objects.filter(pk__in=targets[EventRuleAction.SCRIPT], is_executable=True).values_list("pk", flat=True)
    )
    creators = _rule_creators([rule.pk for rule in rules if rule.action_type == EventRuleAction.SCRIPT])
    available = {
        EventRuleAction.WEBHOOK: webhooks,
        EventRuleAction.NOTIFICATION: groups,
        EventRuleAction.SCRIPT: scripts,
    }
    return tuple(
        Rule(
            pk=rule.pk,
            action_type=rule.action_type,
            webhook_id=rule.action_object_id if rule.action_type == EventRuleAction.WEBHOOK else None,
            notified_user_ids=tuple(groups.get(rule.action_object_id) or ()),
            object_type_ids=frozenset(content_type.pk for content_type in rule.object_types.all()),
            event_types=frozenset(rule.event_types),
            conditions=rule.conditions,
            script_id=rule.action_object_id if rule.action_type == EventRuleAction.SCRIPT else None,
            run_as=creators.get(rule.pk),
        )
        for rule in rules
        if rule.action_object_id in available[rule.action_type]
    )


def _rule_creators(pks: list[int]) -> dict[int, int]:
    """Who created each rule (its change log's create entry): the member its scripts run as."""
    if not pks:
        return {}
    created = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(EventRule),
        changed_object_id__in=pks,
        action=ObjectChangeAction.CREATE,
        user_id__isnull=False,
    )
    return dict(created.values_list("changed_object_id", "user_id"))


def event_rules() -> tuple[Rule, ...]:
    """The current organization's enabled rules with an enabled webhook or a notification group (cached,
    see the module doc):
    shared between requests, never changed."""
    if _GENERATION.changing():
        return _read_rules()
    generation = _GENERATION.current()
    slot = (current_schema_name(), getattr(current_organization(), "pk", None))
    now = time.monotonic()
    with _rules_lock:
        entry = _rules.get(slot)
    if entry is not None and entry[0] == generation and now - entry[1] <= RULES_TTL:
        return entry[2]
    rules = _read_rules()  # read after the generation: a change committed since then comes with a new one
    with _rules_lock:
        _rules[slot] = (generation, now, rules)
    return rules


def event_rules_create(writes: Sequence[ObjectWrite]) -> list[Model]:
    event_rules_changed()
    return objects_create(writes)


def event_rules_update(writes: Sequence[ObjectWrite]) -> list[Model]:
    event_rules_changed()
    return objects_update(writes)


def event_rules_delete(instances: Sequence[Model], *, message: str = "") -> None:
    event_rules_changed()
    objects_delete(instances, message=message)


# -- matching ---------------------------------------------------------------------------------------------------------


def _rules_for(event: ObjectEvent, event_type: str, rules: Sequence[Rule], content_types: dict) -> list[Rule]:
    content_type = content_types[event.model].pk
    return [rule for rule in rules if content_type in rule.object_type_ids and event_type in rule.event_types]


def object_events_consume(events: list[ObjectEvent]) -> None:
    """core.events' consumer: queue a delivery for every (event, rule) whose conditions hold."""
    events_consume([(event, EVENT_TYPES[event.action]) for event in events])


def job_event_fire(job: Job, event_type: str) -> None:
    """Run the rules that follow jobs (object type core.job) for `job`'s `event_type` (started,
    completed, errored, failed), as a committed change of the job. A failure here is logged: it never
    changes how the job itself ended."""
    try:
        user_name = ""
        if job.user_id is not None:
            user_name = get_user_model().objects.filter(pk=job.user_id).values_list("email", flat=True).first() or ""
        event = ObjectEvent(
            model=Job,
            pk=job.pk,
            action=UPDATE,
            before=None,
            after=None,
            object_repr=str(job)[:200],
            user_id=job.user_id,
            user_name=user_name,
            request_id=None,
        )
        events_consume([(event, event_type)])
    except Exception:
        logger.exception("the %s rules of job %s failed", event_type, job.pk)


def events_consume(events: list[tuple[ObjectEvent, str]], *, retry: bool = True) -> None:
    """Queue a delivery for every (event, event type, rule) whose conditions hold: the rules from the
    cache, one query per model for the REST representations, one INSERT for the deliveries."""
    organization = current_organization()
    if organization is None:
        return
    rules = event_rules()
    if not rules:
        return
    content_types = {model: ContentType.objects.get_for_model(model) for model in {e.model for e, _t in events}}
    matching = [
        (event, event_type, _rules_for(event, event_type, rules, content_types)) for event, event_type in events
    ]
    matching = [(event, event_type, found) for event, event_type, found in matching if found]
    if not matching:
        return
    links = organization_links(organization)
    representations = _representations([event for event, _type, _rules in matching], links)
    deliveries = []
    notifications: list[Notification] = []
    script_runs: list[tuple[Rule, dict]] = []
    for event, event_type, found in matching:
        rendered = representations.get((event.model, event.pk))
        if rendered is None:  # deleted (or gone again since the commit): its last known state
            rendered = {"id": event.pk, **_json((event.before if event.action == DELETE else event.after) or {})}
        data = rendered
        context = context_of(event, event_type, data)
        for rule in found:
            if not conditions_met(rule.conditions, data):
                continue
            if rule.action_type == EventRuleAction.NOTIFICATION:
                content_type = content_types[event.model]
                notifications.extend(
                    notification_for(event, event_type, content_type, user_id) for user_id in rule.notified_user_ids
                )
                continue
            if rule.action_type == EventRuleAction.SCRIPT:
                script_runs.append((rule, data))
                continue
            if rule.webhook_id is None:
                continue
            deliveries.append(
                WebhookDelivery(
                    webhook_id=rule.webhook_id,
                    event_rule_id=rule.pk,
                    event=event_type,
                    object_type=content_types[event.model],
                    object_id=event.pk,
                    object_repr=event.object_repr,
                    request_id=event.request_id,
                    context=context,
                )
            )
    if deliveries:
        try:
            with transaction.atomic():
                webhook_batch_job(deliveries, user_id=matching[0][0].user_id)
                WebhookDelivery.objects.bulk_create(deliveries)
        except IntegrityError:
            if not retry:
                raise
            # A rule or webhook deleted since the rules were cached (the change's new generation not yet
            # written, or a write that bypassed the services): read them again, once.
            forget_event_rules()
            events_consume(events, retry=False)
            return
    notifications_create(notifications)
    scripts_queue(script_runs)
    if deliveries:
        deliveries_queue(organization, [delivery.pk for delivery in deliveries])


def scripts_queue(runs: list[tuple[Rule, dict]]) -> None:
    """A job for each (script rule, event object): the script runs with the object's REST representation
    as its data, committed, as the member who created the rule, on a worker (never here)."""
    if not runs:
        return
    from automation.scripting.jobs import script_enqueue
    from automation.scripting.plugins import shown

    # A plugin's script whose plugin the organization has disabled is not run (nor listed, nor found).
    scripts = Script.objects.filter(shown("module__")).in_bulk({rule.script_id for rule, _data in runs})
    for rule, data in runs:
        script = scripts.get(rule.script_id)
        if script is None or rule.run_as is None:
            logger.warning("event rule %s: its script or the member it runs as is gone; not run", rule.pk)
            continue
        script_enqueue(script=script, user_id=rule.run_as, data=data, commit=True, event=True)


def deliveries_queue(organization, pks: list[int]) -> None:
    """Queue the deliveries' tasks, stamped with the organization's schema whatever is selected when
    this runs (an on-commit callback may run after the request left the organization)."""
    from automation.tasks import webhook_deliver

    with tenant_context(organization):
        for pk in pks:
            webhook_deliver.delay(organization.pk, pk)
