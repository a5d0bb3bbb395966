"""Real pynetbox against a live Wirebook's power chain: a panel and a feed made, a server's power port
cabled to the feed, and the port's trace read back (pynetbox's `trace()`), as a provisioning script does."""

import pynetbox
import pytest


@pytest.fixture
def nb(compat):
    return pynetbox.api(compat.url, token=compat.token)


def test_a_power_feed_is_made_cabled_and_traced_from_the_power_port(nb):
    # given
    site = nb.dcim.sites.create(name="Power AMS", slug="power-ams")
    rack = nb.dcim.racks.create(name="R1", site=site.id)
    maker = nb.dcim.manufacturers.create(name="Dell", slug="dell")
    kind = nb.dcim.device_types.create(manufacturer=maker.id, model="R650", slug="r650")
    role = nb.dcim.device_roles.create(name="Server", slug="server")
    server = nb.dcim.devices.create(name="srv1", device_type=kind.id, role=role.id, site=site.id, rack=rack.id)
    port = nb.dcim.power_ports.create(device=server.id, name="PSU1", allocated_draw=400, maximum_draw=500)

    # when
    panel = nb.dcim.power_panels.create(site=site.id, name="PP-1")
    feed = nb.dcim.power_feeds.create(
        power_panel=panel.id, rack=rack.id, name="Feed A", voltage=230, amperage=16, phase="three-phase"
    )
    cable = nb.dcim.cables.create(
        a_terminations=[{"object_type": "dcim.powerfeed", "object_id": feed.id}],
        b_terminations=[{"object_type": "dcim.powerport", "object_id": port.id}],
    )
    trace = nb.dcim.power_ports.get(port.id).trace()

    # then
    near, traced_cable, far = trace  # pynetbox flattens the segments: near objects, cable, far objects
    assert ([obj.name for obj in near], traced_cable.id, [obj.name for obj in far]) == (["PSU1"], cable.id, ["Feed A"])
    feed = nb.dcim.power_feeds.get(feed.id)
    assert (feed.phase.value, feed.voltage, feed.power_panel.name, feed.rack.name) == ("three-phase", 230, "PP-1", "R1")
    assert feed.connected_endpoints[0].name == "PSU1" and feed.connected_endpoints_reachable is True
    assert nb.dcim.power_panels.get(panel.id).powerfeed_count == 1
    assert nb.dcim.power_feeds.count(site_id=site.id) == 1
    assert nb.dcim.racks.get(rack.id).power_utilization == round(400 / 5099 * 100, 1)
    with pytest.raises(pynetbox.RequestError) as refused:
        nb.dcim.power_feeds.create(power_panel=panel.id, name="Feed A")
    assert refused.value.req.status_code == 400
