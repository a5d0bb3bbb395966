"""Rack elevations: a face of a rack unit by unit, with the devices and reservations in it -- the list NetBox's
`/api/dcim/racks/{id}/elevation/` answers and the picture it draws (`?render=svg`).

A rack's contents are read for a batch of racks at once (`rack_contents`): the elevation of one rack and the
elevations page of fifty cost the same few queries. The drawing is plain SVG text built here; its colours
come from the page's CSS variables (Bootstrap's `--bs-*`, light and dark) with light fallbacks, so the same
picture reads in both themes inline and stands alone when the API serves it.
"""

import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from core.context import Actor
from core.querysets import restricted
from inventory.choices import DeviceFace
from inventory.models import Device, DeviceBay, Rack, RackReservation

HALF = decimal.Decimal("0.5")
# NetBox's defaults (RACK_ELEVATION_DEFAULT_UNIT_WIDTH/HEIGHT, the legend and margin widths).
DEFAULT_UNIT_WIDTH = 220
DEFAULT_UNIT_HEIGHT = 22
DEFAULT_LEGEND_WIDTH = 30
DEFAULT_MARGIN_WIDTH = 15
# Sizes beyond these draw nothing more useful and only make the answer bigger.
MAX_DIMENSION = 2000
TRUE_VALUES = {"true", "t", "1", "yes", "y", "on"}
FALSE_VALUES = {"false", "f", "0", "no", "n", "off"}


@dataclass
class RackContents:
    """What a rack holds, as the caller may see it: every device in it (mounted or not, with its type,
    manufacturer and role), the ids of those the caller may view, and its reservations."""

    devices: list[Device] = field(default_factory=list)
    visible: set[int] = field(default_factory=set)
    reservations: list[RackReservation] = field(default_factory=list)

    @property
    def unmounted(self) -> list[Device]:
        """NetBox's non-racked devices: in the rack without a position (0U devices, children in bays)."""
        return [device for device in self.devices if device.position is None and device.pk in self.visible]


def rack_contents(racks: Iterable[Rack], actor: Actor) -> dict[int, RackContents]:
    """The contents of each rack, by rack id, in three queries whatever the number of racks and devices."""
    ids = [rack.pk for rack in racks]
    contents = {pk: RackContents() for pk in ids}
    if not ids:
        return contents
    devices = (
        Device._base_manager.filter(rack_id__in=ids)
        .select_related("device_type__manufacturer", "role", "virtual_chassis")
        .prefetch_related(Prefetch("parent_bay", queryset=DeviceBay._base_manager.select_related("device")))
        .order_by("position", "name", "pk")
    )
    for device in devices:
        contents[device.rack_id].devices.append(device)  # type: ignore[index]  # filtered on racks
    visible = restricted(Device, actor, "view").filter(rack_id__in=ids).values_list("pk", "rack_id")
    for pk, rack_id in visible:
        contents[rack_id].visible.add(pk)
    for reservation in restricted(RackReservation, actor, "view").filter(rack_id__in=ids).order_by("pk"):
        contents[reservation.rack_id].reservations.append(reservation)
    return contents


# -- the units -----------------------------------------------------------------------------------


def unit_text(unit: decimal.Decimal) -> str:
    """7 for a whole unit, 7.5 for its upper half."""
    return str(int(unit)) if unit % 1 == 0 else str(unit.normalize())


def unit_name(unit: decimal.Decimal) -> str:
    """NetBox's unit names: U7 for a whole unit, U7.5 for its upper half."""
    return f"U{unit_text(unit)}"


def units_top_down(rack: Rack) -> list[decimal.Decimal]:
    """Every half unit of the rack in the order it is drawn, top first (NetBox's `Rack.units`)."""
    halves = rack.half_units
    return halves if rack.desc_units else halves[::-1]


def _on_face(device: Device, face: str) -> bool:
    """Whether the device shows on `face`: mounted on it, or on the other one taking the rack's whole depth."""
    height = device.device_type.u_height
    return (
        device.position is not None
        and device.position > 0
        and height > 0
        and (device.face == face or device.device_type.is_full_depth)
    )


def face_devices(contents: RackContents, face: str, exclude: int | None = None) -> list[Device]:
    return [device for device in contents.devices if device.pk != exclude and _on_face(device, face)]


