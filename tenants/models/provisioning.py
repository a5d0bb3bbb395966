"""Schemas waiting to become organizations' and the snapshot they are built from (`tenants.provisioning`)."""

from django.db import models


class SchemaSnapshot(models.Model):
    """The DDL and seed rows of a fully migrated organization schema, for one migration state."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"snapshot {self.fingerprint[:12]}"


class SpareSchema(models.Model):
    """A fully migrated, unused schema waiting to become an organization's (renamed on hand-out)."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    database = models.CharField(max_length=63, default="default")  # the server holding it (settings.DATABASES)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return self.schema_name
