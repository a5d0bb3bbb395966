"""Organizations on more than one database server (tenants.servers): a second database of the test
PostgreSQL stands in for a second server -- it has catalogs of its own, so a schema, a table or a
row made on one is not seen from the other."""

import io
import json

import pytest
from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from inventory.models import Site
from tenants.context import public_context, server_context, tenant_context
from tenants.migration import stale_schemas
from tenants.models import Organization, SpareSchema
from tenants.provisioning import spare_pool_refill
from tenants.schemas import current_fingerprint
from tenants.tasks import SCHEMA_HEADER
from tenants.tokens import token_create
from tests.tenants.test_migrate import forget_first_job_migration, has_job_table

pytestmark = pytest.mark.slow_file(60)

SERVER = "server2"


@pytest.fixture(scope="session")
def second_server(django_db_setup, django_db_blocker):
    """A second database, on the test PostgreSQL, registered as the server `server2`."""
    name = f"{connection.settings_dict['NAME']}_{SERVER}"
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    entry = {**connection.settings_dict, "NAME": name, "ATOMIC_REQUESTS": False}
    settings.DATABASES[SERVER] = entry
    connections.settings[SERVER] = entry
    yield SERVER
    connections[SERVER].close()
    connections.settings.pop(SERVER, None)
    settings.DATABASES.pop(SERVER, None)  # (Django may hold the same dictionary)
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_servers(second_server, committed, settings):
    """Organization `one` on the public server, `two` on the second: each with a site and an API token."""
    one = committed.organization("srv-one")
    settings.WIREBOOK_NEW_ORGANIZATIONS_SERVER = SERVER
    two = committed.organization("srv-two")
    settings.WIREBOOK_NEW_ORGANIZATIONS_SERVER = "default"
    tokens = {}
    for organization, site in ((one, "Amsterdam"), (two, "Berlin")):
        with tenant_context(organization):
            Site.objects.create(name=site, slug=site.lower())
        owner = organization.memberships.get().user
        tokens[organization.slug] = token_create(organization=organization, user=owner)[1]
    return one, two, tokens


def schemas_on(server):
    with server_context(server), connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'org\\_%%'")
        return {row[0] for row in cursor.fetchall()}


def sites_on(server, schema_name):
    with server_context(server), connection.cursor() as cursor:
        cursor.execute(f'SELECT name FROM "{schema_name}".inventory_site ORDER BY name')
        return [row[0] for row in cursor.fetchall()]


def api(client_token, slug, path="/api/dcim/sites/", host=None):
    from django.test import Client

    headers = {"HTTP_AUTHORIZATION": f"Token {client_token}"} if client_token else {}
    return Client(raise_request_exception=False).get(f"/o/{slug}{path}", **headers)


def test_each_organization_lives_on_its_own_server(two_servers):
    one, two, _tokens = two_servers
    assert (one.database, two.database) == ("default", SERVER)
    assert one.schema_name in schemas_on("default") and one.schema_name not in schemas_on(SERVER)
    assert two.schema_name in schemas_on(SERVER) and two.schema_name not in schemas_on("default")
    assert sites_on(SERVER, two.schema_name) == ["Berlin"]
    assert sites_on("default", one.schema_name) == ["Amsterdam"]
    # The public schema -- organizations, users, memberships -- stays on the public server only.
    with server_context(SERVER), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone()[0] == 0
    with public_context():
        assert Organization.objects.get(pk=two.pk).database == SERVER