def rack_units(
    rack: Rack, contents: RackContents, *, face: str, exclude: int | None = None, expand_devices: bool = True
) -> list[dict]:
    """NetBox's rack units of `face`, top first: id (the unit, 7.5 for an upper half), name, face, the device
    there (None when free, or when the caller may not view it), whether it is occupied. With
    `expand_devices=False` a device appears once, at its position, and the units above it within it are left
    out (NetBox's `expand_devices`)."""
    elevation: dict[decimal.Decimal, dict[str, Any]] = {
        unit: {"id": unit, "name": unit_name(unit), "face": face, "device": None, "occupied": False}
        for unit in units_top_down(rack)
    }
    for device in face_devices(contents, face, exclude):
        shown = device if device.pk in contents.visible else None
        if expand_devices:
            for unit in device.units:
                if unit in elevation:
                    elevation[unit].update(device=shown, occupied=True)
        elif device.position in elevation:
            elevation[device.position].update(device=shown, occupied=True)
            for unit in device.units[1:]:
                elevation.pop(unit, None)
    return list(elevation.values())


# -- the request's parameters -------------------------------------------------------------------


@dataclass(frozen=True)
class ElevationParams:
    face: str = DeviceFace.FRONT
    render: str = "json"
    unit_width: int = DEFAULT_UNIT_WIDTH
    unit_height: int = DEFAULT_UNIT_HEIGHT
    legend_width: int = DEFAULT_LEGEND_WIDTH
    margin_width: int = DEFAULT_MARGIN_WIDTH
    exclude: int | None = None
    expand_devices: bool = True
    include_images: bool = True
    q: str | None = None


def _choice(value: str, choices: Iterable[str]) -> str:
    if value not in choices:
        raise ValueError(f'"{value}" is not a valid choice.')
    return value


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise ValueError("A valid integer is required.") from None
        if number < low:
            raise ValueError(f"Ensure this value is greater than or equal to {low}.")
        if number > high:
            raise ValueError(f"Ensure this value is less than or equal to {high}.")
        return number

    return parse


def _boolean(value: str) -> bool:
    if value.lower() in TRUE_VALUES:
        return True
    if value.lower() in FALSE_VALUES:
        return False
    raise ValueError("Must be a valid boolean.")


def _text(value: str) -> str:
    if not value:
        raise ValueError("This field may not be blank.")
    return value


PARSERS: dict[str, Callable[[str], object]] = {
    "face": lambda value: _choice(value, DeviceFace.values),
    "render": lambda value: _choice(value, ("json", "svg")),
    "unit_width": _integer(1, MAX_DIMENSION),
    "unit_height": _integer(1, MAX_DIMENSION),
    "legend_width": _integer(0, MAX_DIMENSION),
    "margin_width": _integer(0, MAX_DIMENSION),
    "exclude": _integer(0, 2**63 - 1),
    "expand_devices": _boolean,
    "include_images": _boolean,
    "q": _text,
}


def elevation_params(query) -> ElevationParams:
    """The elevation's query parameters as NetBox reads them; every bad one named in one ValidationError
    ({"face": ['"side" is not a valid choice.']}, answered 400)."""
    values: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for name, parse in PARSERS.items():
        if name not in query:
            continue
        try:
            values[name] = parse(query.get(name))
        except ValueError as error:
            errors[name] = [str(error)]
    if errors:
        raise ValidationError(errors)
    return ElevationParams(**values)  # type: ignore[arg-type]


# -- the drawing ------------------------------------------------------------------------------

# The drawing's stylesheet: written into the SVG document the API serves; linked by the pages embedding the drawing
# (`standalone=False`), whose content security policy refuses a style element in the page.
STYLESHEET = "inventory/elevation.css"
STYLE = (Path(__file__).parent / "static" / STYLESHEET).read_text().split("*/", 1)[1].strip()


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on `background` (six hex digits): WCAG's relative luminance."""
    try:
        red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except (ValueError, TypeError):
        return "#000000"

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#000000" if luminance > 0.179 else "#ffffff"


@dataclass(frozen=True)
class ElevationLinks:
    """Where the drawing links to: a device's page, a reservation's, and the device form prefilled with
    the rack, face and position (None: no link, for a member who may not add devices)."""

    device: Callable[[int], str]
    reservation: Callable[[int], str]
    add_device: Callable[[Rack, str, decimal.Decimal], str] | None = None
    # A device type's picture ("front" or "rear"), served from the organization's files by its page.
    image: Callable[[int, str], str] = lambda pk, side: ""


