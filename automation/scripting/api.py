"""NetBox's custom scripts API: `/api/extras/scripts/` lists the scripts (GET) and runs one (POST
`/api/extras/scripts/{id}/` with `{data, commit, schedule_at, interval}`: a job is queued and the script
is answered with it as `result`); `/api/extras/scripts/upload/` takes a module file (multipart `file`),
`/api/extras/scripts/upload/{id}/` replaces it (PUT/PATCH) or deletes it."""

import json

from django.db.models import OuterRef, Prefetch, Subquery
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from automation.models import Job, Script, ScriptModule
from automation.scripting.jobs import script_enqueue
from automation.scripting.modules import (
    module_file,
    script_modules_create,
    script_modules_delete,
    script_modules_update,
)
from automation.scripting.plugins import shown
from automation.scripting.variables import ScriptDataInvalid, script_data_clean
from core.fields import BRIEF_OBJECT, INTEGER_VALUE, JSON_VALUE, Rendered, ValueType, nullable
from core.registry import Access, Api, Route, Search, registry
from core.representation import Links, render
from core.services import Services
from core.writes import WriteExtra

MODULE_FILE = {"type": "string", "format": "binary"}
LATEST_JOB = "_wb_latest_job"
SCHEDULING_DISABLED = "Scheduling is not enabled for this script."


registry.register(
    ScriptModule,
    api=Api(
        "extras/scripts/upload",
        brief_fields=("id", "url", "display", "file_path"),
        fields=("id", "url", "display_url", "display", "file_path", "plugin", "created", "last_updated"),
        write_fields=(),
        write_extras={
            "file": WriteExtra(
                module_file,
                ValueType(MODULE_FILE, "String"),
                "The module's Python file, as a multipart/form-data upload.",
            )
        },
        # A module is written with its file, which a bulk update's JSON cannot carry: PUT and PATCH go to
        # the module's own URL.
        list_methods=("GET", "POST", "DELETE", "OPTIONS"),
    ),
    # A module's code runs as whoever runs its scripts: only admins and owners upload it. A plugin's
    # modules exist only where the organization enabled the plugin (automation.scripting.plugins).
    access=Access(admin_only=True, visible_to=lambda actor: shown()),
    search=Search(fields=("file_path",)),
    services=Services(create=script_modules_create, update=script_modules_update, delete=script_modules_delete),
)


def _latest_jobs():
    """Each object's newest job (one query for a list's scripts: a generic relation's prefetch takes no slice)."""
    newest = Job.objects.filter(object_type=OuterRef("object_type"), object_id=OuterRef("object_id"))
    return Job.objects.filter(pk=Subquery(newest.order_by("-created", "-pk").values("pk")[:1]))


def _latest_job(script: Script) -> Job | None:
    cached = script.__dict__.get(LATEST_JOB)
    if cached is not None:
        return cached[0] if cached else None
    return script.jobs.order_by("-created", "-pk").first()


def _result(script: Script, links) -> dict | None:
    job = _latest_job(script)
    return None if job is None else render(job, links, brief=True)


def _vars(script: Script, links) -> dict:
    """NetBox's `vars`: each variable's class, by name."""
    return {name: variable.get("class") for name, variable in (script.vars or {}).items()}


def _field_errors(body: dict, script: Script) -> tuple[dict, dict]:
    """NetBox's ScriptInputSerializer: `data` and `commit` required, `schedule_at` in the future,
    `interval` at least one minute, and neither for a script whose Meta disables scheduling."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for name in ("data", "commit"):
        if name not in body:
            errors[name] = ["This field is required."]
    commit = body.get("commit")
    if isinstance(commit, str):
        commit = {"true": True, "1": True, "false": False, "0": False}.get(commit.lower(), commit)
    if "commit" in body and not isinstance(commit, bool):
        errors["commit"] = ["Must be a valid boolean."]
    values["commit"] = commit
    schedule_at = body.get("schedule_at")
    if schedule_at not in (None, ""):
        parsed = parse_datetime(str(schedule_at))
        if parsed is None:
            errors["schedule_at"] = ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm."]
        else:
            parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
            if not script.scheduling_enabled:
                errors["schedule_at"] = [SCHEDULING_DISABLED]
            elif parsed < timezone.now():
                errors["schedule_at"] = ["Scheduled time must be in the future."]
            values["schedule_at"] = parsed
    interval = body.get("interval")
    if interval not in (None, ""):
        text = str(interval)
        if isinstance(interval, bool) or not text.isdigit() or int(text) < 1:
            errors["interval"] = ["Ensure this value is greater than or equal to 1."]
        elif not script.scheduling_enabled:
            errors["interval"] = [SCHEDULING_DISABLED]
        else:
            values["interval"] = int(text)
    return values, errors


def _run(request, actor, script: Script):
    """Check the data against the script's variables and queue a job running it (NetBox's answer: the
    script, its `result` the queued job)."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        return JsonResponse({"detail": f"JSON parse error - {error}"}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"non_field_errors": ["Invalid data. Expected a dictionary."]}, status=400)
    if not script.is_executable:
        return JsonResponse({"detail": "This script cannot be run: its module no longer defines it."}, status=400)
    values, errors = _field_errors(body, script)
    if errors:
        return JsonResponse(errors, status=400)
    try:
        data = script_data_clean(script.vars or {}, body["data"], actor)
    except ScriptDataInvalid as invalid:
        return JsonResponse(invalid.errors, status=400)
    job = script_enqueue(script=script, user_id=actor.user_id, data=data, **values)
    script.__dict__[LATEST_JOB] = [job]
    return JsonResponse(render(script, Links(request)))


SCRIPT_INPUT = {
    "type": "object",
    "required": ["data", "commit"],
    "properties": {
        "data": {"type": "object", "additionalProperties": True},
        "commit": {"type": "boolean"},
        "schedule_at": {"type": "string", "format": "date-time", "nullable": True},
        "interval": {"type": "integer", "nullable": True, "minimum": 1},
    },
}

registry.register(
    Script,
    api=Api(
        "extras/scripts",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "module", "name", "description", "vars", "result",
            "is_executable",
        ),
        renderers={
            "module": Rendered(lambda script, links: script.module_id, INTEGER_VALUE),
            "vars": Rendered(_vars, nullable(JSON_VALUE)),
            "result": Rendered(
                _result,
                nullable(BRIEF_OBJECT),
                prefetch=(Prefetch("jobs", queryset=_latest_jobs(), to_attr=LATEST_JOB),),
            ),
        },
        routes=(
            Route(
                "",
                _run,
                methods=("POST",),
                action="run",
                summary="Run the script: its data is checked against its variables and a job is queued.",
                request=SCRIPT_INPUT,
                verbs={"POST": "run"},
            ),
        ),
    ),
    access=Access(read_only=True, visible_to=lambda actor: shown("module__")),
    search=Search(fields=("name", "class_name", "description")),
)  # fmt: skip
