"""IPAM's speed, side by side with NetBox on the same data (issue #13).

Data set (NetBox's IPAM shape, as the NetBox anchor's seed.py builds it): 10 VRFs, one RIR with the
aggregate 10.0.0.0/8, 2,000 /24 prefixes 10.a.b.0/24 and 20,000 IP addresses (.1 to .10 of each
prefix, `h<host>.n<prefix>.example.net`), all in the global table. Both servers are seeded through
their REST API with the same requests (kept between runs: a server holding the data set is not
seeded again), so the data is the same on both.

Cases, requests alternated one by one between the servers (Wirebook, then NetBox when
`--netbox-url` is given), with the targets the issue sets against NetBox 4.7:
  prefixes ?q=10.1.                       >= 3x
  ip-addresses ?limit=1000                >= 5x (and filtered by parent)
  POST available-ips (1 IP)               >= 2x
  POST ip-addresses bulk x100             >= 10x
  concurrent available-ips                >= 3x NetBox's throughput, 0 duplicates: 20 threads
                                          sharing 200 allocations on one /24
Scratch prefixes and addresses the run creates (in 100.64.0.0/10) are deleted afterwards.

    make benchmark      # serves Wirebook with gunicorn 2x3 on its own database, measures
    .venv/bin/python benchmarks/ipam.py --netbox-url http://127.0.0.1:18001 --netbox-token nbt_...
    .venv/bin/python benchmarks/ipam.py --url http://127.0.0.1:8000/o/acme --token nbt_...

Without `--url` it needs DATABASE_URL / REDIS_URL (make benchmark runs it under the devstack): the
organization `ipambench` lives in the database `<DATABASE_URL's name>_apibench` (shared with
benchmarks/api.py). Writes benchmarks/results/ipam.json: per case median_ms, p95_ms, queries
(statements per request), NetBox's figures and `speedup`, plus the load average.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from ipaddress import IPv4Network
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "ipam.json"
sys.path.insert(0, str(ROOT))

from benchmarks.api import (  # noqa: E402 (the repository root is on the path first)
    Client,
    alternate,
    bench_database,
    figures,
    local_environment,
    report,
    start_server,
)

SLUG = "ipambench"
OWNER = "ipambench@example.com"
PREFIXES = 2000
HOSTS = 10
BATCH = 500
TARGETS = {
    "prefixes ?q=10.1.": 3,
    "ip-addresses ?limit=1000": 5,
    "POST available-ips (1 IP)": 2,
    "POST ip-addresses bulk x100": 10,
    "concurrent available-ips": 3,
}


class Server:
    def __init__(self, name: str, url: str, token: str):
        self.name, self.url, self.token = name, url, token
        self.client = Client(url, token)
        self.created_ips: list[int] = []
        self.created_prefixes: list[int] = []

    def count(self, path: str, **params) -> int:
        return self.client.json("GET", path, {**params, "limit": 1, "brief": 1})["count"]

    def statements(self) -> int | None:
        value = self.client.last_headers.get("x-wirebook-statements")
        return int(value) if value is not None else None

    def post(self, path: str, body) -> tuple[object, float]:
        status, content, elapsed = self.client.request("POST", path, None, body)
        if status != 201:
            raise SystemExit(f"{self.name} POST {path}: HTTP {status}: {content[:500]!r}")
        return json.loads(content), elapsed


# -- the data set, through the API -----------------------------------------------------------------


def seed(server: Server) -> None:
    """VRFs, the RIR and its aggregate, the prefixes and addresses, unless the server has them."""
    started = time.perf_counter()
    c = server.client
    vrfs = c.json("GET", "/api/ipam/vrfs/", {"name__isw": "VRF-", "limit": 100})["results"]
    if len(vrfs) < 10:
        have = {vrf["name"] for vrf in vrfs}
        missing = [{"name": f"VRF-{i:02d}", "rd": f"65000:{i}"} for i in range(1, 11) if f"VRF-{i:02d}" not in have]
        server.post("/api/ipam/vrfs/", missing)
    if server.count("/api/ipam/aggregates/", prefix="10.0.0.0/8") == 0:
        rirs = c.json("GET", "/api/ipam/rirs/", {"slug": "rfc-1918"})["results"]
        rir = rirs[0] if rirs else server.post("/api/ipam/rirs/", {"name": "RFC 1918", "slug": "rfc-1918"})[0]
        server.post("/api/ipam/aggregates/", {"prefix": "10.0.0.0/8", "rir": rir["id"]})  # type: ignore[index]
    networks = [f"10.{i // 256}.{i % 256}" for i in range(PREFIXES)]
    if server.count("/api/ipam/prefixes/", description__isw="prefix ") < PREFIXES:
        existing = {row["prefix"] for row in _all(c, "/api/ipam/prefixes/", {"description__isw": "prefix "})}
        rows = [
            {"prefix": f"{net}.0/24", "status": "active", "description": f"prefix {i}"}
            for i, net in enumerate(networks)
            if f"{net}.0/24" not in existing
        ]
        for start in range(0, len(rows), BATCH):
            server.post("/api/ipam/prefixes/", rows[start : start + BATCH])
    if server.count("/api/ipam/ip-addresses/", dns_name__iew=".example.net") < PREFIXES * HOSTS:
        existing = {row["address"] for row in _all(c, "/api/ipam/ip-addresses/", {"dns_name__iew": ".example.net"})}
        rows = [
            {"address": f"{net}.{host}/24", "status": "active", "dns_name": f"h{host}.n{i}.example.net"}
            for i, net in enumerate(networks)
            for host in range(1, HOSTS + 1)
            if f"{net}.{host}/24" not in existing
        ]
        for start in range(0, len(rows), BATCH):
            server.post("/api/ipam/ip-addresses/", rows[start : start + BATCH])
    print(f"{server.name}: data set ready in {time.perf_counter() - started:.1f} s", flush=True)


def _all(client: Client, path: str, params: dict) -> list[dict]:
    rows: list[dict] = []
    while True:
        page = client.json("GET", path, {**params, "limit": 1000, "offset": len(rows)})
        rows += page["results"]
        if not page["next"]:
            return rows


def free_network(server: Server, rnd: random.Random, prefixlen: int) -> IPv4Network:
    """A network in 100.64.0.0/10 holding no prefix and no address on `server`."""
    for _ in range(200):
        network = IPv4Network(
            (rnd.randrange(0x64400000, 0x64800000) >> (32 - prefixlen) << (32 - prefixlen), prefixlen)
        )
        if (
            server.count("/api/ipam/prefixes/", within_include=str(network)) == 0
            and server.count("/api/ipam/ip-addresses/", parent=str(network)) == 0
        ):
            return network
    raise SystemExit(f"{server.name}: no free /{prefixlen} in 100.64.0.0/10")


def scratch_prefix(server: Server, rnd: random.Random) -> dict:
    prefix, _ = server.post(
        "/api/ipam/prefixes/",
        {"prefix": str(free_network(server, rnd, 24)), "status": "active", "description": "bench scratch"},
    )
    server.created_prefixes.append(prefix["id"])  # type: ignore[index]
    return prefix  # type: ignore[return-value]


def cleanup(server: Server) -> None:
    for start in range(0, len(server.created_ips), BATCH):
        batch = [{"id": pk} for pk in server.created_ips[start : start + BATCH]]
        server.client.request("DELETE", "/api/ipam/ip-addresses/", None, batch)
    for pk in server.created_prefixes:
        server.client.request("DELETE", f"/api/ipam/prefixes/{pk}/")


# -- the cases -------------------------------------------------------------------------------------


def measure_reads(servers: list[Server], rounds: int, warmup: int, only) -> dict[str, dict]:
    cases = [
        ("prefixes ?q=10.1.", "/api/ipam/prefixes/", {"q": "10.1."}),
        ("ip-addresses ?limit=1000", "/api/ipam/ip-addresses/", {"limit": 1000}),
        ("ip-addresses ?limit=1000 parent=10.1.0.0/16", "/api/ipam/ip-addresses/",
         {"parent": "10.1.0.0/16", "limit": 1000}),
    ]  # fmt: skip
    results = {}
    for name, path, params in cases:
        if not only(name):
            continue

        def one(server: Server, name=name, path=path, params=params):
            status, content, elapsed = server.client.request("GET", path, params)
            if status != 200:
                raise SystemExit(f"{server.name} {name}: HTTP {status}: {content[:500]!r}")
            return elapsed, server.statements()

        results[name] = alternate(servers, rounds, warmup, one)  # type: ignore[arg-type]
        report(name, results[name])
    return results


def measure_allocation(servers: list[Server], rounds: int, warmup: int, rnd: random.Random) -> dict[str, dict]:
    name = "POST available-ips (1 IP)"
    pools = {server.name: scratch_prefix(server, rnd) for server in servers}

    def one(server: Server):
        ip, elapsed = server.post(
            f"/api/ipam/prefixes/{pools[server.name]['id']}/available-ips/", {"description": "bench"}
        )
        server.created_ips.append(ip["id"])  # type: ignore[index]
        return elapsed, server.statements()

    result = alternate(servers, min(rounds, 250 - warmup), warmup, one)  # type: ignore[arg-type]
    report(name, result)
    return {name: result}


def measure_bulk(servers: list[Server], rounds: int, warmup: int, rnd: random.Random) -> dict[str, dict]:
    name = "POST ip-addresses bulk x100"
    spaces = {server.name: free_network(server, rnd, 16) for server in servers}
    counter = {server.name: 0 for server in servers}

    def one(server: Server):
        base = int(spaces[server.name].network_address) + (counter[server.name] << 8)
        counter[server.name] += 1
        body = [
            {
                "address": f"{IPv4Network((base + host, 32)).network_address}/24",
                "status": "active",
                "description": "bench bulk",
            }
            for host in range(1, 101)
        ]
        created, elapsed = server.post("/api/ipam/ip-addresses/", body)
        server.created_ips.extend(row["id"] for row in created)  # type: ignore[attr-defined]
        return elapsed, server.statements()

    result = alternate(servers, min(rounds, 250 - warmup), warmup, one)  # type: ignore[arg-type]
    report(name, result)
    return {name: result}


def measure_concurrent(servers: list[Server], threads: int, allocations: int, rnd: random.Random) -> dict[str, dict]:
    name = "concurrent available-ips"
    results = {}
    for server in servers:
        pool = scratch_prefix(server, rnd)
        path = f"/api/ipam/prefixes/{pool['id']}/available-ips/"
        local = threading.local()
        lock = threading.Lock()
        times: list[float] = []
        addresses: list[str] = []
        codes: dict[int, int] = {}

        def allocate(
            _, server=server, path=path, local=local, lock=lock, times=times, addresses=addresses, codes=codes
        ):
            if not hasattr(local, "client"):
                local.client = Client(server.url, server.token)
            status, content, elapsed = local.client.request("POST", path, None, {"description": "bench concurrent"})
            with lock:
                times.append(elapsed)
                codes[status] = codes.get(status, 0) + 1
                if status == 201:
                    row = json.loads(content)
                    addresses.append(row["address"])
                    server.created_ips.append(row["id"])

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as executor:
            list(executor.map(allocate, range(allocations)))
        wall = time.perf_counter() - started
        stored = [row["address"] for row in _all(server.client, "/api/ipam/ip-addresses/", {"parent": pool["prefix"]})]
        results[server.name] = {
            **figures(times),
            "queries": None,
            "requests_per_s": round(len(times) / wall, 1),
            "allocated": len(addresses),
            "status_codes": {str(code): count for code, count in sorted(codes.items())},
            "duplicates": len(addresses) - len(set(addresses)),
            "stored_duplicates": len(stored) - len(set(stored)),
        }
    report(f"{name} ({threads} threads, {allocations})", results)
    return {name: results}


def combine(results: dict[str, dict]) -> dict[str, dict]:
    cases = {}
    for name, by_server in results.items():
        case = dict(by_server["wirebook"])
        theirs = by_server.get("netbox")
        if theirs is not None:
            case["netbox_median_ms"], case["netbox_p95_ms"] = theirs["median_ms"], theirs["p95_ms"]
            if "requests_per_s" in theirs:
                case["netbox_requests_per_s"] = theirs["requests_per_s"]
                case["netbox_duplicates"] = theirs["duplicates"]
                case["speedup"] = round(case["requests_per_s"] / theirs["requests_per_s"], 2)
            else:
                case["speedup"] = round(theirs["median_ms"] / case["median_ms"], 2)
        target = next((value for key, value in TARGETS.items() if name == key), None)
        if target is not None:
            case["target_speedup"] = target
        cases[name] = case
    return cases


# -- the run ---------------------------------------------------------------------------------------


def organization_token() -> str:
    """The organization `ipambench` (made if missing) and a new API token of its owner."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tenants.models import Organization
    from tenants.services import organization_create
    from tenants.tokens import token_create

    call_command("migrate", verbosity=0)
    owner, _ = get_user_model().objects.get_or_create(email=OWNER)
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is None:
        organization = organization_create(name="IPAM bench", slug=SLUG, owner=owner)
    _, plaintext = token_create(organization=organization, user=owner, description="benchmarks/ipam.py")
    return plaintext


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running Wirebook organization, http://host:port/o/<slug> (default: serve one)")
    parser.add_argument("--token", help="API token for --url")
    parser.add_argument("--netbox-url", help="a NetBox 4.7, e.g. http://127.0.0.1:18001 (seeded through its API)")
    parser.add_argument("--netbox-token", help="NetBox API token (nbt_... is sent as Bearer)")
    parser.add_argument("-n", "--rounds", type=int, default=15, help="timed requests per case and server")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=20, help="threads of the concurrent allocation case")
    parser.add_argument("--allocations", type=int, default=200, help="allocations of that case (at most 254)")
    parser.add_argument("--only", help="comma-separated substrings of the case names to run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not 1 <= args.allocations <= 254:
        parser.error("--allocations: a /24 holds 254 addresses")
    wanted = [part.strip() for part in (args.only or "").split(",") if part.strip()]

    def only(name: str) -> bool:
        return not wanted or any(part in name for part in wanted)

    process = None
    url, token = args.url, args.token
    if url is None:
        server_env = local_environment(bench_database())
        token = organization_token()
        from django.db import connections

        connections.close_all()
        process, url = start_server(server_env, slug=SLUG)
    rnd = random.Random(13)  # noqa: S311 -- where scratch networks are looked for, not a secret
    servers = [Server("wirebook", url, token)]
    if args.netbox_url:
        servers.append(Server("netbox", args.netbox_url, args.netbox_token))
    try:
        for server in servers:
            seed(server)
        load_before = os.getloadavg()
        results = measure_reads(servers, args.rounds, args.warmup, only)
        if only("POST available-ips (1 IP)"):
            results |= measure_allocation(servers, args.rounds, args.warmup, rnd)
        if only("POST ip-addresses bulk x100"):
            results |= measure_bulk(servers, args.rounds, args.warmup, rnd)
        if only("concurrent available-ips"):
            results |= measure_concurrent(servers, args.threads, args.allocations, rnd)
        load_after = os.getloadavg()
    finally:
        for server in servers:
            cleanup(server)
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    summary = {
        "data": f"10 VRFs, 10.0.0.0/8 aggregate, {PREFIXES} /24 prefixes, {PREFIXES * HOSTS} IP addresses",
        "wirebook": "gunicorn 2 workers x 3 threads" if process is not None else url,
        "netbox": args.netbox_url and "NetBox 4.7.3, gunicorn 2 workers x 3 threads",
        "rounds": args.rounds,
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in load_after],
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cases": combine(results),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
