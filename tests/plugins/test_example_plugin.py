"""The example plugin (docs/plugins/wirebook-example-plugin) installed, and enabled for one organization.

The suite's own settings stay plugin-free, so this runs Wirebook in a process of its own
(tests/plugins/scenario.py) with WIREBOOK_PLUGINS=wirebook_maintenance, the plugin's source on
PYTHONPATH (as `pip install` would put it on the path), against a database of its own on the same
PostgreSQL server, created here and dropped at the end. One `migrate`, two organizations; the
scenario reports what every door answered and the tests below check it.
"""

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_SOURCE = ROOT / "docs" / "plugins" / "wirebook-example-plugin"
LIST_PATH = "/api/plugins/maintenance/maintenance-windows/"
# First on its worker: the database is copied only while nothing else is connected to the suite's, and a
# live server (the browser tests', for the whole session) would make `migrate` build it all -- minutes.
pytestmark = pytest.mark.first_file


def _server(dbname: str) -> dict:
    db = connection.settings_dict
    return {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "dbname": dbname,
    }


def _url(dbname: str) -> str:
    s = _server(dbname)
    return f"postgres://{s['user']}:{s['password']}@{s['host']}:{s['port']}/{dbname}"


def _create_database(name: str) -> None:
    """A copy of the suite's migrated database when nothing else is connected to it (then `migrate` only
    adds the plugin's tables: seconds), else an empty one (`migrate` builds it all: minutes)."""
    connections.close_all()
    with psycopg.connect(**_server("postgres"), autocommit=True) as admin:
        try:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{connection.settings_dict["NAME"]}"')
        except psycopg.errors.ObjectInUse:
            admin.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="module")
