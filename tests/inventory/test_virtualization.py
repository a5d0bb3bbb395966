"""Virtualization at NetBox's endpoints: a VM's disk rolled up from its virtual disks, NetBox's rules for a VM's
site, cluster and host, a cluster's scope (cached for filters, binding its hosts), VM interfaces' parents,
VLANs and MAC addresses."""

import json

import pytest

from inventory.models import ClusterType, Device, DeviceRole, DeviceType, Location, Manufacturer, Region, Site
from tenants.context import tenant_context

API = "/o/org-a/api"


def call(client, method: str, path: str, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def world(org_a):
    with tenant_context(org_a.organization):
        region = Region.objects.create(name="Europe", slug="europe")
        ams = Site.objects.create(name="AMS1", slug="ams1", region=region)
        fra = Site.objects.create(name="FRA1", slug="fra1")
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Dell", slug="dell"), model="R740", slug="r740"
        )
        role = DeviceRole.objects.create(name="Host", slug="host")
        return {
            "region": region,
            "ams": ams,
            "fra": fra,
            "hall": Location.objects.create(name="Hall 1", slug="hall-1", site=ams),
            "type": ClusterType.objects.create(name="VMware", slug="vmware"),
            "host_ams": Device.objects.create(name="esx1", device_type=device_type, role=role, site=ams),
            "host_fra": Device.objects.create(name="esx2", device_type=device_type, role=role, site=fra),
        }


def _cluster(api, world, name="c1", scope="ams", scope_type="dcim.site") -> dict:
    return created(
        call(
            api,
            "post",
            "/virtualization/clusters/",
            {"name": name, "type": world["type"].pk, "scope_type": scope_type, "scope_id": world[scope].pk},
        )
    )


def test_the_disk_is_the_total_of_the_virtual_disks(api, world):
    cluster = _cluster(api, world)
    vm = created(call(api, "post", "/virtualization/virtual-machines/", {"name": "vm1", "cluster": cluster["id"]}))

    root = created(
        call(api, "post", "/virtualization/virtual-disks/", {"virtual_machine": vm["id"], "name": "root", "size": 20})
    )
    created(call(api, "post", "/virtualization/virtual-disks/", {"virtual_machine": vm["id"], "name": "d", "size": 5}))
    mismatch = call(api, "patch", f"/virtualization/virtual-machines/{vm['id']}/", {"disk": 10})
    resized = call(api, "patch", f"/virtualization/virtual-disks/{root['id']}/", {"size": 30})
    after_resize = call(api, "get", f"/virtualization/virtual-machines/{vm['id']}/").json()
    call(api, "delete", f"/virtualization/virtual-disks/{root['id']}/")
    after_delete = call(api, "get", f"/virtualization/virtual-machines/{vm['id']}/").json()

    assert mismatch.status_code == 400
    assert mismatch.json() == {
        "disk": ["The specified disk size (10) must match the aggregate size of assigned virtual disks (25)."]
    }
    assert resized.status_code == 200
    assert (after_resize["disk"], after_resize["virtual_disk_count"]) == (35, 2)
    assert (after_delete["disk"], after_delete["virtual_disk_count"]) == (5, 1)
    # the roll-up is a change of the machine in its change log
    changes = call(api, "get", f"/core/object-changes/?changed_object_id={vm['id']}&limit=50").json()["results"]
    assert any((change["postchange_data"] or {}).get("disk") == 35 for change in changes)


def test_a_vm_needs_a_site_or_a_cluster_and_takes_the_clusters_site(api, world):
    cluster = _cluster(api, world)

    nowhere = call(api, "post", "/virtualization/virtual-machines/", {"name": "vm0"})
    placed = created(call(api, "post", "/virtualization/virtual-machines/", {"name": "vm1", "cluster": cluster["id"]}))
    elsewhere = call(
        api,
        "post",
        "/virtualization/virtual-machines/",
        {"name": "vm2", "cluster": cluster["id"], "site": world["fra"].pk},
    )

    assert nowhere.json() == {"cluster": ["A virtual machine must be assigned to a site and/or cluster."]}
    assert placed["site"]["slug"] == "ams1"
    assert elsewhere.json() == {"cluster": ["The selected cluster (c1) is not assigned to this site (FRA1)."]}


