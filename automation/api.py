"""Automation's registrations: the custom field's write services, which rewrite stored values inline
or as a job (automation.customfields); event rules, webhooks and the webhook delivery log."""

from django.db.models import Q
from django.utils.translation import gettext as _

from automation.customfields import custom_fields_create, custom_fields_delete, custom_fields_update
from automation.models import EventRule, Job, Webhook, WebhookDelivery
from automation.webhooks import webhook_delivery_resend
from core.context import ROLE_ACTIONS
from core.fields import (
    BOOLEAN_VALUE,
    BRIEF_OBJECT,
    INTEGER_VALUE,
    JSON_VALUE,
    TEXT_VALUE,
    Rendered,
    list_of,
    nullable,
    renders,
)
from core.members import MEMBER, member_brief
from core.models import CustomField
from core.registry import Access, Api, Route, Search, object_type_label, object_type_renderer, registry
from core.representation import render
from core.services import Services
from core.writes import object_type_converter

registry.extend(
    CustomField,
    services=Services(create=custom_fields_create, update=custom_fields_update, delete=custom_fields_delete),
)

registry.register(
    Webhook,
    api=Api(
        "extras/webhooks",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "description", "payload_url", "http_method",
            "http_content_type", "additional_headers", "body_template", "secret", "ssl_verification",
            "ca_file_path", "timeout", "enabled", "consecutive_failures", "custom_fields", "tags", "created",
            "last_updated",
        ),
    ),
    access=Access(admin_only=True),
    search=Search(fields=("name", "description", "payload_url")),
)  # fmt: skip


@renders(nullable(BRIEF_OBJECT))
def _action_object(rule, links):
    target = rule.action_object
    return None if target is None else render(target, links, brief=True)


def _event_rule_labels(rule, links):
    return sorted(object_type_label(content_type) for content_type in rule.object_types.all())


registry.register(
    EventRule,
    api=Api(
        "extras/event-rules",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "object_types", "name", "enabled", "event_types", "conditions",
            "action_type", "action_object_type", "action_object_id", "action_object", "action_is_available",
            "description", "custom_fields", "tags", "created", "last_updated",
        ),
        renderers={
            "object_types": Rendered(_event_rule_labels, list_of(TEXT_VALUE)),
            "action_object_type": object_type_renderer("action_object_type"),
            "action_object": _action_object,
            "action_is_available": Rendered(lambda rule, links: True, BOOLEAN_VALUE),
        },
        write_converters={
            "object_types": object_type_converter(lambda model: model in registry, many=True),
            "action_object_type": object_type_converter(lambda model: model is Webhook, null=False),
        },
    ),
    access=Access(admin_only=True),
    search=Search(fields=("name", "description")),
)  # fmt: skip


def _manages(actor) -> bool:
    """The organization's admins and owners (and system work)."""
    return actor.is_system or actor.is_superuser or "settings" in ROLE_ACTIONS.get(actor.role, frozenset())


def _delivery_visibility(actor) -> Q | None:
    """Deliveries carry the events' data, objects a member's permissions may hide from them: only the
    organization's admins and owners (who manage the webhooks) see them."""
    return None if _manages(actor) else Q(pk__in=[])


def _resend(request, actor, delivery):
    copy = webhook_delivery_resend(delivery)
    return {"id": copy.pk, "status": copy.status, "detail": _("The delivery was queued again.")}


registry.register(
    WebhookDelivery,
    api=Api(
        "extras/webhook-deliveries",
        brief_fields=("id", "url", "display", "status", "created"),
        fields=(
            "id", "url", "display_url", "display", "webhook", "event_rule", "event", "object_type", "object_id",
            "object_repr", "request_id", "idempotency_key", "status", "attempts", "response_code", "duration_ms",
            "response_body", "error", "context", "created", "last_attempt",
        ),
        renderers={"object_type": object_type_renderer("object_type", null=True)},
        routes=(
            Route(
                "resend",
                _resend,
                methods=("POST",),
                action="change",
                summary="Send the delivery's event to its webhook again, as a new delivery.",
            ),
        ),
    ),
    access=Access(read_only=True, admin_only=True, visible_to=_delivery_visibility),
    search=Search(fields=("object_repr", "error")),
)  # fmt: skip


# -- background jobs (NetBox's core/jobs): imports, exports, custom field rewrites -----------------


def _job_visibility(actor) -> Q | None:
    """A member sees the jobs they started; admins and owners every job of the organization."""
    if _manages(actor):
        return None
    return Q(pk__in=[]) if actor.user_id is None else Q(user_id=actor.user_id)


def _execution_time(job, links):
    if job.started is None or job.completed is None:
        return None
    return str(job.completed - job.started)


registry.register(
    Job,
    api=Api(
        "core/jobs",
        brief_fields=("id", "url", "display", "status", "created", "completed", "user"),
        fields=(
            "id", "url", "display_url", "display", "object_type", "object_id", "object", "name", "status",
            "created", "scheduled", "interval", "started", "completed", "execution_time", "user", "data", "error",
            "job_id", "queue_name", "log_entries",
        ),
        renderers={
            # Wirebook's jobs belong to the organization, not to one object.
            "object_type": Rendered(lambda job, links: None, nullable(TEXT_VALUE)),
            "object_id": Rendered(lambda job, links: None, nullable(INTEGER_VALUE)),
            "object": Rendered(lambda job, links: None, nullable(BRIEF_OBJECT)),
            "scheduled": Rendered(lambda job, links: None, nullable(TEXT_VALUE)),
            "interval": Rendered(lambda job, links: None, nullable(INTEGER_VALUE)),
            "execution_time": Rendered(_execution_time, nullable(TEXT_VALUE)),
            "user": Rendered(
                lambda job, links: None if job.user_id is None else member_brief(job.user_id, links),
                nullable(MEMBER),
            ),
            "queue_name": Rendered(lambda job, links: "default", TEXT_VALUE),
            "log_entries": Rendered(lambda job, links: [], list_of(JSON_VALUE)),
        },
    ),
    access=Access(read_only=True, visible_to=_job_visibility),
    search=Search(fields=("name", "error")),
)  # fmt: skip
