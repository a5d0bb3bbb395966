"""Custom scripts through NetBox's API: modules uploaded (and refused when they do not load), scripts
listed with their variables, runs checked against the variables and queued as jobs, permissions and
isolation between organizations."""

import textwrap
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from automation.models import Job, JobStatus, Script, ScriptModule
from core.api.openapi import openapi_document
from core.models import ObjectChange, ObjectPermission
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import MembershipRole
from tenants.tokens import token_create
from tests.api_cases import APICase, Upload, call
from tests.automation.test_jobs import member_client

UPLOAD = "/o/org-a/api/extras/scripts/upload/"
SCRIPTS = "/o/org-a/api/extras/scripts/"

SITES = textwrap.dedent(
    """
    from extras.scripts import ChoiceVar, IntegerVar, ObjectVar, Script, StringVar
    from dcim.models import Site


    class NewSites(Script):
        class Meta:
            name = "New sites"
            description = "Create numbered sites"
            commit_default = False

        prefix = StringVar(max_length=10, regex="^[a-z]+$")
        count = IntegerVar(min_value=1, max_value=5, default=2, required=False)
        region = ObjectVar(model=Site, required=False)
        size = ChoiceVar(choices=(("s", "Small"), ("l", "Large")), required=False)

        def run(self, data, commit):
            return "ok"


    class Fixed(Script):
        class Meta:
            scheduling_enabled = False

        def run(self, data, commit):
            return "fixed"
    """
)


def module_source(name: str) -> str:
    return textwrap.dedent(
        f"""
        from extras.scripts import Script

        class {name}(Script):
            def run(self, data, commit):
                return "{name}"
        """
    )


def upload(name: str, source: str) -> Upload:
    return Upload(name, source.encode(), "text/x-python")


class TestScriptModuleAPI(APICase):
    model = ScriptModule
    create_data = [
        {"file": upload("sites.py", module_source("Sites"))},
        {"file": upload("racks.py", module_source("Racks"))},
        {"file": upload("audit.py", module_source("Audit"))},
    ]
    update_data = {"file": upload("sites_v2.py", module_source("SitesAgain"))}
    brief_fields = ["display", "file_path", "id", "url"]
    # Its only writable field is its file, which a bulk edit (like a bulk update's JSON) cannot carry.
    bulk_editable = False

    def assert_echoes(self, payload: dict, body: dict) -> None:
        """A module's file is shown as its name (NetBox's `file_path`)."""
        for key, value in payload.items():
            assert isinstance(value, Upload) and key == "file", key
            assert body["file_path"] == value.name

    def test_bulk_create(self, org_a, owner, slug, payloads):
        """A list is JSON, which carries no file: each item is refused and nothing is written."""
        response = call(owner, "post", self.list_url(slug), payloads[1:])

        assert response.status_code == 400, response.content
        assert [error["errors"] for error in response.json()["errors"]] == [
            {"file": ["The submitted data was not a file. Check the encoding type on the form."]}
        ] * 2
        assert self.listed(owner, slug) == []

    def test_bulk_update(self, org_a, owner, slug, objects, update):
        """A bulk update's JSON carries no file: the list does not take PUT or PATCH at all (NetBox's 405)."""
        for method in ("put", "patch"):
            response = call(owner, method, self.list_url(slug), [{"id": row["id"], **update} for row in objects])

            assert response.status_code == 405, response.content
            assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}
            assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST", "DELETE", "OPTIONS"}
        assert sorted(row["file_path"] for row in self.listed(owner, slug)) == sorted(
            row["file_path"] for row in objects
        )


def _scripts(index: int) -> None:
    module, _ = ScriptModule.objects.get_or_create(file_path="listed.py", defaults={"source": "# listed"})
    Script.objects.create(
        module=module,
        class_name=f"Script{index}",
        name=f"Script number {index}",
        description=f"the {index}th",
        vars={"name": {"type": "string", "class": "StringVar", "required": True}},
    )


class TestScriptAPI(APICase):
    model = Script
    make_object = staticmethod(_scripts)
    brief_fields = ["description", "display", "id", "name", "url"]


def module_upload(client: Client, name: str, source: str, path: str = UPLOAD, method: str = "post"):
    return call(client, method, path, {"file": upload(name, source)})


def scripts_of(org, file_path: str) -> dict[str, Script]:
    with tenant_context(org.organization):
        return {script.class_name: script for script in Script.objects.filter(module__file_path=file_path)}


