"""The Trace tab in a real browser: an interface's path through a patch panel whose rear port fans out to
three switches is drawn as an SVG with every far end, the cable's label and links to the devices."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from playwright.sync_api import expect

from core.services import ObjectWrite
from inventory.models import (
    Cable,
    Device,
    DeviceRole,
    DeviceType,
    FrontPort,
    Interface,
    Manufacturer,
    PortMapping,
    RearPort,
    Site,
)
from inventory.services.cables import cables_create
from tenants.context import tenant_context
from tests.e2e.harness import login


def _cable(a, b, **data) -> None:
    def end(obj):
        return [(ContentType.objects.get_for_model(type(obj)), obj.pk)]

    with transaction.atomic():  # the service locks the ends, as the API's request does
        cables_create([ObjectWrite(model=Cable, data=data, extra={"a_terminations": end(a), "b_terminations": end(b)})])


def test_the_trace_tab_draws_a_split_path_to_every_far_end(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Trace Lab")
    with tenant_context(organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Acme", slug="acme"), model="Box", slug="box"
        )
        role = DeviceRole.objects.create(name="Core", slug="core")

        def device(name):
            return Device.objects.create(name=name, device_type=device_type, role=role, site=site)

        panel = device("pp1")
        rear = RearPort.objects.create(device=panel, name="rear", type="mpo", positions=3)
        core = Interface.objects.create(device=device("core1"), name="uplink", type="1000base-t")
        for position in (1, 2, 3):
            front = FrontPort.objects.create(device=panel, name=f"f{position}", type="lc")
            PortMapping.objects.create(device=panel, front_port=front, rear_port=rear, rear_port_position=position)
            access = Interface.objects.create(device=device(f"access{position}"), name="ge0", type="1000base-t")
            _cable(front, access)
        _cable(core, rear, label="trunk-7", color="2196f3")  # last: the ORM's port mappings trace nothing
    login(page, owner.email)

    page.goto(f"/o/{organization.slug}/dcim/interfaces/{core.pk}/")
    page.get_by_role("link", name="Trace", exact=True).click()

    svg = page.locator("svg.wb-trace")
    expect(svg).to_be_visible()
    expect(svg).to_have_attribute("data-split", "true")
    for name in ("core1", "pp1", "access1", "access2", "access3"):
        expect(svg.locator("text.wb-trace-parent", has_text=name)).to_have_count(1)
    expect(svg.locator("text.wb-trace-cable-label", has_text="trunk-7")).to_be_visible()
    expect(svg.locator("polyline.wb-trace-cable")).to_have_count(4)
    expect(page.get_by_text("Split: 3 far ends")).to_be_visible()
    shot(page, "trace")

    # a far end's name leads to its device
    svg.locator("a", has=page.locator("text.wb-trace-parent", has_text="access2")).click()
    expect(page.get_by_role("heading", level=1, name="access2")).to_be_visible()
