"""The REST and GraphQL API's speed, side by side with NetBox on the same data (issue #11).

Data set (as the NetBox anchor's sites_seed.py builds it): 110 regions (10 top-level, 10 children
each), a choice set and 5 custom fields on sites (text, integer, boolean, select, date), 3 tags,
10,000 sites `bench-site-00001..` each in a leaf region, with every custom field and all 3 tags.

Cases, each timed with requests alternated one by one between the servers (Wirebook, then NetBox
when `--netbox-url` is given): lists of 1,000 sites (plain, filtered by region, by tag and status,
by a custom field), 1,000 brief, 50, one site, GraphQL for 1,000 sites with region, tags and custom
fields, 200 circuits with both terminations (one at a site, one at a provider network), 1,000 virtual
machines (in one cluster, each with 2 interfaces) and their 2,000 interfaces, bulk
create / PATCH / delete of 100 sites, and 8 concurrent clients listing 50 sites. The
baseline is one hand-written SQL query building the same JSON as the 1,000-site list inside
PostgreSQL, timed to the client.

    make benchmark          # seeds its own database, serves Wirebook with gunicorn 2x3, measures
    .venv/bin/python benchmarks/api.py --netbox-url http://127.0.0.1:18001 --netbox-token nbt_...
    NETBOX_ROOT=... <NetBox's python> benchmarks/netbox_seed.py   # NetBox's circuits and VMs, as seeded here
    .venv/bin/python benchmarks/api.py --url http://127.0.0.1:8000/o/acme --token nbt_...  # a running server

Without `--url` it needs DATABASE_URL / REDIS_URL (make benchmark runs it under the devstack): it
seeds the organization `apibench` in the database `<DATABASE_URL's name>_apibench` (kept between
runs; `--seed-only` stops there), then starts gunicorn (2 workers x 3 threads, DEBUG off, with
`WIREBOOK_COUNT_STATEMENTS` so that every answer says how many SQL statements it cost).
Writes benchmarks/results/api.json: per case median_ms, p95_ms, queries (statements per request),
NetBox's median/p95 and `speedup` (NetBox's median / ours), plus the load average.
"""

import argparse
import base64
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "api.json"
sys.path.insert(0, str(ROOT))

SLUG = "apibench"
OWNER = "apibench@example.com"
TIERS = ("gold", "silver", "bronze")
STATUSES = ("active",) * 6 + ("planned", "staging", "decommissioning", "retired")
TAGS = (("bench-alpha", "2196f3"), ("bench-beta", "4caf50"), ("bench-gamma", "f44336"))
CUSTOM_FIELDS = (
    ("cf_owner", "text", "Owner"),
    ("cf_rack_count", "integer", "Rack count"),
    ("cf_managed", "boolean", "Managed"),
    ("cf_tier", "select", "Tier"),
    ("cf_commissioned", "date", "Commissioned"),
)
GRAPHQL_SITES = "query { site_list(pagination: {limit: 1000}) { id name region { name } tags { name } custom_fields } }"
CONCURRENT_CLIENTS = 8
CIRCUITS = 200
VIRTUAL_MACHINES = 1000


# -- seeding (in-process, through the ORM) -----------------------------------------------------


