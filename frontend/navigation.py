"""The side navigation: every registered model under its NetBox menu, plus the organization's pages."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst

from core.context import ROLE_ACTIONS
from core.querysets import is_settings_write
from core.registry import MENUS, registry
from frontend.base_views import url_name

# Pages that are not registered models, by menu: (label, URL name, the role action they need).
EXTRA = {
    "Operations": [("Search", "ui-search", "view")],
    "Admin": [("Members", "members", "view"), ("Audit log", "audit-log", "settings")],
}


def _reverse(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def menu(request) -> list[dict]:
    membership = getattr(request, "membership", None)
    actions = ROLE_ACTIONS.get(membership.role, frozenset()) if membership is not None else frozenset()
    path = request.path
    groups: dict[str, dict] = {label: {"label": label, "items": [], "active": False} for label in MENUS}
    for spec in registry:
        group = groups.setdefault(spec.menu_group, {"label": spec.menu_group, "items": [], "active": False})
        url = reverse(url_name(spec, "list"))
        addable = (
            not spec.read_only
            and "add" in actions
            and not (is_settings_write(spec.model, "add") and "settings" not in actions)
        )
        item = {
            "label": capfirst(spec.model._meta.verbose_name_plural),
            "singular": spec.model._meta.verbose_name,
            "url": url,
            "add_url": reverse(url_name(spec, "add")) if addable else None,
            "import_url": reverse(url_name(spec, "import")) if addable else None,
            "active": path.startswith(url),
        }
        group["items"].append(item)
        group["active"] = group["active"] or item["active"]
    for label, pages in EXTRA.items():
        for title, name, needed in pages:
            url = _reverse(name) if needed in actions else None
            if url is not None:
                groups[label]["items"].append({"label": title, "url": url, "active": path == url})
                groups[label]["active"] = groups[label]["active"] or path == url
    return [group for group in groups.values() if group["items"]]


def navigation_context_processor(request):
    if getattr(request, "membership", None) is None:
        return {}
    return {"navigation": SimpleLazyObject(lambda: menu(request))}
