"""A live Wirebook server for client-compatibility tests (real pynetbox over real HTTP).

Once per test module this starts gunicorn (threaded, so pynetbox's `threading=True` really
runs requests in parallel) on the *test* database and Redis, on a socket bound here on a free
port and handed over by file descriptor (no race for the port). Two organizations are created
and committed, so the server process sees them: `compat`, which the tests use, and
`compat-other`, whose token must not open `compat`. Each test starts from an empty `compat`.
When the module ends the server is stopped and everything committed here (organizations, their
schemas and tokens, users) is dropped, so the other test modules of this process never see it.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from tenants.context import tenant_context
from tenants.models import Organization
from tenants.services import organization_create, organization_drop
from tenants.tokens import token_create

ROOT = Path(__file__).resolve().parents[2]
SLUG = "compat"
OTHER_SLUG = "compat-other"
START_TIMEOUT = 30.0
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class LiveServer:
    base_url: str  # http://127.0.0.1:<port>
    log: Path

    def organization_url(self, slug: str) -> str:
        return f"{self.base_url}/o/{slug}"


@dataclass(frozen=True)
class Organizations:
    organization: Organization
    token: str  # v2, nbt_<key>.<secret>, sent by pynetbox as "Bearer"
    token_v1: str  # 40 hex characters, sent by pynetbox as "Token"
    read_only_token: str
    other_token: str  # a valid v2 token of the other organization


@dataclass(frozen=True)
class CompatOrganization(Organizations):
    url: str  # what pynetbox.api() is given: http://127.0.0.1:<port>/o/compat
    other_url: str  # http://127.0.0.1:<port>/o/compat-other


def database_url() -> str:
    db = connection.settings_dict
    assert db["NAME"].startswith("test_"), "refusing to serve anything but the test database"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def _log_tail(log: Path, characters: int = 4000) -> str:
    try:
        return log.read_text(errors="replace")[-characters:]
    except OSError:
        return "(no server log)"


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Wirebook server exited with code {process.returncode}:\n{_log_tail(log)}")
        try:
            response = requests.get(f"{base_url}/healthz", timeout=2)
            if response.status_code == 200:
                return
            last_error = f"{response.status_code} {response.text[:200]}"
        except requests.RequestException as error:
            last_error = str(error)
        time.sleep(0.1)
    pytest.fail(f"the Wirebook server did not become healthy in {START_TIMEOUT} s ({last_error}):\n{_log_tail(log)}")


@pytest.fixture(scope="module")
def live_server_process(django_db_setup, tmp_path_factory):
    """gunicorn serving `saas_platform.wsgi` on the test database; stopped before it is dropped."""
    log = tmp_path_factory.mktemp("wirebook-server") / "server.log"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saas_platform.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WIREBOOK_SPARE_SCHEMAS": "0",
        # Tokens are made here and checked there: both sides must digest with the same pepper.
        "SECRET_KEY": settings.SECRET_KEY,
        "API_TOKEN_PEPPER": settings.API_TOKEN_PEPPER,
        "SENTRY_DSN": "",
    }
    command = [
        sys.executable, "-m", "gunicorn", "saas_platform.wsgi:application",
        "--bind", f"fd://{listener.fileno()}",
        "--worker-class", "gthread", "--workers", "1", "--threads", "8",
        "--timeout", "120", "--graceful-timeout", "5",
        "--access-logfile", "-", "--error-logfile", "-", "--log-level", "info",
    ]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),)
        )
    listener.close()  # the server holds its own copy
    server = LiveServer(base_url=f"http://127.0.0.1:{port}", log=log)
    try:
        _wait_until_healthy(server.base_url, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _drop_leftover(slug: str) -> None:
    """An organization left behind by an interrupted run of a kept (--reuse-db) test database."""
    leftover = Organization.objects.filter(slug=slug).first()
    if leftover is not None:
        organization_drop(leftover)


@pytest.fixture(scope="module")
def compat_organizations(django_db_setup, django_db_blocker):
    """`compat` (tokens: v2, v1, read-only) and `compat-other` (one v2 token), committed."""
    users = get_user_model().objects
    made_users, made_organizations = [], []
    with django_db_blocker.unblock():
        try:
            for slug in (SLUG, OTHER_SLUG):
                _drop_leftover(slug)
                users.filter(email=f"{slug}-owner@example.com").delete()
                owner = users.create_user(f"{slug}-owner@example.com", password=PASSWORD)
                made_users.append(owner)
                made_organizations.append(organization_create(name=slug.title(), slug=slug, owner=owner))
            (organization, other), (owner, other_owner) = made_organizations, made_users
            _, token = token_create(organization=organization, user=owner, description="pynetbox v2")
            _, token_v1 = token_create(organization=organization, user=owner, description="pynetbox v1", version=1)
            _, read_only = token_create(organization=organization, user=owner, write_enabled=False)
            _, other_token = token_create(organization=other, user=other_owner)
            yield Organizations(
                organization=organization,
                token=token,
                token_v1=token_v1,
                read_only_token=read_only,
                other_token=other_token,
            )
        finally:
            for made in made_organizations:  # tokens and memberships go with them
                if Organization.objects.filter(pk=made.pk).exists():
                    organization_drop(made)
            users.filter(pk__in=[user.pk for user in made_users]).delete()


# What the tests create, children before what they point at (sites PROTECT their tenant). By
# label, so that models still being built elsewhere (custom fields) are skipped until they exist.
CREATED_MODELS = (
    "inventory.Location", "inventory.Site", "inventory.Tenant", "inventory.TenantGroup", "inventory.Region",
    "inventory.SiteGroup", "core.Tag", "core.CustomField", "core.CustomFieldChoiceSet",
)  # fmt: skip


def _empty(organization: Organization) -> None:
    with tenant_context(organization):
        for label in CREATED_MODELS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            model._base_manager.all().delete()


@pytest.fixture
def compat(compat_organizations, live_server_process, django_db_blocker, request):
    """The `compat` organization, empty at the start of the test, served live.

    (Requested after the organizations, the server is stopped before they are dropped.)"""
    with django_db_blocker.unblock():
        _empty(compat_organizations.organization)
    # Where this test's server log starts: a failure's report shows what the server logged.
    request.node.compat_server_log = (live_server_process.log, live_server_process.log.stat().st_size)
    return CompatOrganization(
        **vars(compat_organizations),
        url=live_server_process.organization_url(SLUG),
        other_url=live_server_process.organization_url(OTHER_SLUG),
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    server_log = getattr(item, "compat_server_log", None)
    if report.when == "call" and report.failed and server_log is not None:
        log, start = server_log
        with contextlib.suppress(OSError), log.open(errors="replace") as lines:
            lines.seek(start)
            report.sections.append(("wirebook server log", lines.read()[-20000:]))
    return report
