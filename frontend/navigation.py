"""The side navigation: every registered model under its NetBox menu and heading, plus the organization's pages."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst

from core.context import ROLE_ACTIONS
from core.querysets import is_settings_write
from core.registry import MENUS, registry
from frontend.base_views import page_url_name, url_name

# Pages that are not registered models, by (menu, heading): (label, URL name, the role action they need).
EXTRA = {
    ("Operations", "Search"): [("Search", "ui-search", "view")],
    ("Operations", "API"): [
        ("REST API", "api:root", "view"),
        ("API documentation", "api-docs", "view"),
        ("GraphiQL", "graphql", "view"),
    ],
    ("Admin", "Organization"): [("Members", "members", "view"), ("Audit log", "audit-log", "settings")],
}


def _reverse(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def menu(request) -> list[dict]:
    """[{label, active, headings: [{label, items: [{label, url, add_url, import_url, active}]}]}], in NetBox's order."""
    membership = getattr(request, "membership", None)
    actions = ROLE_ACTIONS.get(membership.role, frozenset()) if membership is not None else frozenset()
    path = request.path
    groups: dict[str, dict] = {label: {"label": label, "headings": {}, "active": False} for label in MENUS}

    def add(group_label: str, heading: str, item: dict) -> None:
        group = groups.setdefault(group_label, {"label": group_label, "headings": {}, "active": False})
        group["headings"].setdefault(heading, {"label": heading, "items": []})["items"].append(item)
        group["active"] = group["active"] or item["active"]

    for spec in registry.in_menu_order():
        url = reverse(url_name(spec, "list"))
        addable = (
            not spec.access.read_only
            and "add" in actions
            and not (is_settings_write(spec.model, "add") and "settings" not in actions)
        )
        add(
            spec.menu.group,
            spec.menu.heading,
            {
                "label": capfirst(spec.model._meta.verbose_name_plural),
                "singular": spec.model._meta.verbose_name,
                "url": url,
                "add_url": reverse(url_name(spec, "add")) if addable else None,
                "import_url": reverse(url_name(spec, "import")) if addable else None,
                "active": path.startswith(url),
            },
        )
        for extra in spec.ui.pages:
            own_url = reverse(page_url_name(spec, extra))
            add(
                spec.menu.group,
                spec.menu.heading,
                {"label": extra.label, "url": own_url, "active": path.startswith(own_url)},
            )
    for (group_label, heading), pages in EXTRA.items():
        for title, name, needed in pages:
            page_url = _reverse(name) if needed in actions else None
            if page_url is not None:
                add(group_label, heading, {"label": title, "url": page_url, "active": path == page_url})
    return [{**group, "headings": list(group["headings"].values())} for group in groups.values() if group["headings"]]


def navigation_context_processor(request):
    if getattr(request, "membership", None) is None:
        return {}
    return {"navigation": SimpleLazyObject(lambda: menu(request))}
