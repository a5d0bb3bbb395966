"""What the Ansible tests run: every `netbox.netbox` module whose model Wirebook has, as data.

Two playbooks of about half the modules each, so that the suite's two workers run them side by side
(test_ansible_dcim.py: organization and DCIM; test_ansible.py: IPAM, circuits, virtualization and
automation). In each, `setup` creates, in order, the objects its lifecycle cases refer to (by name,
as playbooks do); `lifecycle` names, per module, the object it creates and one change to it. The
playbook (playbook.py) runs each case as create → create again → update → update again → delete →
delete again, and only the first of each pair may report `changed`. `setup` is deleted in reverse
order afterwards, which also proves each of those modules deletes.

Not here: `netbox_webhook` (collection 3.21 still requires the `content_types` that NetBox 4 webhooks
no longer have), the modules of models Wirebook does not have (tokens, data sources), and those docs/api.md
lists as not in this run yet (cables, modules, component templates, users and permissions...).
"""

from typing import Any, NamedTuple


class Unsafe(str):
    """A Jinja2 template Ansible must pass on, not render itself (written as `!unsafe` in the playbook)."""


class Case(NamedTuple):
    module: str
    data: dict[str, Any]
    update: dict[str, Any]


class Playbook(NamedTuple):
    setup: list[tuple[str, dict[str, Any]]]
    lifecycle: list[Case]


DCIM_SETUP: list[tuple[str, dict[str, Any]]] = [
    ("netbox_region", {"name": "Europe", "slug": "europe"}),
    ("netbox_site_group", {"name": "Campuses", "slug": "campuses"}),
    ("netbox_tenant_group", {"name": "Customers", "slug": "customers"}),
    ("netbox_tenant", {"name": "Acme", "slug": "acme", "tenant_group": "Customers"}),
    ("netbox_site", {"name": "AMS1", "slug": "ams1", "status": "active", "region": "Europe"}),
    ("netbox_location", {"name": "Hall A", "slug": "hall-a", "site": "AMS1"}),
    ("netbox_manufacturer", {"name": "Juniper", "slug": "juniper"}),
    ("netbox_device_role", {"name": "Leaf", "slug": "leaf", "color": "00ff00"}),
    ("netbox_platform", {"name": "Junos", "slug": "junos", "manufacturer": "Juniper"}),
    (
        "netbox_device_type",
        {"model": "QFX5120", "slug": "qfx5120", "manufacturer": "Juniper", "u_height": 1, "subdevice_role": "parent"},
    ),
    ("netbox_rack_role", {"name": "Network", "slug": "network", "color": "0000ff"}),
    ("netbox_rack", {"name": "R01", "site": "AMS1", "location": "Hall A", "status": "active"}),
    ("netbox_device", {"name": "leaf1", "device_type": "QFX5120", "device_role": "Leaf", "site": "AMS1"}),
    ("netbox_device", {"name": "leaf2", "device_type": "QFX5120", "device_role": "Leaf", "site": "AMS1"}),
    ("netbox_device_interface", {"device": "leaf1", "name": "xe-0/0/0", "type": "10gbase-x-sfpp"}),
    ("netbox_device_interface", {"device": "leaf2", "name": "xe-0/0/0", "type": "10gbase-x-sfpp"}),
    ("netbox_contact_group", {"name": "NOC", "slug": "noc"}),
    ("netbox_contact_role", {"name": "Operations", "slug": "operations"}),
    ("netbox_contact", {"name": "Jane Doe", "email": "jane@example.com"}),
    ("netbox_power_panel", {"name": "PP1", "site": "AMS1"}),
]

