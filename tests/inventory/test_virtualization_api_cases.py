"""The generic API cases (tests/api_cases.py) for virtualization: data only."""

from inventory.models import (
    Cluster,
    ClusterGroup,
    ClusterType,
    DeviceRole,
    Location,
    Platform,
    Region,
    Site,
    Tenant,
    VirtualDisk,
    VirtualMachine,
    VirtualMachineType,
    VMInterface,
)
from tests.api_cases import APICase, Ref

NAMED = ["id", "url", "display", "name", "slug", "description"]


def _places():
    region = Region.objects.create(name="Europe", slug="europe")
    site = Site.objects.create(name="AMS1", slug="ams1", region=region)
    return {
        "region": region,
        "site": site,
        "location": Location.objects.create(name="Hall 1", slug="hall-1", site=site),
        "type": ClusterType.objects.create(name="VMware", slug="vmware"),
        "group": ClusterGroup.objects.create(name="Production", slug="production"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _cluster():
    places = _places()
    cluster = Cluster.objects.create(name="c1", type=places["type"], scope_object=places["site"])
    cluster.full_clean()  # caches the scope's site
    cluster.save()
    return {
        **places,
        "cluster": cluster,
        "role": DeviceRole.objects.create(name="Server", slug="server"),
        "platform": Platform.objects.create(name="Ubuntu", slug="ubuntu"),
        "vm_type": VirtualMachineType.objects.create(name="Small", slug="small"),
    }


def _platform():
    return {"platform": Platform.objects.create(name="Ubuntu", slug="ubuntu")}


def _machine():
    owners = _cluster()
    return {**owners, "vm": VirtualMachine.objects.create(name="vm1", cluster=owners["cluster"], site=owners["site"])}


def _machine_with_interface():
    owners = _machine()
    return {**owners, "eth0": VMInterface.objects.create(virtual_machine=owners["vm"], name="eth0")}


class TestClusterTypeAPI(APICase):
    model = ClusterType
    create_data = [
        {"name": "VMware", "slug": "vmware", "description": "first", "comments": "vSphere"},
        {"name": "Proxmox", "slug": "proxmox"},
        {"name": "Kubernetes", "slug": "kubernetes"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*NAMED, "cluster_count"]


class TestVirtualMachineTypeAPI(APICase):
    model = VirtualMachineType
    setup_objects = staticmethod(_platform)
    create_data = [
        {
            "name": "Small",
            "slug": "small",
            "default_platform": Ref("platform"),
            "default_vcpus": 2,
            "default_memory": 4096,
            "description": "first",
            "comments": "2 vCPUs, 4 GB",
        },
        {"name": "Medium", "slug": "medium", "default_vcpus": 4.5},
        {"name": "Large", "slug": "large", "default_memory": 65536},
    ]
    update_data = {"description": "changed", "default_memory": 8192}
    brief_fields = NAMED


class TestClusterGroupAPI(APICase):
    model = ClusterGroup
    create_data = [
        {"name": "Production", "slug": "production", "description": "first", "comments": "x"},
        {"name": "Lab", "slug": "lab"},
        {"name": "Staging", "slug": "staging"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*NAMED, "cluster_count"]


class TestClusterAPI(APICase):
    model = Cluster
    setup_objects = staticmethod(_places)
    create_data = [
        {
            "name": "c1",
            "type": Ref("type"),
            "group": Ref("group"),
            "status": "planned",
            "tenant": Ref("tenant"),
            "scope_type": "dcim.site",
            "scope_id": Ref("site"),
            "description": "first",
            "comments": "hosts in hall 1",
        },
        {"name": "c2", "type": {"slug": "vmware"}, "scope_type": "dcim.region", "scope_id": Ref("region")},
        {"name": "c3", "type": Ref("type"), "scope_type": "dcim.location", "scope_id": Ref("location")},
    ]
    update_data = {"description": "changed", "status": "active"}
    brief_fields = ["id", "url", "display", "name", "description", "virtualmachine_count"]


class TestVirtualMachineAPI(APICase):
    model = VirtualMachine
    setup_objects = staticmethod(_cluster)
    create_data = [
        {
            "name": "vm1",
            "status": "planned",
            "start_on_boot": "on",
            "site": Ref("site"),
            "cluster": Ref("cluster"),
            "role": Ref("role"),
            "tenant": Ref("tenant"),
            "platform": Ref("platform"),
            "vcpus": 4.5,
            "memory": 8192,
            "disk": 100,
            "serial": "VM-1",
            "description": "first",
            "comments": "web server",
            "local_context_data": {"ntp": "10.0.0.1"},
            "virtual_machine_type": Ref("vm_type"),
        },
        {"name": "vm2", "cluster": {"name": "c1"}, "virtual_machine_type": {"slug": "small"}},
        {"name": "vm3", "site": {"slug": "ams1"}, "status": "offline"},
    ]
    update_data = {"description": "changed", "status": "active"}
    brief_fields = ["id", "url", "display", "name", "description"]


class TestVMInterfaceAPI(APICase):
    model = VMInterface
    setup_objects = staticmethod(_machine)
    create_data = [
        {
            "virtual_machine": Ref("vm"),
            "name": "eth0",
            "enabled": False,
            "mtu": 9000,
            "mode": "access",
            "description": "first",
        },
        {"virtual_machine": Ref("vm"), "name": "eth1", "mode": "tagged-all"},
        {"virtual_machine": {"name": "vm1"}, "name": "eth2"},
    ]
    update_data = {"description": "changed", "enabled": True}
    brief_fields = ["id", "url", "display", "virtual_machine", "name", "description"]


class TestVirtualDiskAPI(APICase):
    model = VirtualDisk
    setup_objects = staticmethod(_machine)
    create_data = [
        {"virtual_machine": Ref("vm"), "name": "root", "size": 20, "description": "first"},
        {"virtual_machine": Ref("vm"), "name": "data", "size": 100},
        {"virtual_machine": {"name": "vm1"}, "name": "swap", "size": 4},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "virtual_machine", "name", "size", "description"]
