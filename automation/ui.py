"""Automation's models in the UI: NetBox's Operations > Integrations, and each webhook's deliveries; config
contexts and templates, export templates, and the Render Config tab of objects that get config contexts."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Window
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from jinja2 import TemplateError

from automation.configcontexts import config_context_for
from automation.links import custom_links_render
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
    Subscription,
    Webhook,
    WebhookDelivery,
)
from automation.notifications import email_preference_set, email_wanted, is_marked, notifications_mark_read
from automation.scripting.ui import job_log_panel
from automation.services import WAITING, JobNotCancellable, job_cancel, job_is_cancellable
from automation.templating import template_render_for
from automation.webhooks import webhook_delivery_resend
from core.permissions import allowed
from core.registry import Menu, Page, Panel, Tab, Ui, object_type_label, registry
from core.usecases import Item, WriteRefused, delete_objects, write_objects
from frontend.base_views import object_url, page_url_name, safe_return_url
from frontend.extensions import object_header_item_register, topbar_item_register
from frontend.tabs import related_objects_tab

INTEGRATIONS = Menu("Operations", "Integrations")


def _resend(request, spec, actor, delivery):
    """A delivery's Resend tab: what resending does, and the button (admins and owners)."""
    may_resend = allowed(actor, WebhookDelivery, "change")
    resent = None
    if request.method == "POST":
        if not may_resend:
            raise PermissionDenied
        resent = webhook_delivery_resend(delivery, user_id=actor.user_id)
    context = {"delivery": delivery, "may_resend": may_resend, "resent": resent}
    if resent is not None:
        context["resent_url"] = object_url(spec, "detail", resent.pk)
    return "automation/_delivery_resend.html", context


registry.extend(
    EventRule,
    ui=Ui(menu=INTEGRATIONS, table_columns=("name", "enabled", "object_types", "event_types", "action_type")),
)
registry.extend(
    Webhook,
    ui=Ui(
        menu=INTEGRATIONS,
        table_columns=("name", "enabled", "http_method", "payload_url", "consecutive_failures"),
        tabs=(
            related_objects_tab(
                WebhookDelivery, "deliveries", "Deliveries", lambda spec, webhook: {"webhook": webhook.pk}
            ),
        ),
    ),
)
registry.extend(
    WebhookDelivery,
    ui=Ui(
        menu=INTEGRATIONS,
        table_columns=("created", "webhook", "event", "object_repr", "status", "attempts", "response_code"),
        changelog=False,
        tabs=(Tab("resend", "Resend", _resend),),
    ),
)


def _cancel(request, spec, actor, job):
    """A pending job's Cancel tab (for whoever sees the job: who started it, admins and owners)."""
    error = None
    if request.method == "POST":
        try:
            job = job_cancel(job, user_id=actor.user_id)
        except JobNotCancellable as exc:
            error = str(exc)
    context = {"job": job, "error": error, "may_cancel": job_is_cancellable(job)}
    return "automation/_job_cancel.html", context


def _log_entries(request, spec, actor, job):
    return {"entries": job.log_entries if isinstance(job.log_entries, list) else []}


registry.extend(
    Job,
    ui=Ui(
        menu=Menu("Operations", "Jobs"),
        table_columns=("name", "status", "created", "started", "completed", "user"),
        changelog=False,
        tabs=(Tab("cancel", "Cancel", _cancel, visible=lambda job: job.status in WAITING),),
        panels=(Panel("automation/_job_log_entries.html", context=_log_entries), job_log_panel()),
    ),
)


# -- config contexts and templates (NetBox's Provisioning menu), export templates (Customization) ----------

PROVISIONING = Menu("Provisioning", "Configurations")
registry.extend(ConfigContext, ui=Ui(menu=PROVISIONING, table_columns=("name", "weight", "is_active", "description")))
registry.extend(ConfigTemplate, ui=Ui(menu=PROVISIONING, table_columns=("name", "description", "mime_type")))
registry.extend(
    ExportTemplate,
    ui=Ui(menu=Menu("Customization", "Export"), table_columns=("name", "object_types", "description", "mime_type")),
)


def _render_config_tab(request, spec, actor, instance):
    """NetBox's "Render Config" tab: the object's config context and its preferred config template rendered
    with it, or why it could not be."""
    context = config_context_for(instance, spec, {})
    template = spec.config_contexts.config_template(instance) if spec.config_contexts.config_template else None
    rendered, error = None, None
    if template is not None:
        try:
            rendered = template_render_for(template, {**context, instance._meta.model_name: instance})
        except TemplateError as exc:
            error = str(exc)
    return "automation/_render_config.html", {
        "config_template": template,
        "config_template_url": None
        if template is None
        else object_url(registry.get(ConfigTemplate), "detail", template.pk),
        "context_json": json.dumps(context, indent=4, sort_keys=True, default=str),
        "rendered": rendered,
        "error": error,
    }


for _spec in list(registry):
    if _spec.config_contexts is not None:
        registry.augment(_spec.model, tabs=(Tab("render-config", "Render Config", _render_config_tab),))


# -- bookmarks, subscriptions and notifications: a member's own ----------------------------------------

MINE = Menu("Operations", "Mine")
CUSTOMIZATION = Menu("Customization", "Customization")