def seen(django_db_setup, tmp_path_factory):
    name = f"wirebook_plugins_{uuid.uuid4().hex[:8]}"
    _create_database(name)
    redis = re.sub(r"(/\d+)?$", "/15", settings.REDIS_URL.split("?")[0], count=1)
    env = {
        **os.environ,
        "DATABASE_URL": _url(name),
        "REDIS_URL": redis,
        "WIREBOOK_PLUGINS": "wirebook_maintenance",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PLUGIN_SOURCE), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": "saas_platform.settings",
        "WIREBOOK_SPARE_SCHEMAS": "0",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
    }
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "plugins" / "scenario.py")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-6000:]
        yield json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(**_server("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_admins_enable_installed_plugins_only(seen):
    assert [plugin["name"] for plugin in seen["listed_before"]] == ["maintenance"]
    assert seen["listed_before"][0]["enabled"] is False
    assert seen["listed_before"][0]["version"] == "1.0.0"
    assert seen["enable_unknown"]["status"] == 400
    assert "'nope' is not an installed plugin" in seen["enable_unknown"]["body"]["plugins"][0]
    assert seen["enable"]["status"] == 200
    assert seen["enable"]["body"][0]["enabled"] is True
    assert seen["other_organization_put"] == 404
    assert seen["organization_a"] == ["maintenance"]


def test_rest_routes_work_where_enabled(seen):
    assert seen["a_create"]["status"] == 201, seen["a_create"]
    window = seen["a_create"]["body"]
    assert window["url"].endswith(f"/o/plugin-a{LIST_PATH}{window['id']}/")
    assert window["site"]["name"] == "Berlin"
    assert window["status"] == {"value": "planned", "label": "Planned"}
    assert window["tags"] == []
    assert window["custom_fields"] == {}
    assert seen["a_create_bad"]["status"] == 400
    assert seen["a_create_bad"]["body"] == {"end": ["A maintenance window ends after it starts."]}
    assert seen["a_list"]["count"] == 1
    assert seen["a_list_filtered"]["count"] == 1
    assert seen["a_detail"]["status"] == 200
    assert seen["a_patch"]["status"]["value"] == "completed"
    assert seen["a_changelog"] >= 3  # the site, the window and its change
    assert [plugin["package"] for plugin in seen["a_installed"]] == ["wirebook_maintenance"]
    assert seen["a_custom_field"] == 201


def test_the_plugins_root_lists_the_enabled_plugins_api_roots(seen):
    assert seen["a_plugins_root"] == {
        "installed-plugins": "http://testserver/o/plugin-a/api/plugins/installed-plugins/",
        "maintenance": "http://testserver/o/plugin-a/api/plugins/maintenance/",
    }
    assert seen["a_plugins_root_by_host"] == {
        "installed-plugins": "http://plugin-a.localhost/api/plugins/installed-plugins/",
        "maintenance": "http://plugin-a.localhost/api/plugins/maintenance/",
    }
    assert seen["a_plugin_root"] == {
        "maintenance-windows": "http://testserver/o/plugin-a/api/plugins/maintenance/maintenance-windows/"
    }
    assert seen["a_api_root"]["plugins"] == "http://testserver/o/plugin-a/api/plugins/"


def test_a_token_finds_the_enabled_plugins_paths_in_the_openapi_document(seen):
    assert LIST_PATH in seen["a_openapi_token"]
    assert f"{LIST_PATH}{{id}}/" in seen["a_openapi_token"]
    assert LIST_PATH in seen["a_openapi_token_by_host"]
    assert seen["a_openapi_token"] == seen["a_openapi"]


def test_graphql_search_and_object_types_where_enabled(seen):
    assert seen["a_graphql"] == {
        "data": {"maintenance_window_list": [{"name": "Core swap", "status": "completed", "site": {"name": "Berlin"}}]}
    }
    assert [hit["object_type"] for hit in seen["a_search"]["results"]] == ["maintenance.maintenancewindow"]
    assert "maintenance.maintenancewindow" in seen["a_object_types"]


def test_pages_navigation_and_openapi_where_enabled(seen):
    assert seen["a_ui_list"]["status"] == 200
    assert "Core swap" in seen["a_ui_list"]["body"]
    assert seen["a_ui_detail"] == 200
    assert "/o/plugin-a/plugins/maintenance/maintenance-windows/" in seen["a_home"]
    assert LIST_PATH in seen["a_openapi"]
    assert seen["a_settings_page"]["status"] == 200
    assert "Maintenance windows" in seen["a_settings_page"]["body"]


def test_the_other_organization_gets_what_an_unknown_path_gets(seen):
    assert seen["b_list"]["status"] == 404
    assert seen["b_list"] == seen["b_unknown_path"]
    assert seen["b_detail"] == seen["b_create"] == 404
    assert seen["b_installed"] == []
    assert seen["b_plugins_root"] == {
        "installed-plugins": "http://testserver/o/plugin-b/api/plugins/installed-plugins/"
    }
    assert seen["b_plugin_root"]["status"] == 404
    assert seen["b_plugin_root"] == seen["b_unknown_plugin_root"]
    assert LIST_PATH not in seen["b_openapi_token"]
    assert seen["b_ui_list"] == seen["b_ui_unknown"] == 404
    assert "maintenance-windows" not in seen["b_home"]
    assert LIST_PATH not in seen["b_openapi"]
    assert LIST_PATH not in seen["anonymous_openapi"]
    assert "maintenance.maintenancewindow" not in seen["b_object_types"]
    assert seen["b_custom_field"]["status"] == 400
    assert "maintenance.maintenancewindow" in seen["b_custom_field"]["body"]


def test_graphql_refuses_the_plugin_as_an_unknown_field(seen):
    [error] = seen["b_graphql"]["errors"]
    assert error["message"] == "Cannot query field 'maintenance_window_list' on type 'Query'."
    assert seen["b_graphql_unknown"]["errors"][0]["message"].startswith("Cannot query field 'no_such_list'")
    assert seen["b_graphql_site"]["errors"][0]["message"] == (
        "Cannot query field 'maintenance_windows' on type 'SiteType'."
    )


def test_other_organizations_and_anonymous_reach_nothing(seen):
    assert seen["a_token_in_b"] == 404
    assert seen["a_token_in_b_plugins_root"] == 404
    assert seen["anonymous_plugins_root"] == seen["anonymous_plugin_root"] == 403
    # another organization's token, a refused one and nobody get Wirebook's own document, without the plugin
    assert seen["b_token_in_a_openapi"] == seen["bad_token_openapi"] == seen["anonymous_openapi"]
    assert LIST_PATH not in seen["anonymous_openapi"]
    assert LIST_PATH not in seen["a_token_in_b_openapi"]
    assert seen["anonymous_api"] == 403
    assert seen["anonymous_page"]["status"] == 302
    assert "/login/" in seen["anonymous_page"]["location"]


def test_the_plugins_script_is_listed_and_runs_in_the_sandbox_where_enabled(seen):
    [module] = seen["a_modules"]
    assert (module["file_path"], module["plugin"]) == ("maintenance/maintenance_report.py", "maintenance")
    [script] = seen["a_scripts"]
    assert (script["name"], script["module"], script["vars"]) == (
        "Maintenance windows by status",
        module["id"],
        {"status": "ChoiceVar"},
    )
    assert seen["a_run"]["status"] == 200, seen["a_run"]
    job = seen["a_run_job"]
    assert job["status"]["value"] == "completed", job
    assert job["data"]["output"] == "1 maintenance window(s) completed"
    assert [entry["message"] for entry in job["data"]["log"]] == [
        "Berlin: Core swap, 2030-01-01T22:00:00Z to 2030-01-02T02:00:00Z",
        "Dry run: the database changes were rolled back.",
    ]
    assert job["data"]["committed"] is False
    assert "maintenance/maintenance_report" in seen["a_ui_modules"]["body"]


def test_the_plugins_module_is_read_only(seen):
    assert seen["a_module_delete"]["status"] == 400
    assert json.loads(seen["a_module_delete"]["body"]) == {
        "__all__": [
            "maintenance/maintenance_report.py is shipped by the plugin 'maintenance': it cannot be changed or "
            "deleted. Its scripts change when the plugin is upgraded."
        ]
    }


def test_the_plugins_scripts_stay_out_of_other_organizations(seen):
    assert seen["b_scripts"] == 0
    assert seen["b_module"] == seen["b_run"] == 404
    assert seen["a_token_in_b_scripts"] == 404
    assert seen["anonymous_scripts"] == 403


def test_disabling_hides_the_plugins_scripts_and_enabling_brings_back_the_same(seen):
    assert len(seen["b_enabled_scripts"]) == 1
    assert seen["b_disabled_scripts"] == 0
    assert seen["b_disabled_script"] == 404
    assert seen["b_reenabled_scripts"] == seen["b_enabled_scripts"]


def test_disabling_hides_the_data_and_keeps_it(seen):
    assert seen["b_enabled_list"] == 1
    assert seen["b_disabled_list"] == 404
    assert seen["b_disabled_search"]["count"] == 0
    assert seen["b_disabled_graphql"]["errors"][0]["message"].startswith("Cannot query field")
    assert seen["b_reenabled_list"] == ["Router swap"]
    assert seen["audit_b"] == [
        {"plugins": [[], ["maintenance"]]},
        {"plugins": [["maintenance"], []]},
        {"plugins": [[], ["maintenance"]]},
    ]
