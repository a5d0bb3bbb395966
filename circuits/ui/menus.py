"""NetBox's Circuits menu, its headings in NetBox's order, and the list columns."""

from django.contrib.contenttypes.models import ContentType

from circuits.models import (
    Circuit,
    CircuitGroup,
    CircuitGroupAssignment,
    CircuitTermination,
    CircuitType,
    Provider,
    ProviderAccount,
    ProviderNetwork,
    VirtualCircuit,
    VirtualCircuitTermination,
    VirtualCircuitType,
)
from circuits.ui.terminations import CIRCUIT_ENDS
from core.registry import Menu, Ui, registry
from frontend.tabs import related_objects_panel
from inventory.models import Site
from inventory.ui.tabs import contact_tabs
from inventory.ui.trace import TRACE_TAB

CIRCUITS = Menu("Circuits", "Circuits")
VIRTUAL_CIRCUITS = Menu("Circuits", "Virtual Circuits")
PROVIDERS = Menu("Circuits", "Providers")

registry.extend(
    Circuit,
    ui=Ui(
        menu=CIRCUITS,
        sections=(
            (
                "Circuit",
                ("provider", "provider_account", "cid", "type", "status", "description", "distance", "distance_unit"),
            ),
            ("Service parameters", ("install_date", "termination_date", "commit_rate")),
            ("Tenancy", ("tenant",)),
        ),
        table_columns=(
            "cid", "provider", "type", "status", "termination_a", "termination_z", "tenant", "commit_rate",
            "description",
        ),
        panels=(CIRCUIT_ENDS,),
        tabs=contact_tabs(Circuit),
        breadcrumbs=("provider",),
    ),
)  # fmt: skip
registry.extend(CircuitGroup, ui=Ui(menu=CIRCUITS, table_columns=("name", "tenant", "circuit_count", "description")))
registry.extend(CircuitGroupAssignment, ui=Ui(menu=CIRCUITS, table_columns=("group", "member", "priority")))
registry.extend(CircuitType, ui=Ui(menu=CIRCUITS, table_columns=("name", "color", "circuit_count", "description")))
registry.extend(
    CircuitTermination,
    ui=Ui(
        menu=CIRCUITS,
        sections=(
            ("Circuit termination", ("circuit", "term_side", "description")),
            ("Termination", ("termination_type", "termination_id", "mark_connected")),
            ("Service parameters", ("port_speed", "upstream_speed", "xconnect_id", "pp_info")),
        ),
        table_columns=("circuit", "term_side", "termination", "port_speed", "upstream_speed", "xconnect_id"),
        tabs=(TRACE_TAB,),  # the paths through it, drawn
    ),
)
# a site's circuit terminations (at the site or at one of its locations, as `site_id=` filters them), on the
# site's page (inventory does not know circuits)
registry.augment(
    Site,
    panels=(
        related_objects_panel(
            CircuitTermination,
            lambda spec, site: {"termination_type": ContentType.objects.get_for_model(Site), "termination_id": site.pk},
            filters=lambda spec, site: {"site_id": site.pk},
        ),
    ),
)
registry.extend(
    VirtualCircuit,
    ui=Ui(menu=VIRTUAL_CIRCUITS, table_columns=("cid", "provider_network", "type", "status", "tenant", "description")),
)
registry.extend(VirtualCircuitType, ui=Ui(menu=VIRTUAL_CIRCUITS))
registry.extend(
    VirtualCircuitTermination,
    ui=Ui(menu=VIRTUAL_CIRCUITS, table_columns=("virtual_circuit", "role", "interface", "description")),
)
registry.extend(
    Provider,
    ui=Ui(menu=PROVIDERS, table_columns=("name", "circuit_count", "description"), tabs=contact_tabs(Provider)),
)
registry.extend(
    ProviderAccount,
    ui=Ui(
        menu=PROVIDERS,
        table_columns=("account", "name", "provider", "description"),
        tabs=contact_tabs(ProviderAccount),
    ),
)
registry.extend(ProviderNetwork, ui=Ui(menu=PROVIDERS, table_columns=("name", "provider", "service_id", "description")))