def _toggle(model):
    """A Page's view: POST object_type and object_id to add the member's bookmark (subscription) of
    that object, or remove it when they have one; back to `return_url`."""

    def view(request, spec, actor):
        back = safe_return_url(request, object_url(spec, "list"))
        if request.method != "POST":
            return HttpResponseRedirect(back)
        label, object_id = request.POST.get("object_type", ""), request.POST.get("object_id", "")
        mine = model.objects.restrict(actor, "delete").filter(object_id=int(object_id) if object_id.isdigit() else -1)
        existing = [mark.pk for mark in mine if object_type_label(mark.object_type) == label]
        try:
            if existing:
                delete_objects(spec, actor, existing)
            else:
                write_objects(spec, actor, [Item({"object_type": label, "object_id": object_id})])
        except WriteRefused as refused:
            from django.contrib import messages

            for error in refused.errors:
                for messages_of in error["errors"].values():
                    for message in messages_of:
                        messages.error(request, message)
        return HttpResponseRedirect(back)

    return view


def _mark_read(request, spec, actor):
    """POST `id` (one or more; none: all) to mark the member's notifications read."""
    back = safe_return_url(request, object_url(spec, "list"))
    if request.method == "POST" and actor.user_id is not None:
        ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
        notifications_mark_read(user_id=actor.user_id, pks=ids or None)
    return HttpResponseRedirect(back)


def _email(request, spec, actor):
    """POST `email` ("on" or not) to get one's notifications by email too, or no longer."""
    if request.method == "POST" and actor.user_id is not None:
        email_preference_set(user_id=actor.user_id, wanted=request.POST.get("email") == "on")
    return HttpResponseRedirect(safe_return_url(request, object_url(spec, "list")))


registry.extend(
    Bookmark,
    ui=Ui(
        menu=MINE,
        table_columns=("object", "object_type", "created"),
        changelog=False,
        pages=(Page("bookmark-toggle", "Bookmark", _toggle(Bookmark)),),
    ),
)
registry.extend(
    Subscription,
    ui=Ui(
        menu=MINE,
        table_columns=("object", "object_type", "created"),
        changelog=False,
        pages=(Page("subscription-toggle", "Subscribe", _toggle(Subscription)),),
    ),
)
registry.extend(
    Notification,
    ui=Ui(
        menu=MINE,
        table_columns=("created", "object", "object_type", "event_type", "read"),
        changelog=False,
        pages=(Page("notifications-read", "Mark read", _mark_read), Page("notifications-email", "Email", _email)),
    ),
)
registry.extend(NotificationGroup, ui=Ui(menu=INTEGRATIONS, table_columns=("name", "description", "users")))
registry.extend(
    CustomLink,
    ui=Ui(
        menu=CUSTOMIZATION,
        table_columns=("name", "enabled", "object_types", "group_name", "weight", "button_class", "new_window"),
    ),
)


def _marks(request, spec, actor, instance, data) -> str:
    """The Bookmark and Subscribe buttons of every object page (not on a member's own rows)."""
    if spec.access.personal is not None or actor.user_id is None:
        return ""
    marked = is_marked(spec.model, instance.pk, actor.user_id)
    return render_to_string(
        "automation/_object_marks.html",
        {
            "object_type": object_type_label(ContentType.objects.get_for_model(spec.model)),
            "object_id": instance.pk,
            "bookmarked": marked["bookmark"] is not None,
            "subscribed": marked["subscription"] is not None,
            "bookmark_url": reverse(page_url_name(registry.get(Bookmark), BOOKMARK_TOGGLE)),
            "subscription_url": reverse(page_url_name(registry.get(Subscription), SUBSCRIPTION_TOGGLE)),
            "return_url": request.get_full_path(),
        },
        request=request,
    )


def _custom_links(request, spec, actor, instance, data) -> str:
    groups = custom_links_render(spec.model, data, user_name=actor.user_name)
    return render_to_string("automation/_custom_links.html", {"groups": groups}) if groups else ""


def _bell(request, actor) -> str:
    """The top bar's bell: the member's unread count, their newest unread notifications."""
    if actor.user_id is None:
        return ""
    unread = Notification.objects.filter(user_id=actor.user_id, read__isnull=True)
    # One query: the newest, each with how many there are in all (a window over the unread, before LIMIT).
    newest = list(unread.select_related("object_type").annotate(unread=Window(Count("pk")))[:BELL_SHOWN])
    count = newest[0].unread if newest else 0
    spec = registry.get(Notification)
    items = [
        {
            "id": notification.pk,
            "text": notification.object_repr,
            "event": notification.get_event_type_display(),
            "created": notification.created,
            "url": _object_link(notification),
        }
        for notification in newest
    ]
    return render_to_string(
        "automation/_bell.html",
        {
            "count": count,
            "items": items,
            "list_url": object_url(spec, "list"),
            "read_url": reverse(page_url_name(spec, NOTIFICATIONS_READ)),
            "email_url": reverse(page_url_name(spec, NOTIFICATIONS_EMAIL)),
            "email": email_wanted(actor.user_id),
            "bookmarks_url": object_url(registry.get(Bookmark), "list"),
            "return_url": request.get_full_path(),
        },
        request=request,
    )


def _object_link(notification) -> str | None:
    if notification.event_type == "object_deleted":
        return None
    model = notification.object_type.model_class()
    spec = registry.find(model) if model is not None else None
    return None if spec is None else object_url(spec, "detail", notification.object_id)


BELL_SHOWN = 10
BOOKMARK_TOGGLE = registry.get(Bookmark).ui.pages[0]
SUBSCRIPTION_TOGGLE = registry.get(Subscription).ui.pages[0]
NOTIFICATIONS_READ, NOTIFICATIONS_EMAIL = registry.get(Notification).ui.pages
object_header_item_register(_marks)
object_header_item_register(_custom_links)
topbar_item_register(_bell)
