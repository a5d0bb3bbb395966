"""Representations IPAM's registrations share: an address family, a generic link's object, the types a
generic link may name."""

from collections.abc import Callable
from typing import Any

from core.fields import BRIEF_OBJECT, INTEGER_VALUE, TEXT_VALUE, Rendered, json_object, nullable
from core.registry import registry
from core.representation import render
from core.writes import object_type_converter

NAMED_BRIEF = ("id", "url", "display", "name", "slug", "description")
TRAILER = ("owner", "comments", "tags", "custom_fields", "created", "last_updated")
FAMILY_VALUE = json_object({"value": INTEGER_VALUE, "label": TEXT_VALUE})
FAMILY_LABELS = {4: "IPv4", 6: "IPv6"}


def family(value: int | None) -> dict | None:
    """NetBox's {value: 4, label: "IPv4"}."""
    return None if value is None else {"value": value, "label": FAMILY_LABELS[value]}


FAMILY = Rendered(lambda obj, links: family(obj.family), FAMILY_VALUE)


def linked_object(attribute: str) -> Rendered:
    """A generic link's object in its brief form (null when there is none)."""

    def render_linked(obj, links):
        target = getattr(obj, attribute)
        if target is None:
            return None
        if type(target) in registry:
            return render(target, links, brief=True)
        return {"id": target.pk, "display": str(target)}

    return Rendered(render_linked, nullable(BRIEF_OBJECT))


def labelled(labels: tuple[str, ...]) -> Callable[[type], bool]:
    """Whether a model is registered as one of NetBox's types `labels` ("dcim.site", ...)."""

    def allowed(model: type) -> bool:
        spec = registry.find(model)
        return spec is not None and spec.type_label in labels

    return allowed


def object_types_of(labels: tuple[str, ...], *, null: bool = True) -> Callable[[Any, Any], Any]:
    """A write converter taking NetBox's "app.model" label of one of `labels` (registered ones only: a type
    whose model does not exist yet is refused as unknown)."""
    return object_type_converter(labelled(labels), null=null)
