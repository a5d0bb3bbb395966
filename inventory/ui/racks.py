"""NetBox's Racks menu: racks and reservations, rack organization, rack types."""

from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.members import member_field
from core.registry import Menu, Page, Panel, Ui, registry
from frontend import listing, pagination
from frontend.base_views import object_url, permissions
from inventory.choices import DeviceFace
from inventory.elevations import elevation_links, elevation_svg, rack_contents
from inventory.models import Device, Rack, RackGroup, RackReservation, RackRole, RackType
from inventory.ui.power import RACK_FEEDS
from inventory.ui.tabs import contact_tabs

# Racks drawn per page of the elevations page, unless the member asks for another number.
ELEVATIONS_PER_PAGE = 24

RACKS = Menu("Racks", "Racks")
RACK_ORGANIZATION = Menu("Racks", "Rack Organization")
RACK_TYPES = Menu("Racks", "Rack Types")


def _drawing(rack, contents, face: str, links) -> str:
    # The drawing escapes every value it shows (inventory.elevations): safe to embed as it is.
    return mark_safe(elevation_svg(rack, contents, face=face, links=links, standalone=False))  # noqa: S308


def _links(actor):
    return elevation_links(get_script_prefix(), can_add=permissions(registry.get(Device), actor)["add"])


def _rack_elevations(request, spec, actor, rack) -> dict:
    """The rack page's front and rear, side by side, and the devices in it without a position."""
    contents = rack_contents([rack], actor)[rack.pk]
    links = _links(actor)
    return {
        "faces": [{"label": label, "svg": _drawing(rack, contents, face, links)} for face, label in DeviceFace.choices],
        "unmounted": [
            {
                "url": object_url(registry.get(Device), "detail", device.pk),
                "name": device.name or str(device.device_type),
                "role": device.role,
                "type": device.device_type,
                "parent": getattr(_bay(device), "device", None),
            }
            for device in contents.unmounted
        ],
    }


def _bay(device):
    try:
        return device.parent_bay
    except Device.parent_bay.RelatedObjectDoesNotExist:
        return None


def _elevations_page(request, spec, actor) -> tuple[str, dict]:
    """NetBox's rack elevations: the racks the list would show (its filters, its order), a page of them, each
    drawn from the chosen face."""
    params = request.GET.copy()
    face = params.pop("face", ["front"])[-1]
    if face not in DeviceFace.values:
        face = DeviceFace.FRONT
    result = listing.filtered(spec, actor, params)
    size = pagination.per_page(params, {"per_page": ELEVATIONS_PER_PAGE})
    page_obj = pagination.paginate(result.queryset.select_related("site"), params, size)
    racks = list(page_obj.object_list)
    contents = rack_contents(racks, actor)
    links = _links(actor)
    without_face = request.GET.copy()
    for name in ("page", "face"):
        without_face.pop(name, None)
    return "inventory/rack/elevations.html", {
        "face": face,
        "faces": [(value, label) for value, label in DeviceFace.choices],
        "racks": [
            {
                "rack": rack,
                "url": object_url(spec, "detail", rack.pk),
                "svg": _drawing(rack, contents[rack.pk], face, links),
            }
            for rack in racks
        ],
        **pagination.footer(page_obj, request.GET, size),
        "filter_errors": result.errors,
        "filter_form": listing.filter_form(spec, actor, params),
        "face_query": without_face.urlencode(),
    }


registry.extend(
    Rack,
    ui=Ui(
        menu=RACKS,
        sections=(
            ("Rack", ("site", "location", "group", "name", "status", "role", "rack_type", "description", "airflow")),
            ("Inventory control", ("facility_id", "serial", "asset_tag")),
            ("Tenancy", ("tenant",)),
            (
                "Dimensions",
                (
                    "form_factor",
                    "width",
                    "u_height",
                    "starting_unit",
                    "outer_width",
                    "outer_height",
                    "outer_depth",
                    "outer_unit",
                    "mounting_depth",
                    "weight",
                    "max_weight",
                    "weight_unit",
                    "desc_units",
                ),
            ),
            ("Cooling", ("cooling_capability", "cooling_capacity")),
        ),
        table_columns=(
            "name",
            "site",
            "location",
            "status",
            "facility_id",
            "tenant",
            "role",
            "rack_type",
            "u_height",
            "utilization",
        ),
        tabs=contact_tabs(Rack),
        panels=(Panel("inventory/rack/_elevations_panel.html", context=_rack_elevations, column="full"), RACK_FEEDS),
        pages=(Page("rack-elevations", "Elevations", _elevations_page),),
        breadcrumbs=("location", "site"),
    ),
)


def _member(bulk: bool):
    """The member the units are reserved for, picked by email (users live in the public schema)."""
    return member_field(multiple=False, label=_("User"), required=not bulk)


registry.extend(
    RackReservation,
    ui=Ui(
        menu=RACKS,
        table_columns=("id", "rack", "units", "user", "tenant", "description"),
        form_fields={"user_id": _member},
        breadcrumbs=("rack",),
    ),
)
registry.extend(RackGroup, ui=Ui(menu=RACK_ORGANIZATION))
registry.extend(RackRole, ui=Ui(menu=RACK_ORGANIZATION))
registry.extend(RackType, ui=Ui(menu=RACK_TYPES))