def seed(count: int) -> None:
    """Build the data set in organization `apibench` unless it is there already."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import transaction

    from core.models import CustomField, CustomFieldChoiceSet, Tag, TaggedItem
    from inventory.models import Region, Site
    from tenants.context import tenant_context
    from tenants.models import Organization
    from tenants.services import organization_create

    call_command("migrate", verbosity=0)
    owner, _ = get_user_model().objects.get_or_create(email=OWNER)
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is None:
        organization = organization_create(name="API bench", slug=SLUG, owner=owner)
    with tenant_context(organization), transaction.atomic():
        if Site.objects.filter(slug__startswith="bench-site-").count() == count:
            return
        started = time.perf_counter()
        leaves = []
        for top_number in range(1, 11):
            top, _ = Region.objects.get_or_create(
                slug=f"bench-region-{top_number:02d}", parent=None, defaults={"name": f"Bench Region {top_number:02d}"}
            )
            for child in range(1, 11):
                slug = f"bench-region-{top_number:02d}-{child:02d}"
                leaf, _ = Region.objects.get_or_create(
                    slug=slug, parent=top, defaults={"name": f"Bench Region {top_number:02d}-{child:02d}"}
                )
                leaves.append(leaf)
        choice_set, _ = CustomFieldChoiceSet.objects.get_or_create(
            name="bench-tier", defaults={"extra_choices": [[tier, tier.capitalize()] for tier in TIERS]}
        )
        site_type = ContentType.objects.get_for_model(Site)
        for name, kind, label in CUSTOM_FIELDS:
            field, _ = CustomField.objects.get_or_create(
                name=name,
                defaults={"type": kind, "label": label, "choice_set": choice_set if kind == "select" else None},
            )
            field.object_types.add(site_type)
        tags = [
            Tag.objects.get_or_create(slug=slug, defaults={"name": slug, "color": color})[0] for slug, color in TAGS
        ]
        Site.objects.filter(slug__startswith="bench-site-").delete()
        base = datetime.date(2015, 1, 1)
        sites = Site.objects.bulk_create(
            Site(
                name=f"bench-site-{number:05d}",
                slug=f"bench-site-{number:05d}",
                status=STATUSES[number % 10],
                region=leaves[(number - 1) % len(leaves)],
                description=f"benchmark site {number}",
                custom_field_data={
                    "cf_owner": f"team-{number % 17}",
                    "cf_rack_count": number % 40,
                    "cf_managed": number % 2 == 0,
                    "cf_tier": TIERS[(number - 1) % 3] if number % 3 else TIERS[2],
                    "cf_commissioned": (base + datetime.timedelta(days=number % 3000)).isoformat(),
                },
            )
            for number in range(1, count + 1)
        )
        TaggedItem.objects.bulk_create(
            TaggedItem(tag=tag, content_type=site_type, object_id=site.pk) for site in sites for tag in tags
        )
        print(f"seeded {count} sites in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def seed_circuits(count: int = CIRCUITS) -> None:
    """`count` circuits of one provider, each with an A end at a bench site and a Z end at the provider's
    network (the circuits case), unless they are there already."""
    from django.db import transaction

    from circuits.models import Circuit, CircuitTermination, CircuitType, Provider, ProviderNetwork
    from inventory.models import Site
    from tenants.context import tenant_context
    from tenants.models import Organization

    with tenant_context(Organization.objects.get(slug=SLUG)), transaction.atomic():
        if Circuit.objects.filter(cid__startswith="bench-circuit-").count() == count:
            return
        Circuit.objects.filter(cid__startswith="bench-circuit-").delete()
        provider, _ = Provider.objects.get_or_create(slug="bench-provider", defaults={"name": "Bench Provider"})
        kind, _ = CircuitType.objects.get_or_create(slug="bench-transit", defaults={"name": "Bench Transit"})
        network, _ = ProviderNetwork.objects.get_or_create(provider=provider, name="Bench MPLS")
        sites = list(Site.objects.filter(slug__startswith="bench-site-").order_by("pk")[:count])
        circuits = Circuit.objects.bulk_create(
            Circuit(cid=f"bench-circuit-{number:04d}", provider=provider, type=kind, commit_rate=10_000)
            for number in range(1, count + 1)
        )
        CircuitTermination.objects.bulk_create(
            [
                *(
                    CircuitTermination(circuit=circuit, term_side="A", termination=site, port_speed=1_000_000)
                    for circuit, site in zip(circuits, sites, strict=False)
                ),
                *(CircuitTermination(circuit=circuit, term_side="Z", termination=network) for circuit in circuits),
            ]
        )


def seed_virtual_machines(count: int = VIRTUAL_MACHINES) -> None:
    """`count` virtual machines in one cluster at a bench site, each with two interfaces (the VM cases), unless
    they are there already."""
    from django.db import transaction

    from inventory.models import Cluster, ClusterType, Site, VirtualMachine, VMInterface
    from tenants.context import tenant_context
    from tenants.models import Organization

    with tenant_context(Organization.objects.get(slug=SLUG)), transaction.atomic():
        if VirtualMachine.objects.filter(name__startswith="bench-vm-").count() == count:
            return
        VirtualMachine.objects.filter(name__startswith="bench-vm-").delete()
        site = Site.objects.filter(slug__startswith="bench-site-").order_by("pk").first()
        kind, _ = ClusterType.objects.get_or_create(slug="bench-vmware", defaults={"name": "Bench VMware"})
        cluster = Cluster.objects.filter(name="bench-cluster").first()
        if cluster is None:
            cluster = Cluster(name="bench-cluster", type=kind, scope_object=site)
            cluster.full_clean()  # caches the scope's site
            cluster.save()
        machines = VirtualMachine.objects.bulk_create(
            VirtualMachine(
                name=f"bench-vm-{number:04d}",
                cluster=cluster,
                site=site,
                vcpus=2,
                memory=4096,
                disk=40,
                status="active",
            )
            for number in range(1, count + 1)
        )
        VMInterface.objects.bulk_create(
            VMInterface(virtual_machine=machine, name=name, _name=name)
            for machine in machines
            for name in ("eth0", "eth1")
        )


def bench_token(slug: str = SLUG) -> str:
    from tenants.models import Organization
    from tenants.tokens import token_create

    organization = Organization.objects.get(slug=slug)
    _, plaintext = token_create(
        organization=organization, user=organization.memberships.get().user, description=f"benchmarks ({slug})"
    )
    return plaintext


def bench_database(suffix: str = SLUG) -> str:
    """`<DATABASE_URL's name>_<suffix>`, created if missing (kept: seeding takes a while)."""
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/") + "_" + suffix
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


# -- the server --------------------------------------------------------------------------------


def local_environment(database_url: str) -> dict:
    """The environment of a server measured on `database_url` (DEBUG off, statements counted), set up in this
    process too (django configured) so that it can seed the data first."""
    server_env = {
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "API_TOKEN_PEPPER": secrets.token_urlsafe(48),
        "WIREBOOK_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WIREBOOK_SPARE_SCHEMAS": "0",
        "WIREBOOK_COUNT_STATEMENTS": "true",
        "SENTRY_DSN": "",
        # Plain http on loopback, like NetBox's gunicorn beside it (production redirects to https).
        "SECURE_SSL_REDIRECT": "false",
    }
    os.environ.update(
        {key: server_env[key] for key in ("DATABASE_URL", "SECRET_KEY", "API_TOKEN_PEPPER", "WIREBOOK_ENCRYPTION_KEY")}
    )
    os.environ.update({"WIREBOOK_SPARE_SCHEMAS": "0", "DJANGO_SETTINGS_MODULE": "saas_platform.settings"})
    import django

    django.setup()
    return server_env


def start_server(env: dict, slug: str = SLUG) -> tuple[subprocess.Popen, str]:
    """gunicorn (2 workers x 3 threads) serving `env`'s database; (the process, organization `slug`'s URL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (ROOT / ".data" / f"{slug}-server.log").open("w")
    command = [
        sys.executable, "-m", "gunicorn", "saas_platform.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", "2", "--threads", "3", "--timeout", "120",
        "--error-logfile", "-",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Client(url, None).request("GET", "/healthz")[0] == 200:
                return process, f"{url}/o/{slug}"
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the Wirebook server did not start; see {log.name}")


# -- the client --------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP connection to a NetBox-dialect server under `base` (maybe /o/<slug>)."""

    def __init__(self, base: str, token: str | None):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"{'Bearer' if token.startswith('nbt_') else 'Token'} {token}"
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        self.last_headers: dict[str, str] = {}

    def request(self, method: str, path: str, params: dict | None = None, body=None) -> tuple[int, bytes, float]:
        url = self.prefix + path + (f"?{urlencode(params)}" if params else "")
        payload = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.connection.request(method, url, body=payload, headers=self.headers)
                response = self.connection.getresponse()
                content = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                break
            except (http.client.HTTPException, ConnectionError):  # the server closed a kept-alive connection
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
                if attempt == 2:
                    raise
        self.last_headers = {key.lower(): value for key, value in response.getheaders()}
        return response.status, content, elapsed

    def json(self, method: str, path: str, params: dict | None = None, body=None, expect=(200,)):
        status, content, _ = self.request(method, path, params, body)
        if status not in expect:
            raise SystemExit(f"{method} {path} {params or ''}: HTTP {status}: {content[:500]!r}")
        return json.loads(content) if content else None


class Server:
    def __init__(self, name: str, url: str, token: str):
        self.name, self.url, self.token = name, url, token
        self.client = Client(url, token)
        first = lambda path, **params: self.client.json("GET", path, params)["results"][0]  # noqa: E731
        self.region_id = first("/api/dcim/regions/", slug="bench-region-01", parent_id="null")["id"]
        self.leaf_region_id = first("/api/dcim/regions/", slug="bench-region-01-01")["id"]
        self.tag_ids = [first("/api/extras/tags/", slug=slug)["id"] for slug, _ in TAGS]
        self.site_id = first("/api/dcim/sites/", name="bench-site-00042")["id"]
        self.site_count = self.client.json("GET", "/api/dcim/sites/", {"limit": 1, "brief": 1})["count"]

    def statements(self) -> int | None:
        value = self.client.last_headers.get("x-wirebook-statements")
        return int(value) if value is not None else None


def read_cases(server: Server) -> list[tuple[str, str, str, dict | None, dict | None]]:
    sites = "/api/dcim/sites/"
    return [
        ("list limit=1000", "GET", sites, {"limit": 1000}, None),
        ("list limit=1000 region_id", "GET", sites, {"region_id": server.region_id, "limit": 1000}, None),
        ("list limit=1000 tag+status", "GET", sites, {"tag": "bench-alpha", "status": "active", "limit": 1000}, None),
        ("list limit=1000 cf_cf_tier=gold", "GET", sites, {"cf_cf_tier": "gold", "limit": 1000}, None),
        ("list limit=1000 brief", "GET", sites, {"limit": 1000, "brief": 1}, None),
        ("list limit=50", "GET", sites, {"limit": 50}, None),
        ("one site", "GET", f"{sites}{server.site_id}/", None, None),
        ("graphql 1000 sites", "POST", "/graphql/", None, {"query": GRAPHQL_SITES}),
        # Both ends of each circuit with it (seed_circuits; benchmarks/netbox_seed.py seeds NetBox's).
        ("circuits limit=200", "GET", "/api/circuits/circuits/", {"limit": CIRCUITS}, None),
        # seed_virtual_machines (benchmarks/netbox_seed.py seeds NetBox's).
        ("vms limit=1000", "GET", "/api/virtualization/virtual-machines/", {"limit": VIRTUAL_MACHINES}, None),
        ("vm interfaces limit=1000", "GET", "/api/virtualization/interfaces/", {"limit": 1000}, None),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def figures(times: list[float]) -> dict:
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1)}