def _fmt(number) -> str:
    return f"{float(number):g}"


def _truncate(text: str, width: float, size: float = 6.5) -> str:
    """`text` cut to what fits `width` pixels (an average character of 11px text is ~6.5px wide)."""
    fits = max(int(width // size), 1)
    return text if len(text) <= fits else text[: max(fits - 1, 1)] + "…"


def elevation_svg(
    rack: Rack,
    contents: RackContents,
    *,
    face: str,
    links: ElevationLinks,
    unit_width: int = DEFAULT_UNIT_WIDTH,
    unit_height: int = DEFAULT_UNIT_HEIGHT,
    legend_width: int = DEFAULT_LEGEND_WIDTH,
    margin_width: int = DEFAULT_MARGIN_WIDTH,
    include_images: bool = True,
    standalone: bool = True,
) -> str:
    """The face of the rack as an SVG document: the frame, the unit numbers beside it (top to bottom as the
    rack numbers them), free units linking to the device form, reservations hatched with their description,
    and the devices in their role's colour (or their type's picture) linking to their pages. Devices the
    caller may not view are drawn as grey blocks, without name or link. `standalone=False`: for a page that links
    the stylesheet (`STYLESHEET`) itself."""
    left = margin_width + legend_width
    top = margin_width
    height_px = rack.u_height * unit_height
    width = left + unit_width + margin_width
    height = top + height_px + margin_width
    first = decimal.Decimal(rack.starting_unit)
    last = first + rack.u_height  # the top edge of the highest unit

    def y_of(bottom: decimal.Decimal, size: decimal.Decimal) -> float:
        """The y of the top edge of a span of `size` units starting at unit `bottom`."""
        if rack.desc_units:
            return top + float(bottom - first) * unit_height
        return top + float(last - (bottom + size)) * unit_height

    pattern = f"wb-hatch-{rack.pk}-{face}"
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wb-elevation" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" data-rack="{rack.pk}" data-face="{escape(face)}" role="img">',
        f"<title>{escape(str(rack))} ({escape(str(DeviceFace(face).label))})</title>",
        f"<style>{STYLE}</style>" if standalone else "",
        f'<defs><pattern id="{pattern}" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect class="wb-hatch-line" width="2" height="8"/></pattern></defs>',
        f'<rect class="wb-rack-frame" x="{left}" y="{top}" width="{unit_width}" height="{height_px}"/>',
    ]
    for number in rack.units if rack.desc_units else reversed(rack.units):
        label_y = _fmt(y_of(decimal.Decimal(number), decimal.Decimal(1)) + unit_height / 2)
        out.append(
            f'<text class="wb-unit" x="{left - 4}" y="{label_y}" text-anchor="end" '
            f'dominant-baseline="central" data-unit="{number}">{number}</text>'
        )

    devices = face_devices(contents, face)
    taken = {unit for device in devices for unit in device.units}
    for unit in rack.half_units:
        if unit in taken or (unit % 1 and unit - HALF not in taken):
            continue  # taken, or the upper half of a free whole unit (drawn with it)
        size = HALF if unit % 1 or unit + HALF in taken else decimal.Decimal(1)
        slot = (
            f'<rect class="wb-slot" x="{left}" y="{_fmt(y_of(unit, size))}" width="{unit_width}" '
            f'height="{_fmt(size * unit_height)}" data-unit="{unit_text(unit)}"/>'
        )
        if links.add_device is None:
            out.append(slot)
            continue
        label_y = _fmt(y_of(unit, size) + float(size) * unit_height / 2)
        out.append(
            f'<a class="wb-slot-link" href={quoteattr(links.add_device(rack, face, unit))}>'
            f"<title>Add a device at {unit_name(unit)}</title>{slot}"
            f'<text class="wb-slot-label" x="{_fmt(left + unit_width / 2)}" y="{label_y}" text-anchor="middle" '
            f'dominant-baseline="central">add device</text></a>'
        )

    for reservation in contents.reservations:
        for bottom, size in _runs(reservation.units, rack):
            y = y_of(bottom, size)
            out.append(
                f'<a class="wb-reservation-link" href={quoteattr(links.reservation(reservation.pk))}>'
                f"<title>{escape(reservation.description)}</title>"
                f'<rect class="wb-reservation" x="{left}" y="{_fmt(y)}" width="{unit_width}" '
                f'height="{_fmt(size * unit_height)}" fill="url(#{pattern})" data-reservation="{reservation.pk}"/>'
                f'<text class="wb-reservation-label" x="{_fmt(left + unit_width / 2)}" '
                f'y="{_fmt(y + float(size) * unit_height / 2)}" text-anchor="middle" dominant-baseline="central">'
                f"{escape(_truncate(reservation.description, unit_width - 8, 6))}</text></a>"
            )

    for device in devices:
        out.append(_device(device, contents, face, links, left, y_of, unit_width, unit_height, include_images))
    out.append("</svg>")
    return "".join(out)


def _runs(units: Iterable[int], rack: Rack) -> list[tuple[decimal.Decimal, decimal.Decimal]]:
    """Reserved units of the rack as (lowest unit, number of units) runs of consecutive units."""
    runs: list[list[int]] = []
    for unit in sorted({unit for unit in units if unit in rack.units}):
        if runs and unit == runs[-1][1] + 1:
            runs[-1][1] = unit
        else:
            runs.append([unit, unit])
    return [(decimal.Decimal(low), decimal.Decimal(high - low + 1)) for low, high in runs]


def _device(device, contents, face, links, left, y_of, unit_width, unit_height, include_images) -> str:
    size = decimal.Decimal(device.device_type.u_height)
    y = y_of(decimal.Decimal(device.position), size)
    box = f'x="{left}" y="{_fmt(y)}" width="{unit_width}" height="{_fmt(size * unit_height)}"'
    classes = "wb-device" + ("" if device.face == face else " wb-device-other-face")
    if device.pk not in contents.visible:
        return f'<rect class="{classes} wb-device-restricted" {box} data-device="restricted"/>'
    colour = device.role.color or "9e9e9e"
    name = device.name or str(device.device_type)
    title = f"{name} ({device.device_type.manufacturer} {device.device_type}) — {device.role}"
    centre_x, centre_y = _fmt(left + unit_width / 2), _fmt(y + float(size) * unit_height / 2)
    parts = [
        f'<a class="wb-device-link" href={quoteattr(links.device(device.pk))}><title>{escape(title)}</title>',
        f'<rect class="{classes}" {box} fill="#{escape(colour)}" data-device="{device.pk}"/>',
    ]
    side = "front" if device.face == face else "rear"
    if include_images and getattr(device.device_type, f"{side}_image"):
        href = quoteattr(links.image(device.device_type_id, side))
        parts.append(f'<image {box} href={href} preserveAspectRatio="none"/>')
        label_class, fill = "wb-device-image-label", ""
    else:
        label_class, fill = "wb-device-label", f' fill="{text_colour(colour)}"'
    children = [child.name or str(child.device_type) for child in _children(device, contents)]
    label = name + (f" (+{len(children)})" if children else "")
    parts.append(
        f'<text class="{label_class}"{fill} x="{centre_x}" y="{centre_y}" text-anchor="middle" '
        f'dominant-baseline="central">{escape(_truncate(label, unit_width - 8))}</text></a>'
    )
    return "".join(parts)


def _children(device: Device, contents: RackContents) -> list[Device]:
    """The child devices installed in `device`'s bays that the caller may view (NetBox shows them in the
    parent's place)."""
    found = []
    for child in contents.devices:
        if child.position is None and child.pk in contents.visible:
            try:
                bay = child.parent_bay
            except DeviceBay.DoesNotExist:
                continue
            if bay is not None and bay.device_id == device.pk:
                found.append(child)
    return found


def elevation_links(root: str, *, can_add: bool) -> ElevationLinks:
    """Links of a drawing under the organization's UI root (`https://host/o/acme/`, or `/o/acme/` inline)."""

    def add_device(rack: Rack, face: str, unit: decimal.Decimal) -> str:
        query = urlencode({"site": rack.site_id, "rack": rack.pk, "face": face, "position": unit_text(unit)})
        return f"{root}dcim/devices/add/?{query}"

    return ElevationLinks(
        device=lambda pk: f"{root}dcim/devices/{pk}/",
        reservation=lambda pk: f"{root}dcim/rack-reservations/{pk}/",
        add_device=add_device if can_add else None,
        image=lambda pk, side: f"{root}dcim/device-types/{pk}/{side}-image/",
    )
