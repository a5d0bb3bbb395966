"""Automation's models in the UI: NetBox's Operations > Integrations, and each webhook's deliveries."""

from django.core.exceptions import PermissionDenied

from automation.models import EventRule, Job, Webhook, WebhookDelivery
from automation.webhooks import webhook_delivery_resend
from core.permissions import allowed
from core.registry import Menu, Tab, Ui, registry
from frontend.base_views import object_url
from frontend.tabs import related_objects_tab

INTEGRATIONS = Menu("Operations", "Integrations")


def _resend(request, spec, actor, delivery):
    """A delivery's Resend tab: what resending does, and the button (admins and owners)."""
    may_resend = allowed(actor, WebhookDelivery, "change")
    resent = None
    if request.method == "POST":
        if not may_resend:
            raise PermissionDenied
        resent = webhook_delivery_resend(delivery)
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
registry.extend(
    Job,
    ui=Ui(
        menu=Menu("Operations", "Jobs"),
        table_columns=("name", "status", "created", "started", "completed", "user"),
        changelog=False,
    ),
)