def alternate(servers: list[Server], rounds: int, warmup: int, one) -> dict[str, dict]:
    """Run `one(server) -> (ms, statements)` rounds times per server, servers taking turns."""
    times: dict[str, list[float]] = {server.name: [] for server in servers}
    statements: dict[str, int | None] = {}
    for number in range(warmup + rounds):
        for server in servers:
            elapsed, count = one(server)
            if number >= warmup:
                times[server.name].append(elapsed)
                statements[server.name] = count
    return {name: {**figures(values), "queries": statements[name]} for name, values in times.items()}


def measure_reads(servers: list[Server], rounds: int, warmup: int, only) -> dict[str, dict]:
    results = {}
    for index, (name, *_rest) in enumerate(read_cases(servers[0])):
        if not only(name):
            continue

        def one(server, index=index, name=name):
            _, method, path, params, body = read_cases(server)[index]
            status, content, elapsed = server.client.request(method, path, params, body)
            if status != 200 or (method == "POST" and b'"errors"' in content):
                raise SystemExit(f"{server.name} {name}: HTTP {status}: {content[:500]!r}")
            return elapsed, server.statements()

        results[name] = alternate(servers, rounds, warmup, one)
        report(name, results[name])
    return results


def measure_bulk(servers: list[Server], rounds: int, warmup: int, size: int, only) -> dict[str, dict]:
    """Bulk create, PATCH and delete of `size` scratch sites, each timed on its own."""
    run = uuid.uuid4().hex[:6]
    timings: dict[str, dict[str, list]] = {"bulk create 100": {}, "bulk patch 100": {}, "bulk delete 100": {}}
    if not any(only(name) for name in timings):
        return {}
    for number in range(warmup + rounds):
        for server in servers:
            body = [
                {
                    "name": f"bench-tmp-{run}-{number:02d}-{item:03d}",
                    "slug": f"bench-tmp-{run}-{number:02d}-{item:03d}",
                    "status": "planned",
                    "region": server.leaf_region_id,
                    "tags": server.tag_ids,
                    "custom_fields": {
                        "cf_owner": "bench",
                        "cf_rack_count": item,
                        "cf_managed": item % 2 == 0,
                        "cf_tier": "bronze",
                        "cf_commissioned": "2024-06-01",
                    },
                }
                for item in range(size)
            ]
            steps = []
            status, content, elapsed = server.client.request("POST", "/api/dcim/sites/", None, body)
            if status != 201:
                raise SystemExit(f"{server.name} bulk create: HTTP {status}: {content[:500]!r}")
            ids = [row["id"] for row in json.loads(content)]
            steps.append(("bulk create 100", elapsed, server.statements()))
            patch = [{"id": pk, "description": f"patched {number}"} for pk in ids]
            status, content, elapsed = server.client.request("PATCH", "/api/dcim/sites/", None, patch)
            if status != 200:
                raise SystemExit(f"{server.name} bulk patch: HTTP {status}: {content[:500]!r}")
            steps.append(("bulk patch 100", elapsed, server.statements()))
            gone = [{"id": pk} for pk in ids]
            status, content, elapsed = server.client.request("DELETE", "/api/dcim/sites/", None, gone)
            if status not in (200, 204):
                raise SystemExit(f"{server.name} bulk delete: HTTP {status}: {content[:500]!r}")
            steps.append(("bulk delete 100", elapsed, server.statements()))
            if number >= warmup:
                for name, ms, count in steps:
                    timings[name].setdefault(server.name, []).append((ms, count))
    results = {}
    for name, by_server in timings.items():
        results[name] = {
            server: {**figures([ms for ms, _ in samples]), "queries": samples[-1][1]}
            for server, samples in by_server.items()
        }
        report(name, results[name])
    return results


