"""Script modules shipped by a plugin (automation.scripting.plugins): synced into an organization when it
enables the plugin, hidden while it is disabled, the same modules again when it is enabled again,
read-only for everyone, and invisible to other organizations and to anonymous callers.

The suite installs no plugin: `demo` here is a plugin package written by the test, made installed for
the test's duration (tests/plugins/ runs the real example plugin, with a real run of its script)."""

import json
import textwrap
import uuid
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from automation.models import Job, JobStatus, Script, ScriptModule
from automation.scripting.jobs import script_enqueue, script_job
from automation.scripting.plugins import plugin_scripts_sync, plugins_enabled_scripts_sync
from automation.services import JobEnded
from tenants.context import tenant_context
from tenants.plugins import plugins_resync
from tests.api_cases import Upload, call

UPLOAD = "/o/{slug}/api/extras/scripts/upload/"
SCRIPTS = "/o/{slug}/api/extras/scripts/"
PLATFORM = "/api/platform/organizations/{slug}/plugins/"

REPORT = textwrap.dedent(
    """
    from extras.scripts import Script, StringVar


    class Report(Script):
        class Meta:
            name = "Demo report"

        label = StringVar(required=False)

        def run(self, data, commit):
            return "report"
    """
)


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """An installed plugin `demo` whose package ships one script module, scripts/report.py (plus files
    that are no modules)."""
    # A name of the test's own: Python keeps a package it imported, and each test writes its own files.
    name = f"wirebook_demo_{uuid.uuid4().hex[:8]}"
    package = tmp_path / name
    (package / "scripts").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "scripts" / "report.py").write_text(REPORT)
    (package / "scripts" / "_helpers.py").write_text("X = 1\n")
    (package / "scripts" / "README.md").write_text("not a module\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = SimpleNamespace(
        label="demo",
        name=name,
        scripts="scripts",
        verbose_name="Demo",
        version="1.0",
        description="",
        author="",
        author_email="",
        plugin_base_url=lambda: "demo",
    )
    installed = {"demo": config}
    for where in ("tenants.plugins", "tenants.services", "core.registry", "automation.scripting.plugins"):
        monkeypatch.setattr(f"{where}.installed_plugins", lambda: installed)
    return SimpleNamespace(config=config, package=package)