def test_an_uploaded_module_lists_its_scripts_with_their_variables(org_a):
    client = org_a.client()

    response = module_upload(client, "sites.py", SITES)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["file_path"] == "sites.py" and body["display"] == "sites"
    listed = client.get(SCRIPTS).json()
    assert listed["count"] == 2
    by_name = {row["name"]: row for row in listed["results"]}
    new_sites = by_name["New sites"]
    assert new_sites["module"] == body["id"]
    assert new_sites["description"] == "Create numbered sites"
    assert new_sites["vars"] == {
        "prefix": "StringVar",
        "count": "IntegerVar",
        "region": "ObjectVar",
        "size": "ChoiceVar",
    }
    assert new_sites["is_executable"] is True and new_sites["result"] is None
    assert new_sites["url"].endswith(f"/api/extras/scripts/{new_sites['id']}/")
    assert by_name["Fixed"]["vars"] == {}
    with tenant_context(org_a.organization):
        assert ObjectChange.objects.filter(changed_object_type__model="scriptmodule", action="create").count() == 1


@pytest.mark.parametrize(
    ("name", "source", "message"),
    [
        ("broken.py", "def run(:\n", "The module could not be loaded: SyntaxError"),
        ("imports.py", "import requests\n", "The module could not be loaded: ModuleNotFoundError"),
        ("empty.py", "X = 1\n", "The module defines no script"),
        ("loop.py", "while True:\n    pass\n", "The module could not be loaded:"),
        ("notes.txt", module_source("Notes"), "A script module is a Python file"),
    ],
)
def test_a_module_that_does_not_load_is_refused_and_nothing_is_saved(org_a, name, source, message):
    response = module_upload(org_a.client(), name, source)

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["file"]
    assert response.json()["file"][0].startswith(message), response.json()
    with tenant_context(org_a.organization):
        assert not ScriptModule.objects.exists() and not Script.objects.exists()


def test_replacing_a_module_keeps_the_scripts_still_in_it(org_a):
    client = org_a.client()
    module = module_upload(client, "sites.py", SITES).json()
    kept = scripts_of(org_a, "sites.py")["NewSites"]
    replacement = SITES.replace('name = "New sites"', 'name = "Newer sites"').replace("class Fixed", "class Other")

    response = module_upload(client, "sites.py", replacement, f"{UPLOAD}{module['id']}/", "put")

    assert response.status_code == 200, response.content
    after = scripts_of(org_a, "sites.py")
    assert set(after) == {"NewSites", "Other"}
    assert after["NewSites"].pk == kept.pk and after["NewSites"].name == "Newer sites"
    # a replacement that does not load changes nothing
    broken = module_upload(client, "sites.py", "syntax error here", f"{UPLOAD}{module['id']}/", "patch")
    assert broken.status_code == 400
    assert set(scripts_of(org_a, "sites.py")) == {"NewSites", "Other"}


def test_deleting_a_module_deletes_its_scripts_and_their_jobs(org_a):
    client = org_a.client()
    module = module_upload(client, "sites.py", SITES).json()
    script = scripts_of(org_a, "sites.py")["Fixed"]
    assert client.post(f"{SCRIPTS}{script.pk}/", {"data": {}, "commit": True}, "application/json").status_code == 200

    response = client.delete(f"{UPLOAD}{module['id']}/")

    assert response.status_code == 204, response.content
    with tenant_context(org_a.organization):
        assert not Script.objects.exists() and not Job.objects.exists()


def test_a_run_is_checked_against_the_variables_field_by_field(org_a):
    client = org_a.client()
    module_upload(client, "sites.py", SITES)
    script = scripts_of(org_a, "sites.py")["NewSites"]

    response = client.post(
        f"{SCRIPTS}{script.pk}/",
        {"data": {"prefix": "Not-Lower", "count": 9, "region": 999999, "size": "xl"}, "commit": True},
        "application/json",
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        "prefix": ["Invalid value."],
        "count": ["Ensure this value is less than or equal to 5."],
        "region": ["Select a valid choice. That choice is not one of the available choices."],
        "size": ["Select a valid choice. xl is not one of the available choices."],
    }
    missing = client.post(f"{SCRIPTS}{script.pk}/", {"data": {}}, "application/json")
    assert missing.status_code == 400
    assert missing.json() == {"commit": ["This field is required."]}
    required = client.post(f"{SCRIPTS}{script.pk}/", {"data": {}, "commit": False}, "application/json")
    assert required.json() == {"prefix": ["This field is required."]}
    with tenant_context(org_a.organization):
        assert not Job.objects.exists()