def measure_concurrent(servers: list[Server], rounds: int, per_client: int) -> dict[str, dict]:
    """8 clients at once, each listing 50 sites `per_client` times; servers take turns per round."""
    name = f"{CONCURRENT_CLIENTS} concurrent clients, list limit=50"
    samples: dict[str, list[float]] = {server.name: [] for server in servers}
    throughput: dict[str, list[float]] = {server.name: [] for server in servers}
    for _ in range(rounds):
        for server in servers:
            clients = [Client(server.url, server.token) for _ in range(CONCURRENT_CLIENTS)]
            times: list[float] = []
            lock = threading.Lock()

            def work(client: Client, times=times, lock=lock):
                for _ in range(per_client):
                    status, _, elapsed = client.request("GET", "/api/dcim/sites/", {"limit": 50})
                    if status != 200:
                        raise SystemExit(f"concurrent list: HTTP {status}")
                    with lock:
                        times.append(elapsed)

            threads = [threading.Thread(target=work, args=(client,)) for client in clients]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            throughput[server.name].append(len(times) / (time.perf_counter() - started))
            samples[server.name] += times
    results = {
        server: {**figures(values), "queries": None, "requests_per_s": round(statistics.median(throughput[server]), 1)}
        for server, values in samples.items()
    }
    report(name, results)
    return {name: results}


