from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchEntry(models.Model):
    """One object's entry in the organization's full-text index (kept in step by core.services)."""

    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    display = models.CharField(max_length=200)
    document = SearchVectorField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="core_searchentry_unique_object"),
        ]
        indexes = [GinIndex(fields=["document"], name="core_searchentry_document")]

    def __str__(self):
        return self.display
