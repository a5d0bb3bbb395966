"""Automation's registrations: the custom field's write services, which rewrite stored values inline
or as a job (automation.customfields); event rules, webhooks and the webhook delivery log."""

import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from jinja2 import TemplateError

from automation.configcontexts import config_context_for, config_context_renderer
from automation.customfields import custom_fields_create, custom_fields_delete, custom_fields_update
from automation.events import event_rules_create, event_rules_delete, event_rules_update
from automation.models import (
    Bookmark,
    ConfigContext,
    ConfigTemplate,
    CustomLink,
    EventRule,
    ExportTemplate,
    Job,
    Notification,
    NotificationGroup,
    Script,
    Subscription,
    Webhook,
    WebhookDelivery,
)
from automation.services import JobNotCancellable, job_cancel
from automation.templating import DEFAULT_MIME_TYPE, file_response, template_render_for
from automation.webhooks import webhook_delivery_resend
from core.authorship import personal_objects_create
from core.context import ROLE_ACTIONS
from core.exports import ExportUnavailable, ListExporter, list_exporter_register
from core.fields import (
    BOOLEAN_VALUE,
    BRIEF_OBJECT,
    JSON_VALUE,
    TEXT_VALUE,
    Rendered,
    list_of,
    nullable,
    renders,
)
from core.filters import path_filters
from core.members import MEMBER, member_brief, member_ids, members
from core.models import CustomField
from core.registry import (
    Access,
    Api,
    Route,
    Search,
    object_type_labels,
    object_type_renderer,
    plain_choice,
    registry,
)
from core.representation import Links, render
from core.services import Services
from core.writes import object_type_converter

registry.extend(
    CustomField,
    services=Services(create=custom_fields_create, update=custom_fields_update, delete=custom_fields_delete),
)

# Rules and webhooks are cached per schema for every write's events (automation.events).
RULE_SERVICES = Services(create=event_rules_create, update=event_rules_update, delete=event_rules_delete)

registry.register(
    Webhook,
    api=Api(
        "extras/webhooks",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "description", "payload_url", "http_method",
            "http_content_type", "additional_headers", "body_template", "secret", "ssl_verification",
            "ca_file_path", "timeout", "enabled", "consecutive_failures", "custom_fields", "owner", "tags", "created",
            "last_updated",
        ),
        renderers={"http_method": plain_choice("http_method")},
    ),
    access=Access(admin_only=True),
    search=Search(fields=("name", "description", "payload_url")),
    services=RULE_SERVICES,
)  # fmt: skip


@renders(nullable(BRIEF_OBJECT))
def _action_object(rule, links):
    target = rule.action_object
    return None if target is None else render(target, links, brief=True)


registry.register(
    EventRule,
    api=Api(
        "extras/event-rules",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "object_types", "name", "enabled", "event_types", "conditions",
            "action_type", "action_object_type", "action_object_id", "action_object", "action_is_available",
            "description", "custom_fields", "owner", "tags", "created", "last_updated",
        ),
        renderers={
            "object_types": object_type_labels("object_types"),
            "action_object_type": object_type_renderer("action_object_type"),
            "action_object": _action_object,
            "action_is_available": Rendered(lambda rule, links: True, BOOLEAN_VALUE),
        },
        write_converters={
            "object_types": object_type_converter(lambda model: model in registry, many=True),
            "action_object_type": object_type_converter(
                lambda model: model in (Webhook, NotificationGroup, Script), null=False
            ),
        },
    ),
    access=Access(admin_only=True),
    search=Search(fields=("name", "description")),
    services=RULE_SERVICES,
)  # fmt: skip


def _manages(actor) -> bool:
    """The organization's admins and owners (and system work)."""
    return actor.is_system or actor.is_superuser or "settings" in ROLE_ACTIONS.get(actor.role, frozenset())


def _delivery_visibility(actor) -> Q | None:
    """Deliveries carry the events' data, objects a member's permissions may hide from them: only the
    organization's admins and owners (who manage the webhooks) see them."""
    return None if _manages(actor) else Q(pk__in=[])


def _resend(request, actor, delivery):
    copy = webhook_delivery_resend(delivery, user_id=actor.user_id)
    return {"id": copy.pk, "status": copy.status, "detail": _("The delivery was queued again.")}


