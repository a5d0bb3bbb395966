"""The command palette's answers (Ctrl-K): the pages of the navigation and the objects of the global
search matching what the member typed, only those the member may open.

Pages come from the side navigation (`frontend.navigation.menu`, which already leaves out what the
member's role cannot open) plus the organization's settings pages; objects from `core.search`, which
only finds objects the member may view.
"""

from django.http import JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.text import capfirst

from core.context import ROLE_ACTIONS
from core.registry import registry
from core.search import search
from frontend.base_views import object_url, ui_view
from frontend.navigation import menu

MAX_PAGES = 8
MAX_OBJECTS = 8
MAX_QUERY = 100

# The settings pages (frontend/settings/urls.py) by (label, URL name, the role action they need).
SETTINGS_PAGES = (
    ("General settings", "settings-general", "settings"),
    ("Members", "members", "view"),
    ("Audit log", "audit-log", "settings"),
    ("API tokens", "settings-tokens", "view"),
    ("Single sign-on (SSO)", "sso-settings", "settings"),
    ("Billing", "billing", "settings"),
    ("Danger zone: export, restore, delete", "settings-danger", "settings"),
)


def pages(request) -> list[dict]:
    """Every page the member may open from the navigation: {label, detail, url}."""
    found = [{"label": "Overview", "detail": "Dashboard", "url": reverse("organization-home")}]
    for group in menu(request):
        for heading in group["headings"]:
            where = f"{group['label']} / {heading['label']}"
            for item in heading["items"]:
                found.append({"label": item["label"], "detail": where, "url": item["url"]})
                if item.get("add_url"):
                    found.append({"label": f"Add {item['singular']}", "detail": where, "url": item["add_url"]})
                if item.get("import_url"):
                    found.append(
                        {"label": f"Import {item['label'].lower()}", "detail": where, "url": item["import_url"]}
                    )
    actions = ROLE_ACTIONS.get(request.membership.role, frozenset())
    listed = {page["url"] for page in found}
    for label, name, needed in SETTINGS_PAGES:
        if needed not in actions:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a settings page this deployment does not have
            continue
        if url not in listed:
            found.append({"label": label, "detail": "Settings", "url": url})
    return found


def matching_pages(request, text: str) -> list[dict]:
    """Pages whose name (or menu) holds every word typed; names starting with them first."""
    words = text.lower().split()
    if not words:
        return []
    scored = []
    for position, page in enumerate(pages(request)):
        label = page["label"].lower()
        haystack = f"{label} {page['detail'].lower()}"
        if not all(word in haystack for word in words):
            continue
        if label.startswith(text.lower()):
            rank = 0
        elif all(word in label for word in words):
            rank = 1 if any(part.startswith(words[0]) for part in label.split()) else 2
        else:
            rank = 3
        scored.append((rank, position, page))
    scored.sort(key=lambda entry: entry[:2])
    return [page for _, _, page in scored[:MAX_PAGES]]


@ui_view
def palette_search(request, *, actor):
    """`GET palette/?q=`: {"pages": [...], "objects": [...], "search_url"}, at most 8 of each."""
    text = request.GET.get("q", "").strip()[:MAX_QUERY]
    objects = []
    if text:
        hits, _ = search(actor, text, limit=MAX_OBJECTS)
        for hit in hits:
            spec = registry.get(type(hit.object))
            objects.append(
                {
                    "label": spec.display(hit.object),
                    "detail": capfirst(spec.model._meta.verbose_name),
                    "url": object_url(spec, "detail", hit.object.pk),
                }
            )
    search_url = f"{reverse('ui-search')}?{urlencode({'q': text})}" if text else ""
    answer = {"query": text, "pages": matching_pages(request, text), "objects": objects, "search_url": search_url}
    return JsonResponse(answer, headers={"Cache-Control": "private, no-store"})