# -- the single-SQL baseline -------------------------------------------------------------------

BASELINE_SQL = """
WITH region AS (
    SELECT r.id, json_build_object(
        'id', r.id, 'url', %(api)s::text || 'dcim/regions/' || r.id || '/', 'display', r.name, 'name', r.name,
        'slug', r.slug, 'description', r.description,
        'site_count', (SELECT count(*) FROM {schema}.inventory_site s JOIN {schema}.inventory_region d
                       ON d.id = s.region_id WHERE d.tree_id = r.tree_id AND d.lft BETWEEN r.lft AND r.rght),
        '_depth', r.level) AS nested
    FROM {schema}.inventory_region r
), page AS (
    SELECT * FROM {schema}.inventory_site ORDER BY name, id LIMIT 1000
), tags AS (
    SELECT ti.object_id, json_agg(json_build_object(
        'id', t.id, 'url', %(api)s::text || 'extras/tags/' || t.id || '/',
        'display_url', %(ui)s::text || 'extras/tags/' || t.id || '/',
        'display', t.name, 'name', t.name, 'slug', t.slug, 'color', t.color, 'description', t.description)
        ORDER BY t.weight, t.name) AS list
    FROM {schema}.core_taggeditem ti JOIN {schema}.core_tag t ON t.id = ti.tag_id
    WHERE ti.content_type_id = %(site_type)s AND ti.object_id IN (SELECT id FROM page)
    GROUP BY ti.object_id
)
SELECT json_build_object(
    'count', (SELECT count(*) FROM {schema}.inventory_site),
    'next', %(next)s::text, 'previous', NULL,
    'results', (SELECT json_agg(json_build_object(
        'id', s.id, 'url', %(api)s::text || 'dcim/sites/' || s.id || '/',
        'display_url', %(ui)s::text || 'dcim/sites/' || s.id || '/',
        'display', s.name, 'name', s.name, 'slug', s.slug,
        'status', json_build_object('value', s.status, 'label', initcap(s.status)),
        'region', region.nested, 'group', NULL, 'tenant', NULL, 'facility', s.facility, 'time_zone', s.time_zone,
        'physical_address', s.physical_address, 'shipping_address', s.shipping_address,
        'latitude', s.latitude, 'longitude', s.longitude, 'description', s.description, 'owner', NULL,
        'comments', s.comments, 'tags', coalesce(tags.list, '[]'),
        'custom_fields', json_build_object(
            'cf_commissioned', s.custom_field_data -> 'cf_commissioned',
            'cf_managed', s.custom_field_data -> 'cf_managed',
            'cf_owner', s.custom_field_data -> 'cf_owner',
            'cf_rack_count', s.custom_field_data -> 'cf_rack_count',
            'cf_tier', json_build_object('value', s.custom_field_data ->> 'cf_tier',
                                         'label', initcap(s.custom_field_data ->> 'cf_tier'))),
        'created', to_char(s.created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'last_updated', to_char(s.last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
        ORDER BY s.name, s.id)
        FROM page s LEFT JOIN region ON region.id = s.region_id LEFT JOIN tags ON tags.object_id = s.id)
)::text
"""


