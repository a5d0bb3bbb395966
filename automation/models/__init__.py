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
from automation.models.links import ButtonClass, CustomLink
from automation.models.notifications import Bookmark, Notification, NotificationGroup, Subscription
from automation.models.scripts import Script, ScriptModule
from automation.models.templates import ConfigContext, ConfigTemplate, ExportTemplate

__all__ = [
    "Bookmark",
    "ButtonClass",
    "ConfigContext",
    "ConfigTemplate",
    "CustomLink",
    "EventRule",
    "EventRuleAction",
    "EventType",
    "ExportTemplate",
    "Job",
    "JobStatus",
    "Notification",
    "NotificationGroup",
    "Script",
    "ScriptModule",
    "Subscription",
    "Webhook",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
    "WebhookMethod",
]
