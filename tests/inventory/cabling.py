"""A small lab for the cable tests: devices made on first mention, with the ports a name asks for, and
cables written through the API by "device:port" names.

Port names tell their kind: `e1` an interface, `w1` a wireless interface, `c1` a console port, `s1` a
console server port, `p1` a power port, `o1` a power outlet, `f1` a front port, `rear` a rear port. A device
named `pp<n>` is a patch panel: a rear port `rear` of `positions` positions and front ports
`f1`..`f<positions>` mapped to them.
"""

import json

from inventory.models import (
    ConsolePort,
    ConsoleServerPort,
    Device,
    DeviceRole,
    DeviceType,
    FrontPort,
    Interface,
    Manufacturer,
    PortMapping,
    PowerOutlet,
    PowerPort,
    RearPort,
    Site,
)
from tests.inventory.dcim import call

KINDS = {
    "e": (Interface, "dcim.interface", {"type": "1000base-t"}),
    "w": (Interface, "dcim.interface", {"type": "ieee802.11ac"}),
    "c": (ConsolePort, "dcim.consoleport", {}),
    "s": (ConsoleServerPort, "dcim.consoleserverport", {}),
    "p": (PowerPort, "dcim.powerport", {}),
    "o": (PowerOutlet, "dcim.poweroutlet", {}),
    "f": (FrontPort, "dcim.frontport", {"type": "lc"}),
}


class Lab:
    def __init__(self, api, panels: dict[str, int] | None = None):
        self.api = api
        self.panels = panels or {}
        self.devices: dict[str, Device] = {}
        self.ports: dict[str, object] = {}
        self.site = Site.objects.create(name="AMS1", slug="ams1")
        self.device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Acme", slug="acme"), model="Box", slug="box"
        )
        self.role = DeviceRole.objects.create(name="Core", slug="core")

    def device(self, name: str) -> Device:
        if name not in self.devices:
            device = Device.objects.create(name=name, device_type=self.device_type, role=self.role, site=self.site)
            self.devices[name] = device
            if name.startswith("pp"):
                positions = self.panels.get(name, 1)
                rear = RearPort.objects.create(device=device, name="rear", type="mpo", positions=positions)
                self.ports[f"{name}:rear"] = rear
                for position in range(1, positions + 1):
                    front = FrontPort.objects.create(device=device, name=f"f{position}", type="lc")
                    PortMapping.objects.create(
                        device=device, front_port=front, rear_port=rear, rear_port_position=position
                    )
                    self.ports[f"{name}:f{position}"] = front
        return self.devices[name]

    def port(self, name: str):
        if name not in self.ports:
            device_name, port_name = name.split(":")
            device = self.device(device_name)
            if name not in self.ports:
                model, _label, extra = KINDS[port_name[0]]
                self.ports[name] = model.objects.create(device=device, name=port_name, **extra)
        return self.ports[name]

    def ref(self, name: str) -> dict:
        port = self.port(name)
        label = "dcim.rearport" if isinstance(port, RearPort) else KINDS[name.split(":")[1][0]][1]
        return {"object_type": label, "object_id": port.pk}

    def cable(self, spec: str, **values):
        """A cable from "a1,a2 - b1": the response."""
        a_side, b_side = (side.strip() for side in spec.split(" - "))
        payload = {
            "a_terminations": [self.ref(name) for name in a_side.split(",")],
            "b_terminations": [self.ref(name) for name in b_side.split(",")],
            **values,
        }
        return call(self.api, "post", "/cables/", payload)

    def wireless_link(self, spec: str, **values):
        """A wireless link between two radios, "a ~ b": the response."""
        a_name, b_name = (side.strip() for side in spec.split(" ~ "))
        payload = {"interface_a": self.port(a_name).pk, "interface_b": self.port(b_name).pk, **values}
        return self.api.post(
            "/o/org-a/api/wireless/wireless-links/", json.dumps(payload), content_type="application/json"
        )

    def connect(self, spec: str, **values):
        """A cable ("a - b") or a wireless link ("a ~ b")."""
        return self.wireless_link(spec, **values) if " ~ " in spec else self.cable(spec, **values)

    def name_of(self, brief: dict) -> str:
        return f"{brief['device']['name']}:{brief['name']}"