def test_the_rest_api_and_graphql_reach_the_organizations_server(two_servers):
    one, two, tokens = two_servers
    for organization, site in ((one, "Amsterdam"), (two, "Berlin")):
        response = api(tokens[organization.slug], organization.slug)
        assert response.status_code == 200, response.content
        assert [row["name"] for row in response.json()["results"]] == [site]
    owner = two.memberships.get().user
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.post(
        "/o/srv-two/graphql/", json.dumps({"query": "{ site_list { name } }"}), content_type="application/json"
    )
    assert response.json() == {"data": {"site_list": [{"name": "Berlin"}]}}
    # A page of the organization's UI, and a write through the API, on the second server.
    assert client.get("/o/srv-two/dcim/sites/").status_code == 200
    created = client.post(
        "/o/srv-two/api/dcim/sites/", json.dumps({"name": "Cairo", "slug": "cairo"}), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert sites_on(SERVER, two.schema_name) == ["Berlin", "Cairo"]


def test_statements_are_counted_on_every_server(two_servers, settings):
    """Benchmarks' `X-Wirebook-Statements` (tenants.middleware.StatementCountMiddleware) counts what a
    request sent to the organization's server too."""
    _one, _two, tokens = two_servers
    settings.MIDDLEWARE = ["tenants.middleware.StatementCountMiddleware", *settings.MIDDLEWARE]
    before = connections[SERVER].statements
    response = api(tokens["srv-two"], "srv-two")
    on_second_server = connections[SERVER].statements - before
    assert response.status_code == 200
    assert on_second_server > 0
    assert int(response["X-Wirebook-Statements"]) >= on_second_server


def test_one_organizations_token_never_reaches_the_other_servers_schema(two_servers):
    one, two, tokens = two_servers
    assert api(tokens["srv-one"], "srv-two").status_code == 404
    assert api(tokens["srv-two"], "srv-one").status_code == 404
    assert api(None, "srv-two").status_code == 403
    from django.test import Client

    outsider = Client(raise_request_exception=False)
    outsider.force_login(one.memberships.get().user)
    assert outsider.get("/o/srv-two/api/dcim/sites/").status_code == 404
    written = outsider.post(
        "/o/srv-two/api/dcim/sites/", json.dumps({"name": "X", "slug": "x"}), content_type="application/json"
    )
    assert written.status_code == 404
    assert sites_on(SERVER, two.schema_name) == ["Berlin"]


@shared_task(name="tests.site_names")
def site_names():
    return list(Site.objects.values_list("name", flat=True))


def test_a_task_runs_on_its_organizations_server(two_servers):
    """What a worker does with a task sent from an organization (tenants.tasks.OrganizationTask)."""
    one, two, _tokens = two_servers
    for organization, names in ((two, ["Berlin"]), (one, ["Amsterdam"])):
        result = site_names.apply(headers={SCHEMA_HEADER: organization.schema_name})
        assert result.get() == names


def test_migrate_migrates_the_schemas_of_every_server(two_servers):
    one, two, _tokens = two_servers
    for organization in (one, two):
        with server_context(organization.database):
            forget_first_job_migration(organization.schema_name, drop_table=True)
            assert organization.schema_name in stale_schemas([organization.schema_name])
    out = io.StringIO()
    call_command("migrate", "--jobs", "1", stdout=out)
    assert f"to migrate on server {SERVER}" in out.getvalue()
    for organization in (one, two):
        with server_context(organization.database):
            assert stale_schemas([organization.schema_name]) == set()
            assert has_job_table(organization.schema_name)
    # Its data came through, and it still answers on its server.
    assert sites_on(SERVER, two.schema_name) == ["Berlin"]


def test_spares_wait_on_the_new_organizations_server(second_server, committed, settings):
    settings.WIREBOOK_NEW_ORGANIZATIONS_SERVER = SERVER
    try:
        assert spare_pool_refill(target=1) == 1
        spare = SpareSchema.objects.get(database=SERVER, fingerprint=current_fingerprint())
        assert spare.schema_name in _all_schemas_on(SERVER)
        assert spare.schema_name not in _all_schemas_on("default")
        organization = committed.organization("srv-spare")
        assert organization.database == SERVER
        assert not SpareSchema.objects.filter(pk=spare.pk).exists()  # claimed: renamed to the organization's
        assert organization.schema_name in schemas_on(SERVER)
        assert spare.schema_name not in _all_schemas_on(SERVER)
    finally:
        with server_context(SERVER):
            for leftover in SpareSchema.objects.filter(database=SERVER):
                from tenants.schemas import schema_drop

                schema_drop(leftover.schema_name)
                leftover.delete()


def _all_schemas_on(server):
    with server_context(server), connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def test_the_move_command_moves_an_organization_with_its_data(two_servers):
    one, _two, tokens = two_servers
    with tenant_context(one):
        site = Site.objects.get()
    out = io.StringIO()
    call_command("organization_move", "srv-one", "--to", SERVER, stdout=out)
    assert f"srv-one: moved from server default to {SERVER}" in out.getvalue()
    one.refresh_from_db()
    assert one.database == SERVER
    assert one.schema_name in schemas_on(SERVER) and one.schema_name not in schemas_on("default")
    response = api(tokens["srv-one"], "srv-one")
    assert [(row["id"], row["name"]) for row in response.json()["results"]] == [(site.pk, "Amsterdam")]
    # New rows continue the ids (identity positions came along).
    with tenant_context(one):
        assert Site.objects.create(name="Dublin", slug="dublin").pk > site.pk
    # And back again.
    call_command("organization_move", "srv-one", "--to", "default", stdout=io.StringIO())
    one.refresh_from_db()
    assert one.database == "default"
    assert sites_on("default", one.schema_name) == ["Amsterdam", "Dublin"]
    assert one.schema_name not in schemas_on(SERVER)
    listed = io.StringIO()
    call_command("organization_move", "--list", stdout=listed)
    assert f"{SERVER}\tsrv-two" in listed.getvalue() and "default\tsrv-one" in listed.getvalue()


def test_the_move_command_refuses_what_it_cannot_do(two_servers):
    with pytest.raises(CommandError, match="on server default already"):
        call_command("organization_move", "srv-one", "--to", "default")
    with pytest.raises(CommandError, match="No database server 'nowhere'"):
        call_command("organization_move", "srv-one", "--to", "nowhere")
    with pytest.raises(CommandError, match="No organization with slug nobody"):
        call_command("organization_move", "nobody", "--to", SERVER)


def test_backup_and_restore_read_the_organizations_server(two_servers, media_root):
    _one, two, _tokens = two_servers
    out = io.StringIO()
    call_command("organization_backup", "srv-two", stdout=out)
    archive = out.getvalue().split(":")[1].split()[0]
    restored = io.StringIO()
    call_command(
        "organization_restore",
        archive,
        "--create",
        "srv-copy",
        "--owner",
        two.memberships.get().user.email,
        stdout=restored,
    )
    copy = Organization.objects.get(slug="srv-copy")
    try:
        assert copy.database == "default"
        assert sites_on("default", copy.schema_name) == ["Berlin"]
    finally:
        from tenants.services import organization_drop

        organization_drop(copy)
