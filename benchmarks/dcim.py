"""DCIM's speed on NetBox's data shape (issues #12 and #14): devices made from their types, device and
interface lists, cables and their paths.

Data set: 10 sites, 100 racks (42U, 10 per site), 20 device types of 24 interface templates each, 2,000
devices (20 per rack, each 1U at its own position) with their 48,000 interfaces, made through the ORM.

Cases: create one 24-port device (its 24 interfaces made from the templates), bulk create 100 such devices,
`GET /api/dcim/devices/?limit=1000` and `?limit=50`, the interfaces of one device
(`/api/dcim/interfaces/?device_id=X`), and one rack's front drawn as SVG (a rack of 20 devices,
`/api/dcim/racks/X/elevation/?render=svg`; NetBox has no recorded figure for it). What a case creates is
deleted again, untimed.

Cabling cases (issue #14; Wirebook only, beside NetBox's recorded figures; `--no-cabling` skips them):
- 1,000 cables through the bulk API (interface to interface, 10 requests of 100, each cable traced): time
  and statements per cable;
- the trace of an interface through two patch panels (`/api/dcim/interfaces/X/trace/`): interface, 48-port
  panel front to rear, trunk, rear to front of a second panel, interface;
- a patch-panel change re-tracing 48 paths: the trunk between the panels' rear ports moved to a third panel
  and back (`PATCH /api/dcim/cables/X/` with `b_terminations`), the 48 interfaces on the first panel's front
  ports traced again each time.
The panels and cables are made through the API before these cases and deleted after them.

    .venv/bin/python -m saas_platform.devstack exec -- .venv/bin/python benchmarks/dcim.py
    .venv/bin/python benchmarks/dcim.py --url http://127.0.0.1:8000/o/acme --token nbt_...   # a running server
    .venv/bin/python benchmarks/dcim.py --netbox-url http://127.0.0.1:18001 --netbox-token nbt_...

Without `--url` it needs DATABASE_URL / REDIS_URL: it seeds the organization `dcimbench` in the database
`<DATABASE_URL's name>_dcimbench` (kept between runs), then serves it with gunicorn (2 workers x 3 threads,
DEBUG off, statements counted). NetBox 4.7's figures, measured on the same 2-core machine with the same data,
come from `--netbox-url` when given, else from the figures the issue records (`NETBOX_REFERENCE`). Writes
benchmarks/results/dcim.json: per case median_ms, p95_ms, queries (statements per request), NetBox's median,
`speedup` (NetBox's median / ours) and the target the issue sets.
"""

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.api import (  # noqa: E402 (the repository root is on the path first)
    Client,
    bench_database,
    bench_token,
    figures,
    local_environment,
    report,
    start_server,
)

RESULTS = ROOT / "benchmarks" / "results" / "dcim.json"
SLUG = "dcimbench"
OWNER = "dcimbench@example.com"
SITES, RACKS_PER_SITE, DEVICE_TYPES, PORTS, DEVICES_PER_RACK = 10, 10, 20, 24, 20
# NetBox 4.7 on the same 2-core machine, as the issue records it: (median ms, statements), and the speedup asked.
NETBOX_REFERENCE = {
    "create one 24-port device": {"netbox_median_ms": 600.0, "netbox_queries": 196, "target_speedup": 10},
    "list devices limit=1000": {"netbox_median_ms": 2323.0, "target_speedup": 5},
    "list devices limit=50": {"netbox_median_ms": 238.0, "target_speedup": 5},
    "interfaces of one device": {"netbox_median_ms": 227.0, "target_speedup": 5},
    # Issue #14: NetBox 4.7 took 192 s for 1,000 cables with their paths traced.
    "1,000 cables (per cable)": {"netbox_median_ms": 192.0, "target_speedup": 5},
    "trace through two patch panels": {"netbox_median_ms": 59.0, "target_speedup": 2},
}
POSITIONS = 48  # a patch panel's rear port positions, and the paths a trunk change re-traces
CABLES, CABLE_BATCH = 1000, 100


