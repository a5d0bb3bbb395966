"""Enabling plugins per organization, and the registry's hiding of what a plugin registers.

The suite installs no plugin (tests/plugins/test_example_plugin.py runs one in a process of its own):
here the settings page and the platform API refuse every name, and the registry's rules are checked
on a registry of the test's own, with a fake installed plugin."""

import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from core.registry import Api, Registry, Ui
from inventory.models import Region, Site
from tenants.context import tenant_context
from tenants.models import AuditAction, MembershipRole
from tenants.services import organization_plugins_set
from tests.saas_platform.members import client_of, events, member

PLUGINS_PAGE = "/o/org-a/settings/plugins/"
PLUGINS_API = "/api/platform/organizations/org-a/plugins/"


def put(client, path, body):
    return client.put(path, json.dumps(body), content_type="application/json")


def test_the_settings_tab_says_when_no_plugin_is_installed(org_a):
    response = org_a.client().get(PLUGINS_PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "No plugins are installed on this server" in page
    assert 'href="/o/org-a/settings/plugins/"' in org_a.client().get("/o/org-a/settings/").content.decode()


@pytest.mark.parametrize("role", [MembershipRole.EDITOR, MembershipRole.VIEWER])
def test_only_admins_and_owners_open_the_plugins_tab(org_a, role):
    client = client_of(member(org_a, role).user)

    assert client.get(PLUGINS_PAGE).status_code == 403
    assert client.post(PLUGINS_PAGE, {"plugins": []}).status_code == 403


def test_other_organizations_and_anonymous_do_not_reach_the_plugins_tab(org_a, org_b):
    assert org_b.client().get(PLUGINS_PAGE).status_code == 404
    anonymous = Client().get(PLUGINS_PAGE)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]


def test_the_tab_refuses_an_unknown_plugin_as_a_form_error(org_a):
    response = org_a.client().post(PLUGINS_PAGE, {"plugins": ["nope"]})

    assert response.status_code == 400
    assert "Select a valid choice. nope is not one of the available choices." in response.content.decode()


def test_the_platform_api_lists_no_plugin_and_refuses_unknown_names(org_a):
    client = org_a.client()

    assert client.get(PLUGINS_API).json() == []
    assert client.get("/api/platform/organizations/org-a/").json()["plugins"] == []
    refused = put(client, PLUGINS_API, {"plugins": ["nope"]})
    assert refused.status_code == 400
    assert refused.json() == {"plugins": ["'nope' is not an installed plugin (installed: none)."]}
    assert put(client, PLUGINS_API, {"plugins": "nope"}).status_code == 400
    assert put(client, PLUGINS_API, {"plugins": []}).json() == []


def test_the_platform_api_admits_admins_of_the_organization_only(org_a, org_b):
    viewer = client_of(member(org_a, MembershipRole.VIEWER).user)

    assert put(viewer, PLUGINS_API, {"plugins": []}).status_code == 403
    assert put(org_b.client(), PLUGINS_API, {"plugins": []}).status_code == 404
    assert org_b.client().get(PLUGINS_API).status_code == 404
    assert put(Client(), PLUGINS_API, {"plugins": []}).status_code == 403


def test_the_service_refuses_unknown_names_and_non_managers(org_a):
    with pytest.raises(ValidationError):
        organization_plugins_set(organization=org_a.organization, by=org_a.owner, plugins=["nope"])
    editor = member(org_a, MembershipRole.EDITOR).user
    with pytest.raises(ValidationError):
        organization_plugins_set(organization=org_a.organization, by=editor, plugins=["nope"])

    organization_plugins_set(organization=org_a.organization, by=org_a.owner, plugins=[])

    assert events(org_a.organization, AuditAction.ORGANIZATION_UPDATED) == []  # nothing changed


# -- the registry ----------------------------------------------------------------------------------------------


@pytest.fixture
def plugin_registry(monkeypatch):
    """A registry of the test's own where `demo` is an installed plugin registering sites."""
    registry = Registry()
    monkeypatch.setattr("core.registry.installed_plugins", lambda: {"demo": SimpleNamespace(label="demo")})
    monkeypatch.setattr("tenants.plugins.installed_plugins", lambda: {"demo": SimpleNamespace(label="demo")})
    registry.register(Region, api=Api("dcim/regions", brief_fields=("id",)))
    with registry.plugin_registrations("demo", "demo"):
        registry.register(Site, api=Api("plugins/demo/sites", brief_fields=("id",)), ui=Ui())
    return registry


def test_a_plugins_registrations_carry_its_name(plugin_registry):
    spec = plugin_registry.get(Site)

    assert spec.plugin == "demo"
    assert spec.type_label == "inventory.site"
    assert spec.app_prefix == "plugins/demo"
    assert plugin_registry.get(Region).plugin is None


def test_a_plugin_registers_under_its_own_path_and_changes_only_its_own_models(plugin_registry):
    from inventory.models import Location

    with plugin_registry.plugin_registrations("demo", "demo"), pytest.raises(ValueError, match="plugins/demo/"):
        plugin_registry.register(Location, api=Api("dcim/locations", brief_fields=("id",)))
    with plugin_registry.plugin_registrations("demo", "demo"), pytest.raises(ValueError, match="not its own model"):
        plugin_registry.extend(Region, ui=Ui())
    with pytest.raises(ValueError, match="are for plugins"):
        plugin_registry.register(Location, api=Api("plugins/demo/locations", brief_fields=("id",)))


def test_the_registry_hides_a_plugin_the_organization_has_not_enabled(plugin_registry, org_a):
    organization = org_a.organization

    with tenant_context(organization):
        assert [spec.model for spec in plugin_registry] == [Region]
        assert Site not in plugin_registry
        assert plugin_registry.visible(Site) is None
        assert plugin_registry.find_path("plugins/demo/sites") is None
        assert plugin_registry.find_label("inventory.site") is None
        assert [spec.model for spec in plugin_registry.in_menu_order()] == [Region]
    organization.plugins = ["demo"]
    with tenant_context(organization):
        assert [spec.model for spec in plugin_registry] == [Region, Site]
        assert plugin_registry.visible(Site) is not None
    # With no organization selected (startup, the public schema) every registration is there.
    assert [spec.model for spec in plugin_registry] == [Region, Site]
    assert [spec.model for spec in plugin_registry.for_organization(None)] == [Region]
    assert len(plugin_registry.installed()) == 2
