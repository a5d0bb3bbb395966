"""Automation's models in the UI: NetBox's Operations > Integrations, and each webhook's deliveries."""

from automation.models import EventRule, Webhook, WebhookDelivery
from core.registry import Menu, Ui, registry
from frontend.tabs import related_objects_tab

INTEGRATIONS = Menu("Operations", "Integrations")

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
    ),
)
