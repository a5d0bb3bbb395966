"""Event rules and webhooks (NetBox's extras.EventRule and extras.Webhook), and the delivery log."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models.base import ChangeLoggedModel, OwnerMixin
from core.querysets import RestrictedQuerySet


class EventType(models.TextChoices):
    OBJECT_CREATED = "object_created", _("Object created")
    OBJECT_UPDATED = "object_updated", _("Object updated")
    OBJECT_DELETED = "object_deleted", _("Object deleted")
    JOB_STARTED = "job_started", _("Job started")
    JOB_COMPLETED = "job_completed", _("Job completed")
    JOB_FAILED = "job_failed", _("Job failed")
    JOB_ERRORED = "job_errored", _("Job errored")


class EventRuleAction(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    SCRIPT = "script", _("Script")
    NOTIFICATION = "notification", _("Notification")


# The actions Wirebook runs today, and the model of each one's action object; a rule naming another is
# refused when it is saved.
AVAILABLE_ACTIONS: dict[str, tuple[str, str]] = {
    EventRuleAction.WEBHOOK: ("automation", "webhook"),
    EventRuleAction.NOTIFICATION: ("automation", "notificationgroup"),
    EventRuleAction.SCRIPT: ("automation", "script"),
}


class EventRule(OwnerMixin, ChangeLoggedModel):
    """When objects of `object_types` see one of `event_types` and the `conditions` hold, run the action."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    object_types = models.ManyToManyField(ContentType, related_name="+", verbose_name=_("object types"))
    event_types = ArrayField(models.CharField(max_length=50, choices=EventType.choices), verbose_name=_("event types"))
    enabled = models.BooleanField(_("enabled"), default=True)
    conditions = models.JSONField(_("conditions"), blank=True, null=True)
    action_type = models.CharField(
        _("action type"), max_length=30, choices=EventRuleAction.choices, default=EventRuleAction.WEBHOOK
    )
    action_object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("action object type")
    )
    action_object_id = models.PositiveBigIntegerField(_("action object id"), blank=True, null=True)
    action_object = GenericForeignKey("action_object_type", "action_object_id")

    class Meta:
        ordering = ["name"]
        verbose_name = _("event rule")
        verbose_name_plural = _("event rules")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from automation.conditions import ConditionError, conditions_check

        if not self.event_types:
            raise ValidationError({"event_types": _("At least one event type must be selected.")})
        expected = AVAILABLE_ACTIONS.get(self.action_type)
        if expected is None:
            raise ValidationError(
                {"action_type": _("Wirebook does not run %(action)s actions yet.") % {"action": self.action_type}}
            )
        from django.apps import apps

        target = apps.get_model(*expected)
        name = target._meta.verbose_name
        if self.action_object_type_id is not None:
            content_type = ContentType.objects.get_for_id(self.action_object_type_id)
            if (content_type.app_label, content_type.model) != expected:
                raise ValidationError(
                    {
                        "action_object_type": _("A %(action)s action's object must be a %(name)s.")
                        % {"action": self.action_type, "name": name}
                    }
                )
        if self.action_object_id is None:
            raise ValidationError({"action_object_id": _("This field is required.")})
        if not target._default_manager.filter(pk=self.action_object_id).exists():
            raise ValidationError({"action_object_id": _("No %(name)s with this id exists.") % {"name": name}})
        try:
            conditions_check(self.conditions)
        except ConditionError as error:
            raise ValidationError({"conditions": str(error)}) from None


class WebhookMethod(models.TextChoices):
    GET = "GET", "GET"
    POST = "POST", "POST"
    PUT = "PUT", "PUT"
    PATCH = "PATCH", "PATCH"
    DELETE = "DELETE", "DELETE"


class Webhook(OwnerMixin, ChangeLoggedModel):
    """An HTTP request sent when an event rule fires: URL, headers and body are sandboxed Jinja2 templates."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    payload_url = models.CharField(_("URL"), max_length=500)
    http_method = models.CharField(
        _("HTTP method"), max_length=30, choices=WebhookMethod.choices, default=WebhookMethod.POST
    )
    http_content_type = models.CharField(_("HTTP content type"), max_length=100, default="application/json")
    additional_headers = models.TextField(_("additional headers"), blank=True)
    body_template = models.TextField(_("body template"), blank=True)
    secret = models.CharField(_("secret"), max_length=255, blank=True)
    ssl_verification = models.BooleanField(_("SSL verification"), default=True)
    ca_file_path = models.CharField(_("CA file path"), max_length=4096, blank=True, null=True)  # noqa: DJ001  # NetBox's is nullable
    timeout = models.PositiveIntegerField(
        _("timeout"), blank=True, null=True, validators=[MinValueValidator(1), MaxValueValidator(3600)]
    )
    # Wirebook's own: switched off after WEBHOOK_DISABLE_AFTER_FAILURES failed deliveries in a row.
    enabled = models.BooleanField(_("enabled"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from automation.delivery import TemplateInvalid, templates_check

        errors: dict[str, str] = {}
        try:
            templates_check(self)
        except TemplateInvalid as invalid:
            errors.update(invalid.errors)
        if self.ca_file_path:
            directory = settings.WEBHOOK_CA_FILES_DIR
            if not directory:
                errors["ca_file_path"] = gettext("This deployment has no CA files: leave this blank.")
            elif "/" in self.ca_file_path or self.ca_file_path.startswith("."):
                errors["ca_file_path"] = gettext("Give the name of one of this deployment's CA files, not a path.")
        if errors:
            raise ValidationError(errors)


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: what was sent, and how the receiver answered."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_rule = models.ForeignKey(EventRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Sent as the Idempotency-Key header: the same on every retry and redelivery of this delivery.
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=50, choices=EventType.choices)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    # The template context (event, model, timestamp, username, request_id, data, snapshots).
    context = models.JSONField(_("context"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    last_attempt = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # The background job of the batch it was queued in (one per committed change, or per resend): the
    # job's page follows its deliveries (automation.webhooks).
    job = models.ForeignKey(
        "automation.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # automation_delivery_job, built concurrently (0012)
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["job"], name="automation_delivery_job")]

    def __str__(self):
        return f"{self.get_event_display()}: {self.object_repr}"