def measure_baseline(database_url: str, server: Server, rounds: int, warmup: int) -> dict:
    """The 1,000-site list as one SQL query, fetched as JSON text by the client."""
    import psycopg
    from psycopg import sql

    schema = "org_" + SLUG.replace("-", "_")
    api = server.url.rstrip("/") + "/api/"
    ui = server.url.rstrip("/") + "/"
    with psycopg.connect(database_url, autocommit=True) as conn:
        site_type = conn.execute(
            sql.SQL("SELECT id FROM {}.django_content_type WHERE app_label = 'inventory' AND model = 'site'").format(
                sql.Identifier(schema)
            )
        ).fetchone()[0]
        query = sql.SQL(BASELINE_SQL).format(schema=sql.Identifier(schema))
        params = {"api": api, "ui": ui, "site_type": site_type, "next": f"{api}dcim/sites/?limit=1000&offset=1000"}
        times = []
        for number in range(warmup + rounds):
            started = time.perf_counter()
            text = conn.execute(query, params).fetchone()[0]
            if number >= warmup:
                times.append((time.perf_counter() - started) * 1000)
    assert len(json.loads(text)["results"]) == 1000
    result = {**figures(times), "queries": 1, "bytes": len(text)}
    report("single SQL query (list limit=1000)", {"sql": result})
    return result