def test_a_run_queues_a_job_and_answers_the_script_with_it(org_a):
    client = org_a.client()
    module_upload(client, "sites.py", SITES)
    script = scripts_of(org_a, "sites.py")["NewSites"]

    response = client.post(
        f"{SCRIPTS}{script.pk}/", {"data": {"prefix": "edge", "count": "3"}, "commit": False}, "application/json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == script.pk and body["name"] == "New sites"
    assert body["result"]["status"] == {"value": "pending", "label": "Pending"}
    assert body["result"]["user"]["id"] == org_a.owner.pk
    with tenant_context(org_a.organization):
        job = Job.objects.get()
        assert job.object == script and job.user_id == org_a.owner.pk
    assert job.arguments == {
        "data": {"prefix": "edge", "count": 3, "region": None, "size": None},
        "commit": False,
    }
    # the script shows its latest job, in the list too
    listed = {row["id"]: row for row in client.get(SCRIPTS).json()["results"]}
    assert listed[script.pk]["result"]["url"].endswith(f"/api/core/jobs/{job.pk}/")
    detail = client.get(f"/o/org-a/api/core/jobs/{job.pk}/").json()
    assert detail["object_type"] == "extras.script" and detail["object_id"] == script.pk


def test_a_scheduled_run_waits_and_repeats(org_a):
    client = org_a.client()
    module_upload(client, "sites.py", SITES)
    scripts = scripts_of(org_a, "sites.py")
    when = timezone.now() + timedelta(hours=1)

    response = client.post(
        f"{SCRIPTS}{scripts['NewSites'].pk}/",
        {"data": {"prefix": "edge"}, "commit": True, "schedule_at": when.isoformat(), "interval": 60},
        "application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["result"]["status"]["value"] == "scheduled"
    with tenant_context(org_a.organization):
        job = Job.objects.get()
    assert job.status == JobStatus.SCHEDULED and job.scheduled == when and job.interval == 60
    shown = client.get(f"/o/org-a/api/core/jobs/{job.pk}/").json()
    assert shown["interval"] == 60 and shown["scheduled"] is not None
    past = client.post(
        f"{SCRIPTS}{scripts['NewSites'].pk}/",
        {"data": {"prefix": "edge"}, "commit": True, "schedule_at": "2001-01-01T00:00:00Z"},
        "application/json",
    )
    assert past.json() == {"schedule_at": ["Scheduled time must be in the future."]}
    refused = client.post(
        f"{SCRIPTS}{scripts['Fixed'].pk}/", {"data": {}, "commit": True, "interval": 5}, "application/json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"interval": ["Scheduling is not enabled for this script."]}


def test_running_needs_the_run_permission(org_a):
    module_upload(org_a.client(), "sites.py", SITES)
    script = scripts_of(org_a, "sites.py")["Fixed"]
    viewer, user = member_client(org_a, MembershipRole.VIEWER, "viewer@example.com")
    run = {"data": {}, "commit": True}

    assert viewer.get(f"{SCRIPTS}{script.pk}/").status_code == 200
    refused = viewer.post(f"{SCRIPTS}{script.pk}/", run, "application/json")
    assert refused.status_code == 403, refused.content

    # an object permission granting "run" on scripts lets the viewer run them
    with tenant_context(org_a.organization):
        from django.contrib.contenttypes.models import ContentType

        permission = ObjectPermission.objects.create(name="Run scripts", actions=["run"], user_ids=[user.pk])
        permission.object_types.set([ContentType.objects.get_for_model(Script)])
    allowed = viewer.post(f"{SCRIPTS}{script.pk}/", run, "application/json")
    assert allowed.status_code == 200, allowed.content

    # modules are the organization's settings: a viewer or an editor uploads none
    editor, _ = member_client(org_a, MembershipRole.EDITOR, "editor@example.com")
    assert module_upload(editor, "mine.py", module_source("Mine")).status_code == 403
    assert editor.post(f"{SCRIPTS}{script.pk}/", run, "application/json").status_code == 200


def test_another_organization_and_anonymous_see_and_run_nothing(org_a, org_b):
    module = module_upload(org_a.client(), "sites.py", SITES).json()
    script = scripts_of(org_a, "sites.py")["Fixed"]
    _, token_b = token_create(organization=org_b.organization, user=org_b.owner)
    other = Client(HTTP_AUTHORIZATION=f"Token {token_b}")
    anonymous = Client()
    run = {"data": {}, "commit": True}

    for client in (other, anonymous):
        expected = 404 if client is other else 403
        assert client.get(SCRIPTS).status_code == expected
        assert client.post(f"{SCRIPTS}{script.pk}/", run, "application/json").status_code == expected
        assert module_upload(client, "evil.py", module_source("Evil")).status_code == expected
        replaced = module_upload(client, "sites.py", module_source("Evil"), f"{UPLOAD}{module['id']}/", "put")
        assert replaced.status_code == expected
        assert client.delete(f"{UPLOAD}{module['id']}/").status_code == expected
        # a method the list does not take tells outsiders no more than any other request (not a 405)
        assert client.put(UPLOAD, "[]", "application/json").status_code == expected
    # organization B's own API knows nothing of A's scripts
    own = Client(HTTP_AUTHORIZATION=f"Token {token_b}")
    assert own.get("/o/org-b/api/extras/scripts/").json()["count"] == 0
    assert own.post(f"/o/org-b/api/extras/scripts/{script.pk}/", run, "application/json").status_code == 404
    with tenant_context(org_a.organization):
        assert not Job.objects.exists()
        assert set(Script.objects.values_list("class_name", flat=True)) == {"NewSites", "Fixed"}


def test_the_run_tab_checks_the_form_and_the_permission(org_a):
    client = org_a.client()
    module_upload(client, "sites.py", SITES)
    script = scripts_of(org_a, "sites.py")["NewSites"]
    tab = f"/o/org-a/extras/scripts/{script.pk}/run/"

    page = client.get(tab)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="prefix"' in body and 'name="_commit"' in body and "Small" in body
    assert 'id="var-_commit" name="_commit">' in body  # Meta.commit_default = False: unchecked

    invalid = client.post(tab, {"prefix": "UPPER", "count": "9"})
    assert invalid.status_code == 200
    assert "Invalid value." in invalid.content.decode()
    assert "Ensure this value is less than or equal to 5." in invalid.content.decode()
    with tenant_context(org_a.organization):
        assert not Job.objects.exists()

    queued = client.post(tab, {"prefix": "edge", "count": "2", "_commit": "on"})
    assert "The script was queued" in queued.content.decode()
    with tenant_context(org_a.organization):
        job = Job.objects.get()
    assert job.arguments["commit"] is True and job.arguments["data"]["count"] == 2

    viewer, _ = member_client(org_a, MembershipRole.VIEWER, "viewer@example.com")
    assert "You may view this script but not run it." in viewer.get(tab).content.decode()
    assert viewer.post(tab, {"prefix": "edge"}).status_code == 403


def test_the_run_tab_picks_objects_through_the_api_and_checks_the_chosen_one(org_a, org_b):
    client = org_a.client()
    module_upload(client, "sites.py", SITES)
    script = scripts_of(org_a, "sites.py")["NewSites"]
    tab = f"/o/org-a/extras/scripts/{script.pk}/run/"
    with tenant_context(org_a.organization):
        sites = [Site.objects.create(name=f"Site {n}", slug=f"site-{n}") for n in range(3)]
    with tenant_context(org_b.organization):
        foreign = Site.objects.create(name="Foreign", slug="foreign")

    # the object variable is a picker searching the REST API: the page lists no object of its own
    body = client.get(tab).content.decode()
    assert 'data-picker="/o/org-a/api/dcim/sites/?brief=1"' in body
    assert "Site 0" not in body and "Site 2" not in body

    # a refused run keeps the chosen object as the picker's one option
    refused = client.post(tab, {"prefix": "UPPER", "region": str(sites[2].pk)}).content.decode()
    assert "Invalid value." in refused
    assert f'<option value="{sites[2].pk}" selected>Site 2</option>' in refused
    assert "Site 0" not in refused

    # an id no object of the organization has (another organization's ids are its own) is refused on the server
    missing = max(site.pk for site in sites) + foreign.pk + 1000
    invisible = client.post(tab, {"prefix": "edge", "region": str(missing)}).content.decode()
    assert "Select a valid choice" in invisible
    assert "Foreign" not in invisible
    with tenant_context(org_a.organization):
        assert not Job.objects.exists()

    queued = client.post(tab, {"prefix": "edge", "region": str(sites[1].pk), "_commit": "on"})
    assert "The script was queued" in queued.content.decode()
    with tenant_context(org_a.organization):
        assert Job.objects.get().arguments["data"]["region"] == sites[1].pk

    # outsiders reach no Run tab
    assert org_b.client().get(tab).status_code == 404
    assert Client().get(tab).status_code == 302


def test_the_openapi_document_lists_the_methods_the_upload_list_takes():
    paths = openapi_document("http://testserver")["paths"]

    assert set(paths["/api/extras/scripts/upload/"]) == {"get", "post", "delete"}
    assert set(paths["/api/extras/scripts/upload/{id}/"]) == {"get", "put", "patch", "delete"}
