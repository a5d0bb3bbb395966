"""The registry: declare a model once; REST, filters, search and change logging derive from it.

registry.register(
    Region,
    api="dcim/regions",
    brief_fields=("id", "url", "display", "name", "slug", "description", "_depth"),
)
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class ObjectSpec:
    model: type[models.Model]
    api_app: str  # NetBox's app segment: "dcim", "tenancy", "extras", ...
    api_path: str  # plural kebab-case: "regions", "contact-groups"
    brief_fields: tuple[str, ...]
    # Fields the REST representation carries, in order; None: derived from the model.
    fields: tuple[str, ...] | None = None
    # Fields written through the API (besides custom_fields/tags); None: every editable field.
    write_fields: tuple[str, ...] | None = None
    search_fields: tuple[str, ...] = ("name", "description")
    ordering: tuple[str, ...] = ()
    read_only: bool = False
    display: Callable[[models.Model], str] = str
    # Extra filter definitions or overrides, by filter name (see core.api.filters).
    filters: dict = field(default_factory=dict)
    # Representations of fields that differ from the derived ones: name -> (obj, links) -> value.
    renderers: dict[str, Callable] = field(default_factory=dict)
    # Counts NetBox shows on this object (e.g. {"site_count": "sites"}), annotated on lists.
    counts: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def url_name(self) -> str:
        return f"{self.api_app}-{self.api_path}"


class Registry:
    def __init__(self):
        self._by_model: dict[type[models.Model], ObjectSpec] = {}

    def register(self, model: type[models.Model], *, api: str, brief_fields: tuple[str, ...], **options) -> ObjectSpec:
        if model in self._by_model:
            raise ValueError(f"{model._meta.label} is already registered")
        api_app, _, api_path = api.partition("/")
        spec = ObjectSpec(model=model, api_app=api_app, api_path=api_path, brief_fields=tuple(brief_fields), **options)
        self._by_model[model] = spec
        return spec

    def __iter__(self) -> Iterator[ObjectSpec]:
        return iter(self._by_model.values())

    def __contains__(self, model) -> bool:
        return model in self._by_model

    def get(self, model: type[models.Model]) -> ObjectSpec:
        return self._by_model[model]

    def find(self, model: type[models.Model]) -> ObjectSpec | None:
        return self._by_model.get(model)


registry = Registry()
