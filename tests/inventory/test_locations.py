"""A location moved to another site takes everything in it along (as NetBox does): its child locations and
theirs, and the racks, devices and power panels in any of them, each with its change-log entry; what is
scoped to them follows; another organization moves nothing."""

import json

import pytest

from inventory.models import (
    Device,
    DeviceRole,
    DeviceType,
    Location,
    Manufacturer,
    PowerPanel,
    Rack,
    Site,
    WirelessLAN,
)
from tenants.context import tenant_context

API = "/o/org-a/api"


def call(client, method: str, path: str, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


@pytest.fixture
def world(org_a):
    """AMS1: Hall > Room > Cage, and Office beside them; FRA1: Annex. A rack in the cage, a device in the room,
    a power panel in the hall, one device in the office; a wireless LAN scoped to the cage."""
    with tenant_context(org_a.organization):
        ams = Site.objects.create(name="AMS1", slug="ams1")
        fra = Site.objects.create(name="FRA1", slug="fra1")
        hall = Location.objects.create(name="Hall", slug="hall", site=ams)
        room = Location.objects.create(name="Room", slug="room", site=ams, parent=hall)
        cage = Location.objects.create(name="Cage", slug="cage", site=ams, parent=room)
        office = Location.objects.create(name="Office", slug="office", site=ams)
        annex = Location.objects.create(name="Annex", slug="annex", site=fra)
        kind = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Acme", slug="acme"), model="Box", slug="box"
        )
        role = DeviceRole.objects.create(name="Core", slug="core")
        lan = WirelessLAN(ssid="Staff", scope_object=cage)
        lan.full_clean()  # caches the scope's site
        lan.save()
        return {
            "ams": ams,
            "fra": fra,
            "hall": hall,
            "room": room,
            "cage": cage,
            "office": office,
            "annex": annex,
            "rack": Rack.objects.create(name="R1", site=ams, location=cage),
            "device": Device.objects.create(name="d1", device_type=kind, role=role, site=ams, location=room),
            "stays": Device.objects.create(name="d2", device_type=kind, role=role, site=ams, location=office),
            "panel": PowerPanel.objects.create(name="PP1", site=ams, location=hall),
            "lan": lan,
        }


def _sites(world) -> dict[str, str]:
    rows = {
        name: model._base_manager.select_related("site").get(pk=world[name].pk)
        for name, model in (
            ("hall", Location), ("room", Location), ("cage", Location), ("office", Location), ("rack", Rack),
            ("device", Device), ("stays", Device), ("panel", PowerPanel),
        )
    }  # fmt: skip
    return {name: row.site.slug for name, row in rows.items()}


def test_moving_a_location_to_another_site_moves_what_is_in_it(api, org_a, world):
    moved = call(api, "patch", f"/dcim/locations/{world['hall'].pk}/", {"site": world["fra"].pk})

    assert moved.status_code == 200, moved.content
    with tenant_context(org_a.organization):
        assert _sites(world) == {
            "hall": "fra1", "room": "fra1", "cage": "fra1", "office": "ams1", "rack": "fra1", "device": "fra1",
            "stays": "ams1", "panel": "fra1",
        }  # fmt: skip
        assert WirelessLAN.objects.get(pk=world["lan"].pk)._site_id == world["fra"].pk
    for label, obj in (
        ("dcim.location", world["cage"]),
        ("dcim.rack", world["rack"]),
        ("dcim.device", world["device"]),
    ):
        path = f"/core/object-changes/?changed_object_type={label}&changed_object_id={obj.pk}"
        changes = call(api, "get", path).json()["results"]
        assert [(row["prechange_data"]["site"], row["postchange_data"]["site"]) for row in changes] == [
            (world["ams"].pk, world["fra"].pk)
        ], label
    assert [row["name"] for row in call(api, "get", "/dcim/racks/?site=fra1").json()["results"]] == ["R1"]
    assert [row["ssid"] for row in call(api, "get", "/wireless/wireless-lans/?site=fra1").json()["results"]] == [
        "Staff"
    ]


def test_moving_a_location_under_a_parent_at_another_site_moves_its_subtree(api, org_a, world):
    moved = call(
        api, "patch", f"/dcim/locations/{world['room'].pk}/", {"parent": world["annex"].pk, "site": world["fra"].pk}
    )
    renamed = call(api, "patch", f"/dcim/locations/{world['office'].pk}/", {"description": "second floor"})

    assert moved.status_code == 200, moved.content
    assert renamed.status_code == 200
    with tenant_context(org_a.organization):
        assert _sites(world) == {
            "hall": "ams1", "room": "fra1", "cage": "fra1", "office": "ams1", "rack": "fra1", "device": "fra1",
            "stays": "ams1", "panel": "ams1",
        }  # fmt: skip
    # the office changed no site: its device has no change-log entry
    path = f"/core/object-changes/?changed_object_type=dcim.device&changed_object_id={world['stays'].pk}"
    assert call(api, "get", path).json()["count"] == 0


def test_another_organization_moves_nothing(api, org_a, org_b, world):
    crossing = org_b.client().patch(
        f"{API}/dcim/locations/{world['hall'].pk}/",
        json.dumps({"site": world["fra"].pk}),
        content_type="application/json",
    )
    anonymous = (
        org_b.client()
        .__class__()
        .patch(
            f"{API}/dcim/locations/{world['hall'].pk}/",
            json.dumps({"site": world["fra"].pk}),
            content_type="application/json",
        )
    )

    assert crossing.status_code in (403, 404)
    assert anonymous.status_code in (401, 403)
    with tenant_context(org_a.organization):
        assert set(_sites(world).values()) == {"ams1"}
