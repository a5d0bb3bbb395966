"""The small related data set the NetBox shape fixtures are made of, written through the REST API.

Each step is `(name, endpoint, payload)`: POSTed to `/api/<endpoint>/` in order; `"$name"` anywhere
in a payload stands for the id of the object an earlier step made. A payload of `Lookup(query)`
creates nothing: it finds the first object of the endpoint the query selects (objects NetBox makes
by itself, such as a cable's terminations or an object change). The first step of an endpoint is
the object recorded for it.

record.py replays it against a real NetBox; tests/compat/test_netbox_shapes.py replays the steps an
endpoint needs against Wirebook and compares the two representations.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Lookup:
    """Not created: the first object of the endpoint that `query` selects (refs resolved)."""

    query: dict[str, Any]


T = ["$tag"]  # the tags every primary object carries

STEPS: list[tuple[str, str, Any]] = [
    # -- customization -----------------------------------------------------------------------------
    ("tag", "extras/tags", {"name": "Shape", "slug": "shape", "color": "ff0000", "description": "d"}),
    ("choices", "extras/custom-field-choice-sets", {"name": "Colors", "extra_choices": [["red", "Red"]]}),
    (
        "custom_field",
        "extras/custom-fields",
        {"name": "asset", "type": "select", "object_types": ["dcim.rack"], "choice_set": "$choices", "label": "A"},
    ),
    # -- tenancy -----------------------------------------------------------------------------------
    ("tenant_group", "tenancy/tenant-groups", {"name": "TG", "slug": "tg", "description": "d", "tags": T}),
    ("tenant", "tenancy/tenants", {"name": "T", "slug": "t", "group": "$tenant_group", "tags": T}),
    ("contact_group", "tenancy/contact-groups", {"name": "CG", "slug": "cg", "tags": T}),
    ("contact_role", "tenancy/contact-roles", {"name": "CR", "slug": "cr", "tags": T}),
    (
        "contact",
        "tenancy/contacts",
        {"name": "C", "groups": ["$contact_group"], "email": "c@example.com", "tags": T},
    ),
    # -- sites -------------------------------------------------------------------------------------
    ("region", "dcim/regions", {"name": "R", "slug": "r", "tags": T}),
    ("site_group", "dcim/site-groups", {"name": "SG", "slug": "sg", "tags": T}),
    (
        "site",
        "dcim/sites",
        {
            "name": "S",
            "slug": "s",
            "status": "active",
            "region": "$region",
            "group": "$site_group",
            "tenant": "$tenant",
            "facility": "F",
            "physical_address": "1 Road",
            "latitude": 52.5,
            "longitude": 4.5,
            "tags": T,
        },
    ),
    (
        "contact_assignment",
        "tenancy/contact-assignments",
        {"object_type": "dcim.site", "object_id": "$site", "contact": "$contact", "role": "$contact_role"},
    ),
    ("location", "dcim/locations", {"name": "L", "slug": "l", "site": "$site", "status": "active", "tags": T}),
    # -- racks -------------------------------------------------------------------------------------
    ("rack_group", "dcim/rack-groups", {"name": "RG", "slug": "rg"}),
    ("rack_role", "dcim/rack-roles", {"name": "RR", "slug": "rr", "color": "00ff00", "tags": T}),
    ("manufacturer", "dcim/manufacturers", {"name": "M", "slug": "m", "tags": T}),
    (
        "rack_type",
        "dcim/rack-types",
        {"manufacturer": "$manufacturer", "model": "RT", "slug": "rt", "form_factor": "4-post-cabinet", "tags": T},
    ),
    (
        "rack",
        "dcim/racks",
        {
            "name": "Rack",
            "site": "$site",
            "location": "$location",
            "role": "$rack_role",
            "rack_type": "$rack_type",
            "tenant": "$tenant",
            "u_height": 42,
            "tags": T,
            "custom_fields": {"asset": "red"},
        },
    ),
    (
        "rack_reservation",
        "dcim/rack-reservations",
        {"rack": "$rack", "units": [1, 2], "description": "d", "user": "$me", "tags": T},
    ),
    # -- devices -----------------------------------------------------------------------------------
    ("platform", "dcim/platforms", {"name": "P", "slug": "p", "manufacturer": "$manufacturer", "tags": T}),
    ("device_role", "dcim/device-roles", {"name": "DR", "slug": "dr", "color": "0000ff", "tags": T}),
    (
        "device_type",
        "dcim/device-types",
        {"manufacturer": "$manufacturer", "model": "DT", "slug": "dt", "subdevice_role": "parent", "tags": T},
    ),
    (
        "template_type",
        "dcim/device-types",
        {"manufacturer": "$manufacturer", "model": "TT", "slug": "tt", "subdevice_role": "parent"},
    ),
    ("profile", "dcim/module-type-profiles", {"name": "MTP", "schema": {"properties": {"w": {"type": "integer"}}}}),
    ("bay_type", "dcim/module-bay-types", {"name": "MBT", "slug": "mbt", "manufacturer": "$manufacturer"}),
    (
        "module_type",
        "dcim/module-types",
        {"manufacturer": "$manufacturer", "model": "MT", "profile": "$profile", "attributes": {"w": 5}, "tags": T},
    ),
    ("inventory_role", "dcim/inventory-item-roles", {"name": "IR", "slug": "ir", "color": "ff00ff", "tags": T}),
    ("console_port_template", "dcim/console-port-templates", {"device_type": "$template_type", "name": "con"}),
    (
        "console_server_port_template",
        "dcim/console-server-port-templates",
        {"device_type": "$template_type", "name": "cs"},
    ),
    ("power_port_template", "dcim/power-port-templates", {"device_type": "$template_type", "name": "psu"}),
    (
        "power_outlet_template",
        "dcim/power-outlet-templates",
        {"device_type": "$template_type", "name": "out", "power_port": "$power_port_template"},
    ),
    (
        "interface_template",
        "dcim/interface-templates",
        {"device_type": "$template_type", "name": "eth", "type": "1000base-t"},
    ),
    (
        "rear_port_template",
        "dcim/rear-port-templates",
        {"device_type": "$template_type", "name": "rear", "type": "8p8c", "positions": 1},
    ),
    (
        "front_port_template",
        "dcim/front-port-templates",
        {
            "device_type": "$template_type",
            "name": "front",
            "type": "8p8c",
        },
    ),
    ("module_bay_template", "dcim/module-bay-templates", {"device_type": "$template_type", "name": "slot"}),
    ("device_bay_template", "dcim/device-bay-templates", {"device_type": "$template_type", "name": "bay"}),
    (
        "inventory_item_template",
        "dcim/inventory-item-templates",
        {"device_type": "$template_type", "name": "item", "role": "$inventory_role"},
    ),
    (
        "device",
        "dcim/devices",
        {
            "name": "D",
            "device_type": "$device_type",
            "role": "$device_role",
            "site": "$site",
            "location": "$location",
            "rack": "$rack",
            "position": 10,
            "face": "front",
            "platform": "$platform",
            "tenant": "$tenant",
            "serial": "SN",
            "tags": T,
        },
    ),
    ("peer", "dcim/devices", {"name": "D2", "device_type": "$device_type", "role": "$device_role", "site": "$site"}),
    (
        "virtual_chassis",
        "dcim/virtual-chassis",
        {"name": "VC", "domain": "d", "tags": T},
    ),
    (
        "vdc",
        "dcim/virtual-device-contexts",
        {"name": "VDC", "device": "$device", "status": "active", "identifier": 1, "tags": T},
    ),
    ("module_bay", "dcim/module-bays", {"device": "$device", "name": "slot", "tags": T}),
    (
        "module",
        "dcim/modules",
        {"device": "$device", "module_bay": "$module_bay", "module_type": "$module_type", "serial": "MS", "tags": T},
    ),
    ("console_port", "dcim/console-ports", {"device": "$device", "name": "con", "type": "rj-45", "tags": T}),
    ("console_server_port", "dcim/console-server-ports", {"device": "$device", "name": "cs", "tags": T}),
    ("power_port", "dcim/power-ports", {"device": "$device", "name": "psu", "tags": T}),
    (
        "power_outlet",
        "dcim/power-outlets",
        {"device": "$device", "name": "out", "power_port": "$power_port", "tags": T},
    ),
    (
        "interface",
        "dcim/interfaces",
        {"device": "$device", "name": "eth0", "type": "1000base-t", "mtu": 1500, "tags": T},
    ),
    ("peer_interface", "dcim/interfaces", {"device": "$peer", "name": "eth0", "type": "1000base-t"}),
    ("rear_port", "dcim/rear-ports", {"device": "$device", "name": "rear", "type": "8p8c", "tags": T}),
    (
        "front_port",
        "dcim/front-ports",
        {
            "device": "$device",
            "name": "front",
            "type": "8p8c",
            "rear_ports": [{"position": 1, "rear_port": "$rear_port", "rear_port_position": 1}],
            "tags": T,
        },
    ),
    ("device_bay", "dcim/device-bays", {"device": "$device", "name": "bay", "tags": T}),
    (
        "inventory_item",
        "dcim/inventory-items",
        {"device": "$device", "name": "item", "role": "$inventory_role", "serial": "IS", "tags": T},
    ),
    (
        "mac_address",
        "dcim/mac-addresses",
        {
            "mac_address": "00:11:22:33:44:55",
            "assigned_object_type": "dcim.interface",
            "assigned_object_id": "$interface",
            "tags": T,
        },
    ),
    (
        "cable",
        "dcim/cables",
        {
            "a_terminations": [{"object_type": "dcim.interface", "object_id": "$interface"}],
            "b_terminations": [{"object_type": "dcim.interface", "object_id": "$peer_interface"}],
            "type": "cat6",
            "status": "connected",
            "label": "C1",
            "length": 2.5,
            "length_unit": "m",
            "tags": T,
        },
    ),
    ("cable_termination", "dcim/cable-terminations", Lookup({"cable": "$cable"})),
    ("power_panel", "dcim/power-panels", {"site": "$site", "location": "$location", "name": "PP", "tags": T}),
    (
        "power_feed",
        "dcim/power-feeds",
        {"power_panel": "$power_panel", "rack": "$rack", "name": "PF", "voltage": 230, "amperage": 32, "tags": T},
    ),
    # -- virtualization ----------------------------------------------------------------------------
    ("cluster_type", "virtualization/cluster-types", {"name": "CT", "slug": "ct", "tags": T}),
    ("cluster_group", "virtualization/cluster-groups", {"name": "CGr", "slug": "cgr", "tags": T}),
    ("virtual_machine_type", "virtualization/virtual-machine-types", {"name": "VMT", "slug": "vmt", "tags": T}),
    (
        "cluster",
        "virtualization/clusters",
        {
            "name": "Cl",
            "type": "$cluster_type",
            "group": "$cluster_group",
            "scope_type": "dcim.site",
            "scope_id": "$site",
            "tags": T,
        },
    ),
    (
        "virtual_machine",
        "virtualization/virtual-machines",
        {"name": "VM", "cluster": "$cluster", "vcpus": 2, "memory": 1024, "disk": 10, "tenant": "$tenant", "tags": T},
    ),
    ("vm_interface", "virtualization/interfaces", {"virtual_machine": "$virtual_machine", "name": "eth0", "tags": T}),
    ("virtual_disk", "virtualization/virtual-disks", {"virtual_machine": "$virtual_machine", "name": "sd", "size": 1}),
    # -- wireless ----------------------------------------------------------------------------------
    ("wlan_group", "wireless/wireless-lan-groups", {"name": "WG", "slug": "wg", "tags": T}),
    (
        "wlan",
        "wireless/wireless-lans",
        {"ssid": "net", "group": "$wlan_group", "status": "active", "auth_type": "wpa-personal", "tags": T},
    ),
    ("radio_a", "dcim/interfaces", {"device": "$device", "name": "wlan0", "type": "ieee802.11ac"}),
    ("radio_b", "dcim/interfaces", {"device": "$peer", "name": "wlan0", "type": "ieee802.11ac"}),
    (
        "wireless_link",
        "wireless/wireless-links",
        {"interface_a": "$radio_a", "interface_b": "$radio_b", "ssid": "link", "status": "connected", "tags": T},
    ),
    # -- IPAM --------------------------------------------------------------------------------------
    ("route_target", "ipam/route-targets", {"name": "65000:1", "tenant": "$tenant", "tags": T}),
    (
        "vrf",
        "ipam/vrfs",
        {"name": "V", "rd": "65000:1", "tenant": "$tenant", "import_targets": ["$route_target"], "tags": T},
    ),
    ("rir", "ipam/rirs", {"name": "RIPE", "slug": "ripe", "tags": T}),
    ("aggregate", "ipam/aggregates", {"prefix": "10.0.0.0/8", "rir": "$rir", "tenant": "$tenant", "tags": T}),
    ("ipam_role", "ipam/roles", {"name": "IR", "slug": "ir", "tags": T}),
    ("vlan_group", "ipam/vlan-groups", {"name": "VG", "slug": "vg", "scope_type": "dcim.site", "scope_id": "$site"}),
    (
        "vlan",
        "ipam/vlans",
        {"vid": 100, "name": "V100", "group": "$vlan_group", "tenant": "$tenant", "status": "active", "tags": T},
    ),
    (
        "prefix",
        "ipam/prefixes",
        {
            "prefix": "10.1.0.0/24",
            "vrf": "$vrf",
            "scope_type": "dcim.site",
            "scope_id": "$site",
            "vlan": "$vlan",
            "role": "$ipam_role",
            "tenant": "$tenant",
            "tags": T,
        },
    ),
    (
        "ip_range",
        "ipam/ip-ranges",
        {"start_address": "10.1.0.100/24", "end_address": "10.1.0.110/24", "vrf": "$vrf", "tags": T},
    ),
    (
        "ip_address",
        "ipam/ip-addresses",
        {
            "address": "10.1.0.1/24",
            "vrf": "$vrf",
            "assigned_object_type": "dcim.interface",
            "assigned_object_id": "$interface",
            "dns_name": "d.example.com",
            "tags": T,
        },
    ),
    ("vlan_policy", "ipam/vlan-translation-policies", {"name": "VTP", "description": "d"}),
    ("vlan_rule", "ipam/vlan-translation-rules", {"policy": "$vlan_policy", "local_vid": 100, "remote_vid": 200}),
    ("asn_range", "ipam/asn-ranges", {"name": "AR", "slug": "ar", "rir": "$rir", "start": 64512, "end": 64520}),
    ("asn", "ipam/asns", {"asn": 64512, "rir": "$rir", "tenant": "$tenant", "tags": T}),
    ("fhrp_group", "ipam/fhrp-groups", {"protocol": "vrrp2", "group_id": 1, "name": "FG", "tags": T}),
    (
        "fhrp_assignment",
        "ipam/fhrp-group-assignments",
        {"group": "$fhrp_group", "interface_type": "dcim.interface", "interface_id": "$interface", "priority": 100},
    ),
    ("service_template", "ipam/service-templates", {"name": "SSH", "protocol": "tcp", "ports": [22], "tags": T}),
    (
        "service",
        "ipam/services",
        {
            "parent_object_type": "dcim.device",
            "parent_object_id": "$device",
            "name": "SSH",
            "protocol": "tcp",
            "ports": [22],
            "tags": T,
        },
    ),
    # -- VPN ---------------------------------------------------------------------------------------
    ("tunnel_group", "vpn/tunnel-groups", {"name": "TuG", "slug": "tug", "tags": T}),
    (
        "ike_proposal",
        "vpn/ike-proposals",
        {
            "name": "IKEP",
            "authentication_method": "preshared-keys",
            "encryption_algorithm": "aes-256-cbc",
            "authentication_algorithm": "hmac-sha256",
            "group": 14,
            "tags": T,
        },
    ),
    ("ike_policy", "vpn/ike-policies", {"name": "IKEPol", "version": 2, "proposals": ["$ike_proposal"], "tags": T}),
    (
        "ipsec_proposal",
        "vpn/ipsec-proposals",
        {"name": "IPSP", "encryption_algorithm": "aes-256-cbc", "authentication_algorithm": "hmac-sha256", "tags": T},
    ),
    ("ipsec_policy", "vpn/ipsec-policies", {"name": "IPSPol", "proposals": ["$ipsec_proposal"], "tags": T}),
    (
        "ipsec_profile",
        "vpn/ipsec-profiles",
        {"name": "Prof", "mode": "esp", "ike_policy": "$ike_policy", "ipsec_policy": "$ipsec_policy", "tags": T},
    ),
    (
        "tunnel",
        "vpn/tunnels",
        {
            "name": "Tun",
            "status": "active",
            "group": "$tunnel_group",
            "encapsulation": "ipsec-tunnel",
            "ipsec_profile": "$ipsec_profile",
            "tenant": "$tenant",
            "tags": T,
        },
    ),
    (
        "tunnel_termination",
        "vpn/tunnel-terminations",
        {
            "tunnel": "$tunnel",
            "role": "peer",
            "termination_type": "dcim.interface",
            "termination_id": "$interface",
            "outside_ip": "$ip_address",
            "tags": T,
        },
    ),
    ("l2vpn", "vpn/l2vpns", {"name": "L2", "slug": "l2", "type": "vxlan", "identifier": 5000, "tags": T}),
    (
        "l2vpn_termination",
        "vpn/l2vpn-terminations",
        {"l2vpn": "$l2vpn", "assigned_object_type": "ipam.vlan", "assigned_object_id": "$vlan", "tags": T},
    ),
    # -- circuits ----------------------------------------------------------------------------------
    ("provider", "circuits/providers", {"name": "Prov", "slug": "prov", "asns": ["$asn"], "tags": T}),
    ("provider_account", "circuits/provider-accounts", {"provider": "$provider", "account": "A1", "name": "PA"}),
    ("provider_network", "circuits/provider-networks", {"provider": "$provider", "name": "PN", "tags": T}),
    ("circuit_type", "circuits/circuit-types", {"name": "CiT", "slug": "cit", "color": "aa00aa", "tags": T}),
    (
        "circuit",
        "circuits/circuits",
        {
            "cid": "CID1",
            "provider": "$provider",
            "provider_account": "$provider_account",
            "type": "$circuit_type",
            "status": "active",
            "tenant": "$tenant",
            "commit_rate": 1000,
            "tags": T,
        },
    ),
    (
        "circuit_termination",
        "circuits/circuit-terminations",
        {
            "circuit": "$circuit",
            "term_side": "A",
            "termination_type": "dcim.site",
            "termination_id": "$site",
            "port_speed": 1000,
            "tags": T,
        },
    ),
    ("circuit_group", "circuits/circuit-groups", {"name": "CiG", "slug": "cig", "tenant": "$tenant", "tags": T}),
    (
        "circuit_group_assignment",
        "circuits/circuit-group-assignments",
        {"group": "$circuit_group", "member_type": "circuits.circuit", "member_id": "$circuit", "priority": "primary"},
    ),
    ("vc_type", "circuits/virtual-circuit-types", {"name": "VCT", "slug": "vct", "color": "00aaaa", "tags": T}),
    (
        "virtual_circuit",
        "circuits/virtual-circuits",
        {"cid": "VC1", "provider_network": "$provider_network", "type": "$vc_type", "status": "active", "tags": T},
    ),
    (
        "virtual_circuit_termination",
        "circuits/virtual-circuit-terminations",
        {"virtual_circuit": "$virtual_circuit", "role": "hub", "interface": "$vc_interface", "tags": T},
    ),
    # -- extras ------------------------------------------------------------------------------------
    (
        "journal_entry",
        "extras/journal-entries",
        {"assigned_object_type": "dcim.site", "assigned_object_id": "$site", "kind": "info", "comments": "hi"},
    ),
    (
        "saved_filter",
        "extras/saved-filters",
        {"name": "SF", "slug": "sf", "object_types": ["dcim.site"], "parameters": {"status": ["active"]}},
    ),
    (
        "webhook",
        "extras/webhooks",
        {"name": "WH", "payload_url": "https://hooks.example.com/", "http_method": "POST", "tags": T},
    ),
    (
        "event_rule",
        "extras/event-rules",
        {
            "name": "ER",
            "object_types": ["dcim.site"],
            "event_types": ["object_created"],
            "action_type": "webhook",
            "action_object_type": "extras.webhook",
            "action_object_id": "$webhook",
            "tags": T,
        },
    ),
    ("config_context", "extras/config-contexts", {"name": "CC", "data": {"ntp": "10.0.0.1"}, "sites": ["$site"]}),
    ("config_template", "extras/config-templates", {"name": "CTm", "template_code": "{{ device.name }}", "tags": T}),
    ("bookmark", "extras/bookmarks", {"object_type": "dcim.site", "object_id": "$site", "user": "$me"}),
    ("subscription", "extras/subscriptions", {"object_type": "dcim.site", "object_id": "$site", "user": "$me"}),
    ("notification_group", "extras/notification-groups", {"name": "NG", "users": ["$me"]}),
    (
        "notification",
        "extras/notifications",
        {"object_type": "dcim.site", "object_id": "$site", "user": "$me", "event_type": "object_updated"},
    ),
    (
        "export_template",
        "extras/export-templates",
        {"name": "ET", "object_types": ["dcim.site"], "template_code": "{% for s in queryset %}{{ s }}{% endfor %}"},
    ),
    (
        "custom_link",
        "extras/custom-links",
        {
            "name": "CL",
            "object_types": ["dcim.site"],
            "link_text": "x",
            "link_url": "https://x.example/{{ object.id }}",
        },
    ),
    # -- users -------------------------------------------------------------------------------------
    ("owner_group", "users/owner-groups", {"name": "OG"}),
    ("owner", "users/owners", {"name": "Own", "group": "$owner_group", "users": ["$me"]}),
    (
        "permission",
        "users/permissions",
        {"name": "Perm", "object_types": ["dcim.site"], "actions": ["view"], "users": ["$me"]},
    ),
    ("object_change", "core/object-changes", Lookup({"changed_object_type": "dcim.site", "action": "create"})),
]

# The virtual circuit termination ends on a provider-network-facing interface of its own.
STEPS.insert(
    [name for name, _, _ in STEPS].index("virtual_circuit_termination"),
    ("vc_interface", "dcim/interfaces", {"device": "$device", "name": "vc0", "type": "virtual"}),
)
# The virtual chassis's master and members come after its devices: recorded without them.

# What a step needs that its payload does not name: the rack's custom field, the site whose change is looked up.
ALSO_NEEDS = {"rack": {"custom_field"}, "object_change": {"site"}}

# The object recorded for each endpoint: its first step.
RECORDED: dict[str, str] = {}
for _name, _endpoint, _payload in STEPS:
    RECORDED.setdefault(_endpoint, _name)


def refs(value: Any) -> set[str]:
    """The names `value` refers to ("$name")."""
    if isinstance(value, str) and value.startswith("$") and value != "$me":
        return {value[1:]}
    if isinstance(value, Lookup):
        return refs(value.query)
    if isinstance(value, dict):
        return set().union(*(refs(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(refs(item) for item in value)) if value else set()
    return set()


def resolve(value: Any, ids: dict[str, int], me: int | None) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return me if value == "$me" else ids[value[1:]]
    if isinstance(value, dict):
        return {key: resolve(item, ids, me) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, ids, me) for item in value]
    return value


def needed(name: str) -> list[tuple[str, str, Any]]:
    """The steps that make `name`, in order: it and everything it refers to, transitively."""
    by_name = {step[0]: step for step in STEPS}
    wanted, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in wanted:
            wanted.add(current)
            todo.extend(refs(by_name[current][2]) | ALSO_NEEDS.get(current, set()))
    return [step for step in STEPS if step[0] in wanted]
