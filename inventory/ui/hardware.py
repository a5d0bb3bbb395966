"""NetBox's Devices menu, Devices heading: devices, modules, virtual chassis and virtual device contexts."""

from django import forms

from core.registry import Menu, Ui, registry
from inventory.models import Device, MACAddress, Module, VirtualChassis, VirtualDeviceContext
from inventory.ui.connections import NEIGHBOURS
from inventory.ui.devicepage import PANELS, component_tabs
from inventory.ui.tabs import contact_tabs

DEVICES = Menu("Devices", "Devices")
ADDRESSING = Menu("Devices", "Addressing")

registry.extend(
    Device,
    ui=Ui(
        menu=DEVICES,
        sections=(
            ("Device", ("name", "role", "description")),
            ("Hardware", ("device_type", "airflow", "cooling_method", "serial", "asset_tag")),
            ("Location", ("site", "location", "rack", "face", "position", "latitude", "longitude")),
            ("Management", ("status", "platform", "primary_ip4", "primary_ip6", "oob_ip", "config_template")),
            ("Virtualization", ("cluster",)),
            ("Virtual chassis", ("virtual_chassis", "vc_position", "vc_priority")),
            ("Tenancy", ("tenant",)),
            ("Config context", ("local_context_data",)),
        ),
        table_columns=("name", "status", "tenant", "site", "location", "rack", "role", "device_type"),
        tabs=(*component_tabs(), NEIGHBOURS, *contact_tabs(Device)),
        panels=PANELS,
        bulk_rename=True,
        breadcrumbs=("rack", "location", "site"),
    ),
)


def _flag(label: str, help_text: str, *, initial: bool):
    return lambda bulk: forms.BooleanField(
        required=False,
        initial=initial,
        label=label,
        help_text=help_text,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


registry.extend(
    Module,
    ui=Ui(
        menu=DEVICES,
        table_columns=("id", "device", "module_bay", "module_type", "status", "serial"),
        form_fields={
            "replicate_components": _flag(
                "Replicate components", "Make the components of the module type (when installing)", initial=True
            ),
            "adopt_components": _flag(
                "Adopt components", "The device's components of the same names join the module", initial=False
            ),
        },
    ),
)
registry.extend(
    VirtualChassis, ui=Ui(menu=DEVICES, table_columns=("name", "domain", "master", "member_count", "description"))
)
registry.extend(
    VirtualDeviceContext,
    ui=Ui(menu=DEVICES, table_columns=("name", "status", "device", "identifier", "tenant", "interface_count")),
)
registry.extend(
    MACAddress, ui=Ui(menu=ADDRESSING, table_columns=("mac_address", "assigned_object", "is_primary", "description"))
)