def test_a_vms_host_must_belong_to_its_cluster(api, world):
    cluster = _cluster(api, world)
    site_only = call(
        api,
        "post",
        "/virtualization/virtual-machines/",
        {"name": "vm0", "site": world["ams"].pk, "device": world["host_ams"].pk},
    )
    outsider = call(
        api,
        "post",
        "/virtualization/virtual-machines/",
        {"name": "vm1", "cluster": cluster["id"], "device": world["host_ams"].pk},
    )
    joined = call(api, "patch", f"/dcim/devices/{world['host_ams'].pk}/", {"cluster": cluster["id"]})
    hosted = call(
        api,
        "post",
        "/virtualization/virtual-machines/",
        {"name": "vm1", "cluster": cluster["id"], "device": world["host_ams"].pk},
    )

    assert site_only.json() == {"device": ["Must specify a cluster when assigning a host device."]}
    assert outsider.json() == {"device": ["The selected device (esx1) is not assigned to this cluster (c1)."]}
    assert joined.status_code == 200 and joined.json()["cluster"]["id"] == cluster["id"]
    assert hosted.status_code == 201, hosted.content
    shown = call(api, "get", f"/virtualization/clusters/{cluster['id']}/").json()
    assert (shown["device_count"], shown["virtualmachine_count"]) == (1, 1)


def test_a_clusters_scope_binds_its_hosts_and_is_cached_for_filters(api, world):
    cluster = _cluster(api, world, scope="hall", scope_type="dcim.location")
    created(call(api, "post", "/virtualization/clusters/", {"name": "c2", "type": world["type"].pk}))

    wrong_site = call(api, "patch", f"/dcim/devices/{world['host_fra'].pk}/", {"cluster": cluster["id"]})
    in_site = call(api, "patch", f"/dcim/devices/{world['host_ams'].pk}/", {"cluster": cluster["id"]})
    by_region = call(api, "get", f"/virtualization/clusters/?region_id={world['region'].pk}").json()
    by_site = call(api, "get", "/virtualization/clusters/?site=ams1").json()
    shown = call(api, "get", f"/virtualization/clusters/{cluster['id']}/").json()

    assert wrong_site.json() == {"cluster": ["The assigned cluster belongs to a different site (AMS1)"]}
    assert in_site.json() == {"cluster": ["The assigned cluster belongs to a different location (Hall 1)"]}
    assert [row["name"] for row in by_region["results"]] == ["c1"]
    assert [row["name"] for row in by_site["results"]] == ["c1"]
    assert (shown["scope_type"], shown["scope_id"], shown["scope"]["name"]) == (
        "dcim.location",
        world["hall"].pk,
        "Hall 1",
    )
    # a host at the cluster's site, then the cluster moved to another site: refused while the host is there
    resited = call(
        api,
        "patch",
        f"/virtualization/clusters/{cluster['id']}/",
        {"scope_type": "dcim.site", "scope_id": world["ams"].pk},
    )
    assert resited.status_code == 200
    assert call(api, "patch", f"/dcim/devices/{world['host_ams'].pk}/", {"cluster": cluster["id"]}).status_code == 200
    moved = call(api, "patch", f"/virtualization/clusters/{cluster['id']}/", {"scope_id": world["fra"].pk})
    assert moved.json() == {"scope": ["1 devices are assigned as hosts for this cluster but are not in site FRA1."]}
    bad_type = call(api, "patch", f"/virtualization/clusters/{cluster['id']}/", {"scope_type": "dcim.rack"})
    assert bad_type.status_code == 400


def test_vm_interfaces_parents_vlans_and_mac_addresses(api, world):
    cluster = _cluster(api, world)
    vm1 = created(call(api, "post", "/virtualization/virtual-machines/", {"name": "vm1", "cluster": cluster["id"]}))
    vm2 = created(call(api, "post", "/virtualization/virtual-machines/", {"name": "vm2", "cluster": cluster["id"]}))
    eth0 = created(
        call(
            api,
            "post",
            "/virtualization/interfaces/",
            {"virtual_machine": vm1["id"], "name": "eth0", "mac_address": "00:50:56:aa:bb:cc"},
        )
    )
    vlan = created(call(api, "post", "/ipam/vlans/", {"vid": 10, "name": "users"}))

    foreign_parent = call(
        api,
        "post",
        "/virtualization/interfaces/",
        {"virtual_machine": vm2["id"], "name": "eth0.10", "parent": eth0["id"]},
    )
    child = call(
        api,
        "post",
        "/virtualization/interfaces/",
        {"virtual_machine": vm1["id"], "name": "eth0.10", "parent": eth0["id"]},
    )
    modeless = call(api, "patch", f"/virtualization/interfaces/{eth0['id']}/", {"tagged_vlans": [vlan["id"]]})
    tagged = call(
        api, "patch", f"/virtualization/interfaces/{eth0['id']}/", {"mode": "tagged", "tagged_vlans": [vlan["id"]]}
    )
    macs = call(api, "get", f"/dcim/mac-addresses/?virtual_machine_id={vm1['id']}").json()["results"]

    assert foreign_parent.json() == {
        "parent": ["The selected parent interface (eth0) belongs to a different virtual machine (vm1)."]
    }
    assert child.status_code == 201 and child.json()["parent"]["virtual_machine"]["name"] == "vm1"
    assert modeless.json() == {"tagged_vlans": ["Interface mode does not support tagged vlans"]}
    assert [row["vid"] for row in tagged.json()["tagged_vlans"]] == [10]
    assert [(mac["mac_address"], mac["assigned_object_type"], mac["is_primary"]) for mac in macs] == [
        ("00:50:56:AA:BB:CC", "virtualization.vminterface", True)
    ]
    assert macs[0]["assigned_object"]["virtual_machine"]["name"] == "vm1"


