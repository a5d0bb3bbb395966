"""An application service goes with what it runs on: deleting a device, a virtual machine or an FHRP
group through the API deletes its services, each with its change-log entry, and leaves other parents'
services alone; another organization's token cannot delete either."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from addressing.models import FHRPGroup, Service
from core.models import ObjectChange
from inventory.models import Cluster, ClusterType, Device, DeviceRole, DeviceType, Manufacturer, Site, VirtualMachine
from tenants.context import tenant_context


def _parents() -> dict:
    site = Site.objects.create(name="AMS1", slug="ams1")
    device_type = DeviceType.objects.create(
        manufacturer=Manufacturer.objects.create(name="Juniper", slug="juniper"), model="EX4300", slug="ex4300"
    )
    role = DeviceRole.objects.create(name="Access", slug="access")
    cluster = Cluster.objects.create(name="C1", type=ClusterType.objects.create(name="KVM", slug="kvm"))
    return {
        "device": Device.objects.create(name="sw1", device_type=device_type, role=role, site=site),
        "other-device": Device.objects.create(name="sw2", device_type=device_type, role=role, site=site),
        "virtual-machine": VirtualMachine.objects.create(name="vm1", cluster=cluster),
        "fhrp-group": FHRPGroup.objects.create(group_id=1, protocol="vrrp3"),
    }


def _service(parent, name: str) -> Service:
    return Service.objects.create(
        parent_object_type=ContentType.objects.get_for_model(parent),
        parent_object_id=parent.pk,
        name=name,
        port_mappings=["tcp/22"],
    )


PATHS = {
    "device": "dcim/devices",
    "virtual-machine": "virtualization/virtual-machines",
    "fhrp-group": "ipam/fhrp-groups",
}


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_deleting_a_parent_deletes_its_services_and_logs_them(org_a, org_b, kind):
    with tenant_context(org_a.organization):
        parents = _parents()
        parent = parents[kind]
        doomed = [_service(parent, "SSH"), _service(parent, "HTTPS")]
        kept = _service(parents["other-device"], "SSH")
    url = f"/o/org-a/api/{PATHS[kind]}/{parent.pk}/"

    assert org_b.client().delete(url).status_code == 404  # another organization's owner
    assert Client().delete(url).status_code in (401, 403, 404)
    with tenant_context(org_a.organization):
        assert Service.objects.filter(pk__in=[service.pk for service in doomed]).count() == 2

    response = org_a.client().delete(url)

    assert response.status_code == 204, response.content
    with tenant_context(org_a.organization):
        assert not Service.objects.filter(pk__in=[service.pk for service in doomed]).exists()
        assert Service.objects.filter(pk=kept.pk).exists()
        logged = ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(Service), action="delete"
        ).values_list("changed_object_id", flat=True)
        assert sorted(logged) == sorted(service.pk for service in doomed)
