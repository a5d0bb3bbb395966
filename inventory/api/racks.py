"""NetBox's racks: groups, roles, rack types, racks and reservations."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from core.fields import INTEGER_VALUE, Rendered, ValueType
from core.members import MEMBER, member_brief, member_id
from core.registry import Api, Search, registry
from core.services import Services
from inventory.api.briefs import NAMED_BRIEF, NAMES
from inventory.models import Device, Rack, RackGroup, RackReservation, RackRole, RackType
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
# The power drawn from the rack's power feeds, which power panels and feeds (recorded with cables) bring:
# none yet, so none is drawn.
POWER_UTILIZATION = Rendered(lambda rack, links: 0.0, FLOAT_VALUE)


registry.register(
    RackGroup, api=Api("dcim/rack-groups", brief_fields=NAMED_BRIEF, counts={"rack_count": "racks"}), search=NAMES
)
registry.register(
    RackRole, api=Api("dcim/rack-roles", brief_fields=NAMED_BRIEF, counts={"rack_count": "racks"}), search=NAMES
)
registry.register(
    RackType,
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
        counts={"device_count": "devices"},
        zero_counts=("powerfeed_count",),
    ),
    search=Search(fields=("asset_tag", "serial", "name", "facility_id", "description", "comments")),
    services=Services(create=racks_create, update=racks_update),
)  # fmt: skip
registry.register(
    RackReservation,
    api=Api(
        "dcim/rack-reservations",
        brief_fields=("id", "url", "display", "status", "user", "description", "units"),
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
