"""Custom links rendered on an object's page: each link's text and URL rendered in the webhooks'
Jinja2 sandbox (automation.delivery.ENVIRONMENT) with the object as the REST API shows it
(`{{ object.name }}`, `{{ object.site.slug }}`), so a template reads nothing the member could not.

A template that fails to render gives a broken-link marker with the error, never a failed page. A
link whose text renders empty is left out (NetBox's way to show a link only for some objects).
"""

from dataclasses import dataclass
from itertools import groupby

from django.contrib.contenttypes.models import ContentType
from jinja2 import TemplateError

from automation.delivery import ENVIRONMENT
from automation.models import CustomLink

# Bootstrap's button for each of NetBox's button classes.
BUTTON_CLASSES = {
    "default": "btn-outline-secondary",
    "blue": "btn-primary",
    "indigo": "btn-primary",
    "purple": "btn-primary",
    "pink": "btn-danger",
    "red": "btn-danger",
    "orange": "btn-warning",
    "yellow": "btn-warning",
    "green": "btn-success",
    "teal": "btn-info",
    "cyan": "btn-info",
    "gray": "btn-secondary",
    "black": "btn-dark",
    "white": "btn-light",
    "ghost-dark": "btn-link",
}
# Rendered text and URLs are cut here: a template cannot make a page of megabytes.
MAX_RENDERED = 2000


def template_errors(text: str) -> str | None:
    """Why `text` is not a valid Jinja2 template (None: it is)."""
    try:
        ENVIRONMENT.from_string(text or "")
    except TemplateError as error:
        return f"Invalid Jinja2 template: {error}"
    return None


@dataclass(frozen=True)
class RenderedLink:
    text: str
    url: str
    button: str
    new_window: bool
    error: str = ""  # the render error: shown as a broken link


@dataclass(frozen=True)
class LinkGroup:
    name: str  # "": links shown as buttons of their own
    button: str
    links: list[RenderedLink]


def _safe_url(url: str) -> str:
    """Only web and mail links, or paths within Wirebook: never `javascript:`."""
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://", "mailto:", "/", "?", "#")) or ":" not in lowered.split("/")[0]:
        return url.strip()
    raise ValueError(f"the URL's scheme is not allowed: {url.split(':')[0]}")


def _render(link: CustomLink, context: dict) -> RenderedLink | None:
    button = BUTTON_CLASSES.get(link.button_class, "btn-outline-secondary")
    try:
        text = ENVIRONMENT.from_string(link.link_text).render(**context).strip()[:MAX_RENDERED]
        if not text:
            return None
        url = _safe_url(ENVIRONMENT.from_string(link.link_url).render(**context)[:MAX_RENDERED])
    except Exception as error:  # any failure of a member's template is shown on its link
        return RenderedLink(
            text=link.name, url="", button=button, new_window=False, error=str(error) or type(error).__name__
        )
    return RenderedLink(text=text, url=url, button=button, new_window=link.new_window)


def custom_links_render(model, data: dict, *, user_name: str) -> list[LinkGroup]:
    """The enabled custom links of `model`'s type, rendered for the object whose REST representation
    is `data`, grouped: links without a group first, each its own button, then each named group."""
    content_type = ContentType.objects.get_for_model(model)
    links = list(
        CustomLink.objects.filter(enabled=True, object_types=content_type).order_by("group_name", "weight", "name")
    )
    context = {"object": data, "user": {"username": user_name}}
    groups: list[LinkGroup] = []
    for group_name, grouped in groupby(links, key=lambda link: link.group_name):
        members = list(grouped)
        rendered = [found for link in members if (found := _render(link, context)) is not None]
        if not rendered:
            continue
        if group_name:
            groups.append(LinkGroup(group_name, BUTTON_CLASSES.get(members[0].button_class, ""), rendered))
        else:
            groups.extend(LinkGroup("", link.button, [link]) for link in rendered)
    return groups
