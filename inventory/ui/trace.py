"""The Trace tab of every cabled object: its cable path drawn as an SVG, server-side (NetBox's cable trace
picture). Each box is a device (or power panel, circuit) with the ports the path arrives on and leaves
from; each line a cable (or wireless link), in its colour, dashed unless connected, with its label, type
and length. A split path is drawn as a tree: the branches side by side below the object where the path fans out. A path
endpoint shows its own path; a front or rear port (or a circuit termination) every path through it.

The picture takes its colours from the page's theme (classes styled in wirebook.css), except a cable's own
colour, so it reads in the light and the dark theme alike.
"""

from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.registry import Tab, registry
from frontend.base_views import object_url
from inventory.api.connections import _load_paths
from inventory.cabling import cabling_of, endpoint_specs
from inventory.models import CablePath, WirelessLink

COLUMN = 260  # width given to a box and its branch
BOX_WIDTH, BOX_HEIGHT = 220, 66
CABLE = 120  # the vertical gap a cable spans
MARGIN = 20
MAX_PATHS = 20  # paths drawn on a pass-through port's tab


@dataclass
class Box:
    """An object on the path (a device, power panel, circuit...), with the ports the path arrives on."""

    parent: object | None
    arrived: list = field(default_factory=list)
    leaving: list = field(default_factory=list)
    cables: list["Link"] = field(default_factory=list)  # cables leaving it, each to its boxes
    x: float = 0
    y: float = 0
    width: int = 1  # in columns


@dataclass
class Link:
    cable: Any
    boxes: list[Box]


def _parent(obj):
    cabling = cabling_of(type(obj))
    return getattr(obj, cabling.parent, None) if cabling is not None else None


def _boxes(objects: list) -> list[Box]:
    """The objects grouped by what they belong to, in order."""
    boxes: list[Box] = []
    for obj in objects:
        parent = _parent(obj)
        box = next((box for box in boxes if box.parent is not None and box.parent == parent), None)
        if box is None:
            box = Box(parent=parent)
            boxes.append(box)
        box.arrived.append(obj)
    return boxes


def build(path: CablePath, loader, cables: dict) -> Box | None:
    """The path's tree of boxes: a segment continues the branch whose box holds the object it leaves from."""

    def objects(refs) -> list:
        return [obj for ref in refs if (obj := loader.get(tuple(ref))) is not None]

    if not path.segments:
        return None
    root = Box(parent=None)
    open_boxes: list[Box] = [root]
    for index, (near, cable_id, far) in enumerate(path.segments):
        near_objects = objects(near)
        if index == 0:
            root.parent = _parent(near_objects[0]) if near_objects else None
            root.arrived = near_objects
            box = root
        else:
            parents = {_parent(obj) for obj in near_objects}
            box = next((b for b in reversed(open_boxes) if b.parent in parents and b is not root), None) or next(
                (b for b in open_boxes if b.parent in parents), root
            )
            box.leaving += [obj for obj in near_objects if obj not in box.arrived]
        far_boxes = _boxes(objects(far))
        box.cables.append(Link(cables.get(cable_id), far_boxes))
        open_boxes += far_boxes
    return root


def _place(box: Box, x: float, depth: int) -> int:
    """Lay the tree out: each box centred over its branches; answer its width in columns."""
    children: list[Box | None] = []
    for link in box.cables:
        children += link.boxes or [None]
    width = 0
    for child in children:
        if child is None:
            width += 1
            continue
        width += _place(child, x + width * COLUMN, depth + 1)
    box.width = max(width, 1)
    box.x = x + box.width * COLUMN / 2
    box.y = MARGIN + depth * (BOX_HEIGHT + CABLE)
    return box.width


def _depth(box: Box) -> int:
    """Rows of boxes the tree spans (an open end takes the row below its cable)."""
    depths = [1]
    for link in box.cables:
        depths += [1 + _depth(child) for child in link.boxes] or [2]
    return max(depths)


def _url(obj) -> str | None:
    spec = registry.find(type(obj))
    return object_url(spec, "detail", obj.pk) if spec is not None and spec.ui is not None else None


def _text(text: str, css: str, x: float, y: float, anchor: str = "middle") -> str:
    return f'<text class="{css}" x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}">{escape(text)}</text>'


def _linked(obj, text: str, css: str, x: float, y: float, anchor: str = "middle") -> str:
    label = _text(text, css, x, y, anchor)
    url = _url(obj)
    return f'<a href="{escape(url)}">{label}</a>' if url else label


def _names(objects: list) -> str:
    text = ", ".join(str(obj) for obj in objects)
    return text if len(text) <= 34 else text[:33] + "…"