# -- seeding ----------------------------------------------------------------------------------------------------------


def seed() -> None:
    """Build the data set in organization `dcimbench` unless it is there already."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from inventory.models import (
        Device,
        DeviceRole,
        DeviceType,
        Interface,
        InterfaceTemplate,
        Manufacturer,
        Rack,
        Site,
    )
    from inventory.models.interfaces import natural_interface_name
    from tenants.context import tenant_context
    from tenants.models import Organization
    from tenants.services import organization_create

    call_command("migrate", verbosity=0)
    owner, _ = get_user_model().objects.get_or_create(email=OWNER)
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is None:
        organization = organization_create(name="DCIM bench", slug=SLUG, owner=owner)
    total = SITES * RACKS_PER_SITE * DEVICES_PER_RACK
    with tenant_context(organization), transaction.atomic():
        if Device.objects.filter(name__startswith="dev-").count() == total:
            return
        started = time.perf_counter()
        Device.objects.all().delete()
        vendor, _ = Manufacturer.objects.get_or_create(slug="bench-vendor", defaults={"name": "Bench Vendor"})
        role, _ = DeviceRole.objects.get_or_create(slug="access-switch", defaults={"name": "Access Switch"})
        types = []
        for number in range(DEVICE_TYPES):
            device_type, made = DeviceType.objects.get_or_create(
                manufacturer=vendor, slug=f"v1-sw{number}-24", defaults={"model": f"V1-SW{number}-24"}
            )
            if made:
                InterfaceTemplate.objects.bulk_create(
                    InterfaceTemplate(device_type=device_type, name=f"GigabitEthernet1/0/{port}", type="1000base-t")
                    for port in range(1, PORTS + 1)
                )
            types.append(device_type)
        racks = []
        for number in range(1, SITES + 1):
            site, _ = Site.objects.get_or_create(slug=f"site-{number:02d}", defaults={"name": f"Site {number:02d}"})
            for rack_number in range(1, RACKS_PER_SITE + 1):
                rack, _ = Rack.objects.get_or_create(name=f"site-{number:02d}-r{rack_number:02d}", site=site)
                racks.append(rack)
        devices = Device.objects.bulk_create(
            Device(
                name=f"dev-{index:05d}",
                device_type=types[index % DEVICE_TYPES],
                role=role,
                site=rack.site,
                rack=rack,
                position=slot + 1,
                face="front",
                serial=f"SN{index:08d}",
            )
            for index, (rack, slot) in enumerate((rack, slot) for rack in racks for slot in range(DEVICES_PER_RACK))
        )
        names = [f"GigabitEthernet1/0/{port}" for port in range(1, PORTS + 1)]
        Interface.objects.bulk_create(
            (
                Interface(device=device, name=name, _name=natural_interface_name(name), type="1000base-t")
                for device in devices
                for name in names
            ),
            batch_size=5000,
        )
        print(f"seeded {total} devices in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# -- measuring --------------------------------------------------------------------------------------------------------


class Target:
    def __init__(self, name: str, url: str, token: str):
        self.name, self.url, self.token = name, url, token
        self.client = Client(url, token)
        first = lambda path, **params: self.client.json("GET", path, params)["results"][0]  # noqa: E731
        # A 24-port type of the first vendor (this seed numbers them from 0, the NetBox anchor's seed.py from 1).
        self.device_type = first("/api/dcim/device-types/", q="V1-SW", ordering="model", limit=1)["id"]
        self.role = first("/api/dcim/device-roles/", slug="access-switch")["id"]
        self.site = first("/api/dcim/sites/", slug="site-01")["id"]
        self.device = first("/api/dcim/devices/", name="dev-00042")["id"]
        self.rack = first("/api/dcim/racks/", name="site-01-r01")["id"]

    def statements(self) -> int | None:
        value = self.client.last_headers.get("x-wirebook-statements")
        return int(value) if value is not None else None

    def new_device(self, name: str) -> dict:
        return {"name": name, "device_type": self.device_type, "role": self.role, "site": self.site}


def _timed(
    target: Target, method: str, path: str, params=None, body=None, expect=200
) -> tuple[float, int | None, bytes]:
    status, content, elapsed = target.client.request(method, path, params, body)
    if status != expect:
        raise SystemExit(f"{target.name} {method} {path}: HTTP {status}: {content[:500]!r}")
    return elapsed, target.statements(), content


def measure(targets: list[Target], rounds: int, warmup: int) -> dict[str, dict]:
    run = uuid.uuid4().hex[:6]
    cases: dict[str, dict[str, list]] = {}

    def record(case: str, target: Target, number: int, sample) -> None:
        if number >= warmup:
            cases.setdefault(case, {}).setdefault(target.name, []).append(sample)

    for number in range(warmup + rounds):
        for target in targets:
            elapsed, count, content = _timed(
                target, "POST", "/api/dcim/devices/", body=target.new_device(f"bench-{run}-{number}"), expect=201
            )
            record("create one 24-port device", target, number, (elapsed, count))
            made = [json.loads(content)["id"]]
            body = [target.new_device(f"bench-{run}-{number}-{item:03d}") for item in range(100)]
            elapsed, count, content = _timed(target, "POST", "/api/dcim/devices/", body=body, expect=201)
            record("bulk create 100 devices", target, number, (elapsed, count))
            made += [row["id"] for row in json.loads(content)]
            _timed(target, "DELETE", "/api/dcim/devices/", body=[{"id": pk} for pk in made], expect=204)
            for case, path, params in (
                ("list devices limit=1000", "/api/dcim/devices/", {"limit": 1000}),
                ("list devices limit=50", "/api/dcim/devices/", {"limit": 50}),
                ("interfaces of one device", "/api/dcim/interfaces/", {"device_id": target.device}),
                ("rack elevation SVG", f"/api/dcim/racks/{target.rack}/elevation/", {"render": "svg"}),
            ):
                elapsed, count, _ = _timed(target, "GET", path, params)
                record(case, target, number, (elapsed, count))
    results = {}
    for case, by_target in cases.items():
        results[case] = {
            name: {**figures([ms for ms, _ in samples]), "queries": samples[-1][1]}
            for name, samples in by_target.items()
        }
        report(case, results[case])
    return results


# -- cabling (issue #14) -------------------------------------------------------------------------------------------


class Cabling:
    """Patch panels and cables made through the API for the cabling cases, and removed after them."""

    def __init__(self, target: Target):
        self.target, self.client = target, target.client
        self.run = uuid.uuid4().hex[:6]
        self.made_devices: list[int] = []
        self.made_cables: list[int] = []

    def interfaces(self, names: list[str]) -> dict[str, list[int]]:
        """The interface ids of the devices named, by device, in port order."""
        found: dict[str, list[int]] = {name: [] for name in names}
        for start in range(0, len(names), 40):
            params = [("device", name) for name in names[start : start + 40]] + [("limit", "1000"), ("brief", "1")]
            query = "&".join(f"{key}={value}" for key, value in params)
            for row in self.client.json("GET", f"/api/dcim/interfaces/?{query}")["results"]:
                found[row["device"]["name"]].append(row["id"])
        return found

    def panel(self, name: str) -> tuple[int, list[int]]:
        """A patch panel: a 48-position rear port and 48 front ports mapped to it; (rear id, front ids)."""
        device = self.client.json("POST", "/api/dcim/devices/", body=self.target.new_device(name), expect=(201,))
        self.made_devices.append(device["id"])
        rear = self.client.json(
            "POST", "/api/dcim/rear-ports/",
            body={"device": device["id"], "name": "rear", "type": "mpo", "positions": POSITIONS}, expect=(201,),
        )  # fmt: skip
        fronts = self.client.json(
            "POST", "/api/dcim/front-ports/",
            body=[
                {"device": device["id"], "name": f"f{n}", "type": "lc",
                 "rear_ports": [{"position": 1, "rear_port": rear["id"], "rear_port_position": n}]}
                for n in range(1, POSITIONS + 1)
            ],
            expect=(201,),
        )  # fmt: skip
        return rear["id"], [front["id"] for front in fronts]

    @staticmethod
    def body(pairs: list[tuple[str, int, str, int]]) -> list[dict]:
        return [
            {"a_terminations": [{"object_type": a_type, "object_id": a_id}],
             "b_terminations": [{"object_type": b_type, "object_id": b_id}]}
            for a_type, a_id, b_type, b_id in pairs
        ]  # fmt: skip

    def cables(self, pairs: list[tuple[str, int, str, int]]) -> list[int]:
        rows = self.client.json("POST", "/api/dcim/cables/", body=self.body(pairs), expect=(201,))
        made = [row["id"] for row in rows]
        self.made_cables += made
        return made

    def cleanup(self) -> None:
        for start in range(0, len(self.made_cables), 500):
            ids = self.made_cables[start : start + 500]
            self.client.json("DELETE", "/api/dcim/cables/", body=[{"id": pk} for pk in ids], expect=(204,))
        if self.made_devices:
            body = [{"id": pk} for pk in self.made_devices]
            self.client.json("DELETE", "/api/dcim/devices/", body=body, expect=(204,))


def measure_cabling(target: Target, rounds: int) -> dict[str, dict]:
    bench = Cabling(target)
    try:
        return _cabling_cases(bench, rounds)
    finally:
        bench.cleanup()


def _cabling_cases(bench: Cabling, rounds: int) -> dict[str, dict]:
    results: dict[str, dict] = {}
    interface = "dcim.interface"

    # 1,000 cables: devices dev-00000..00099 paired, port n to port n, 20 ports each
    names = [f"dev-{index:05d}" for index in range(100)]
    ports = bench.interfaces(names)
    pairs = [
        (interface, ports[names[2 * pair]][port], interface, ports[names[2 * pair + 1]][port])
        for pair in range(50)
        for port in range(CABLES // 50)
    ]
    total_ms, statements, per_request = 0.0, 0, []
    for start in range(0, CABLES, CABLE_BATCH):
        body = bench.body(pairs[start : start + CABLE_BATCH])
        elapsed, count, content = _timed(bench.target, "POST", "/api/dcim/cables/", body=body, expect=201)
        bench.made_cables += [row["id"] for row in json.loads(content)]
        total_ms += elapsed
        statements += count or 0
        per_request.append(elapsed)
    results["1,000 cables (per cable)"] = {
        "wirebook": {
            "median_ms": round(total_ms / CABLES, 2),
            "p95_ms": round(max(per_request) / CABLE_BATCH, 2),
            "queries": round(statements / CABLES, 1),
            "total_s": round(total_ms / 1000, 2),
        }
    }
    report("1,000 cables (per cable)", results["1,000 cables (per cable)"])

    # two patch panels, 48 interfaces on the first's front ports, one on the second's, a trunk between the rears
    rear1, fronts1 = bench.panel(f"pp-{bench.run}-1")
    rear2, fronts2 = bench.panel(f"pp-{bench.run}-2")
    rear3, _fronts3 = bench.panel(f"pp-{bench.run}-3")
    edge = bench.interfaces([f"dev-{index:05d}" for index in (200, 201, 202)])
    near = edge["dev-00200"] + edge["dev-00201"]
    bench.cables([(interface, near[n], "dcim.frontport", fronts1[n]) for n in range(POSITIONS)])
    bench.cables([("dcim.frontport", fronts2[0], interface, edge["dev-00202"][0])])
    [trunk] = bench.cables([("dcim.rearport", rear1, "dcim.rearport", rear2)])

    samples = []
    for _ in range(rounds + 2):
        elapsed, count, content = _timed(bench.target, "GET", f"/api/dcim/interfaces/{near[0]}/trace/")
        samples.append((elapsed, count))
    if len(json.loads(content)) != 3:
        raise SystemExit(f"the trace through two patch panels has not three segments: {content[:500]!r}")
    results["trace through two patch panels"] = {
        "wirebook": {**figures([ms for ms, _ in samples[2:]]), "queries": samples[-1][1]}
    }
    report("trace through two patch panels", results["trace through two patch panels"])

    samples = []
    for number in range(rounds + 1):
        moved_to = rear3 if number % 2 == 0 else rear2
        body = {"b_terminations": [{"object_type": "dcim.rearport", "object_id": moved_to}]}
        elapsed, count, _ = _timed(bench.target, "PATCH", f"/api/dcim/cables/{trunk}/", body=body)
        samples.append((elapsed, count))
    results["re-trace 48 paths (trunk moved)"] = {
        "wirebook": {**figures([ms for ms, _ in samples[1:]]), "queries": samples[-1][1]}
    }
    report("re-trace 48 paths (trunk moved)", results["re-trace 48 paths (trunk moved)"])
    return results


def combine(results: dict[str, dict], netbox_measured: bool) -> dict[str, dict]:
    combined = {}
    for case, by_target in results.items():
        row = dict(by_target["wirebook"])
        reference = NETBOX_REFERENCE.get(case, {})
        if netbox_measured and "netbox" in by_target:
            row["netbox_median_ms"] = by_target["netbox"]["median_ms"]
            row["netbox_queries"] = by_target["netbox"]["queries"]
        elif "netbox_median_ms" in reference:  # as the issues record it (the cabling cases always)
            row["netbox_median_ms"] = reference["netbox_median_ms"]
            if "netbox_queries" in reference:
                row["netbox_queries"] = reference["netbox_queries"]
        if "netbox_median_ms" in row:
            row["speedup"] = round(row["netbox_median_ms"] / row["median_ms"], 2)
        if "target_speedup" in reference:
            row["target_speedup"] = reference["target_speedup"]
            row["meets_target"] = row.get("speedup", 0) >= reference["target_speedup"]
        combined[case] = row
    return combined


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running Wirebook organization with the data set, http://host:port/o/<slug>")
    parser.add_argument("--token", help="API token for --url")
    parser.add_argument("--netbox-url", help="NetBox with the same data set, e.g. http://127.0.0.1:18001")
    parser.add_argument("--netbox-token", help="NetBox API token (nbt_... is sent as Bearer)")
    parser.add_argument("-n", "--rounds", type=int, default=9, help="timed requests per case and server")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--no-cabling", action="store_true", help="skip the cabling cases (issue #14)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    process = None
    url, token = args.url, args.token
    if url is None:
        server_env = local_environment(bench_database(SLUG))
        seed()
        token = bench_token(SLUG)
        from django.db import connections

        connections.close_all()
        process, url = start_server(server_env, SLUG)
    try:
        targets = [Target("wirebook", url, token)]
        if args.netbox_url:
            targets.append(Target("netbox", args.netbox_url, args.netbox_token))
        load_before = os.getloadavg()
        results = measure(targets, args.rounds, args.warmup)
        if not args.no_cabling:
            results.update(measure_cabling(targets[0], args.rounds))
        load_after = os.getloadavg()
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    summary = {
        "data": (
            f"{SITES} sites, {SITES * RACKS_PER_SITE} racks, {DEVICE_TYPES} device types x {PORTS} interface "
            f"templates, {SITES * RACKS_PER_SITE * DEVICES_PER_RACK} devices / "
            f"{SITES * RACKS_PER_SITE * DEVICES_PER_RACK * PORTS} interfaces"
        ),
        "wirebook": "gunicorn 2 workers x 3 threads" if process is not None else url,
        "netbox": (
            "NetBox 4.7.3, measured alongside (cabling: the figures recorded in issue #14)"
            if args.netbox_url
            else "NetBox 4.7 figures recorded in issues #12 and #14"
        ),
        "rounds": args.rounds,
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in load_after],
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cases": combine(results, bool(args.netbox_url)),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
