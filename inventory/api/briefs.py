"""Brief (nested) representations inventory's registrations share, as NetBox 4.7's Brief schemas list them."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch

from core.fields import BRIEF_OBJECT, Rendered, nullable, renders
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


def l2vpn_termination(model) -> Rendered:
    """NetBox's `l2vpn_termination` of an interface, VM interface or VLAN: its L2VPN termination (one at most,
    VPN's), brief, loaded for a whole list at once through the model's `l2vpn_terminations` relation."""
    related = model._meta.get_field("l2vpn_terminations").related_model
    loaded = Prefetch("l2vpn_terminations", queryset=related._base_manager.select_related("l2vpn").order_by())

    @renders(nullable(BRIEF_OBJECT), prefetch=(loaded,))
    def termination(obj, links):
        for found in obj.l2vpn_terminations.all():
            found._state.fields_cache["assigned_object"] = obj  # its display names the object: this one
            return render(found, links, brief=True)
        return None

    return termination
