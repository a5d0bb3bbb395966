"""Script runs as jobs on a real Celery worker: the script runs in the sandbox as the job's user in the
job's organization, its log and output land in the job's data, a failure ends the job as failed or
errored, and a run with an interval queues the next one."""

import textwrap
from datetime import datetime, timedelta

from automation.models import Job, JobStatus, ScriptModule
from automation.scripting.jobs import script_enqueue
from automation.scripting.modules import ModuleFile, script_modules_create
from core.models import ObjectChange
from core.services import ObjectWrite
from inventory.models import Site
from tenants.context import tenant_context
from tests.conftest import wait_for

SOURCE = textwrap.dedent(
    """
    from extras.scripts import AbortScript, IntegerVar, Script, StringVar
    from dcim.models import Site


    class NewSites(Script):
        prefix = StringVar()
        count = IntegerVar(default=1, required=False)

        def run(self, data, commit):
            for number in range(data["count"]):
                site = Site.objects.create(name=f"{data['prefix']}-{number}", slug=f"{data['prefix']}-{number}")
                self.log_success(f"Created {site.name}", site)
            return f"{data['count']} sites"


    class Stops(Script):
        def run(self, data, commit):
            self.log_info("looking")
            raise AbortScript("nothing to do")


    class Echo(Script):
        name_of = StringVar()  # an event's object is passed as it is, not through the variables

        def run(self, data, commit):
            return f"{data['name']} ({data['id']})"


    class Breaks(Script):
        def run(self, data, commit):
            Site.objects.create(name="half", slug="half")
            return 1 / 0
    """
)


def script_module_create(*, file_name: str, source: str) -> ScriptModule:
    """A module written as the system (what an upload writes)."""
    write = ObjectWrite(model=ScriptModule, extra={"file": ModuleFile(name=file_name, source=source)})
    (module,) = script_modules_create([write])
    return module


def finished(organization, pks) -> bool:
    with tenant_context(organization):
        return not Job.objects.filter(pk__in=pks, status__in=(JobStatus.PENDING, JobStatus.RUNNING)).exists()


def test_a_worker_runs_scripts_as_their_user_and_keeps_their_log(committed, worker):
    owner = committed.user("script-owner@example.com")
    organization = committed.organization("scripts-a", owner=owner)
    with tenant_context(organization):
        module = script_module_create(file_name="sites.py", source=SOURCE)
        scripts = {script.class_name: script for script in module.scripts.all()}
        runs = {
            name: script_enqueue(script=scripts[name], user_id=owner.pk, data=data, commit=True, interval=interval)
            for name, data, interval in (
                ("NewSites", {"prefix": "edge", "count": 2}, 30),
                ("Stops", {}, None),
                ("Breaks", {}, None),
            )
        }
        runs["Echo"] = script_enqueue(
            script=scripts["Echo"], user_id=owner.pk, data={"id": 3, "name": "AMS1"}, commit=True, event=True
        )

    assert wait_for(lambda: finished(organization, [job.pk for job in runs.values()]), timeout=90), worker.read_text()[
        -3000:
    ]

    with tenant_context(organization):
        created, stopped, broken = (Job.objects.get(pk=runs[name].pk) for name in ("NewSites", "Stops", "Breaks"))
        assert created.status == JobStatus.COMPLETED, (created.error, created.data)
        assert created.data["output"] == "2 sites" and created.data["committed"] is True
        assert [entry["message"] for entry in created.data["log"]] == ["Created edge-0", "Created edge-1"]
        entry = created.data["log"][0]
        assert entry["status"] == "success" and entry["obj"] == "edge-0" and entry["url"].endswith("/")
        assert created.started <= datetime.fromisoformat(entry["time"]) <= created.completed
        # the job's own log (NetBox's log_entries): how the worker ran it, timestamped
        assert [(item["level"], item["message"]) for item in created.log_entries] == [
            ("info", "Executing script (commit enabled)")
        ]
        assert created.started <= datetime.fromisoformat(created.log_entries[0]["timestamp"]) <= created.completed
        assert sorted(Site.objects.values_list("name", flat=True)) == ["edge-0", "edge-1"]
        change = ObjectChange.objects.get(changed_object_type__model="site", object_repr="edge-0")
        assert change.user_id == owner.pk

        assert stopped.status == JobStatus.FAILED and stopped.error == "nothing to do"
        assert stopped.data["log"][0]["message"] == "looking"

        assert broken.status == JobStatus.ERRORED and "ZeroDivisionError" in broken.error
        assert [item["level"] for item in broken.log_entries] == ["info", "error"]
        assert "ZeroDivisionError" in broken.log_entries[1]["message"]
        assert "ZeroDivisionError" in broken.data["error"]["traceback"]
        assert not Site.objects.filter(name="half").exists()  # its changes were rolled back

        echoed = Job.objects.get(pk=runs["Echo"].pk)
        assert echoed.status == JobStatus.COMPLETED and echoed.data["output"] == "AMS1 (3)", echoed.data

        # the run with an interval queued its next run, due 30 minutes after it started
        following = Job.objects.get(status=JobStatus.SCHEDULED)
        assert following.object_id == created.object_id and following.interval == 30
        assert following.arguments == created.arguments and following.user_id == owner.pk
        assert following.scheduled == created.started + timedelta(minutes=30)


def test_an_event_rule_queues_the_script_as_the_rules_creator(org_a, django_capture_on_commit_callbacks):
    from django.contrib.contenttypes.models import ContentType

    from automation.models import EventRule, Script
    from core.context import Actor, acting_as
    from core.services import object_create

    owner = Actor(user_id=org_a.owner.pk, user_name=org_a.owner.email, role="owner")
    with tenant_context(org_a.organization), acting_as(owner):
        module = script_module_create(file_name="sites.py", source=SOURCE)
        echo = module.scripts.get(class_name="Echo")
        object_create(
            model=EventRule,
            data={
                "name": "Echo new sites",
                "event_types": ["object_created"],
                "action_type": "script",
                "action_object_type": ContentType.objects.get_for_model(Script),
                "action_object_id": echo.pk,
                "object_types": [ContentType.objects.get_for_model(Site)],
            },
        )
    editor = Actor(user_id=None, user_name="someone", role="editor")
    with tenant_context(org_a.organization), acting_as(editor):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            site = object_create(model=Site, data={"name": "AMS1", "slug": "ams1"})
        for callback in queued:
            callback()  # the event's consumers (what the commit runs), not the job itself
        job = Job.objects.get()
        assert job.status == JobStatus.PENDING and job.object == echo
    assert job.user_id == org_a.owner.pk  # the rule's creator, not who made the site
    assert job.arguments["event"] is True and job.arguments["commit"] is True
    assert job.arguments["data"]["id"] == site.pk and job.arguments["data"]["name"] == "AMS1"
