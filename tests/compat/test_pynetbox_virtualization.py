"""Real pynetbox against a live Wirebook's virtualization: the flow a provisioning script runs (cluster type
-> cluster -> virtual machine -> two interfaces -> an address on each -> the primary IPv4 set -> the machine
read back), and the disk rolled up from virtual disks."""

import pynetbox
import pytest


@pytest.fixture
def nb(compat):
    return pynetbox.api(compat.url, token=compat.token)


def test_a_vm_with_two_interfaces_and_addresses_gets_its_primary_ip(nb):
    # given
    site = nb.dcim.sites.create(name="VM AMS", slug="vm-ams")
    kind = nb.virtualization.cluster_types.create(name="VMware", slug="vmware")
    cluster = nb.virtualization.clusters.create(
        name="vsphere-1", type=kind.id, scope_type="dcim.site", scope_id=site.id
    )
    vm = nb.virtualization.virtual_machines.create(name="web1", cluster=cluster.id, vcpus=2, memory=4096)
    eth0 = nb.virtualization.interfaces.create(virtual_machine=vm.id, name="eth0", mac_address="00:50:56:00:00:01")
    eth1 = nb.virtualization.interfaces.create(virtual_machine=vm.id, name="eth1")

    # when
    first = nb.ipam.ip_addresses.create(
        address="192.0.2.10/24", assigned_object_type="virtualization.vminterface", assigned_object_id=eth0.id
    )
    nb.ipam.ip_addresses.create(
        address="198.51.100.10/24", assigned_object_type="virtualization.vminterface", assigned_object_id=eth1.id
    )
    vm.primary_ip4 = first.id
    assert vm.save()
    vm = nb.virtualization.virtual_machines.get(name="web1")

    # then
    assert vm.primary_ip4.address == "192.0.2.10/24"
    assert vm.primary_ip.id == first.id
    assert vm.site.slug == "vm-ams"  # taken from the cluster's scope
    assert vm.interface_count == 2
    assert (vm.cluster.name, vm.status.value) == ("vsphere-1", "active")
    assert nb.ipam.ip_addresses.count(virtual_machine_id=vm.id) == 2
    assert nb.virtualization.interfaces.get(eth0.id).mac_address == "00:50:56:00:00:01"
    assert nb.virtualization.interfaces.get(eth0.id).count_ipaddresses == 1
    cluster = nb.virtualization.clusters.get(cluster.id)
    assert (cluster.virtualmachine_count, cluster.allocated_vcpus, cluster.allocated_memory) == (1, 2.0, 4096)
    assert cluster.scope.name == "VM AMS"
    # An address on another VM's interface cannot be its primary address.
    other = nb.virtualization.virtual_machines.create(name="web2", cluster=cluster.id)
    with pytest.raises(pynetbox.RequestError) as refused:
        other.primary_ip4 = first.id
        other.save()
    assert refused.value.req.status_code == 400
    assert "primary_ip4" in refused.value.error


def test_virtual_disks_roll_up_into_the_vm_disk(nb):
    # given
    kind = nb.virtualization.cluster_types.create(name="Proxmox", slug="proxmox")
    cluster = nb.virtualization.clusters.create(name="pve-1", type=kind.id)
    vm = nb.virtualization.virtual_machines.create(name="db1", cluster=cluster.id, disk=10)

    # when
    root = nb.virtualization.virtual_disks.create(virtual_machine=vm.id, name="root", size=20)
    nb.virtualization.virtual_disks.create(virtual_machine=vm.id, name="data", size=100)

    # then
    assert nb.virtualization.virtual_machines.get(vm.id).disk == 120
    assert nb.virtualization.virtual_machines.get(vm.id).virtual_disk_count == 2
    root.delete()
    assert nb.virtualization.virtual_machines.get(vm.id).disk == 100