registry.register(
    WebhookDelivery,
    api=Api(
        "extras/webhook-deliveries",
        brief_fields=("id", "url", "display", "status", "created"),
        fields=(
            "id", "url", "display_url", "display", "webhook", "event_rule", "event", "object_type", "object_id",
            "object_repr", "request_id", "idempotency_key", "status", "attempts", "response_code", "duration_ms",
            "response_body", "error", "context", "job", "created", "last_attempt",
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


def _job_object(job, links):
    target = job.object
    return None if target is None or registry.find(type(target)) is None else render(target, links, brief=True)


def _execution_time(job, links):
    if job.started is None or job.completed is None:
        return None
    return str(job.completed - job.started)


def _cancel(request, actor, job):
    """Wirebook's own route (NetBox's jobs API is read-only): cancel a job no worker has started."""
    try:
        job = job_cancel(job, user_id=actor.user_id)
    except JobNotCancellable as exc:
        return JsonResponse({"detail": str(exc)}, status=409)
    return JsonResponse({"id": job.pk, "status": job.status, "detail": _("The job was cancelled.")})


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
            # What the job belongs to (a script), if anything: most jobs belong to the organization.
            "object_type": object_type_renderer("object_type", null=True),
            "object": Rendered(_job_object, nullable(BRIEF_OBJECT), prefetch=("object",)),
            "execution_time": Rendered(_execution_time, nullable(TEXT_VALUE)),
            "user": Rendered(
                lambda job, links: None if job.user_id is None else member_brief(job.user_id, links),
                nullable(MEMBER),
            ),
            "queue_name": Rendered(lambda job, links: "default", TEXT_VALUE),
            "log_entries": Rendered(lambda job, links: job.log_entries, list_of(JSON_VALUE)),
        },
        routes=(
            # Who sees a job may cancel it: the member who started it, and admins and owners.
            Route(
                "cancel",
                _cancel,
                methods=("POST",),
                summary="Cancel a pending job before a worker starts it (409 once it has started or ended).",
            ),
        ),
    ),
    access=Access(read_only=True, visible_to=_job_visibility),
    search=Search(fields=("name", "error")),
)  # fmt: skip


# -- config contexts, config templates, export templates (NetBox's extras) -------------------------

SYNCED_DATA = ("data_source", "data_path", "data_file", "data_synced")  # Wirebook has no data sources yet
_NULL_JSON = Rendered(lambda obj, links: None, nullable(JSON_VALUE))


def _synced_data_renderers(*names: str) -> dict:
    shown = {name: _NULL_JSON for name in (*SYNCED_DATA, *names)}
    shown["data_path"] = Rendered(lambda obj, links: "", TEXT_VALUE)
    return shown


registry.register(
    ConfigContext,
    api=Api(
        "extras/config-contexts",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "weight", "profile", "description", "is_active",
            "regions", "site_groups", "sites", "locations", "device_types", "roles", "platforms", "cluster_types",
            "cluster_groups", "clusters", "tenant_groups", "tenants", "owner", "tags", "data_source", "data_path",
            "data_file", "data_synced", "data", "created", "last_updated",
        ),
        renderers=_synced_data_renderers("profile"),
    ),
    search=Search(fields=("name", "description")),
)  # fmt: skip

# NetBox's names for the assignment filters (`region_id=`, `device_role=`, `cluster_id=`...): by id and, where
# the assigned objects have one, by slug; exact (a region stands for itself, not the regions below it).
_ASSIGNMENT_FILTER_NAMES = {
    "regions": "region", "site_groups": "site_group", "sites": "site", "locations": "location",
    "device_types": "device_type", "roles": "device_role", "platforms": "platform", "cluster_types": "cluster_type",
    "cluster_groups": "cluster_group", "clusters": "cluster", "tenant_groups": "tenant_group", "tenants": "tenant",
}  # fmt: skip
registry.extend(
    ConfigContext,
    filters={
        label: definition
        for relation, name in _ASSIGNMENT_FILTER_NAMES.items()
        for label, definition in path_filters(
            name, relation, ConfigContext._meta.get_field(relation).related_model, tree=False, many=True
        ).items()
    },
)


def _render_content(request, template, context: dict):
    """NetBox's answer to render and render-config: {configtemplate, content}, or the text alone when
    asked for (`?format=txt` or `Accept: text/plain`)."""
    try:
        content = template_render_for(template, context)
    except TemplateError as error:
        lineno = getattr(error, "lineno", None)
        line = f" (line {lineno})" if lineno else ""
        return JsonResponse({"detail": f"An error occurred while rendering the template{line}: {error}"}, status=400)
    if request.GET.get("format") == "txt" or request.headers.get("Accept", "").startswith("text/plain"):
        return HttpResponse(content, content_type=template.mime_type or DEFAULT_MIME_TYPE)
    return JsonResponse({"configtemplate": render(template, Links(request), brief=True), "content": content})


