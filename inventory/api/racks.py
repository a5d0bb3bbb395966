"""NetBox's racks: groups, roles, rack types, racks and reservations."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse

from core.fields import INTEGER_VALUE, Rendered, ValueType
from core.members import MEMBER, member_brief, member_id
from core.permissions import allowed
from core.registry import Api, Route, Search, registry
from core.representation import Links, render
from core.services import Services
from inventory.api.briefs import NAMED_BRIEF, NAMES
from inventory.choices import DeviceFace
from inventory.elevations import elevation_links, elevation_params, elevation_svg, rack_contents, rack_units
from inventory.models import Device, PowerFeed, Rack, RackGroup, RackReservation, RackRole, RackType
from inventory.power import feeds_utilization, with_draws
from inventory.services import rack_types_update, racks_create, racks_update

FLOAT_VALUE = ValueType({"type": "number", "format": "double"}, "Float")
# The physical description a rack type and a rack share, in NetBox's order.
RACK_BODY = (
    "width", "u_height", "starting_unit", "desc_units", "outer_width", "outer_height", "outer_depth", "outer_unit",
    "weight", "max_weight", "weight_unit", "mounting_depth", "cooling_capability", "cooling_capacity",
)  # fmt: skip
TRAILER = ("owner", "comments", "tags", "custom_fields", "created", "last_updated")


def _units(value, actor) -> list[int]:
    """Rack units as NetBox takes them: a list of whole numbers."""
    if not isinstance(value, list):
        raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
    if not all(isinstance(unit, int) and not isinstance(unit, bool) and unit >= 0 for unit in value):
        raise ValidationError("A valid integer is required.")
    return value


def _mounted():
    return Prefetch(
        "devices",
        queryset=Device._base_manager.filter(position__isnull=False).select_related("device_type"),
        to_attr="mounted_devices",
    )


# Wirebook's additions to NetBox's rack: how full it is, in percent (NetBox's rack list shows both).
UTILIZATION = Rendered(
    lambda rack, links: rack.utilization(getattr(rack, "mounted_devices", None), rack.reservations.all()),
    FLOAT_VALUE,
    prefetch=(_mounted(), "reservations"),
)


def _feeds():
    return Prefetch("powerfeeds", queryset=with_draws(PowerFeed._base_manager.order_by("pk")))


# The allocated draw of the power ports on the rack's power feeds against what the feeds deliver, in percent
# (NetBox's Rack.get_power_utilization()), the draws of a whole list read together.
POWER_UTILIZATION = Rendered(
    lambda rack, links: feeds_utilization(rack.powerfeeds.all()), FLOAT_VALUE, prefetch=(_feeds(),)
)


def _elevation(request, actor, rack):
    """NetBox's rack elevation: the units of a face (a page of them, `q` matching their number or name), or
    with `render=svg` the face drawn."""
    params = elevation_params(request.GET)
    contents = rack_contents([rack], actor)[rack.pk]
    links = Links(request)
    if params.render == "svg":
        drawing = elevation_svg(
            rack,
            contents,
            face=params.face,
            links=elevation_links(links.ui, can_add=allowed(actor, Device, "add")),
            unit_width=params.unit_width,
            unit_height=params.unit_height,
            legend_width=params.legend_width,
            margin_width=params.margin_width,
            include_images=params.include_images,
        )
        return HttpResponse(drawing, content_type="image/svg+xml")
    units = rack_units(rack, contents, face=params.face, exclude=params.exclude, expand_devices=params.expand_devices)
    if params.q:
        units = [unit for unit in units if params.q in str(unit["id"]) or params.q in unit["name"]]
    shown: dict[int, dict] = {}
    face = {"value": params.face, "label": str(DeviceFace(params.face).label)}
    rendered = []
    for unit in units:
        device = unit["device"]
        if device is not None and device.pk not in shown:
            shown[device.pk] = render(device, links, brief=True)
        rendered.append(
            {
                "id": float(unit["id"]),
                "name": unit["name"],
                "face": face,
                "device": None if device is None else shown[device.pk],
                "description": "" if device is None else device.description,
                "occupied": unit["occupied"],
                "display": unit["name"],
            }
        )
    return rendered


RACK_UNIT = {
    "type": "object",
    "description": "A rack unit: the (rack, position, face) set, not a row of the database.",
    "required": ["id", "name", "face", "device", "description", "occupied", "display"],
    "properties": {
        "id": {"type": "number", "format": "double"},
        "name": {"type": "string"},
        "face": {
            "type": "object",
            "properties": {
                "value": {"type": "string", "enum": list(DeviceFace.values)},
                "label": {"type": "string", "enum": [str(label) for label in DeviceFace.labels]},
            },
        },
        "device": {"type": "object", "nullable": True, "description": "The device there, brief."},
        "description": {"type": "string"},
        "occupied": {"type": "boolean"},
        "display": {"type": "string"},
    },
}
ELEVATION = Route(
    "elevation",
    _elevation,
    paginated=True,
    summary=(
        "Rack elevation representing the list of rack units. Also supports rendering the elevation as an SVG "
        "(`render=svg`)."
    ),
    response=RACK_UNIT,
    parameters=(
        {"name": "face", "schema": {"type": "string", "enum": list(DeviceFace.values), "default": "front"}},
        {"name": "render", "schema": {"type": "string", "enum": ["json", "svg"], "default": "json"}},
        {"name": "unit_width", "schema": {"type": "integer", "default": 220}},
        {"name": "unit_height", "schema": {"type": "integer", "default": 22}},
        {"name": "legend_width", "schema": {"type": "integer", "default": 30}},
        {"name": "margin_width", "schema": {"type": "integer", "default": 15}},
        {"name": "exclude", "schema": {"type": "integer"}},
        {"name": "expand_devices", "schema": {"type": "boolean", "default": True}},
        {"name": "include_images", "schema": {"type": "boolean", "default": True}},
        {"name": "q", "schema": {"type": "string", "minLength": 1}},
    ),
)


for grouping, path in ((RackGroup, "dcim/rack-groups"), (RackRole, "dcim/rack-roles")):
    registry.register(
        grouping,
        api=Api(path, brief_fields=NAMED_BRIEF, counts={"rack_count": "racks"}, brief_counts=("rack_count",)),
        search=NAMES,
    )
registry.register(
    RackType,
    images=True,
    api=Api(
        "dcim/rack-types",
        brief_fields=("id", "url", "display", "manufacturer", "model", "slug", "description", "rack_count"),
        fields=(
            "id", "url", "display_url", "display", "manufacturer", "model", "slug", "description", "form_factor",
            *RACK_BODY, *TRAILER, "rack_count",
        ),
        counts={"rack_count": "racks"},
    ),
    search=Search(fields=("model", "description", "comments")),
    services=Services(update=rack_types_update),
)  # fmt: skip
registry.register(
    Rack,
    images=True,
    api=Api(
        "dcim/racks",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "facility_id", "site", "location", "group", "tenant",
            "status", "role", "serial", "asset_tag", "rack_type", "form_factor", "width", "u_height", "starting_unit",
            "weight", "max_weight", "weight_unit", "desc_units", "outer_width", "outer_height", "outer_depth",
            "outer_unit", "mounting_depth", "airflow", "cooling_capability", "cooling_capacity", "description",
            *TRAILER, "device_count", "powerfeed_count", "utilization", "power_utilization",
        ),
        renderers={"utilization": UTILIZATION, "power_utilization": POWER_UTILIZATION},
        counts={"device_count": "devices", "powerfeed_count": "powerfeeds"},
        brief_counts=("device_count",),
        routes=(ELEVATION,),
    ),
    search=Search(fields=("asset_tag", "serial", "name", "facility_id", "description", "comments")),
    services=Services(create=racks_create, update=racks_update),
)  # fmt: skip
registry.register(
    RackReservation,
    api=Api(
        "dcim/rack-reservations",
        brief_fields=("id", "url", "display", "units", "status", "user", "description"),
        fields=(
            "id", "url", "display_url", "display", "rack", "units", "unit_count", "status", "created", "last_updated",
            "user", "tenant", "description", "owner", "comments", "tags", "custom_fields",
        ),
        renderers={
            "user": Rendered(lambda reservation, links: member_brief(reservation.user_id, links), MEMBER),
            "unit_count": Rendered(lambda reservation, links: len(reservation.units), INTEGER_VALUE),
        },
        write_converters={"user_id": member_id, "units": _units},
        write_aliases={"user": "user_id"},
    ),
    search=Search(fields=("description", "comments")),
)  # fmt: skip
