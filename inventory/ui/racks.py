"""NetBox's Racks menu: racks and reservations, rack organization, rack types."""

from django.utils.translation import gettext as _

from core.members import member_field
from core.registry import Menu, Ui, registry
from inventory.models import Rack, RackGroup, RackReservation, RackRole, RackType
from inventory.ui.tabs import contact_tabs

RACKS = Menu("Racks", "Racks")
RACK_ORGANIZATION = Menu("Racks", "Rack Organization")
RACK_TYPES = Menu("Racks", "Rack Types")

registry.extend(
    Rack,
    ui=Ui(
        menu=RACKS,
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
    ),
)
registry.extend(RackGroup, ui=Ui(menu=RACK_ORGANIZATION))
registry.extend(RackRole, ui=Ui(menu=RACK_ORGANIZATION))
registry.extend(RackType, ui=Ui(menu=RACK_TYPES))
