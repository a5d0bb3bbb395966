import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    ERRORED = "errored", _("Errored")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A unit of background work run by a Celery worker inside this organization's schema."""

    job_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    # Users live in the public schema; tenant tables refer to them by id only.
    user_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # When it is to run (a scheduled job waits until then), and every how many minutes it runs again.
    scheduled = models.DateTimeField(_("scheduled"), null=True, blank=True)
    interval = models.PositiveIntegerField(_("interval"), null=True, blank=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    completed = models.DateTimeField(_("completed"), null=True, blank=True)
    data = models.JSONField(_("data"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # NetBox's job log: what the worker noted while running it, [{level, message, timestamp}] (Job.log).
    log_entries = models.JSONField(_("log entries"), default=list, blank=True)
    # What the job belongs to (NetBox's job object: the script it runs), if anything.
    object_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", null=True, blank=True, db_index=False
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    object = GenericForeignKey("object_type", "object_id")

    objects = RestrictedQuerySet.as_manager()

    # Not stored: an export's archive, or None, as automation.export.organization_exports() lists them.
    download_path: str | None

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=("object_type", "object_id"), name="automation_job_object")]

    def __str__(self):
        return f"{self.name} ({self.status})"

    def log(self, level: str, message: str) -> None:
        """Note `message` in the job's log at `level` (debug, info, warning, error), timestamped now; the
        worker saves the log with the job's outcome."""
        self.log_entries.append({"level": level, "message": message, "timestamp": timezone.now().isoformat()})
