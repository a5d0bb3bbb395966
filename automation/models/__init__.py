from automation.models.events import (
    EventRule,
    EventRuleAction,
    EventType,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookMethod,
)
from automation.models.jobs import Job, JobStatus

__all__ = [
    "EventRule",
    "EventRuleAction",
    "EventType",
    "Job",
    "JobStatus",
    "Webhook",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
    "WebhookMethod",
]