def _cable_text(cable) -> list[str]:
    """A cable's (or wireless link's) label and details."""
    if cable is None:
        return []
    lines = [str(cable)]
    if isinstance(cable, WirelessLink):
        details = [gettext("Wireless"), cable.get_status_display()]
        length, unit = cable.distance, cable.distance_unit
    else:
        details = [cable.get_type_display() if cable.type else "", cable.get_status_display()]
        length, unit = cable.length, cable.length_unit
    if length is not None:
        details.append(f"{float(length):g} {unit}")
    lines.append(" · ".join(part for part in details if part))
    return lines


def _draw(box: Box, out: list[str]) -> None:
    left, top = box.x - BOX_WIDTH / 2, box.y
    out.append('<g class="wb-trace-node">')
    out.append(
        f'<rect class="wb-trace-box" x="{left:.0f}" y="{top:.0f}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6"/>'
    )
    if box.parent is not None:
        out.append(_linked(box.parent, str(box.parent), "wb-trace-parent", box.x, top + 20))
    if box.arrived:
        first = box.arrived[0]
        out.append(_linked(first, _names(box.arrived), "wb-trace-port", box.x, top + 40))
    if box.leaving:
        out.append(_linked(box.leaving[0], "↓ " + _names(box.leaving), "wb-trace-port", box.x, top + 58))
    out.append("</g>")
    bottom = top + BOX_HEIGHT
    for link in box.cables:
        cable = link.cable
        targets: list[Box | None] = [*link.boxes] or [None]
        for target in targets:
            x = target.x if target is not None else box.x
            end = target.y if target is not None else bottom + CABLE - 30
            colour = f' stroke="#{escape(cable.color)}"' if getattr(cable, "color", "") else ""
            dashed = " wb-trace-planned" if cable is not None and cable.status != "connected" else ""
            bend = bottom + 18
            out.append(
                f'<polyline class="wb-trace-cable{dashed}"{colour} fill="none" '
                f'points="{box.x:.0f},{bottom:.0f} {box.x:.0f},{bend:.0f} {x:.0f},{bend:.0f} {x:.0f},{end:.0f}"/>'
            )
            lines = _cable_text(cable)
            if lines and cable is not None:
                middle = (bend + end) / 2
                out.append(_linked(cable, lines[0], "wb-trace-cable-label", x + 8, middle - 4, "start"))
                out.append(_text(lines[1], "wb-trace-cable-detail", x + 8, middle + 12, "start"))
            if target is None:
                out.append(_text("Not connected", "wb-trace-open", x, end + 16))
            else:
                _draw(target, out)


def trace_svg(path: CablePath, loader, cables: dict) -> SafeString:
    """The path as an SVG element (every text escaped)."""
    root = build(path, loader, cables)
    if root is None:
        return mark_safe("")
    _place(root, MARGIN, 0)
    width = root.width * COLUMN + 2 * MARGIN
    height = _depth(root) * (BOX_HEIGHT + CABLE) + MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wb-trace" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" data-split="{str(path.is_split).lower()}">'
    ]
    _draw(root, out)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- every text and attribute value above is escaped


def _trace_tab(request, spec, actor, obj) -> tuple[str, dict]:
    content_type = ContentType.objects.get_for_model(type(obj))
    cabling = cabling_of(type(obj))
    if cabling is not None and cabling.through is None:
        paths = list(CablePath.objects.filter(origin_type=content_type, origin_id=obj.pk)[:1])
    else:
        node = f"{content_type.pk}:{obj.pk}"
        paths = list(CablePath.objects.filter(nodes__contains=[node]).order_by("pk")[:MAX_PATHS])
    loader, cables = _load_paths(paths)
    drawn = []
    for path in paths:
        origin = loader.get((path.origin_type_id, path.origin_id))
        drawn.append(
            {
                "svg": trace_svg(path, loader, cables),
                "origin": origin,
                "origin_url": _url(origin) if origin is not None else None,
                "is_complete": path.is_complete,
                "is_active": path.is_active,
                "is_split": path.is_split,
                "ends": len(path.destination_ids),
            }
        )
    through = cabling is None or cabling.through is not None
    return "inventory/connections/_trace.html", {"paths": drawn, "through": through}


TRACE_TAB = Tab("trace", "Trace", _trace_tab)

for _spec in endpoint_specs():
    if _spec.model._meta.app_label == "inventory":  # other apps' endpoints take the tab from their own `ui`
        registry.augment(_spec.model, tabs=(TRACE_TAB,))
