"""What apps add to every object page and to the top bar, without the generic views knowing them:
automation adds the bookmark and subscribe buttons and the custom links to each object's header, and
the notification bell to the top bar. An app's `ui` module registers its additions once.

An object header item is `item(request, spec, actor, instance, data) -> str` (HTML, "" for nothing;
`data` is the object's REST representation); a top bar item is `item(request, actor) -> str`, called
only inside an organization, for its members.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

ObjectHeaderItem = Callable[..., str]
TopbarItem = Callable[..., str]

_object_header_items: list[ObjectHeaderItem] = []
_topbar_items: list[TopbarItem] = []


def object_header_item_register(item: ObjectHeaderItem) -> None:
    if item not in _object_header_items:
        _object_header_items.append(item)


def topbar_item_register(item: TopbarItem) -> None:
    if item not in _topbar_items:
        _topbar_items.append(item)


def object_header_items(request, spec, actor, instance, data) -> SafeString:
    # The items render their own templates (autoescaped): their HTML is trusted as Django's own.
    return mark_safe("".join(item(request, spec, actor, instance, data) for item in _object_header_items))  # noqa: S308


def topbar_context_processor(request):
    if getattr(request, "membership", None) is None or not _topbar_items:
        return {}

    rendered: list[SafeString] = []

    def render() -> SafeString:
        if not rendered:  # once per request, however often the template asks
            from frontend.base_views import request_actor

            actor = request_actor(request)
            rendered.append(mark_safe("".join(item(request, actor) for item in _topbar_items)))  # noqa: S308
        return rendered[0]

    return {"topbar_items": render}  # the template calls it: nothing is read on pages that do not show it