class _BadRequest(Exception):
    pass


def _request_context(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise _BadRequest(f"JSON parse error - {error}") from None
    if not isinstance(body, dict):
        raise _BadRequest("The request body must be a JSON object of context variables.")
    return body


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=400)


def _template_render(request, actor, template):
    try:
        context = _request_context(request)
    except _BadRequest as error:
        return _bad_request(str(error))
    return _render_content(request, template, context)


RENDERED_CONFIG = {
    "type": "object",
    "properties": {"configtemplate": BRIEF_OBJECT.schema, "content": {"type": "string"}},
    "required": ["configtemplate", "content"],
}
FORMAT_PARAMETER = {"in": "query", "name": "format", "schema": {"type": "string", "enum": ["json", "txt"]}}

registry.register(
    ConfigTemplate,
    api=Api(
        "extras/config-templates",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "description", "environment_params", "template_code",
            "mime_type", "file_name", "file_extension", "as_attachment", "debug", "data_source", "data_path",
            "data_file", "auto_sync_enabled", "data_synced", "owner", "tags", "created", "last_updated",
        ),
        renderers={
            **_synced_data_renderers(),
            "auto_sync_enabled": Rendered(lambda obj, links: False, BOOLEAN_VALUE),
        },
        routes=(
            Route(
                "render",
                _template_render,
                methods=("POST",),
                summary="Render the config template with the context variables given in the body.",
                response=RENDERED_CONFIG,
                request={"type": "object", "additionalProperties": True},
                parameters=(FORMAT_PARAMETER,),
            ),
        ),
    ),
    search=Search(fields=("name", "description")),
)  # fmt: skip


# -- a member's own marks on objects: bookmarks, subscriptions, notifications (NetBox's extras) --------


def _object(mark, links):
    target = mark.object
    return None if target is None or registry.find(type(target)) is None else render(target, links, brief=True)


MARK_RENDERERS = {
    "object_type": object_type_renderer("object_type"),
    "object": Rendered(_object, nullable(BRIEF_OBJECT)),
    "user": Rendered(lambda mark, links: member_brief(mark.user_id, links), MEMBER),
}
MARK_CONVERTERS = {"object_type": object_type_converter(lambda model: model in registry, null=False)}
# Each is its member's own: `user` is whoever writes it (core.authorship), never read from the request.
PERSONAL = Access(personal="user_id")

# NetBox's brief subscription shows its user; its brief bookmark does not.
for model, path, brief in (
    (Bookmark, "extras/bookmarks", ("id", "url", "display", "object_type", "object_id")),
    (Subscription, "extras/subscriptions", ("id", "url", "display", "object_type", "object_id", "user")),
):
    registry.register(
        model,
        api=Api(
            path,
            brief_fields=brief,
            fields=("id", "url", "display", "object_type", "object_id", "object", "user", "created"),
            write_fields=("object_type", "object_id"),
            renderers=MARK_RENDERERS,
            write_converters=MARK_CONVERTERS,
        ),
        access=PERSONAL,
        search=Search(fields=()),
        services=Services(create=personal_objects_create),
    )

registry.register(
    Notification,
    api=Api(
        "extras/notifications",
        brief_fields=("id", "url", "display", "object_type", "object_id", "user", "read", "event_type"),
        fields=(
            "id", "url", "display", "object_type", "object_id", "object", "user", "created", "read", "event_type",
        ),
        write_fields=("object_type", "object_id", "event_type", "read"),
        # NetBox shows a notification's event type as its plain value.
        renderers={**MARK_RENDERERS, "event_type": Rendered(lambda note, links: note.event_type, TEXT_VALUE)},
        write_converters=MARK_CONVERTERS,
    ),
    access=PERSONAL,
    search=Search(fields=()),
    services=Services(create=personal_objects_create),
)  # fmt: skip


@renders(list_of(MEMBER))
def _group_users(group, links):
    known = members(links)
    return [member_brief(user_id, links) for user_id in sorted(group.user_ids) if user_id in known]


