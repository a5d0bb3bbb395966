"""Ansible's `netbox.netbox` collection (the one bundled with PyPI's `ansible` 12.3.0) against a live
Wirebook organization, as a NetBox team's playbooks would run it.

One playbook runs the IPAM, circuits, virtualization and automation modules of cases.py through
their life: create, the same again (unchanged), update, the same again (unchanged), delete, the same
again (unchanged); test_ansible_dcim.py does the same for the organization and DCIM modules (two
files, so the suite's two workers run them side by side). The `nb_inventory` plugin then reads the
organization's devices into hosts and groups.
"""

import json
import subprocess
from pathlib import Path

import pynetbox
import pytest

from tests.compat.ansible.cases import OTHERS
from tests.compat.ansible.playbook import ansible, assert_every_module_is_idempotent

pytestmark = pytest.mark.slow_file(100)


def test_ipam_circuits_virtualization_and_automation_modules_are_idempotent_through_create_update_and_delete(
    compat, tmp_path
):
    assert_every_module_is_idempotent(OTHERS, compat, tmp_path)


def _plain(value):
    """A value of ansible-inventory's JSON output: those it marks unsafe come as {"__ansible_unsafe": value}."""
    return value["__ansible_unsafe"] if isinstance(value, dict) and "__ansible_unsafe" in value else value


def _inventory(tmp_path: Path, url: str, token, **options) -> subprocess.CompletedProcess:
    """`ansible-inventory --list` with nb_inventory reading `url` with `token`."""
    config = {"plugin": "netbox.netbox.nb_inventory", "api_endpoint": url, "token": token, **options}
    (tmp_path / "netbox.yml").write_text(json.dumps(config))
    return ansible("ansible-inventory", "-i", "netbox.yml", "--list", cwd=tmp_path)


def _leaf(nb, name: str, **fields):
    """A device `name` at site AMS1 (a Juniper QFX5120 leaf), the site and its kinds made the first time."""
    site = nb.dcim.sites.get(slug="ams1") or nb.dcim.sites.create(name="AMS1", slug="ams1")
    kind = nb.dcim.device_types.get(slug="qfx5120") or nb.dcim.device_types.create(
        manufacturer=nb.dcim.manufacturers.create(name="Juniper", slug="juniper").id, model="QFX5120", slug="qfx5120"
    )
    role = nb.dcim.device_roles.get(slug="leaf") or nb.dcim.device_roles.create(name="Leaf", slug="leaf")
    return nb.dcim.devices.create(name=name, device_type=kind.id, role=role.id, site=site.id, **fields)


def test_nb_inventory_reads_devices_into_hosts_and_groups(compat, tmp_path):
    # given
    nb = pynetbox.api(compat.url, token=compat.token)
    platform = nb.dcim.platforms.create(name="Junos", slug="junos")
    leaf = _leaf(nb, "leaf1", platform=platform.id)
    _leaf(nb, "leaf2", status="planned")
    interface = nb.dcim.interfaces.create(device=leaf.id, name="lo0", type="virtual")
    address = nb.ipam.ip_addresses.create(
        address="192.0.2.1/32", assigned_object_type="dcim.interface", assigned_object_id=interface.id
    )
    leaf.primary_ip4 = address.id
    leaf.save()

    # when
    ran = _inventory(
        tmp_path,
        compat.url,
        {"type": "bearer", "value": compat.token},
        validate_certs=False,
        group_by=["sites", "device_roles", "platforms"],
        query_filters=[{"status": "active"}],
        interfaces=True,
    )

    # then
    assert ran.returncode == 0, ran.stderr[-3000:]
    inventory = json.loads(ran.stdout)
    hostvars = inventory["_meta"]["hostvars"]
    assert sorted(hostvars) == ["leaf1"], ran.stderr[-3000:]  # leaf2 is planned, filtered out by `status: active`
    assert _plain(hostvars["leaf1"]["ansible_host"]) == "192.0.2.1"
    assert [_plain(platform) for platform in hostvars["leaf1"]["platforms"]] == ["junos"]
    assert [_plain(interface["name"]) for interface in hostvars["leaf1"]["interfaces"]] == ["lo0"]
    assert inventory["sites_ams1"]["hosts"] == ["leaf1"]
    assert inventory["device_roles_leaf"]["hosts"] == ["leaf1"]


def test_nb_inventory_of_an_organization_without_devices_is_empty(compat, tmp_path):
    ran = _inventory(tmp_path, compat.url, compat.token)

    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout)["_meta"]["hostvars"] == {}
    assert "Failed" not in ran.stderr and "Traceback" not in ran.stderr, ran.stderr[-3000:]


def test_nb_inventory_with_another_organizations_token_gets_nothing(compat, tmp_path):
    _leaf(pynetbox.api(compat.url, token=compat.token), "leaf1")

    ran = _inventory(tmp_path, compat.url, compat.other_token)

    assert "leaf1" not in ran.stdout
