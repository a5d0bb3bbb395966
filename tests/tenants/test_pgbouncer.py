"""Behind a transaction-pooling PgBouncer, one server connection serves one organization's
transaction and then another's: nothing of the first (its schema above all) may reach the second.

A PgBouncer of its own (`saas_platform.devstack.pgbouncer`) with a pool of ONE server connection
stands in front of the test database, so every client here shares that one connection. The whole
live-server suite (compat, e2e, fuzz) runs through the dev stack's PgBouncer in `make test`
(tests/live_server.py); these tests pin the interleaving down.
"""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection, connections

from automation.models import Job
from saas_platform.devstack import pgbouncer
from saas_platform.devstack.common import DevstackError
from saas_platform.devstack.postgres import fallback_dir, reachable_state_dir
from saas_platform.devstack.processes import RunAs
from tenants.context import tenant_context
from tenants.tokens import token_create
from tests.live_server import database_url, live_server

ROUNDS = 4
REQUESTS_PER_ORGANIZATION = 12


@pytest.fixture(scope="module")
def pooler(django_db_setup, tmp_path_factory):
    """A PgBouncer (transaction pooling, ONE server connection) in front of the test database."""
    try:
        binary = pgbouncer.find_pgbouncer()
    except DevstackError as exc:
        if pgbouncer.enabled(os.environ.get(pgbouncer.ENABLE_ENV)):
            pytest.fail(str(exc))  # `make test` installs it: its absence there is a failure
        pytest.skip(str(exc))
    directory = tmp_path_factory.mktemp("pgbouncer")
    runas = RunAs.for_postgres()
    state_dir, locks = reachable_state_dir(directory, runas, "PgBouncer")
    server = pgbouncer.PgBouncer(
        binary, pgbouncer.Upstream.from_url(database_url()), state_dir, runas=runas, pool_size=1, locks=locks
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()  # closes its server connection: the test database can be dropped
        shutil.rmtree(fallback_dir(directory), ignore_errors=True)


def pooled_wrapper(pooler, alias):
    """A Django connection of Wirebook's backend (tenants.db) that reaches the server through `pooler`."""
    settings = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(pooler.port)}
    return type(connections["default"])(settings, alias=alias)


def in_transaction(wrapper, sql):
    """`sql` in a transaction of its own on `wrapper` -> its rows; the pooler may hand the server
    connection to another client as soon as it commits."""
    wrapper.set_autocommit(False)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        wrapper.commit()
    finally:
        wrapper.set_autocommit(True)
    return rows


SEEN = (
    "SELECT pg_backend_pid(), current_setting('search_path'), "
    "(SELECT coalesce(array_agg(name ORDER BY name), '{}') FROM automation_job)"
)


def test_two_organizations_interleaved_on_one_pooled_server_connection(pooler, committed):
    # given two organizations, each with a job only it has
    org_a, org_b = committed.organization("pool-a"), committed.organization("pool-b")
    for organization, name in ((org_a, "only-in-a"), (org_b, "only-in-b")):
        with tenant_context(organization):
            Job.objects.create(name=name, function="x.y")
    client_a, client_b = pooled_wrapper(pooler, "pooled-a"), pooled_wrapper(pooler, "pooled-b")
    seen, public_paths = [], []
    try:
        # when their transactions take turns on the pool's one server connection, with a public
        # query of the other client (which sets no schema at all) after each of them
        for _ in range(ROUNDS):
            client_a.set_tenant(org_a)
            seen.append(("a", *in_transaction(client_a, SEEN)[0]))
            public_paths.append(_public_search_path(client_b))
            client_b.set_tenant(org_b)
            seen.append(("b", *in_transaction(client_b, SEEN)[0]))
            public_paths.append(_public_search_path(client_a))
        # ...and statements in autocommit mode too (each wrapped in a transaction of its own)
        client_a.set_tenant(org_a)
        client_b.set_tenant(org_b)
        with client_a.cursor() as cursor:
            cursor.execute(SEEN)
            seen.append(("a", *cursor.fetchone()))
        with client_b.cursor() as cursor:
            cursor.execute(SEEN)
            seen.append(("b", *cursor.fetchone()))
    finally:
        client_a.close()
        client_b.close()

    # then it really was one server connection...
    assert len({pid for _, pid, _, _ in seen}) == 1
    # ...each transaction saw its own organization only...
    for client, _, search_path, jobs in seen:
        assert (search_path, jobs) == (
            f'"org_pool_{client}","public"',
            [f"only-in-{client}"],
        )
    # ...and none of them left its schema to the next client
    assert len(public_paths) == 2 * ROUNDS
    assert all("org_" not in path for path in public_paths), public_paths


