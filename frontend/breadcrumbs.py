"""Where an object sits, for the breadcrumbs of its pages: Europe > Netherlands > AMS1 > Hall A.

A registration names the fields pointing at its parent (`Ui(breadcrumbs=...)`, most specific first); a tree
(core's NestedGroupModel) adds its ancestors. Each step costs one statement for the parent and one for a
tree's ancestors (read by the tree's bounds, however deep), so a device in a rack of a nested location of a
site in a nested region costs six, whatever it holds. Only what the member may view is shown: the trail stops
at a parent they may not see, and leaves out an ancestor they may not see.
"""

from dataclasses import dataclass
from typing import cast

from django.db import models
from mptt.models import MPTTModel

from core.context import Actor
from core.fields import kind_of
from core.querysets import restricted
from core.registry import ObjectSpec, registry
from frontend.base_views import object_url

# Steps up from the object at most: the chains declared are short; this bounds a cycle or a mistake.
MAX_STEPS = 8


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str
    kind: str  # the object's type, "Region"


def trail(spec: ObjectSpec, actor: Actor, instance: models.Model) -> list[Crumb]:
    """The objects above `instance`, outermost first (the object itself not included)."""
    nearest_first: list[Crumb] = []
    current, current_spec = instance, spec
    for _ in range(MAX_STEPS):
        nearest_first += [_crumb(current_spec, obj) for obj in _ancestors(current_spec, actor, current)]
        found = _parent(current_spec, actor, current)
        if found is None:
            break
        current_spec, current = found
        nearest_first.append(_crumb(current_spec, current))
    return nearest_first[::-1]


def _crumb(spec: ObjectSpec, obj: models.Model) -> Crumb:
    return Crumb(spec.display(obj), object_url(spec, "detail", obj.pk), str(spec.model._meta.verbose_name).capitalize())


def _ancestors(spec: ObjectSpec, actor: Actor, obj: models.Model) -> list[models.Model]:
    """A tree node's ancestors the member may view, nearest first: one statement."""
    if not isinstance(obj, MPTTModel) or getattr(obj, "parent_id", None) is None:
        return []
    meta = obj._mptt_meta
    bounds = {
        meta.tree_id_attr: getattr(obj, meta.tree_id_attr),
        f"{meta.left_attr}__lt": getattr(obj, meta.left_attr),
        f"{meta.right_attr}__gt": getattr(obj, meta.right_attr),
    }
    return list(restricted(spec.model, actor, "view").filter(**bounds).order_by(f"-{meta.left_attr}"))


def _parent(spec: ObjectSpec, actor: Actor, obj: models.Model) -> tuple[ObjectSpec, models.Model] | None:
    """The first declared parent that is set, if the member may view it: one statement."""
    for name in spec.ui.breadcrumbs:
        field = cast(models.ForeignKey, obj._meta.get_field(name))
        assert kind_of(field).relation == "one", f"{spec.model.__name__}.{name} is no foreign key"
        pk = getattr(obj, field.attname)
        if pk is None:
            continue
        parent_spec = registry.visible(field.related_model)  # type: ignore[arg-type]  # a model class here
        if parent_spec is None:
            return None
        parent = restricted(parent_spec.model, actor, "view").filter(pk=pk).first()
        return None if parent is None else (parent_spec, parent)
    return None