registry.register(
    NotificationGroup,
    api=Api(
        "extras/notification-groups",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=("id", "url", "display", "display_url", "name", "description", "groups", "users"),
        write_fields=("name", "description", "user_ids"),
        renderers={
            "users": _group_users,
            "groups": Rendered(lambda group, links: [], list_of(JSON_VALUE)),  # Wirebook has no user groups
        },
        write_converters={"user_ids": member_ids},
        write_aliases={"users": "user_ids"},
    ),
    access=Access(admin_only=True),
    services=RULE_SERVICES,  # its members are what its rules notify (automation.events caches them)
    search=Search(fields=("name", "description")),
)  # fmt: skip


registry.register(
    ExportTemplate,
    api=Api(
        "extras/export-templates",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "object_types", "name", "description", "environment_params",
            "template_code", "mime_type", "file_name", "file_extension", "as_attachment", "data_source", "data_path",
            "data_file", "auto_sync_enabled", "data_synced", "owner", "created", "last_updated",
        ),
        renderers={
            **_synced_data_renderers(),
            "auto_sync_enabled": Rendered(lambda obj, links: False, BOOLEAN_VALUE),
            "object_types": object_type_labels("object_types", prefetch=("object_types",)),
        },
        write_converters={"object_types": object_type_converter(lambda model: model in registry, many=True)},
    ),
    search=Search(fields=("name", "description")),
)  # fmt: skip


def _render_config(spec):
    declared = spec.config_contexts

    def handler(request, actor, obj):
        """NetBox's render-config: the chosen (`config_template_id`) or preferred config template, rendered
        with the object's config context, the body's variables and the object itself."""
        try:
            extra = _request_context(request)
        except _BadRequest as error:
            return _bad_request(str(error))
        chosen = extra.pop("config_template_id", None)
        if chosen is not None:
            template = (
                ConfigTemplate.objects.restrict(actor, "view").filter(pk=chosen).first()
                if isinstance(chosen, int)
                else None
            )
            if template is None:
                return _bad_request(f"Config template {chosen!r} was not found.")
        else:
            template = declared.config_template(obj) if declared.config_template else None
        if template is None:
            return JsonResponse({"detail": f"No config template found for {spec.display(obj)}."}, status=400)
        context = {**config_context_for(obj, spec, {}), **extra, obj._meta.model_name: obj}
        return _render_content(request, template, context)

    return Route(
        "render-config",
        handler,
        methods=("POST",),
        summary="Resolve and render the preferred config template for this object.",
        response=RENDERED_CONFIG,
        request={"type": "object", "additionalProperties": True},
        parameters=(FORMAT_PARAMETER,),
    )


for _spec in list(registry):
    if _spec.config_contexts is not None:
        registry.augment(
            _spec.model,
            renderers={"config_context": config_context_renderer(_spec)},
            routes=(_render_config(_spec),),
        )


def _export_templates(spec, actor):
    content_type = ContentType.objects.get_for_model(spec.model)
    return ExportTemplate.objects.restrict(actor, "view").filter(object_types=content_type)


def _export(spec, actor, rows, name: str):
    """NetBox's export templates on a list: the named one of the list's type, rendered over the filtered
    rows the caller may view (as `queryset`)."""
    template = _export_templates(spec, actor).filter(name=name).first()
    if template is None:
        raise ExportUnavailable(404, f"Export template not found: {name}")
    try:
        content = template_render_for(template, {"queryset": rows})
    except TemplateError as error:
        raise ExportUnavailable(400, f"An error occurred while rendering the export template: {error}") from None
    return file_response(template, content, default_name=f"netbox_{spec.model._meta.verbose_name_plural}")


list_exporter_register(
    ListExporter(
        offered=lambda spec, actor: [
            (name, name) for name in _export_templates(spec, actor).values_list("name", flat=True)
        ],
        respond=_export,
    )
)


registry.register(
    CustomLink,
    api=Api(
        "extras/custom-links",
        brief_fields=("id", "url", "display", "name"),
        fields=(
            "id", "url", "display_url", "display", "object_types", "name", "enabled", "link_text", "link_url",
            "weight", "group_name", "button_class", "new_window", "owner", "created", "last_updated",
        ),
        renderers={"object_types": object_type_labels("object_types"), "button_class": plain_choice("button_class")},
        write_converters={"object_types": object_type_converter(lambda model: model in registry, many=True)},
    ),
    access=Access(admin_only=True),
    search=Search(fields=("name", "link_text", "link_url")),
)  # fmt: skip


# Custom scripts and their modules register with the scripting package.
import automation.scripting.api  # noqa: E402, F401
