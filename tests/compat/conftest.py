"""A live Wirebook server for client-compatibility tests (real pynetbox over real HTTP).

Once per test module this starts a live server (tests/live_server.py: gunicorn, threaded, so
pynetbox's `threading=True` really runs requests in parallel, on the *test* database). Two organizations are created
and committed, so the server process sees them: `compat`, which the tests use, and
`compat-other`, whose token must not open `compat`. Each test starts from an empty `compat`.
When the module ends the server is stopped and everything committed here (organizations, their
schemas and tokens, users) is dropped, so the other test modules of this process never see it.
"""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError

from core.registry import registry
from tenants.context import tenant_context
from tenants.models import Organization
from tenants.services import organization_create, organization_drop
from tenants.tokens import token_create
from tests.live_server import attach_server_log, live_server

SLUG = "compat"
OTHER_SLUG = "compat-other"
PASSWORD = "correct horse battery staple"


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


@pytest.fixture(scope="module")
def live_server_process(django_db_setup, tmp_path_factory):
    """gunicorn serving `saas_platform.wsgi` on the test database; stopped before it is dropped."""
    with live_server(tmp_path_factory.mktemp("wirebook-server")) as server:
        yield server


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
    "circuits.CircuitTermination", "circuits.Circuit", "circuits.CircuitType", "circuits.ProviderNetwork",
    "circuits.ProviderAccount", "circuits.Provider",
    "addressing.Service", "addressing.IPAddress", "addressing.IPRange", "addressing.Prefix", "addressing.Aggregate",
    "addressing.VLAN", "addressing.VLANGroup", "addressing.VRF", "addressing.RouteTarget", "addressing.ASN",
    "addressing.RIR", "addressing.Role", "inventory.VirtualMachine", "inventory.Cluster", "inventory.ClusterType",
    "inventory.ClusterGroup", "inventory.Device", "inventory.Rack", "inventory.DeviceType", "inventory.DeviceRole",
    "inventory.Manufacturer",
    "inventory.Location", "inventory.Site", "inventory.Tenant", "inventory.TenantGroup",
    "inventory.Region", "inventory.SiteGroup", "core.Tag", "core.CustomField", "core.CustomFieldChoiceSet",
)  # fmt: skip


def _empty(organization: Organization) -> None:
    """`CREATED_MODELS` first, in order; then whatever else a test left (Ansible's playbook creates
    most models), every registered model, again while a protected row waits for what points at it."""
    with tenant_context(organization):
        for label in CREATED_MODELS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            try:
                with transaction.atomic():
                    model._base_manager.all().delete()
            except ProtectedError:  # something not listed points at it: the loop below gets it
                continue
        left = [spec.model for spec in registry if spec.model._base_manager.exists()]
        for _attempt in range(len(left) + 1):
            blocked = []
            for model in left:
                try:
                    with transaction.atomic():
                        model._base_manager.all().delete()
                except ProtectedError:
                    blocked.append(model)
            if not blocked:
                return
            left = blocked
        raise AssertionError(f"could not empty {organization.slug}: {left}")


@pytest.fixture
def compat(compat_organizations, live_server_process, django_db_blocker, request):
    """The `compat` organization, empty at the start of the test, served live.

    (Requested after the organizations, the server is stopped before they are dropped.)"""
    with django_db_blocker.unblock():
        _empty(compat_organizations.organization)
    attach_server_log(request, live_server_process)
    return CompatOrganization(
        **vars(compat_organizations),
        url=live_server_process.organization_url(SLUG),
        other_url=live_server_process.organization_url(OTHER_SLUG),
    )
