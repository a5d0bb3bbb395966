"""Shared fixtures.

The test database is built once per xdist worker by our `migrate` (public schema, schema
snapshot, spare pool). Two organizations, A and B, are created once per session and committed;
ordinary tests run inside a transaction that is rolled back (`db` fixture), so they may create
and change anything, A and B included.

Tests that need real commits (other connections, worker processes, migrations across schemas)
use the `committed` fixture, which cleans up the organizations it made.
"""

import itertools
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases

from tenants.models import Organization
from tenants.services import organization_create, organization_drop
from tests.live_server import pgbouncer_url, release_pooled_connections, server_log_section

PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class OrgUser:
    organization: Organization
    owner: object

    def client(self) -> Client:
        """A client logged in as the owner. The login saves the owner's last_login, which tombstones
        their cached row for 30 seconds (tenants.authcache); the tombstone is lifted at once, or every
        request would read the user until it expires and a query count could change mid-test."""
        from tenants import authcache
        from tenants.context import public_context

        client = Client(raise_request_exception=False)
        client.force_login(self.owner)
        with public_context():
            cache.delete(authcache.user_key(self.owner.pk))
        return client


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_modify_db_settings, django_db_blocker, django_db_keepdb
):
    """The test database, always: pytest-django would skip it when no collected test is marked
    for the database, and the `committed` fixture would then write to the real one."""
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=request.config.option.verbose, interactive=False, keepdb=django_db_keepdb, aliases={"default"}
        )
    yield
    if not django_db_keepdb:
        pooler_url = pgbouncer_url()
        if pooler_url:  # the live servers are gone; PgBouncer's server connections would keep the database
            release_pooled_connections(pooler_url)
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=request.config.option.verbose)


@pytest.fixture(scope="session")
def tenants(django_db_setup, django_db_blocker):
    """Organizations A and B with one owner each (committed for the whole session)."""
    users = get_user_model().objects
    assert connection.settings_dict["NAME"].startswith("test_"), "refusing to write outside the test database"
    with django_db_blocker.unblock():
        owner_a = users.create_user("owner-a@example.com", password=PASSWORD)
        owner_b = users.create_user("owner-b@example.com", password=PASSWORD)
        org_a = organization_create(name="Organization A", slug="org-a", owner=owner_a)
        org_b = organization_create(name="Organization B", slug="org-b", owner=owner_b)
    return {"a": OrgUser(org_a, owner_a), "b": OrgUser(org_b, owner_b)}


@pytest.fixture
def org_a(tenants, db):
    # The session's instance: a test's changes to it (status, plan) must not leak into the next test.
    tenants["a"].organization.refresh_from_db()
    return tenants["a"]


@pytest.fixture
def org_b(tenants, db):
    tenants["b"].organization.refresh_from_db()
    return tenants["b"]


@pytest.fixture(autouse=True)
def _forget_cached_definitions():
    """Organizations A and B outlive every test, and tests write custom field definitions with the
    ORM in transactions that roll back: no test may see definitions another cached (core.customfields),
    nor event rules (automation.events)."""
    from automation.events import forget_event_rules
    from core.customfields import forget_definitions

    forget_definitions()
    forget_event_rules()
    yield
    forget_definitions()
    forget_event_rules()


@pytest.fixture(autouse=True)
def _forget_cached_organizations(tenants):
    """Organizations A and B and their owners outlive every test; what a test cached of them (maybe
    changed in its rolled-back transaction: a membership of B's owner in A) must not: tenants.authcache.
    Forgotten before each test too: a class or module fixture's teardown (or another process) may
    cache them after the last test's, and an entry cached then would expire in the middle of the next
    test (tests/test_query_counts.py counted the organization's statements once, for one endpoint)."""
    from django.core.cache import cache

    from tenants import authcache
    from tenants.context import public_context

    organizations = [org.organization for org in tenants.values()]
    owners = [org.owner for org in tenants.values()]
    keys = (
        [authcache.organization_key(organization.slug) for organization in organizations]
        + [authcache.user_key(owner.pk) for owner in owners]
        + [authcache.membership_key(owner.pk, organization.pk) for owner in owners for organization in organizations]
        + [authcache.sso_required_key(organization.pk) for organization in organizations]
    )
    with public_context():
        cache.delete_many(keys)
    yield
    with public_context():
        cache.delete_many(keys)