# -- the run -----------------------------------------------------------------------------------


def report(name: str, by_server: dict) -> None:
    parts = [f"{server} {row['median_ms']:8.1f} ms (p95 {row['p95_ms']:.1f}, q {row.get('queries')})"
             for server, row in by_server.items()]  # fmt: skip
    print(f"  {name:40s} " + "   ".join(parts), flush=True)


def combine(results: dict[str, dict]) -> dict[str, dict]:
    """{case: {wirebook: ..., netbox: ...}} -> per case our figures, NetBox's beside them, the ratio."""
    cases = {}
    for name, by_server in results.items():
        ours = by_server["wirebook"]
        case = dict(ours)
        theirs = by_server.get("netbox")
        if theirs is not None:
            case["netbox_median_ms"] = theirs["median_ms"]
            case["netbox_p95_ms"] = theirs["p95_ms"]
            case["speedup"] = round(theirs["median_ms"] / ours["median_ms"], 2)
            if "requests_per_s" in theirs:
                case["netbox_requests_per_s"] = theirs["requests_per_s"]
        cases[name] = case
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running Wirebook organization, http://host:port/o/<slug> (default: serve one)")
    parser.add_argument("--token", help="API token for --url")
    parser.add_argument(
        "--netbox-url",
        help="NetBox with the same data set (bench sites, then benchmarks/netbox_seed.py), e.g. http://127.0.0.1:18001",
    )
    parser.add_argument("--netbox-token", help="NetBox API token (nbt_... is sent as Bearer)")
    parser.add_argument("--database-url", help="the database --url serves, for the SQL baseline (default: none)")
    parser.add_argument("-n", "--rounds", type=int, default=15, help="timed requests per case and server")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--only", help="comma-separated substrings of the case names to run")
    parser.add_argument("--seed-only", action="store_true", help="seed the data set and print an API token")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    wanted = [part.strip() for part in (args.only or "").split(",") if part.strip()]

    def only(name: str) -> bool:
        return not wanted or any(part in name for part in wanted)

    process = None
    database_url = args.database_url
    url, token = args.url, args.token
    if url is None:
        database_url = bench_database()
        server_env = local_environment(database_url)
        seed(args.sites)
        seed_circuits()
        seed_virtual_machines()
        token = bench_token()
        if args.seed_only:
            print(token)
            return 0
        from django.db import connections

        connections.close_all()
        process, url = start_server(server_env)
    try:
        servers = [Server("wirebook", url, token)]
        if args.netbox_url:
            servers.append(Server("netbox", args.netbox_url, args.netbox_token))
        for server in servers:
            print(f"{server.name}: {server.url}, {server.site_count} sites", flush=True)
        load_before = os.getloadavg()
        results = measure_reads(servers, args.rounds, args.warmup, only)
        results |= measure_bulk(servers, max(3, args.rounds // 3), 1, 100, only)
        if only("concurrent"):
            results |= measure_concurrent(servers, 3, 10)
        baseline = None
        if database_url and only("list limit=1000"):
            baseline = measure_baseline(database_url, servers[0], args.rounds, args.warmup)
        load_after = os.getloadavg()
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    cases = combine(results)
    summary: dict = {
        "data": f"{servers[0].site_count} sites, 110 regions, 5 custom fields, 3 tags per site",
        "wirebook": "gunicorn 2 workers x 3 threads" if process is not None else servers[0].url,
        "netbox": args.netbox_url and "NetBox 4.7.3, gunicorn 2 workers x 3 threads",
        "rounds": args.rounds,
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in load_after],
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cases": cases,
    }
    if baseline is not None:
        summary["single_sql_query"] = baseline
        if "list limit=1000" in cases:
            ratio = cases["list limit=1000"]["median_ms"] / baseline["median_ms"]
            summary["list_vs_single_sql_query"] = round(ratio, 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
