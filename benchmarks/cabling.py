"""Cabling's speed (issue #14) on the DCIM data set of benchmarks/dcim.py (2,000 devices of 24 interfaces).

Cases:
- 1,000 cables through the bulk API (interface to interface, 10 requests of 100, each cable traced): time and
  statements per cable;
- the trace of an interface through two patch panels (`/api/dcim/interfaces/X/trace/`): interface, 48-port
  panel front to rear, trunk, rear to front of a second panel, interface;
- a patch-panel change re-tracing 48 paths: the trunk between the panels' rear ports moved to a third panel
  and back (`PATCH /api/dcim/cables/X/` with `b_terminations`), the 48 interfaces on the first panel's front
  ports traced again each time.

The panels and cables are made through the API before the timed cases and deleted after them.

    .venv/bin/python -m saas_platform.devstack exec -- .venv/bin/python benchmarks/cabling.py
    .venv/bin/python benchmarks/cabling.py --url http://127.0.0.1:8000/o/acme --token nbt_...

Writes benchmarks/results/cabling.json (median_ms, p95_ms, statements; NetBox 4.7's figures as the issue
records them, and the speedup).
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

from benchmarks.api import Client, bench_database, bench_token, figures, local_environment, report, start_server  # noqa: E402
from benchmarks.dcim import SLUG, seed  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "cabling.json"
POSITIONS = 48
CABLES, BATCH = 1000, 100
# NetBox 4.7 on the same machine, as issue #14 records it: (median ms), and the speedup asked.
NETBOX_REFERENCE = {
    "trace through two patch panels": {"netbox_median_ms": 59.0, "target_speedup": 2},
    "1,000 cables (per cable)": {"netbox_median_ms": 192.0, "target_speedup": 5},
}


class Bench:
    def __init__(self, url: str, token: str):
        self.client = Client(url, token)
        self.run = uuid.uuid4().hex[:6]
        self.made_devices: list[int] = []
        self.made_cables: list[int] = []
        first = lambda path, **params: self.client.json("GET", path, params)["results"][0]  # noqa: E731
        self.device_type = first("/api/dcim/device-types/", slug="v1-sw0-24")["id"]
        self.role = first("/api/dcim/device-roles/", slug="access-switch")["id"]
        self.site = first("/api/dcim/sites/", slug="site-01")["id"]

    def timed(self, method: str, path: str, params=None, body=None, expect=200) -> tuple[float, int | None, bytes]:
        status, content, elapsed = self.client.request(method, path, params, body)
        if status != expect:
            raise SystemExit(f"{method} {path}: HTTP {status}: {content[:500]!r}")
        statements = self.client.last_headers.get("x-wirebook-statements")
        return elapsed, int(statements) if statements is not None else None, content

    def interfaces(self, names: list[str]) -> dict[str, list[int]]:
        """The interface ids of the devices named, by device, in port order."""
        found: dict[str, list[int]] = {name: [] for name in names}
        for start in range(0, len(names), 40):
            params = [("device", name) for name in names[start : start + 40]] + [("limit", "1000"), ("brief", "1")]
            query = "&".join(f"{key}={value}" for key, value in params)
            rows = self.client.json("GET", f"/api/dcim/interfaces/?{query}")["results"]
            for row in rows:
                found[row["device"]["name"]].append(row["id"])
        return found

    def panel(self, name: str) -> tuple[int, list[int]]:
        """A patch panel: a 48-position rear port and 48 front ports mapped to it; (rear id, front ids)."""
        device = self.client.json(
            "POST", "/api/dcim/devices/", body={"name": name, "device_type": self.device_type, "role": self.role,
                                                "site": self.site}, expect=(201,)
        )  # fmt: skip
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

    def cables(self, pairs: list[tuple[str, int, str, int]]) -> list[int]:
        body = [
            {"a_terminations": [{"object_type": a_type, "object_id": a_id}],
             "b_terminations": [{"object_type": b_type, "object_id": b_id}]}
            for a_type, a_id, b_type, b_id in pairs
        ]  # fmt: skip
        made = [row["id"] for row in self.client.json("POST", "/api/dcim/cables/", body=body, expect=(201,))]
        self.made_cables += made
        return made

    def cleanup(self) -> None:
        for start in range(0, len(self.made_cables), 500):
            ids = self.made_cables[start : start + 500]
            self.client.json("DELETE", "/api/dcim/cables/", body=[{"id": pk} for pk in ids], expect=(204,))
        if self.made_devices:
            body = [{"id": pk} for pk in self.made_devices]
            self.client.json("DELETE", "/api/dcim/devices/", body=body, expect=(204,))


def measure(bench: Bench, rounds: int) -> dict[str, dict]:
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
    total_ms, statements = 0.0, 0
    per_request = []
    for start in range(0, CABLES, BATCH):
        body = [
            {"a_terminations": [{"object_type": a_type, "object_id": a_id}],
             "b_terminations": [{"object_type": b_type, "object_id": b_id}]}
            for a_type, a_id, b_type, b_id in pairs[start : start + BATCH]
        ]  # fmt: skip
        elapsed, count, content = bench.timed("POST", "/api/dcim/cables/", body=body, expect=201)
        bench.made_cables += [row["id"] for row in json.loads(content)]
        total_ms += elapsed
        statements += count or 0
        per_request.append(elapsed)
    results["1,000 cables (per cable)"] = {
        "wirebook": {
            "median_ms": round(total_ms / CABLES, 2),
            "p95_ms": round(max(per_request) / BATCH, 2),
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
        elapsed, count, content = bench.timed("GET", f"/api/dcim/interfaces/{near[0]}/trace/")
        samples.append((elapsed, count))
    assert len(json.loads(content)) == 3, content
    results["trace through two patch panels"] = {
        "wirebook": {**figures([ms for ms, _ in samples[2:]]), "queries": samples[-1][1]}
    }
    report("trace through two patch panels", results["trace through two patch panels"])

    samples = []
    for number in range(rounds + 1):
        target = rear3 if number % 2 == 0 else rear2
        body = {"b_terminations": [{"object_type": "dcim.rearport", "object_id": target}]}
        elapsed, count, _ = bench.timed("PATCH", f"/api/dcim/cables/{trunk}/", body=body)
        samples.append((elapsed, count))
    results["re-trace 48 paths (trunk moved)"] = {
        "wirebook": {**figures([ms for ms, _ in samples[1:]]), "queries": samples[-1][1]}
    }
    report("re-trace 48 paths (trunk moved)", results["re-trace 48 paths (trunk moved)"])
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running Wirebook organization with the DCIM data set")
    parser.add_argument("--token", help="API token for --url")
    parser.add_argument("-n", "--rounds", type=int, default=9)
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
        bench = Bench(url, token)
        load_before = os.getloadavg()
        try:
            results = measure(bench, args.rounds)
        finally:
            bench.cleanup()
        load_after = os.getloadavg()
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    cases = {}
    for case, by_target in results.items():
        row = dict(by_target["wirebook"])
        reference = NETBOX_REFERENCE.get(case, {})
        if "netbox_median_ms" in reference:
            row["netbox_median_ms"] = reference["netbox_median_ms"]
            row["speedup"] = round(reference["netbox_median_ms"] / row["median_ms"], 2)
            row["target_speedup"] = reference["target_speedup"]
            row["meets_target"] = row["speedup"] >= reference["target_speedup"]
        cases[case] = row
    summary = {
        "wirebook": "gunicorn 2 workers x 3 threads" if process is not None else url,
        "netbox": "NetBox 4.7 figures recorded in issue #14",
        "rounds": args.rounds,
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in load_after],
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cases": cases,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