def test_vm_names_are_unique_per_cluster_and_tenant_whatever_the_case(api, world):
    cluster = _cluster(api, world)
    created(call(api, "post", "/virtualization/virtual-machines/", {"name": "web1", "cluster": cluster["id"]}))

    again = call(api, "post", "/virtualization/virtual-machines/", {"name": "WEB1", "cluster": cluster["id"]})
    site_only = [
        call(api, "post", "/virtualization/virtual-machines/", {"name": "lab1", "site": world["fra"].pk})
        for _ in range(2)
    ]

    assert again.status_code == 400
    assert "Virtual machine name must be unique per cluster." in json.dumps(again.json())
    assert [response.status_code for response in site_only] == [201, 201]  # no cluster: NetBox allows it


def test_a_new_machine_takes_what_its_type_gives_when_given_nothing(api, org_b, world):
    # given: a type with a default platform, vCPUs and memory
    platform = created(call(api, "post", "/dcim/platforms/", {"name": "Ubuntu", "slug": "ubuntu"}))
    small = created(
        call(
            api,
            "post",
            "/virtualization/virtual-machine-types/",
            {"name": "Small", "slug": "small", "default_platform": platform["id"], "default_vcpus": 2,
             "default_memory": 4096},
        )
    )  # fmt: skip
    machines = "/virtualization/virtual-machines/"
    site = world["ams"].pk

    # when
    plain = created(call(api, "post", machines, {"name": "vm1", "site": site, "virtual_machine_type": small["id"]}))
    given = created(
        call(
            api,
            "post",
            machines,
            {"name": "vm2", "site": site, "virtual_machine_type": {"slug": "small"}, "vcpus": 8, "memory": None},
        )
    )
    untyped = created(call(api, "post", machines, {"name": "vm3", "site": site}))
    retyped = call(api, "patch", f"{machines}{untyped['id']}/", {"virtual_machine_type": small["id"]})
    in_use = call(api, "delete", f"/virtualization/virtual-machine-types/{small['id']}/")
    shown = call(api, "get", f"/virtualization/virtual-machine-types/{small['id']}/").json()
    by_slug = call(api, "get", f"{machines}?virtual_machine_type=small").json()["results"]
    by_id = call(api, "get", f"{machines}?virtual_machine_type_id={small['id']}").json()
    unknown = call(api, "get", f"{machines}?virtual_machine_type=nope")
    theirs = org_b.client().get(f"/o/org-b/api/virtualization/virtual-machine-types/{small['id']}/")
    crossing = org_b.client().get(f"{API}/virtualization/virtual-machine-types/")

    # then: only what was not given is taken, and only when the machine is made (as NetBox)
    assert (plain["platform"]["id"], plain["vcpus"], plain["memory"]) == (platform["id"], 2.0, 4096)
    assert plain["virtual_machine_type"] == {
        "id": small["id"],
        "url": f"http://testserver{API}/virtualization/virtual-machine-types/{small['id']}/",
        "display": "Small",
        "name": "Small",
        "slug": "small",
        "description": "",
    }
    assert (given["platform"]["id"], given["vcpus"], given["memory"]) == (platform["id"], 8.0, 4096)
    assert retyped.status_code == 200 and (retyped.json()["vcpus"], retyped.json()["platform"]) == (None, None)
    assert in_use.status_code == 409
    assert shown["virtual_machine_count"] == 3 and shown["default_platform"]["slug"] == "ubuntu"
    assert sorted(row["name"] for row in by_slug) == ["vm1", "vm2", "vm3"]
    assert by_id["count"] == 3
    assert unknown.status_code == 400
    assert theirs.status_code == 404
    assert crossing.status_code in (403, 404)