def _public_search_path(wrapper):
    wrapper.set_schema_to_public()
    return in_transaction(wrapper, "SELECT current_setting('search_path')")[0][0]


def test_a_session_level_schema_would_leak_through_the_pool(pooler, committed):
    """What the test above guards against, done on purpose: django-tenants' session-level SET."""
    organization = committed.organization("pool-leak")
    leaking, victim = pooled_wrapper(pooler, "leaking"), pooled_wrapper(pooler, "victim")
    try:
        # given one client that sets its schema for the whole session, outside any transaction
        with leaking.cursor() as cursor:
            cursor.connection.execute(f'SET search_path = "{organization.schema_name}", public')
        # when another client, on the public schema, runs its next transaction
        path = _public_search_path(victim)
    finally:
        leaking.close()
        victim.close()
        pgbouncer.release_database(
            pgbouncer.pooled_url(pooler.url(), pooler.port, pgbouncer.ADMIN_DATABASE),
            connection.settings_dict["NAME"],
        )  # the poisoned server connection goes

    # then it inherits the first one's schema: the pool shares the connection, and the check sees it
    assert path == f"{organization.schema_name}, public"


def test_concurrent_api_requests_of_two_organizations_through_one_server_connection(
    pooler, committed, tmp_path_factory
):
    # given two organizations with a token each, served by a threaded server whose every thread
    # reaches the database through the pool's one server connection
    tokens = {}
    for slug in ("pool-api-a", "pool-api-b"):
        owner = committed.user(f"{slug}@example.com")
        organization = committed.organization(slug, owner=owner)
        tokens[slug] = token_create(organization=organization, user=owner)[1]
    transactions_before = _transactions(pooler)

    with live_server(tmp_path_factory.mktemp("pooled-server"), pooler_url=pooler.url(), threads=6) as server:

        def create_and_list(slug, number):
            headers = {"Authorization": f"Token {tokens[slug]}", "Accept": "application/json"}
            url = f"{server.organization_url(slug)}/api/dcim/sites/"
            created = requests.post(
                url, json={"name": f"{slug}-{number}", "slug": f"{slug}-{number}"}, headers=headers, timeout=60
            )
            listed = requests.get(url, params={"limit": 1000}, headers=headers, timeout=60)
            return slug, created.status_code, listed.status_code, [site["name"] for site in listed.json()["results"]]

        # when both organizations create and list sites at the same time, interleaved
        jobs = [(slug, n) for n in range(REQUESTS_PER_ORGANIZATION) for slug in tokens]
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda job: create_and_list(*job), jobs))
        transactions = _transactions(pooler) - transactions_before  # (read before the server's stop resets them)
        server_connections = _server_connections(pooler)

    # then every request succeeded and no list ever held another organization's site
    assert {(created, listed) for _, created, listed, _ in results} == {(201, 200)}
    for slug, _, _, names in results:
        assert names and all(name.startswith(f"{slug}-") for name in names), (slug, names)
    final = {slug: max((names for s, _, _, names in results if s == slug), key=len) for slug in tokens}
    assert {slug: len(names) for slug, names in final.items()} == dict.fromkeys(tokens, REQUESTS_PER_ORGANIZATION)
    # ...and it all went through the pooler's one server connection
    assert transactions >= 2 * len(jobs)
    assert server_connections == 1


def _admin_url(pooler):
    return pgbouncer.pooled_url(pooler.url(), pooler.port, pgbouncer.ADMIN_DATABASE)


def _stats(pooler, command):
    """SHOW <command> on the console, as dicts, for the test database's pool."""
    import psycopg

    with psycopg.connect(_admin_url(pooler), autocommit=True) as conn:
        cursor = conn.execute(command.encode())
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [row for row in rows if row["database"] == connection.settings_dict["NAME"]]


def _transactions(pooler):
    return sum(int(row["total_xact_count"]) for row in _stats(pooler, "SHOW STATS"))


def _server_connections(pooler):
    pools = _stats(pooler, "SHOW POOLS")
    return sum(int(row["sv_active"]) + int(row["sv_idle"]) + int(row["sv_used"]) for row in pools)
