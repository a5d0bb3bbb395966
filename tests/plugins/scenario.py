"""Run by tests/plugins/test_example_plugin.py in a process of its own, against a database of its own,
with WIREBOOK_PLUGINS naming the example plugin: migrates, creates two organizations, enables the plugin
for one of them, and prints what each door answered (one JSON object on the last line of stdout). The
test asserts on it; this script only observes, so a regression shows as a failed assertion there."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

# As pytest-django runs the suite: the development settings, answering as production does (no debug pages).
settings.DEBUG = False

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from tenants.models import AuditAction, AuditEvent  # noqa: E402
from tenants.services import organization_create  # noqa: E402
from tenants.tokens import token_create  # noqa: E402

LIST = "api/plugins/maintenance/maintenance-windows/"
PAGE = "plugins/maintenance/maintenance-windows/"
PLATFORM = "/api/platform/organizations/{slug}/plugins/"
SCRIPTS = "api/extras/scripts/"
MODULES = "api/extras/scripts/upload/"


def response_summary(response) -> dict:
    return {"status": response.status_code, "type": response.get("Content-Type", ""), "body": response.content.decode()}


def main() -> dict:
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.monotonic() - started:.1f} s", file=sys.stderr)
    users = get_user_model().objects
    owner_a = users.create_user("plugin-owner-a@example.com", "correct horse battery staple")
    owner_b = users.create_user("plugin-owner-b@example.com", "correct horse battery staple")
    org_a = organization_create(name="Plugin A", slug="plugin-a", owner=owner_a, enforce_quota=False)
    org_b = organization_create(name="Plugin B", slug="plugin-b", owner=owner_b, enforce_quota=False)
    _, key_a = token_create(organization=org_a, user=owner_a)
    _, key_b = token_create(organization=org_b, user=owner_b)
    seen: dict = {}

    def api(key: str, slug: str, method: str, path: str, body=None):
        client = Client(raise_request_exception=False)
        extra = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_ACCEPT": "application/json"}
        if body is None:
            return getattr(client, method)(f"/o/{slug}/{path}", **extra)
        return getattr(client, method)(f"/o/{slug}/{path}", json.dumps(body), content_type="application/json", **extra)

    def session(owner) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        return client

    def graphql(key: str, slug: str, query: str) -> dict:
        return api(key, slug, "post", "graphql/", {"query": query}).json()

    # -- enabling, through the platform API of the organization's settings ---------------------------------------
    a_platform, b_platform = session(owner_a), session(owner_b)
    seen["listed_before"] = a_platform.get(PLATFORM.format(slug="plugin-a")).json()
    unknown = a_platform.put(PLATFORM.format(slug="plugin-a"), {"plugins": ["nope"]}, content_type="application/json")
    seen["enable_unknown"] = {"status": unknown.status_code, "body": unknown.json()}
    enabled = a_platform.put(
        PLATFORM.format(slug="plugin-a"), {"plugins": ["maintenance"]}, content_type="application/json"
    )
    seen["enable"] = {"status": enabled.status_code, "body": enabled.json()}
    seen["other_organization_put"] = b_platform.put(
        PLATFORM.format(slug="plugin-a"), {"plugins": []}, content_type="application/json"
    ).status_code
    seen["organization_a"] = a_platform.get("/api/platform/organizations/plugin-a/").json()["plugins"]

    # -- the plugin's REST routes, where enabled --------------------------------------------------------------
    site_a = api(key_a, "plugin-a", "post", "api/dcim/sites/", {"name": "Berlin", "slug": "berlin"}).json()
    window = {"name": "Core swap", "site": site_a["id"], "start": "2030-01-01T22:00:00Z", "end": "2030-01-02T02:00:00Z"}
    created = api(key_a, "plugin-a", "post", LIST, {**window, "tags": [], "custom_fields": {}})
    seen["a_create"] = {"status": created.status_code, "body": created.json()}
    bad = api(key_a, "plugin-a", "post", LIST, {**window, "end": "2029-12-31T00:00:00Z"})
    seen["a_create_bad"] = {"status": bad.status_code, "body": bad.json()}
    window_id = created.json().get("id")
    seen["a_list"] = api(key_a, "plugin-a", "get", LIST).json()
    seen["a_list_filtered"] = api(key_a, "plugin-a", "get", f"{LIST}?site_id={site_a['id']}&status=planned").json()
    seen["a_detail"] = response_summary(api(key_a, "plugin-a", "get", f"{LIST}{window_id}/"))
    seen["a_patch"] = api(key_a, "plugin-a", "patch", f"{LIST}{window_id}/", {"status": "completed"}).json()
    seen["a_installed"] = api(key_a, "plugin-a", "get", "api/plugins/installed-plugins/").json()
    seen["a_api_root"] = api(key_a, "plugin-a", "get", "api/").json()
    seen["a_plugins_root"] = api(key_a, "plugin-a", "get", "api/plugins/").json()
    seen["a_plugins_root_by_host"] = (
        Client().get("/api/plugins/", HTTP_HOST="plugin-a.localhost", HTTP_AUTHORIZATION=f"Bearer {key_a}").json()
    )
    seen["a_plugin_root"] = api(key_a, "plugin-a", "get", "api/plugins/maintenance/").json()
    seen["a_openapi_token"] = sorted(api(key_a, "plugin-a", "get", "api/schema/").json()["paths"])
    seen["a_openapi_token_by_host"] = sorted(
        Client()
        .get("/api/schema/", HTTP_HOST="plugin-a.localhost", HTTP_AUTHORIZATION=f"Bearer {key_a}")
        .json()["paths"]
    )
    seen["a_graphql"] = graphql(key_a, "plugin-a", "{maintenance_window_list{name status site{name}}}")
    seen["a_search"] = api(key_a, "plugin-a", "get", "api/search/?q=swap").json()
    seen["a_object_types"] = [
        row["app_label"] + "." + row["model"]
        for row in api(key_a, "plugin-a", "get", "api/core/object-types/?limit=0").json()["results"]
    ]
    seen["a_custom_field"] = api(
        key_a,
        "plugin-a",
        "post",
        "api/extras/custom-fields/",
        {"name": "ticket", "type": "text", "object_types": ["maintenance.maintenancewindow"]},
    ).status_code
    seen["a_changelog"] = api(key_a, "plugin-a", "get", "api/core/object-changes/").json()["count"]
    # -- the script module the plugin ships: listed and run (in the sandbox) where enabled -------------------
    seen["a_modules"] = api(key_a, "plugin-a", "get", MODULES).json()["results"]
    seen["a_scripts"] = api(key_a, "plugin-a", "get", SCRIPTS).json()["results"]
    script_id = seen["a_scripts"][0]["id"] if seen["a_scripts"] else 0
    ran = api(key_a, "plugin-a", "post", f"{SCRIPTS}{script_id}/", {"data": {"status": "completed"}, "commit": False})
    seen["a_run"] = {"status": ran.status_code, "body": ran.json()}
    job_id = (ran.json().get("result") or {}).get("id")
    seen["a_run_job"] = api(key_a, "plugin-a", "get", f"api/core/jobs/{job_id}/").json()
    module_id = seen["a_modules"][0]["id"] if seen["a_modules"] else 0
    seen["a_module_delete"] = response_summary(api(key_a, "plugin-a", "delete", f"{MODULES}{module_id}/"))
    seen["b_scripts"] = api(key_b, "plugin-b", "get", SCRIPTS).json()["count"]
    seen["b_module"] = api(key_b, "plugin-b", "get", f"{MODULES}{module_id}/").status_code
    seen["b_run"] = api(key_b, "plugin-b", "post", f"{SCRIPTS}{script_id}/", {"data": {}, "commit": False}).status_code
    seen["a_token_in_b_scripts"] = api(key_a, "plugin-b", "get", SCRIPTS).status_code
    seen["anonymous_scripts"] = Client().get(f"/o/plugin-a/{SCRIPTS}", HTTP_ACCEPT="application/json").status_code

    a_ui = session(owner_a)
    seen["a_ui_modules"] = response_summary(a_ui.get("/o/plugin-a/extras/scripts/upload/"))
    seen["a_ui_list"] = response_summary(a_ui.get(f"/o/plugin-a/{PAGE}"))
    seen["a_ui_detail"] = a_ui.get(f"/o/plugin-a/{PAGE}{window_id}/").status_code
    seen["a_home"] = a_ui.get("/o/plugin-a/").content.decode()
    seen["a_openapi"] = sorted(a_ui.get("/o/plugin-a/api/schema/").json()["paths"])
    seen["a_settings_page"] = response_summary(a_ui.get("/o/plugin-a/settings/plugins/"))

    # -- the other organization: as if the plugin did not exist -----------------------------------------------
    seen["b_list"] = response_summary(api(key_b, "plugin-b", "get", LIST))
    seen["b_unknown_path"] = response_summary(api(key_b, "plugin-b", "get", "api/plugins/maintenance/nothing-here/"))
    seen["b_detail"] = api(key_b, "plugin-b", "get", f"{LIST}{window_id}/").status_code
    seen["b_create"] = api(key_b, "plugin-b", "post", LIST, window).status_code
    seen["b_installed"] = api(key_b, "plugin-b", "get", "api/plugins/installed-plugins/").json()
    seen["b_plugins_root"] = api(key_b, "plugin-b", "get", "api/plugins/").json()
    seen["b_plugin_root"] = response_summary(api(key_b, "plugin-b", "get", "api/plugins/maintenance/"))
    seen["b_unknown_plugin_root"] = response_summary(api(key_b, "plugin-b", "get", "api/plugins/nothing-here/"))
    seen["b_openapi_token"] = sorted(api(key_b, "plugin-b", "get", "api/schema/").json()["paths"])
    seen["b_graphql"] = graphql(key_b, "plugin-b", "{maintenance_window_list{name}}")
    seen["b_graphql_unknown"] = graphql(key_b, "plugin-b", "{no_such_list{name}}")
    seen["b_graphql_site"] = graphql(key_b, "plugin-b", "{site_list{name maintenance_windows{name}}}")
    seen["b_object_types"] = [
        row["app_label"] + "." + row["model"]
        for row in api(key_b, "plugin-b", "get", "api/core/object-types/?limit=0").json()["results"]
    ]
    seen["b_custom_field"] = response_summary(
        api(
            key_b,
            "plugin-b",
            "post",
            "api/extras/custom-fields/",
            {"name": "ticket", "type": "text", "object_types": ["maintenance.maintenancewindow"]},
        )
    )
    b_ui = session(owner_b)
    seen["b_ui_list"] = b_ui.get(f"/o/plugin-b/{PAGE}").status_code
    seen["b_ui_unknown"] = b_ui.get("/o/plugin-b/plugins/maintenance/nothing-here/").status_code
    seen["b_home"] = b_ui.get("/o/plugin-b/").content.decode()
    seen["b_openapi"] = sorted(b_ui.get("/o/plugin-b/api/schema/").json()["paths"])
    seen["anonymous_openapi"] = sorted(Client().get("/o/plugin-a/api/schema/").json()["paths"])
    # Organization A's member token in organization B, and nobody at all, in organization A.
    seen["a_token_in_b"] = api(key_a, "plugin-b", "get", LIST).status_code
    seen["a_token_in_b_plugins_root"] = api(key_a, "plugin-b", "get", "api/plugins/").status_code
    seen["a_token_in_b_openapi"] = sorted(api(key_a, "plugin-b", "get", "api/schema/").json()["paths"])
    seen["b_token_in_a_openapi"] = sorted(api(key_b, "plugin-a", "get", "api/schema/").json()["paths"])
    seen["bad_token_openapi"] = sorted(api("nbt_nope.nope", "plugin-a", "get", "api/schema/").json()["paths"])
    seen["anonymous_plugins_root"] = (
        Client().get("/o/plugin-a/api/plugins/", HTTP_ACCEPT="application/json").status_code
    )
    seen["anonymous_plugin_root"] = (
        Client().get("/o/plugin-a/api/plugins/maintenance/", HTTP_ACCEPT="application/json").status_code
    )
    seen["anonymous_api"] = Client().get(f"/o/plugin-a/{LIST}", HTTP_ACCEPT="application/json").status_code
    anonymous_page = Client().get(f"/o/plugin-a/{PAGE}")
    seen["anonymous_page"] = {"status": anonymous_page.status_code, "location": anonymous_page.get("Location", "")}

    # -- disabling keeps the data; enabling again shows it --------------------------------------------------
    b_platform.put(PLATFORM.format(slug="plugin-b"), {"plugins": ["maintenance"]}, content_type="application/json")
    site_b = api(key_b, "plugin-b", "post", "api/dcim/sites/", {"name": "Paris", "slug": "paris"}).json()
    api(key_b, "plugin-b", "post", LIST, {**window, "name": "Router swap", "site": site_b["id"]})
    seen["b_enabled_list"] = api(key_b, "plugin-b", "get", LIST).json()["count"]
    seen["b_enabled_scripts"] = [row["id"] for row in api(key_b, "plugin-b", "get", SCRIPTS).json()["results"]]
    b_platform.put(PLATFORM.format(slug="plugin-b"), {"plugins": []}, content_type="application/json")
    seen["b_disabled_list"] = api(key_b, "plugin-b", "get", LIST).status_code
    seen["b_disabled_scripts"] = api(key_b, "plugin-b", "get", SCRIPTS).json()["count"]
    seen["b_disabled_script"] = api(key_b, "plugin-b", "get", f"{SCRIPTS}{seen['b_enabled_scripts'][0]}/").status_code
    seen["b_disabled_search"] = api(key_b, "plugin-b", "get", "api/search/?q=swap").json()
    seen["b_disabled_graphql"] = graphql(key_b, "plugin-b", "{maintenance_window_list{name}}")
    b_platform.put(PLATFORM.format(slug="plugin-b"), {"plugins": ["maintenance"]}, content_type="application/json")
    seen["b_reenabled_list"] = [row["name"] for row in api(key_b, "plugin-b", "get", LIST).json()["results"]]
    seen["b_reenabled_scripts"] = [row["id"] for row in api(key_b, "plugin-b", "get", SCRIPTS).json()["results"]]
    seen["audit_b"] = [
        event.data
        for event in AuditEvent.objects.filter(organization=org_b, action=AuditAction.ORGANIZATION_UPDATED).order_by(
            "pk"
        )
    ]
    return seen


if __name__ == "__main__":
    print(json.dumps(main()))
