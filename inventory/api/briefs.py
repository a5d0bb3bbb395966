"""Brief (nested) representations inventory's registrations share, as NetBox 4.7's Brief schemas list them."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model

from core.fields import BRIEF_OBJECT, INTEGER_VALUE, Rendered, kind_of, listed, listed_prefetch, nullable, renders
from core.registry import Search
from core.representation import render

GROUP_BRIEF = ("id", "url", "display", "name", "slug", "description", "_depth")
SITE_GROUPING_BRIEF = ("id", "url", "display", "name", "slug", "description", "site_count", "_depth")
NAMED_BRIEF = ("id", "url", "display", "name", "slug", "description")
NAMES = Search(fields=("name", "slug", "description", "comments"))


def nested(name: str, fields: tuple[str, ...], *, select: tuple[str, ...] = ()) -> Rendered:
    """A related object (`name`: a foreign key or a reverse one-to-one) shown with some of its fields, as
    NetBox nests it in places (a component's module: id, url, display, device, module_bay). Each related
    object is rendered once per response; `select` is what the list joins to show it."""
    wanted = frozenset(fields)

    @renders(nullable(BRIEF_OBJECT), select=select)
    def nested_object(obj, links):
        try:
            related = getattr(obj, name)
        except ObjectDoesNotExist:  # an empty reverse one-to-one (a bay without a module)
            return None
        if related is None:
            return None
        memo = links.__dict__.setdefault("_nested_fields", {})
        key = (type(related), related.pk, wanted)
        if key not in memo:
            memo[key] = render(related, links, only=set(wanted))
        return memo[key]

    return nested_object


def linked_count(model, relation: str) -> Rendered:
    """How many of IPAM's objects (addresses, FHRP group assignments) a generic relation links to an interface
    or VM interface, their links loaded once for a list (IPAM's models found through the relation: no import)."""
    field = model._meta.get_field(relation)
    assert kind_of(field).relation == "generic", "a generic relation to one of IPAM's models"
    link = (field.content_type_field_name, field.object_id_field_name)
    related = field.related_model
    assert isinstance(related, type) and issubclass(related, Model), "a relation to a model"
    loaded = listed_prefetch(relation, related._base_manager.only("pk", *link).order_by())
    return Rendered(lambda obj, links: len(listed(obj, relation)), INTEGER_VALUE, prefetch=(loaded,))


def l2vpn_termination(model) -> Rendered:
    """NetBox's `l2vpn_termination` of an interface, VM interface or VLAN: its L2VPN termination (one at most,
    VPN's), brief, loaded for a whole list at once through the model's `l2vpn_terminations` relation."""
    related = model._meta.get_field("l2vpn_terminations").related_model
    loaded = listed_prefetch("l2vpn_terminations", related._base_manager.select_related("l2vpn").order_by())

    @renders(nullable(BRIEF_OBJECT), prefetch=(loaded,))
    def termination(obj, links):
        for found in listed(obj, "l2vpn_terminations"):
            found._state.fields_cache["assigned_object"] = obj  # its display names the object: this one
            return render(found, links, brief=True)
        return None

    return termination