class Committed:
    """Create organizations whose writes commit; everything made here is dropped afterwards."""

    def __init__(self):
        self.organizations = []
        self.users = []
        self._counter = 0

    def user(self, email=None):
        self._counter += 1
        user = get_user_model().objects.create_user(
            email or f"committed-{self._counter}@example.com", password=PASSWORD
        )
        self.users.append(user)
        return user

    def organization(self, slug, owner=None):
        organization = organization_create(name=slug.title(), slug=slug, owner=owner or self.user())
        self.organizations.append(organization)
        return organization

    def track(self, organization):
        self.organizations.append(organization)
        return organization

    def cleanup(self):
        for organization in self.organizations:
            if Organization.objects.filter(pk=organization.pk).exists():
                organization_drop(organization)
        get_user_model().objects.filter(pk__in=[u.pk for u in self.users]).delete()


@pytest.fixture
def committed(tenants, django_db_blocker):
    with django_db_blocker.unblock():
        helper = Committed()
        try:
            yield helper
        finally:
            helper.cleanup()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test that used a live server (tests/live_server.py) reports what it logged."""
    report = yield
    if report.when == "call" and report.failed:
        section = server_log_section(item)
        if section is not None:
            report.sections.append(("wirebook server log", section))
    return report


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def media_root(settings, tmp_path):
    """Files of the default storage go to a fresh directory, shared with `worker`."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker(committed, media_root, tmp_path):
    """A real Celery worker process on the test database and Redis; yields its log file."""
    from saas_platform.celery import app as celery_app

    celery_app.control.purge()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "saas_platform.settings",
        "WIREBOOK_SPARE_SCHEMAS": "0",
        "MEDIA_ROOT": str(media_root),
    }
    command = [sys.executable, "-m", "celery", "-A", "saas_platform", "worker", "--pool", "solo"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield log
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def pytest_configure(config):
    # xdist's loadfile would hand files out by number of tests, most first, whatever the collection
    # order: a long file with few tests (Ansible's playbook) then starts last, with one worker idle.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def _slow_file_seconds(item) -> float:
    marker = item.get_closest_marker("slow_file")
    return float(marker.args[0]) if marker is not None else 0.0


def longest_files_first(items):
    """Files marked `first_file` first (each worker's first file runs before anything else holds the test
    database), then those marked `slow_file(seconds)`, longest first, then the others by number of tests,
    most first (what xdist would do); each file's tests keep their order. With `--dist loadfile` xdist
    hands files out in this order, so the suite does not end on one worker still running a long file."""
    files: dict[str, list] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    order = sorted(
        files.values(),
        key=lambda tests: (
            tests[0].get_closest_marker("first_file") is None,
            -_slow_file_seconds(tests[0]),
            -len(tests),
        ),
    )
    return [item for tests in order for item in tests]


def pytest_collection_modifyitems(items):
    """Within each generic API/UI case class, the tests that use none of the class's shared rows run
    first, then those that use the related rows alone, then those that use the objects: the rows are
    made when a test first asks for them and stay until the class ends (tests/api_cases.py, CaseData).
    Files are ordered for xdist (`longest_files_first`)."""
    from tests.api_cases import CaseData

    def tier(item) -> int:
        names = item.fixturenames
        return 2 if "objects" in names else 1 if "named" in names else 0

    ordered = []
    for cls, group in itertools.groupby(items, key=lambda item: getattr(item, "cls", None)):
        tests = list(group)
        ordered += sorted(tests, key=tier) if cls is not None and issubclass(cls, CaseData) else tests
    items[:] = longest_files_first(ordered)
