"""A script run: NetBox's script API inside the sandbox, the organization's REST API through the socket
as the job's user, dry runs that change nothing, and no way to another organization."""

import json
import textwrap

from automation.scripting.runs import script_module_describe, script_run
from automation.scripting.sandbox import Limits
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import Token

LIMITS = {"cpu_seconds": 10, "wall_seconds": 30}

SITES = textwrap.dedent(
    """
    from extras.scripts import IntegerVar, Script, StringVar
    from dcim.models import Site
    from wirebook import api


    class NewSites(Script):
        class Meta:
            name = "New sites"
            description = "Create numbered sites"
            commit_default = False

        prefix = StringVar(description="Name prefix", max_length=20)
        count = IntegerVar(min_value=1, max_value=5, default=2, required=False)

        def run(self, data, commit):
            for number in range(data["count"]):
                site = Site.objects.create(name=f"{data['prefix']}-{number}", slug=f"{data['prefix']}-{number}")
                self.log_success(f"Created {site.name}", site)
            sites = api().dcim.sites.filter(name__isw=data["prefix"])
            self.log_info(f"{len(sites)} sites now, commit={commit}")
            return "\\n".join(sorted(site.name for site in Site.objects.filter(name__istartswith=data["prefix"])))
    """
)


def run(org, source=SITES, *, data=None, commit=True, class_name="NewSites"):
    with tenant_context(org.organization):
        return script_run(
            organization=org.organization,
            user=org.owner,
            source=source,
            class_name=class_name,
            data=data if data is not None else {"prefix": "edge", "count": 2},
            commit=commit,
            limits=Limits.from_settings(**LIMITS),
        )


def test_a_module_lists_its_scripts_and_variables():
    outcome = script_module_describe(source=SITES, limits=Limits.from_settings(**LIMITS))
    assert outcome.ok, outcome.error
    described = outcome.result["scripts"]["NewSites"]
    assert described["name"] == "New sites" and described["commit_default"] is False
    assert described["vars"]["prefix"] | {} == {
        "type": "string",
        "class": "StringVar",
        "label": "",
        "description": "Name prefix",
        "default": None,
        "required": True,
        "min_length": None,
        "max_length": 20,
        "regex": None,
    }
    count = described["vars"]["count"]
    assert (count["type"], count["class"], count["default"]) == ("integer", "IntegerVar", 2)
    assert (count["min_value"], count["max_value"]) == (1, 5)


def test_a_run_writes_through_the_api_as_its_user(org_a):
    # when the script creates two sites with commit
    outcome = run(org_a)
    # then they exist, its log and output say so, and the change log names the user
    assert outcome.ok, (outcome.error, outcome.console)
    assert outcome.committed
    assert outcome.output == "edge-0\nedge-1"
    assert [entry["status"] for entry in outcome.log] == ["success", "success", "info"]
    assert outcome.log[2]["message"] == "2 sites now, commit=True"
    with tenant_context(org_a.organization):
        assert sorted(Site.objects.filter(name__startswith="edge").values_list("name", flat=True)) == [
            "edge-0",
            "edge-1",
        ]
    # and the run's token is gone
    assert not Token.objects.filter(description__startswith="Script run").exists()


def test_a_dry_run_changes_nothing(org_a):
    outcome = run(org_a, commit=False)
    assert outcome.ok, outcome.error
    # the script saw its own writes...
    assert outcome.output == "edge-0\nedge-1"
    assert not outcome.committed
    # ...which were rolled back
    with tenant_context(org_a.organization):
        assert not Site.objects.filter(name__startswith="edge").exists()
    note = outcome.log[-1]
    assert (note["status"], note["message"], note["obj"]) == (
        "info",
        "Dry run: the database changes were rolled back.",
        None,
    )
    assert note["time"] >= outcome.log[0]["time"]  # the server's note comes after the script's entries


def test_a_failing_script_is_rolled_back_and_reported(org_a):
    source = SITES.replace("return", "raise RuntimeError('boom')\n        return")
    outcome = run(org_a, source=source)
    assert not outcome.ok and outcome.error["kind"] == "RuntimeError" and outcome.error["message"] == "boom"
    with tenant_context(org_a.organization):
        assert not Site.objects.filter(name__startswith="edge").exists()


def test_invalid_data_is_refused_per_field(org_a):
    outcome = run(org_a, data={"prefix": "x" * 30, "count": 9})
    assert outcome.error["kind"] == "invalid"
    assert set(outcome.error["fields"]) == {"prefix", "count"}


def test_another_organization_is_out_of_reach(org_a, org_b):
    # given a site in organization B
    with tenant_context(org_b.organization):
        Site.objects.create(name="secret-b", slug="secret-b")
    # when A's script tries every path to B it can think of
    source = textwrap.dedent(
        """
        import json
        from extras.scripts import Script
        import wirebook

        class Probe(Script):
            def run(self, data, commit):
                seen = {}
                for path, host in [("/o/org-b/api/dcim/sites/", "x"), ("/api/../o/org-b/api/dcim/sites/", "x"),
                                   ("http://org-b.localhost/api/dcim/sites/", "x"),
                                   ("/api/dcim/sites/", "org-b.localhost"), ("/api/dcim/sites/?q=secret", "x")]:
                    connection = wirebook._UnixConnection(wirebook.SOCKET_PATH)
                    connection.request("GET", path, headers={"Host": host})
                    response = connection.getresponse()
                    seen[path + " " + host] = [response.status, response.read().decode()]
                return json.dumps(seen)
        """
    )
    outcome = run(org_a, source=source, class_name="Probe", data={})
    assert outcome.ok, outcome.error
    # then nothing of B comes back: 404 outside /api/, A's own (empty) sites otherwise
    seen = json.loads(outcome.output)
    assert [status for status, _ in seen.values()] == [404, 404, 404, 200, 200]
    assert "secret-b" not in outcome.output
    assert all(json.loads(body)["count"] == 0 for status, body in seen.values() if status == 200)
