"""Content types cached per schema, for the life of the process.

Django's `ContentType.objects` caches content types by id and by model, process-wide. Their ids
can differ between schemas, so django-tenants empties that cache on every schema switch -- which
costs a query for every content type a request needs, and is still wrong with threads (one
thread's switch does not protect another thread reading what a third one cached). Here the cache
is keyed by (database alias, schema, organization id) of the connection asking, so each schema
reads its own content types once per process and never another's; `tenants.db` no longer
empties it. A re-created organization (same schema name) has a new id, hence a fresh slot.
`ContentType.objects.clear_cache()` still empties every slot.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connections


class SchemaContentTypeCache(dict):
    """What `ContentTypeManager._cache` expects ({alias: {key: ContentType}}), one slot per schema."""

    @staticmethod
    def _slot(alias):
        connection = connections[alias]
        tenant = getattr(connection, "tenant", None)
        return (alias, getattr(connection, "schema_name", None), getattr(tenant, "pk", None))

    def __getitem__(self, alias):
        return super().__getitem__(self._slot(alias))

    def __contains__(self, alias):
        return super().__contains__(self._slot(alias))

    def get(self, alias, default=None):
        return super().get(self._slot(alias), default)

    def setdefault(self, alias, default=None):
        return super().setdefault(self._slot(alias), default)


def install() -> None:
    ContentType.objects._cache = SchemaContentTypeCache()  # type: ignore[attr-defined]  # a private attribute
