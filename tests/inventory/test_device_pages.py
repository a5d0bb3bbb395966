"""A device's pages: NetBox's panels beside its attributes, a tab per kind of component with its count (each
a constant number of queries), components made from name patterns and renamed in bulk; nobody outside the
organization sees any of it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.models import (
    Device,
    DeviceRole,
    DeviceType,
    Interface,
    Location,
    Manufacturer,
    PowerOutlet,
    PowerPort,
    Rack,
    Region,
    Site,
    VirtualChassis,
)
from tenants.context import tenant_context

PAGES = "/o/org-a/dcim"


@pytest.fixture
def device(org_a):
    """sw1 in AMS1 (Europe), hall 1, rack R1 at U10, master of stack1 (sw2 is member 2), with PSU0 feeding two
    outlets and interfaces ge-0/0/0 and ge-0/0/1."""
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1", region=Region.objects.create(name="Europe", slug="eu"))
        hall = Location.objects.create(name="Hall 1", slug="hall-1", site=site)
        rack = Rack.objects.create(name="R1", site=site, location=hall)
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Juniper", slug="juniper"), model="EX4300", slug="ex4300"
        )
        role = DeviceRole.objects.create(name="Access", slug="access")
        stack = VirtualChassis.objects.create(name="stack1")
        sw1 = Device.objects.create(
            name="sw1", device_type=device_type, role=role, site=site, location=hall, rack=rack, position=10,
            face="front", virtual_chassis=stack, vc_position=1, vc_priority=200,
        )  # fmt: skip
        stack.master = sw1
        stack.save()
        Device.objects.create(
            name="sw2", device_type=device_type, role=role, site=site, virtual_chassis=stack, vc_position=2
        )
        psu = PowerPort.objects.create(device=sw1, name="PSU0", maximum_draw=350, allocated_draw=200)
        for number in (1, 2):
            PowerOutlet.objects.create(device=sw1, name=f"Out{number}", power_port=psu)
        for number in (0, 1):
            Interface.objects.create(device=sw1, name=f"ge-0/0/{number}", type="1000base-t")
        return sw1


def _queries(client, path) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured), response.content.decode()


def test_the_device_page_shows_netbox_panels(api, device):
    body = api.get(f"{PAGES}/devices/{device.pk}/").content.decode()

    assert "wb-device-location" in body and ">Europe</a>" in body and ">Hall 1</a>" in body
    assert "(U10.0 / Front)" in body
    assert "wb-device-management" in body and "Primary IPv4" in body
    chassis = body.split("wb-device-chassis", 1)[1]
    assert ">sw1</a></td><td>1</td>" in chassis and ">sw2</a></td><td>2</td>" in chassis and "200" in chassis
    power = body.split("wb-device-power", 1)[1]
    assert ">PSU0</a></td><td>2</td><td>200 W</td><td>350 W</td>" in power


def test_component_tabs_show_their_counts_and_rows(api, device):
    body = api.get(f"{PAGES}/devices/{device.pk}/").content.decode()
    tab = api.get(f"{PAGES}/devices/{device.pk}/interfaces/").content.decode()

    assert f'href="/o/org-a/dcim/devices/{device.pk}/interfaces/"' in body
    assert f"/devices/{device.pk}/device-bays/" not in body  # not a parent device
    assert "ge-0/0/0" in tab and "ge-0/0/1" in tab
    assert f"/o/org-a/dcim/interfaces/add/?device_id={device.pk}" in tab


def test_the_device_pages_cost_the_same_whatever_the_number_of_components(api, device, org_a):
    pages = (f"{PAGES}/devices/{device.pk}/", f"{PAGES}/devices/{device.pk}/interfaces/")
    for path in pages:
        _queries(api, path)  # caches filled
    few = [_queries(api, path)[0] for path in pages]
    with tenant_context(org_a.organization):
        for number in range(2, 30):
            Interface.objects.create(device=device, name=f"ge-0/0/{number}", type="1000base-t")
            PowerPort.objects.create(device=device, name=f"PSU{number}")

    many = [_queries(api, path)[0] for path in pages]

    assert many == few


def test_components_are_made_from_name_patterns(api, device):
    form = api.get(f"{PAGES}/interfaces/add/?device_id={device.pk}")
    response = api.post(
        f"{PAGES}/interfaces/add/",
        {"device": device.pk, "name": "xe-0/1/[0-3]", "label": "Port [1-4]", "type": "10gbase-x-sfpp", "enabled": "on"},
    )

    assert f'value="{device.pk}" selected' in form.content.decode()
    assert response.status_code == 302
    listed = api.get(f"/o/org-a/api/dcim/interfaces/?device_id={device.pk}&name__isw=xe-").json()["results"]
    assert [(row["name"], row["label"]) for row in listed] == [
        ("xe-0/1/0", "Port 1"), ("xe-0/1/1", "Port 2"), ("xe-0/1/2", "Port 3"), ("xe-0/1/3", "Port 4")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "label", "error"),
    [
        ("xe-[0-3]", "Port [1-2]", "The provided pattern makes 2 values, but the others make 4: they must match."),
        ("xe-[3-0]", "", "Invalid range: Ending value (0) must be greater than beginning value (3)."),
        ("ge-0/0/[0-2]", "", "ge-0/0/0: Interface with this Device and Name already exists."),
    ],
)
def test_bad_name_patterns_make_nothing(api, device, name, label, error):
    response = api.post(
        f"{PAGES}/interfaces/add/", {"device": device.pk, "name": name, "label": label, "type": "10gbase-x-sfpp"}
    )

    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "'")
    assert api.get(f"/o/org-a/api/dcim/interfaces/?device_id={device.pk}").json()["count"] == 2


def test_components_are_renamed_in_bulk(api, device):
    pks = [row["id"] for row in api.get(f"/o/org-a/api/dcim/interfaces/?device_id={device.pk}").json()["results"]]

    preview = api.post(f"{PAGES}/interfaces/rename/", {"pk": pks, "find": "ge-", "replace": "et-", "_preview": "1"})
    applied = api.post(
        f"{PAGES}/interfaces/rename/",
        {"pk": pks, "find": r"^et-0/0/(\d+)$", "replace": r"xe-0/2/\1", "use_regex": "on", "_apply": "1"},
    )
    renamed = api.post(f"{PAGES}/interfaces/rename/", {"pk": pks, "find": "ge-", "replace": "et-", "_apply": "1"})
    again = api.post(
        f"{PAGES}/interfaces/rename/",
        {"pk": pks, "find": r"^et-0/0/(\d+)$", "replace": r"xe-0/2/\1", "use_regex": "on", "_apply": "1"},
    )

    assert preview.status_code == 200 and "<td>ge-0/0/0</td><td>et-0/0/0</td>" in preview.content.decode()
    assert applied.status_code == 302  # nothing matched the pattern yet: nothing to change
    assert renamed.status_code == 302 and again.status_code == 302
    names = [row["name"] for row in api.get(f"/o/org-a/api/dcim/interfaces/?device_id={device.pk}").json()["results"]]
    assert names == ["xe-0/2/0", "xe-0/2/1"]


def test_a_rename_that_collides_is_refused(api, device):
    pks = [row["id"] for row in api.get(f"/o/org-a/api/dcim/interfaces/?device_id={device.pk}").json()["results"]]

    response = api.post(
        f"{PAGES}/interfaces/rename/", {"pk": pks, "find": ".*", "replace": "same", "use_regex": "on", "_apply": "1"}
    )
    bad_regex = api.post(
        f"{PAGES}/interfaces/rename/", {"pk": pks, "find": "(a", "replace": "b", "use_regex": "on", "_preview": "1"}
    )

    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert "Invalid regular expression" in bad_regex.content.decode()
    names = [row["name"] for row in api.get(f"/o/org-a/api/dcim/interfaces/?device_id={device.pk}").json()["results"]]
    assert names == ["ge-0/0/0", "ge-0/0/1"]


def test_outsiders_see_none_of_a_devices_pages(org_a, org_b, device):
    pk = device.pk
    outsider = org_b.client()
    paths = [f"{PAGES}/devices/{pk}/", f"{PAGES}/devices/{pk}/interfaces/", f"{PAGES}/devices/{pk}/power-ports/"]

    for path in paths:
        assert outsider.get(path).status_code == 404, path
        assert Client().get(path).status_code == 302, path
    rename = {"pk": [pk], "find": "s", "replace": "x", "_apply": "1"}
    assert outsider.post(f"{PAGES}/devices/rename/", rename).status_code == 404
    assert (
        outsider.post(f"{PAGES}/interfaces/add/", {"device": pk, "name": "x[1-2]", "type": "virtual"}).status_code
        == 404
    )
    with tenant_context(org_a.organization):
        assert Device.objects.get(pk=pk).name == "sw1"
        assert not Interface.objects.filter(name__startswith="x").exists()


def test_a_viewer_cannot_rename(org_a, device, api):
    from django.contrib.auth import get_user_model

    from tenants.models import Membership

    user = get_user_model().objects.create_user("viewer@example.com")
    Membership.objects.create(user=user, organization=org_a.organization, role="viewer")
    viewer = Client()
    viewer.force_login(user)

    response = viewer.post(f"{PAGES}/devices/rename/", {"pk": [device.pk], "find": "s", "replace": "x", "_apply": "1"})

    assert response.status_code == 403
    assert api.get(f"/o/org-a/api/dcim/devices/{device.pk}/").json()["name"] == "sw1"


def test_a_refused_rename_names_the_object_it_would_have_renamed(api, device):
    pks = [row["id"] for row in api.get(f"/o/org-a/api/dcim/interfaces/?device_id={device.pk}").json()["results"]]

    # ge-0/0/0 is left as it is; ge-0/0/1 would take its name.
    response = api.post(
        f"{PAGES}/interfaces/rename/", {"pk": pks, "find": "ge-0/0/1", "replace": "ge-0/0/0", "_apply": "1"}
    )

    body = response.content.decode()
    assert response.status_code == 200 and "ge-0/0/1: " in body and "ge-0/0/0: " not in body
