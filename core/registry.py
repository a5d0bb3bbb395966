"""The registry: declare a model once; REST, filters, search and change logging derive from it.

registry.register(
    Region,
    api="dcim/regions",
    brief_fields=("id", "url", "display", "name", "slug", "description", "_depth"),
)
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q

# NetBox's navigation menus, in its order; registrations say which one they belong to.
MENUS = ("Organization", "DCIM", "IPAM", "Circuits", "Virtualization", "Customization", "Operations", "Admin")
MENU_BY_APP = {
    "tenancy": "Organization",
    "dcim": "DCIM",
    "ipam": "IPAM",
    "circuits": "Circuits",
    "virtualization": "Virtualization",
    "extras": "Customization",
    "core": "Operations",
    "users": "Admin",
}


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
    # The organization's settings: written by admins and owners only (see core.querysets).
    admin_only: bool = False
    # The rows a member may see at all, whatever the action, role or object permissions grant:
    # actor -> Q, or None for every row (e.g. saved filters: others' private ones are hidden).
    visible_to: Callable[[Any], Q | None] | None = None
    display: Callable[[models.Model], str] = str
    # Extra filter definitions or overrides, by filter name (see core.filters).
    filters: dict = field(default_factory=dict)
    # Representations of fields that differ from the derived ones, with the type of what they return:
    # name -> core.fields.Rendered((obj, links) -> value, ValueType).
    renderers: dict[str, Callable] = field(default_factory=dict)
    # Counts NetBox shows on this object (e.g. {"site_count": "sites"}), annotated on lists.
    counts: dict[str, str] = field(default_factory=dict)
    # Writes of fields whose JSON form the generic layer cannot convert (e.g. "dcim.site" for a content
    # type): name -> (value, actor) -> Python value; raise ValidationError for a bad value.
    write_converters: dict[str, Callable] = field(default_factory=dict)
    # NetBox's name for a field whose model field is named otherwise: {"users": "user_ids"}.
    write_aliases: dict[str, str] = field(default_factory=dict)
    # The UI's navigation group (NetBox's menus); None: derived from the API app (see `menu_group`).
    menu: str | None = None
    # The list page's default columns; None: derived from the representation's fields.
    table_columns: tuple[str, ...] | None = None
    # Form fields the UI cannot derive (e.g. members, who live outside the organization's schema):
    # model field name -> (bulk: bool) -> django.forms.Field.
    form_fields: dict[str, Callable] = field(default_factory=dict)

    @property
    def type_label(self) -> str:
        """The type as NetBox names it: "dcim.site" for inventory.Site."""
        return f"{self.api_app}.{self.model._meta.model_name}"

    @property
    def menu_group(self) -> str:
        return self.menu or MENU_BY_APP.get(self.api_app, self.api_app.title())

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

    def find_label(self, label: str) -> ObjectSpec | None:
        """The registration NetBox calls "<api app>.<model>" ("dcim.site" is our inventory.Site)."""
        app, _, name = label.partition(".")
        for spec in self._by_model.values():
            if spec.api_app == app and spec.model._meta.model_name == name:
                return spec
        return None


registry = Registry()


def object_type_label(content_type) -> str:
    """A content type as NetBox names it: "dcim.site" for inventory.Site; "app.model" if unregistered."""
    model = content_type.model_class()
    spec = registry.find(model) if model is not None else None
    if spec is None:
        return f"{content_type.app_label}.{content_type.model}"
    return spec.type_label


def object_type_for(label: str):
    """The ContentType for NetBox's "dcim.site" (or our own "inventory.site"); None if there is none."""
    from django.contrib.contenttypes.models import ContentType

    if not isinstance(label, str) or label.count(".") != 1:
        return None
    spec = registry.find_label(label.lower())
    if spec is not None:
        return ContentType.objects.get_for_model(spec.model)
    app_label, _, name = label.lower().partition(".")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, name)
    except ContentType.DoesNotExist:
        return None
    return content_type if content_type.model_class() is not None else None


def object_type_renderer(attribute: str, *, null: bool = False):
    """A registration renderer showing a content type field as NetBox's label ("dcim.site");
    `null`: the field may be empty."""
    from core.fields import TEXT_VALUE, Rendered, nullable

    def render(obj, links):
        content_type = getattr(obj, attribute)
        return None if content_type is None else object_type_label(content_type)

    return Rendered(render, nullable(TEXT_VALUE) if null else TEXT_VALUE)