def put_plugins(org, plugins):
    response = org.client().put(
        PLATFORM.format(slug=org.organization.slug), json.dumps({"plugins": plugins}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    org.organization.refresh_from_db()


def scripts_listed(org, client=None):
    response = (client or org.client()).get(SCRIPTS.format(slug=org.organization.slug))
    assert response.status_code == 200
    return [(row["name"], row["module"]) for row in response.json()["results"]]


def test_enabling_the_plugin_brings_its_modules_listed_and_runnable(demo, org_a):
    # given the plugin installed and not enabled: nothing of it
    assert scripts_listed(org_a) == []

    # when an admin enables it
    put_plugins(org_a, ["demo"])

    # then its module is there, named after the plugin, marked with it, with its script
    modules = org_a.client().get(UPLOAD.format(slug="org-a")).json()["results"]
    assert [(module["file_path"], module["plugin"]) for module in modules] == [("demo/report.py", "demo")]
    assert scripts_listed(org_a) == [("Demo report", modules[0]["id"])]
    with tenant_context(org_a.organization):
        script = Script.objects.get(module__plugin="demo")
    ran = org_a.client().post(
        f"{SCRIPTS.format(slug='org-a')}{script.pk}/",
        json.dumps({"data": {"label": "x"}, "commit": False}),
        content_type="application/json",
    )
    assert ran.status_code == 200, ran.content
    assert ran.json()["result"]["status"]["value"] == JobStatus.PENDING


def test_disabling_hides_the_modules_and_enabling_again_brings_back_the_same(demo, org_a):
    put_plugins(org_a, ["demo"])
    with tenant_context(org_a.organization):
        module = ScriptModule.objects.get(plugin="demo")
        script = Script.objects.get(module=module)
        job = script_enqueue(script=script, user_id=org_a.owner.pk, data={}, commit=False)
    client = org_a.client()

    put_plugins(org_a, [])

    assert scripts_listed(org_a) == []
    assert client.get(UPLOAD.format(slug="org-a")).json()["count"] == 0
    assert client.get(f"{UPLOAD.format(slug='org-a')}{module.pk}/").status_code == 404
    assert client.get(f"{SCRIPTS.format(slug='org-a')}{script.pk}/").status_code == 404
    refused = client.post(
        f"{SCRIPTS.format(slug='org-a')}{script.pk}/", json.dumps({"data": {}, "commit": False}), "application/json"
    )
    assert refused.status_code == 404
    assert client.get(f"/o/org-a/extras/scripts/{script.pk}/").status_code == 404
    assert client.get(f"/o/org-a/extras/scripts/{script.pk}/run/").status_code == 404
    assert "demo/report" not in client.get("/o/org-a/extras/scripts/upload/").content.decode()
    # a job queued while it was enabled does not run now, and says why; the job itself stays (its history)
    with tenant_context(org_a.organization), pytest.raises(JobEnded, match="'demo' is not enabled"):
        script_job(Job.objects.get(pk=job.pk), data={}, commit=False)
    assert client.get(f"/o/org-a/api/core/jobs/{job.pk}/").status_code == 200

    put_plugins(org_a, ["demo"])

    with tenant_context(org_a.organization):
        assert list(ScriptModule.objects.filter(plugin="demo").values_list("pk", flat=True)) == [module.pk]
        assert Script.objects.get(module=module).pk == script.pk
        assert Job.objects.filter(object_id=script.pk).count() == 1
    assert scripts_listed(org_a) == [("Demo report", module.pk)]


def test_a_plugins_modules_are_read_only(demo, org_a):
    put_plugins(org_a, ["demo"])
    with tenant_context(org_a.organization):
        module = ScriptModule.objects.get(plugin="demo")
    client = org_a.client()
    url = f"{UPLOAD.format(slug='org-a')}{module.pk}/"
    expected = {
        "__all__": [
            "demo/report.py is shipped by the plugin 'demo': it cannot be changed or deleted. Its scripts "
            "change when the plugin is upgraded."
        ]
    }

    replaced = call(client, "put", url, {"file": Upload("report.py", REPORT.encode(), "text/x-python")})
    deleted = client.delete(url)
    bulk = client.delete(UPLOAD.format(slug="org-a"), json.dumps([{"id": module.pk}]), "application/json")
    page = client.post(f"/o/org-a/extras/scripts/upload/{module.pk}/delete/")
    form = client.post(
        f"/o/org-a/extras/scripts/upload/{module.pk}/edit/",
        {"file": SimpleUploadedFile("report.py", REPORT.encode(), "text/x-python")},
    )

    assert (replaced.status_code, replaced.json()) == (400, expected)
    assert (deleted.status_code, deleted.json()) == (400, expected)
    assert (bulk.status_code, bulk.json()) == (400, expected)
    assert page.status_code == 409
    assert "shipped by the plugin" in page.content.decode()
    assert form.status_code == 200  # the form again, with the refusal as its error
    assert "demo/report.py is shipped by the plugin &#x27;demo&#x27;" in form.content.decode()
    with tenant_context(org_a.organization):
        assert ScriptModule.objects.get(pk=module.pk).source == REPORT


def test_an_upgrade_is_synced_idempotently(demo, org_a):
    put_plugins(org_a, ["demo"])
    with tenant_context(org_a.organization):
        module = ScriptModule.objects.get(plugin="demo")
        script = Script.objects.get(module=module)
        last_updated = module.last_updated

    # nothing changed: nothing written
    assert plugins_resync() == 1
    with tenant_context(org_a.organization):
        assert ScriptModule.objects.get(pk=module.pk).last_updated == last_updated

    # the plugin's next release changes the file and adds another
    (demo.package / "scripts" / "report.py").write_text(REPORT.replace("Demo report", "Demo report v2"))
    (demo.package / "scripts" / "audit.py").write_text(REPORT.replace("class Report", "class Audit"))
    plugins_enabled_scripts_sync(org_a.organization, frozenset({"demo"}))

    with tenant_context(org_a.organization):
        assert sorted(ScriptModule.objects.filter(plugin="demo").values_list("file_path", flat=True)) == [
            "demo/audit.py",
            "demo/report.py",
        ]
        assert Script.objects.get(pk=script.pk).name == "Demo report v2"  # same script, its jobs kept

    # a file the plugin no longer ships goes
    (demo.package / "scripts" / "audit.py").unlink()
    with tenant_context(org_a.organization):
        plugin_scripts_sync(plugin="demo")
        assert list(ScriptModule.objects.filter(plugin="demo").values_list("file_path", flat=True)) == [
            "demo/report.py"
        ]


def test_another_organization_and_anonymous_see_nothing(demo, org_a, org_b):
    put_plugins(org_a, ["demo"])
    with tenant_context(org_a.organization):
        module = ScriptModule.objects.get(plugin="demo")
        script = Script.objects.get(module=module)

    # organization B, which did not enable the plugin: nothing in its schema, nothing listed
    assert scripts_listed(org_b) == []
    with tenant_context(org_b.organization):
        assert not ScriptModule.objects.filter(plugin="demo").exists()
    # organization B's owner in organization A, and nobody at all
    assert org_b.client().get(SCRIPTS.format(slug="org-a")).status_code == 404
    assert org_b.client().get(f"{SCRIPTS.format(slug='org-a')}{script.pk}/").status_code == 404
    anonymous = Client()
    assert anonymous.get(SCRIPTS.format(slug="org-a"), HTTP_ACCEPT="application/json").status_code == 403
    assert (
        anonymous.get(f"{UPLOAD.format(slug='org-a')}{module.pk}/", HTTP_ACCEPT="application/json").status_code == 403
    )
    assert anonymous.post(
        f"{SCRIPTS.format(slug='org-a')}{script.pk}/", json.dumps({"data": {}, "commit": True}), "application/json"
    ).status_code in (403, 404)