DCIM_LIFECYCLE: list[Case] = [
    # organization
    Case("netbox_region", {"name": "Asia", "slug": "asia"}, {"description": "APAC"}),
    Case("netbox_site_group", {"name": "Edge", "slug": "edge"}, {"description": "POPs"}),
    Case("netbox_site", {"name": "FRA1", "slug": "fra1", "status": "planned"}, {"status": "active"}),
    Case("netbox_location", {"name": "Cage 1", "slug": "cage-1", "site": "AMS1"}, {"description": "North"}),
    Case("netbox_tenant_group", {"name": "Internal", "slug": "internal"}, {"description": "Ours"}),
    Case("netbox_tenant", {"name": "Globex", "slug": "globex"}, {"tenant_group": "Customers"}),
    Case("netbox_contact_group", {"name": "Sales", "slug": "sales"}, {"description": "Deals"}),
    Case("netbox_contact_role", {"name": "Billing", "slug": "billing"}, {"description": "Invoices"}),
    Case("netbox_contact", {"name": "John Roe", "title": "Engineer"}, {"phone": "+31 20 555 0100"}),
    Case(
        "netbox_contact_assignment",
        {"object_type": "site", "object_name": "AMS1", "contact": "Jane Doe", "role": "Operations"},
        {"priority": "primary"},
    ),
    Case("netbox_tag", {"name": "Core", "slug": "core"}, {"color": "ff0000"}),
    Case(
        "netbox_custom_field",
        {"name": "asset_owner", "type": "text", "object_types": ["dcim.device"]},
        {"label": "Asset owner"},
    ),
    Case(
        "netbox_custom_field_choice_set",
        {"name": "Floors", "extra_choices": [["1", "First"], ["2", "Second"]]},
        {"description": "Building floors"},
    ),
    # DCIM
    Case("netbox_manufacturer", {"name": "Arista", "slug": "arista"}, {"description": "EOS"}),
    Case("netbox_device_role", {"name": "Spine", "slug": "spine", "color": "ff00ff"}, {"color": "aa00aa"}),
    Case("netbox_platform", {"name": "EOS", "slug": "eos"}, {"manufacturer": "Juniper"}),
    Case("netbox_rack_role", {"name": "Storage", "slug": "storage", "color": "aaaaaa"}, {"color": "bbbbbb"}),
    Case(
        "netbox_device_type",
        {"model": "EX4300", "slug": "ex4300", "manufacturer": "Juniper"},
        {"u_height": 2},
    ),
    Case("netbox_rack", {"name": "R02", "site": "AMS1"}, {"u_height": 48}),
    Case(
        "netbox_device",
        {"name": "spine1", "device_type": "QFX5120", "device_role": "Leaf", "site": "AMS1"},
        {"serial": "SN-0001"},
    ),
    Case("netbox_device_interface", {"device": "leaf1", "name": "xe-0/0/1", "type": "10gbase-x-sfpp"}, {"mtu": 9000}),
    Case("netbox_console_port", {"device": "leaf1", "name": "con0"}, {"type": "rj-45"}),
    Case("netbox_console_server_port", {"device": "leaf1", "name": "ttyS1"}, {"type": "rj-45"}),
    Case("netbox_power_port", {"device": "leaf1", "name": "PSU0"}, {"maximum_draw": 350}),
    Case("netbox_power_outlet", {"device": "leaf1", "name": "OUT0"}, {"type": "iec-60320-c13"}),
    Case("netbox_rear_port", {"device": "leaf1", "name": "RP1", "type": "lc"}, {"positions": 2}),
    Case("netbox_device_bay", {"device": "leaf1", "name": "Bay 1"}, {"description": "Upper"}),
    Case("netbox_inventory_item_role", {"name": "Optic", "slug": "optic"}, {"color": "123456"}),
    Case("netbox_inventory_item", {"device": "leaf1", "name": "SFP 0"}, {"serial": "X123"}),
    Case(
        "netbox_console_port_template",
        {"device_type": "QFX5120", "name": "con0"},
        {"type": "rj-45"},
    ),
    Case(
        "netbox_device_interface_template",
        {"device_type": "QFX5120", "name": "em0", "type": "1000base-t"},
        {"mgmt_only": True},
    ),
    Case("netbox_power_panel", {"name": "PP2", "site": "AMS1"}, {"description": "Hall A"}),
    Case("netbox_power_feed", {"name": "Feed A", "power_panel": "PP1"}, {"voltage": 230}),
    Case(
        "netbox_virtual_chassis",
        {"name": "vc1"},
        {"domain": "vc1.example"},
    ),
]

OTHER_SETUP: list[tuple[str, dict[str, Any]]] = [
    ("netbox_rir", {"name": "RIPE", "slug": "ripe"}),
    ("netbox_vrf", {"name": "Customers"}),
    ("netbox_vlan_group", {"name": "AMS VLANs", "slug": "ams-vlans"}),
    ("netbox_provider", {"name": "Lumen"}),
    ("netbox_circuit_type", {"name": "Transit", "slug": "transit"}),
    ("netbox_circuit", {"cid": "LUMEN-1", "provider": "Lumen", "circuit_type": "Transit"}),
    ("netbox_cluster_type", {"name": "VMware", "slug": "vmware"}),
    ("netbox_cluster", {"name": "vsphere-1", "cluster_type": "VMware"}),
    ("netbox_virtual_machine", {"name": "web1", "cluster": "vsphere-1"}),
]

