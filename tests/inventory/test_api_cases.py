"""The generic API cases (tests/api_cases.py) for every registered inventory model: data only."""

from django.contrib.auth import get_user_model

from inventory.models import (
    ConsolePortTemplate,
    ConsoleServerPortTemplate,
    Contact,
    ContactAssignment,
    ContactGroup,
    ContactRole,
    DeviceBayTemplate,
    DeviceRole,
    DeviceType,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemRole,
    InventoryItemTemplate,
    Location,
    Manufacturer,
    ModuleBayTemplate,
    ModuleBayType,
    ModuleType,
    ModuleTypeProfile,
    Platform,
    PowerOutletTemplate,
    PowerPortTemplate,
    Rack,
    RackGroup,
    RackReservation,
    RackRole,
    RackType,
    RearPortTemplate,
    Region,
    Site,
    SiteGroup,
    Tenant,
    TenantGroup,
)
from tests.api_cases import APICase, Ref

GROUP_BRIEF = ["id", "url", "display", "name", "slug", "description", "_depth"]
NAMED_BRIEF = ["id", "url", "display", "name", "slug", "description"]


def _site_relations():
    return {
        "region": Region.objects.create(name="Europe", slug="europe"),
        "group": SiteGroup.objects.create(name="Core", slug="core"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _site_and_tenant():
    return {
        "site": Site.objects.create(name="AMS1", slug="ams1"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _assignment_relations():
    return {
        "site": Site.objects.create(name="AMS1", slug="ams1"),
        "contact": Contact.objects.create(name="Alice"),
        **{f"role{n}": ContactRole.objects.create(name=f"Role {n}", slug=f"role-{n}") for n in (1, 2, 3)},
    }


class TestRegionAPI(APICase):
    model = Region
    create_data = [
        {"name": "Region 1", "slug": "region-1", "description": "first"},
        {"name": "Region 2", "slug": "region-2"},
        {"name": "Region 3", "slug": "region-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*GROUP_BRIEF, "site_count"]


class TestSiteGroupAPI(APICase):
    model = SiteGroup
    create_data = [
        {"name": "Site group 1", "slug": "site-group-1", "description": "first"},
        {"name": "Site group 2", "slug": "site-group-2"},
        {"name": "Site group 3", "slug": "site-group-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*GROUP_BRIEF, "site_count"]


class TestSiteAPI(APICase):
    model = Site
    setup_objects = staticmethod(_site_relations)
    create_data = [
        {
            "name": "Site 1",
            "slug": "site-1",
            "status": "planned",
            "region": Ref("region"),
            "group": Ref("group"),
            "tenant": Ref("tenant"),
            "facility": "DC-1",
            "time_zone": "Europe/Amsterdam",
            "physical_address": "Damrak 1, Amsterdam",
            "latitude": "52.370216",
            "longitude": "4.895168",
            "comments": "first",
        },
        {"name": "Site 2", "slug": "site-2", "region": {"slug": "europe"}},
        {"name": "Site 3", "slug": "site-3", "status": "retired"},
    ]
    update_data = {"description": "changed", "status": "active"}
    brief_fields = NAMED_BRIEF


class TestLocationAPI(APICase):
    model = Location
    setup_objects = staticmethod(_site_and_tenant)
    create_data = [
        {
            "name": "Location 1",
            "slug": "location-1",
            "site": Ref("site"),
            "status": "planned",
            "tenant": Ref("tenant"),
            "facility": "Hall 1",
        },
        {"name": "Location 2", "slug": "location-2", "site": Ref("site")},
        {"name": "Location 3", "slug": "location-3", "site": {"slug": "ams1"}},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*GROUP_BRIEF, "rack_count"]


class TestTenantGroupAPI(APICase):
    model = TenantGroup
    create_data = [
        {"name": "Tenant group 1", "slug": "tenant-group-1", "description": "first"},
        {"name": "Tenant group 2", "slug": "tenant-group-2"},
        {"name": "Tenant group 3", "slug": "tenant-group-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*GROUP_BRIEF, "tenant_count"]


class TestTenantAPI(APICase):
    model = Tenant
    setup_objects = staticmethod(lambda: {"group": TenantGroup.objects.create(name="Customers", slug="customers")})
    create_data = [
        {"name": "Tenant 1", "slug": "tenant-1", "group": Ref("group"), "comments": "first"},
        {"name": "Tenant 2", "slug": "tenant-2"},
        {"name": "Tenant 3", "slug": "tenant-3", "group": {"slug": "customers"}},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED_BRIEF


class TestContactGroupAPI(APICase):
    model = ContactGroup
    create_data = [
        {"name": "Contact group 1", "slug": "contact-group-1", "description": "first"},
        {"name": "Contact group 2", "slug": "contact-group-2"},
        {"name": "Contact group 3", "slug": "contact-group-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "slug", "description", "contact_count", "_depth"]


class TestContactRoleAPI(APICase):
    model = ContactRole
    create_data = [
        {"name": "Contact role 1", "slug": "contact-role-1", "description": "first"},
        {"name": "Contact role 2", "slug": "contact-role-2"},
        {"name": "Contact role 3", "slug": "contact-role-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED_BRIEF


class TestContactAPI(APICase):
    model = Contact
    setup_objects = staticmethod(lambda: {"group": ContactGroup.objects.create(name="NOC", slug="noc")})
    create_data = [
        {
            "name": "Alice",
            "title": "Network engineer",
            "phone": "+31 20 555 0100",
            "email": "alice@example.com",
            "address": "Damrak 1, Amsterdam",
            "link": "https://example.com/alice",
            "groups": [Ref("group")],
        },
        {"name": "Bob", "groups": [{"slug": "noc"}]},
        {"name": "Carol"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description"]


class TestContactAssignmentAPI(APICase):
    model = ContactAssignment
    setup_objects = staticmethod(_assignment_relations)
    create_data = [
        {
            "object_type": "dcim.site",
            "object_id": Ref("site"),
            "contact": Ref("contact"),
            "role": Ref("role1"),
            "priority": "primary",
        },
        {
            "object_type": "dcim.site",
            "object_id": Ref("site"),
            "contact": Ref("contact"),
            "role": Ref("role2"),
        },
        {
            "object_type": "dcim.site",
            "object_id": Ref("site"),
            "contact": {"name": "Alice"},
            "role": {"slug": "role-3"},
            "priority": "secondary",
        },
    ]
    filter_fields = ["object_type"]
    update_data = {"priority": "tertiary"}
    brief_fields = ["id", "url", "display", "contact", "role", "priority"]


# -- racks -----------------------------------------------------------------------------------------------------------


def _vendor():
    return {"vendor": Manufacturer.objects.create(name="Acme Racks", slug="acme-racks")}


def _rack_relations():
    site = Site.objects.create(name="AMS1", slug="ams1")
    return {
        "site": site,
        "location": Location.objects.create(name="Hall 1", slug="hall-1", site=site),
        "group": RackGroup.objects.create(name="Row A", slug="row-a"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
        "role": RackRole.objects.create(name="Compute", slug="compute"),
        "rack_type": RackType.objects.create(
            manufacturer=Manufacturer.objects.create(name="APC", slug="apc"),
            model="AR3100",
            slug="ar3100",
            form_factor="4-post-cabinet",
            u_height=48,
        ),
    }


def _reservation_relations():
    return {
        "rack": Rack.objects.create(name="R1", site=Site.objects.create(name="AMS1", slug="ams1")),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
        "owner": get_user_model().objects.get(email="owner-a@example.com"),
    }


class TestRackGroupAPI(APICase):
    model = RackGroup
    create_data = [
        {"name": "Row A", "slug": "row-a", "description": "first", "comments": "cold aisle"},
        {"name": "Row B", "slug": "row-b"},
        {"name": "Row C", "slug": "row-c"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*NAMED_BRIEF, "rack_count"]


class TestRackRoleAPI(APICase):
    model = RackRole
    create_data = [
        {"name": "Compute", "slug": "compute", "color": "2196f3", "description": "first"},
        {"name": "Network", "slug": "network", "color": "4caf50"},
        {"name": "Storage", "slug": "storage"},
    ]
    update_data = {"description": "changed", "color": "ff5722"}
    brief_fields = [*NAMED_BRIEF, "rack_count"]


class TestRackTypeAPI(APICase):
    model = RackType
    setup_objects = staticmethod(_vendor)
    create_data = [
        {
            "manufacturer": Ref("vendor"),
            "model": "AR3100",
            "slug": "ar3100",
            "form_factor": "4-post-cabinet",
            "width": 19,
            "u_height": 42,
            "starting_unit": 1,
            "desc_units": True,
            "outer_width": 600,
            "outer_height": 1991,
            "outer_depth": 1070,
            "outer_unit": "mm",
            "weight": "112.50",
            "max_weight": 1000,
            "weight_unit": "kg",
            "mounting_depth": 700,
            "cooling_capability": "air-only",
            "cooling_capacity": "12.50",
            "description": "first",
        },
        {"manufacturer": Ref("vendor"), "model": "AR3150", "slug": "ar3150", "form_factor": "4-post-frame"},
        {"manufacturer": {"slug": "acme-racks"}, "model": "Wall 12", "slug": "wall-12", "form_factor": "wall-cabinet"},
    ]
    update_data = {"description": "changed", "u_height": 45}
    brief_fields = ["id", "url", "display", "manufacturer", "model", "slug", "description", "rack_count"]


class TestRackAPI(APICase):
    model = Rack
    setup_objects = staticmethod(_rack_relations)
    create_data = [
        {
            "name": "R101",
            "facility_id": "AMS1-R101",
            "site": Ref("site"),
            "location": Ref("location"),
            "group": Ref("group"),
            "tenant": Ref("tenant"),
            "status": "planned",
            "role": Ref("role"),
            "serial": "SN-101",
            "asset_tag": "ASSET-101",
            "rack_type": Ref("rack_type"),
            "airflow": "front-to-rear",
            "description": "first",
            "comments": "by the door",
        },
        {
            "name": "R102",
            "site": Ref("site"),
            "form_factor": "2-post-frame",
            "width": 23,
            "u_height": 24,
            "starting_unit": 10,
            "desc_units": True,
            "outer_width": 24,
            "outer_depth": 36,
            "outer_unit": "in",
            "weight": "80.00",
            "max_weight": 500,
            "weight_unit": "lb",
            "mounting_depth": 30,
        },
        {"name": "R103", "site": {"slug": "ams1"}, "status": "reserved"},
    ]
    update_data = {"description": "changed", "status": "available"}
    brief_fields = ["id", "url", "display", "name", "description", "device_count"]


class TestRackReservationAPI(APICase):
    model = RackReservation
    setup_objects = staticmethod(_reservation_relations)
    create_data = [
        {
            "rack": Ref("rack"),
            "units": [1, 2, 3],
            "status": "pending",
            "user": Ref("owner"),
            "tenant": Ref("tenant"),
            "description": "New firewalls",
            "comments": "until the migration is done",
        },
        {"rack": Ref("rack"), "units": [10], "user": Ref("owner"), "description": "Patch panel"},
        {"rack": Ref("rack"), "units": [20, 21], "user": Ref("owner"), "description": "Spare", "status": "stale"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "status", "user", "description", "units"]


# -- the device catalogue --------------------------------------------------------------------------------------------


def _device_type_relations():
    vendor = Manufacturer.objects.create(name="Juniper", slug="juniper")
    return {"vendor": vendor, "platform": Platform.objects.create(name="Junos", slug="junos", manufacturer=vendor)}


def _module_type_relations():
    vendor = Manufacturer.objects.create(name="Cisco", slug="cisco")
    return {
        "vendor": vendor,
        "profile": ModuleTypeProfile.objects.create(
            name="Power supply",
            schema={"properties": {"watts": {"type": "integer", "minimum": 1}}, "required": ["watts"]},
        ),
        "bay_type": ModuleBayType.objects.create(name="PSU bay", slug="psu-bay", manufacturer=vendor),
    }


class TestManufacturerAPI(APICase):
    model = Manufacturer
    create_data = [
        {"name": "Juniper", "slug": "juniper", "description": "first", "comments": "networking"},
        {"name": "Cisco", "slug": "cisco"},
        {"name": "Arista", "slug": "arista"},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED_BRIEF


class TestPlatformAPI(APICase):
    model = Platform
    setup_objects = staticmethod(lambda: {"vendor": Manufacturer.objects.create(name="Cisco", slug="cisco")})
    create_data = [
        {"name": "IOS-XE", "slug": "ios-xe", "manufacturer": Ref("vendor"), "description": "first"},
        {"name": "NX-OS", "slug": "nx-os", "manufacturer": {"slug": "cisco"}},
        {"name": "Linux", "slug": "linux", "comments": "any vendor"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*GROUP_BRIEF, "device_count", "virtualmachine_count"]


class TestDeviceRoleAPI(APICase):
    model = DeviceRole
    create_data = [
        {"name": "Core switch", "slug": "core-switch", "color": "f44336", "vm_role": False, "description": "first"},
        {"name": "Access switch", "slug": "access-switch"},
        {"name": "Server", "slug": "server", "color": "3f51b5"},
    ]
    update_data = {"description": "changed", "color": "00bcd4"}
    brief_fields = [*GROUP_BRIEF, "device_count", "virtualmachine_count"]


class TestDeviceTypeAPI(APICase):
    model = DeviceType
    setup_objects = staticmethod(_device_type_relations)
    create_data = [
        {
            "manufacturer": Ref("vendor"),
            "default_platform": Ref("platform"),
            "model": "EX4300-48T",
            "slug": "ex4300-48t",
            "part_number": "EX4300-48T-AFI",
            "u_height": "1.5",
            "exclude_from_utilization": True,
            "is_full_depth": False,
            "subdevice_role": "parent",
            "airflow": "front-to-rear",
            "cooling_method": "air",
            "weight": "7.60",
            "weight_unit": "kg",
            "end_of_life": "2030-06-30",
            "description": "first",
            "comments": "48 copper ports",
        },
        {"manufacturer": Ref("vendor"), "model": "QFX5120-48Y", "slug": "qfx5120-48y"},
        {"manufacturer": {"slug": "juniper"}, "model": "SRX300", "slug": "srx300", "u_height": 0},
    ]
    update_data = {"description": "changed", "u_height": 2}
    brief_fields = ["id", "url", "display", "manufacturer", "model", "slug", "description", "device_count"]


class TestModuleTypeProfileAPI(APICase):
    model = ModuleTypeProfile
    create_data = [
        {
            "name": "Power supply",
            "description": "first",
            "schema": {"properties": {"watts": {"type": "integer"}}, "required": ["watts"]},
            "comments": "PSUs",
        },
        {"name": "Fan"},
        {"name": "Line card", "schema": {"properties": {"ports": {"type": "integer", "minimum": 1}}}},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description"]


class TestModuleBayTypeAPI(APICase):
    model = ModuleBayType
    setup_objects = staticmethod(lambda: {"vendor": Manufacturer.objects.create(name="Cisco", slug="cisco")})
    create_data = [
        {"name": "PSU bay", "slug": "psu-bay", "manufacturer": Ref("vendor"), "color": "ff9800", "description": "1st"},
        {"name": "Line card slot", "slug": "line-card-slot"},
        {"name": "SFP cage", "slug": "sfp-cage", "manufacturer": {"slug": "cisco"}},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "slug", "manufacturer", "color", "description"]


class TestModuleTypeAPI(APICase):
    model = ModuleType
    setup_objects = staticmethod(_module_type_relations)
    create_data = [
        {
            "profile": Ref("profile"),
            "manufacturer": Ref("vendor"),
            "model": "PWR-C1-715WAC",
            "part_number": "PWR-C1-715WAC=",
            "airflow": "front-to-rear",
            "cooling_method": "air",
            "weight": "1.20",
            "weight_unit": "kg",
            "end_of_life": "2031-01-31",
            "description": "first",
            "attributes": {"watts": 715},
            "module_bay_types": [Ref("bay_type")],
            "comments": "hot-swappable",
        },
        {"manufacturer": Ref("vendor"), "model": "C9300-NM-8X"},
        {"manufacturer": {"slug": "cisco"}, "model": "FAN-T1", "airflow": "passive"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "profile", "manufacturer", "model", "description", "module_count"]


class TestInventoryItemRoleAPI(APICase):
    model = InventoryItemRole
    create_data = [
        {"name": "Optic", "slug": "optic", "color": "9c27b0", "description": "first"},
        {"name": "Fan", "slug": "fan"},
        {"name": "Power supply", "slug": "power-supply", "color": "ffc107"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*NAMED_BRIEF, "inventoryitem_count"]


# -- component templates ---------------------------------------------------------------------------------------------


def _template_owners():
    vendor = Manufacturer.objects.create(name="Juniper", slug="juniper")
    return {
        "vendor": vendor,
        "device_type": DeviceType.objects.create(
            manufacturer=vendor, model="EX4300", slug="ex4300", subdevice_role="parent"
        ),
        "module_type": ModuleType.objects.create(manufacturer=vendor, model="EX-UM-4X4SFP"),
        "bay_type": ModuleBayType.objects.create(name="Uplink slot", slug="uplink-slot"),
        "role": InventoryItemRole.objects.create(name="Optic", slug="optic"),
    }


def _outlet_owners():
    owners = _template_owners()
    owners["psu"] = PowerPortTemplate.objects.create(device_type=owners["device_type"], name="PSU0")
    return owners


def _front_template_owners():
    owners = _template_owners()
    owners["rear"] = RearPortTemplate.objects.create(
        device_type=owners["device_type"], name="Rear", type="mpo", positions=12
    )
    owners["module_rear"] = RearPortTemplate.objects.create(
        module_type=owners["module_type"], name="Rear {module}", type="mpo", positions=12
    )
    return owners


def _rear_template_owners():
    owners = _template_owners()
    owners["front"] = FrontPortTemplate.objects.create(
        device_type=owners["device_type"], name="Front", type="lc", positions=4
    )
    owners["module_front"] = FrontPortTemplate.objects.create(
        module_type=owners["module_type"], name="Front {module}", type="lc"
    )
    return owners


def _inventory_item_owners():
    owners = _template_owners()
    owners["interface"] = InterfaceTemplate.objects.create(
        device_type=owners["device_type"], name="xe-0/2/0", type="10gbase-x-sfpp"
    )
    return owners


TEMPLATE_BRIEF = ["id", "url", "display", "name", "description"]
BAY_BRIEF = ["id", "url", "display", "name", "enabled", "description"]


class TestConsolePortTemplateAPI(APICase):
    model = ConsolePortTemplate
    setup_objects = staticmethod(_template_owners)
    create_data = [
        {"device_type": Ref("device_type"), "name": "Console", "label": "CON", "type": "rj-45", "description": "1st"},
        {"module_type": Ref("module_type"), "name": "Console {module}", "type": "usb-c"},
        {"device_type": {"slug": "ex4300"}, "name": "USB console", "type": "usb-mini-b"},
    ]
    update_data = {"description": "changed"}
    brief_fields = TEMPLATE_BRIEF


class TestConsoleServerPortTemplateAPI(APICase):
    model = ConsoleServerPortTemplate
    setup_objects = staticmethod(_template_owners)
    create_data = [
        {"device_type": Ref("device_type"), "name": "Port 1", "label": "1", "type": "rj-45", "description": "1st"},
        {"device_type": Ref("device_type"), "name": "Port 2", "type": "rj-45"},
        {"module_type": Ref("module_type"), "name": "Port {module}"},
    ]
    update_data = {"description": "changed"}
    brief_fields = TEMPLATE_BRIEF


class TestPowerPortTemplateAPI(APICase):
    model = PowerPortTemplate
    setup_objects = staticmethod(_template_owners)
    create_data = [
        {
            "device_type": Ref("device_type"),
            "name": "PSU1",
            "label": "Right",
            "type": "iec-60320-c14",
            "maximum_draw": 350,
            "allocated_draw": 200,
            "description": "first",
        },
        {"device_type": Ref("device_type"), "name": "PSU2", "type": "iec-60320-c14"},
        {"module_type": Ref("module_type"), "name": "DC input", "type": "dc-terminal"},
    ]
    update_data = {"description": "changed", "maximum_draw": 400}
    brief_fields = TEMPLATE_BRIEF


class TestPowerOutletTemplateAPI(APICase):
    model = PowerOutletTemplate
    setup_objects = staticmethod(_outlet_owners)
    create_data = [
        {
            "device_type": Ref("device_type"),
            "name": "Outlet 1",
            "type": "iec-60320-c13",
            "color": "f44336",
            "power_port": Ref("psu"),
            "feed_leg": "A",
            "description": "first",
        },
        {"device_type": Ref("device_type"), "name": "Outlet 2", "type": "iec-60320-c13", "feed_leg": "B"},
        {"module_type": Ref("module_type"), "name": "Outlet {module}"},
    ]
    update_data = {"description": "changed"}
    brief_fields = TEMPLATE_BRIEF


class TestInterfaceTemplateAPI(APICase):
    model = InterfaceTemplate
    setup_objects = staticmethod(_template_owners)
    create_data = [
        {
            "device_type": Ref("device_type"),
            "name": "ge-0/0/0",
            "label": "1",
            "type": "1000base-t",
            "enabled": False,
            "mgmt_only": True,
            "poe_mode": "pse",
            "poe_type": "type2-ieee802.3at",
            "description": "first",
        },
        {"device_type": Ref("device_type"), "name": "ae0", "type": "lag"},
        {"module_type": Ref("module_type"), "name": "xe-0/{module}/0", "type": "10gbase-x-sfpp", "channels": 4},
    ]
    update_data = {"description": "changed", "enabled": True}
    brief_fields = TEMPLATE_BRIEF


class TestFrontPortTemplateAPI(APICase):
    model = FrontPortTemplate
    setup_objects = staticmethod(_front_template_owners)
    create_data = [
        {
            "device_type": Ref("device_type"),
            "name": "Front 1",
            "label": "F1",
            "type": "lc",
            "color": "2196f3",
            "positions": 2,
            "rear_ports": [
                {"position": 1, "rear_port": Ref("rear"), "rear_port_position": 1},
                {"position": 2, "rear_port": Ref("rear"), "rear_port_position": 2},
            ],
            "description": "first",
        },
        {
            "device_type": Ref("device_type"),
            "name": "Front 2",
            "type": "8p8c",
            "rear_ports": [{"position": 1, "rear_port": Ref("rear"), "rear_port_position": 3}],
        },
        {
            "module_type": Ref("module_type"),
            "name": "Front {module}",
            "type": "mpo",
            "positions": 12,
            "rear_ports": [{"position": 1, "rear_port": Ref("module_rear")}],
        },
    ]
    update_data = {"description": "changed"}
    brief_fields = TEMPLATE_BRIEF


class TestRearPortTemplateAPI(APICase):
    model = RearPortTemplate
    setup_objects = staticmethod(_rear_template_owners)
    create_data = [
        {
            "device_type": Ref("device_type"),
            "name": "Rear 1",
            "label": "R1",
            "type": "mpo",
            "color": "2196f3",
            "positions": 12,
            "front_ports": [{"position": 1, "front_port": Ref("front"), "front_port_position": 1}],
            "description": "first",
        },
        {
            "device_type": Ref("device_type"),
            "name": "Rear 2",
            "type": "8p8c",
            "front_ports": [{"position": 1, "front_port": Ref("front"), "front_port_position": 2}],
        },
        {
            "module_type": Ref("module_type"),
            "name": "Rear {module}",
            "type": "lc",
            "front_ports": [{"position": 1, "front_port": Ref("module_front")}],
        },
    ]
    update_data = {"description": "changed", "positions": 24}
    brief_fields = TEMPLATE_BRIEF


class TestModuleBayTemplateAPI(APICase):
    model = ModuleBayTemplate
    setup_objects = staticmethod(_template_owners)
    create_data = [
        {
            "device_type": Ref("device_type"),
            "name": "Uplink 1",
            "label": "U1",
            "position": "1",
            "enabled": False,
            "description": "first",
            "module_bay_types": [Ref("bay_type")],
        },
        {"device_type": Ref("device_type"), "name": "Uplink 2", "position": "2"},
        {"module_type": Ref("module_type"), "name": "Sub-slot {module}"},
    ]
    update_data = {"description": "changed"}
    brief_fields = BAY_BRIEF


class TestDeviceBayTemplateAPI(APICase):
    model = DeviceBayTemplate
    setup_objects = staticmethod(_template_owners)
    create_data = [
        {"device_type": Ref("device_type"), "name": "Bay 1", "label": "B1", "enabled": False, "description": "1st"},
        {"device_type": Ref("device_type"), "name": "Bay 2"},
        {"device_type": {"slug": "ex4300"}, "name": "Bay 3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = BAY_BRIEF


class TestInventoryItemTemplateAPI(APICase):
    model = InventoryItemTemplate
    setup_objects = staticmethod(_inventory_item_owners)
    create_data = [
        {
            "device_type": Ref("device_type"),
            "name": "Cage 0/2/0",  # sorts first: the one-row list page loads a component too
            "label": "optic",
            "role": Ref("role"),
            "manufacturer": Ref("vendor"),
            "part_id": "SFPP-10GE-SR",
            "component_type": "dcim.interfacetemplate",
            "component_id": Ref("interface"),
            "description": "first",
        },
        {"device_type": Ref("device_type"), "name": "Fan tray"},
        {"device_type": {"slug": "ex4300"}, "name": "PSU bracket", "manufacturer": {"slug": "juniper"}},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description", "_depth"]