OTHER_LIFECYCLE: list[Case] = [
    # IPAM
    Case("netbox_rir", {"name": "ARIN", "slug": "arin"}, {"is_private": True}),
    Case("netbox_aggregate", {"prefix": "10.0.0.0/8", "rir": "RIPE"}, {"description": "RFC 1918"}),
    Case("netbox_asn", {"asn": 64512, "rir": "RIPE"}, {"description": "Private"}),
    Case("netbox_route_target", {"name": "65000:100"}, {"description": "Customers"}),
    Case("netbox_vrf", {"name": "Management"}, {"rd": "65000:1"}),
    Case("netbox_ipam_role", {"name": "Loopbacks", "slug": "loopbacks"}, {"weight": 100}),
    Case("netbox_prefix", {"prefix": "10.1.0.0/16"}, {"description": "AMS"}),
    Case("netbox_ip_address", {"address": "10.1.0.1/24"}, {"dns_name": "gw.example.com"}),
    Case("netbox_vlan_group", {"name": "FRA VLANs", "slug": "fra-vlans"}, {"description": "Frankfurt"}),
    Case("netbox_vlan", {"vid": 100, "name": "Servers"}, {"status": "reserved"}),
    Case("netbox_fhrp_group", {"protocol": "vrrp2", "group_id": 10}, {"description": "Gateway"}),
    Case(
        "netbox_service_template",
        {"name": "SSH", "protocol": "tcp", "ports": [22]},
        {"description": "Secure shell"},
    ),
    Case(
        "netbox_service",
        {"virtual_machine": "web1", "name": "SSH", "protocol": "tcp", "ports": [22]},
        {"description": "Secure shell"},
    ),
    Case("netbox_mac_address", {"mac_address": "00:11:22:33:44:55"}, {"description": "Spare"}),
    # VPN
    Case("netbox_tunnel_group", {"name": "Hubs", "slug": "hubs"}, {"description": "Hub tunnels"}),
    Case("netbox_tunnel", {"name": "ams-fra", "status": "active", "encapsulation": "gre"}, {"tunnel_id": 10}),
    Case("netbox_l2vpn", {"name": "Metro", "type": "vpls"}, {"identifier": 100}),
    # wireless
    Case("netbox_wireless_lan_group", {"name": "Campus", "slug": "campus"}, {"description": "Campus WLANs"}),
    Case("netbox_wireless_lan", {"ssid": "corp"}, {"status": "disabled"}),
    # circuits
    Case("netbox_provider", {"name": "Cogent"}, {"description": "Transit"}),
    Case("netbox_provider_network", {"name": "Cogent MPLS", "provider": "Lumen"}, {"description": "L3VPN"}),
    Case("netbox_circuit_type", {"name": "MPLS", "slug": "mpls"}, {"description": "L3VPN"}),
    Case("netbox_circuit", {"cid": "LUMEN-2", "provider": "Lumen", "circuit_type": "Transit"}, {"commit_rate": 1000}),
    # virtualization
    Case("netbox_cluster_type", {"name": "KVM", "slug": "kvm"}, {"description": "libvirt"}),
    Case("netbox_cluster_group", {"name": "Prod", "slug": "prod"}, {"description": "Production"}),
    Case("netbox_cluster", {"name": "kvm-1", "cluster_type": "VMware"}, {"status": "planned"}),
    Case("netbox_virtual_machine", {"name": "db1", "cluster": "vsphere-1"}, {"vcpus": 4}),
    Case("netbox_vm_interface", {"virtual_machine": "web1", "name": "eth0"}, {"mtu": 1500}),
    Case("netbox_virtual_disk", {"virtual_machine": "web1", "name": "root", "size": 20}, {"size": 40}),
    # automation
    Case(
        "netbox_config_context",
        {"name": "NTP", "data": '{"ntp": ["192.0.2.1"]}'},
        {"weight": 2000},
    ),
    Case(
        "netbox_config_template",
        {"name": "Base", "template_code": Unsafe("hostname {{ device.name }}")},
        {"description": "Base config"},
    ),
    Case(
        "netbox_export_template",
        {
            "name": "Hosts",
            "object_types": ["dcim.device"],
            "template_code": Unsafe("{% for d in queryset %}{{ d.name }}{% endfor %}"),
        },
        {"description": "One name per device"},
    ),
    Case(
        "netbox_custom_link",
        {
            "name": "Grafana",
            "object_types": ["dcim.device"],
            "link_text": "Graphs",
            "link_url": Unsafe("https://grafana/{{ object.name }}"),
        },
        {"weight": 200},
    ),
]

# organization and DCIM (test_ansible_dcim.py)
DCIM = Playbook(DCIM_SETUP, DCIM_LIFECYCLE)
# IPAM, circuits, virtualization and automation (test_ansible.py)
OTHERS = Playbook(OTHER_SETUP, OTHER_LIFECYCLE)
