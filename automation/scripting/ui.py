"""Custom scripts in the UI (NetBox's Customization > Scripts): the modules (upload, replace, delete: the
generic pages, with the file field), each module's scripts on its page, a script's Run tab with the form
its variables make, and the log of a script's job on the job's page."""

from django import forms
from django.core.exceptions import PermissionDenied

from automation.models import Job, Script, ScriptModule
from automation.scripting.jobs import script_enqueue
from automation.scripting.variables import ScriptDataInvalid, script_data_clean
from core.querysets import restricted
from core.registry import Menu, Panel, Tab, Ui, registry
from frontend.base_views import object_url
from frontend.forms import picker_url

SCRIPTS = Menu("Customization", "Scripts")


def _module_file_field(bulk: bool) -> forms.FileField:
    return forms.FileField(
        label="File",
        required=False,
        help_text="A Python file (.py) with one or more Script classes; it replaces the module's file.",
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".py,text/x-python"}),
    )


def _module_scripts(request, spec, actor, module):
    scripts = list(restricted(Script, actor, "view").filter(module=module).order_by("name"))
    script_spec = registry.get(Script)
    return {
        "scripts": [
            {"script": script, "url": object_url(script_spec, "detail", script.pk), "run_url": _run_url(script)}
            for script in scripts
        ]
    }


def _run_url(script: Script) -> str:
    return object_url(registry.get(Script), "detail", script.pk) + "run/"


def _chosen_objects(variable: dict, value, actor) -> list[tuple[str, str]]:
    """The objects an object variable holds (its default, or what a refused run submitted) that the
    member may see: the only options its picker's page carries; the picker searches the REST API for
    the others."""
    spec = registry.find_path(variable.get("model"))
    values = value if isinstance(value, list) else [value]
    pks = [int(item) for item in values if str(item).isdigit()]
    if spec is None or not pks:
        return []
    rows = restricted(spec.model, actor, "view").filter(pk__in=pks)
    return [(str(row.pk), spec.display(row)) for row in rows]


def _field(name: str, variable: dict, value, actor) -> dict:
    """What the template needs to draw one variable's input, holding `value`."""
    kind = variable.get("type", "string")
    choices = variable.get("choices") or []
    picker = None
    if kind in ("object", "multiobject"):
        spec = registry.find_path(variable.get("model"))
        picker = None if spec is None else picker_url(spec)
        choices = _chosen_objects(variable, value, actor)
    return {
        "name": name,
        "label": variable.get("label") or name.replace("_", " ").capitalize(),
        "description": variable.get("description") or "",
        "type": kind,
        "required": bool(variable.get("required", True)) and kind != "boolean",
        "default": variable.get("default"),
        "choices": [(str(value), label) for value, label in choices],
        "picker": picker,
        "multiple": kind in ("multichoice", "multiobject"),
        "value": value,
        "selected": {str(item) for item in value} if isinstance(value, list) else {str(value)},
    }


def _submitted(request, variables: dict) -> dict:
    data = {}
    for name, variable in variables.items():
        kind = variable.get("type")
        if kind in ("multichoice", "multiobject"):
            data[name] = request.POST.getlist(name)
        elif kind == "boolean":
            data[name] = name in request.POST
        elif kind == "file" and name in request.FILES:
            data[name] = request.FILES[name].read().decode("utf-8", "replace")
        else:
            data[name] = request.POST.get(name, "")
    return data


def _run_tab(request, spec, actor, script):
    """NetBox's script page: a form made from the script's variables and the commit checkbox; a run
    queues a job (as the API's run does) and links to it."""
    may_run = script.is_executable and restricted(Script, actor, "run").filter(pk=script.pk).exists()
    variables = script.vars or {}
    values: dict = {name: variable.get("default") for name, variable in variables.items()}
    errors: dict = {}
    commit = script.commit_default
    job = None
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied
        values = _submitted(request, variables)
        commit = "_commit" in request.POST
        try:
            data = script_data_clean(variables, values, actor)
        except ScriptDataInvalid as invalid:
            errors = invalid.errors
        else:
            job = script_enqueue(script=script, user_id=actor.user_id, data=data, commit=commit)
    fields = [
        _field(name, variable, values.get(name), actor) | {"errors": errors.get(name, [])}
        for name, variable in variables.items()
    ]
    return "automation/_script_run.html", {
        "script": script,
        "fields": fields,
        "commit": commit,
        "may_run": may_run,
        "queued": job,
        "queued_url": None if job is None else object_url(registry.get(Job), "detail", job.pk),
    }


def _script_log(request, spec, actor, job):
    data = job.data if isinstance(job.data, dict) else {}
    return {"log": data.get("log") or [], "output": data.get("output") or "", "console": data.get("console") or ""}


registry.extend(
    ScriptModule,
    ui=Ui(
        menu=SCRIPTS,
        table_columns=("display", "file_path", "plugin", "created", "last_updated"),
        form_fields={"file": _module_file_field},
        panels=(Panel("automation/_module_scripts.html", context=_module_scripts),),
    ),
)
registry.extend(
    Script,
    ui=Ui(
        menu=SCRIPTS,
        table_columns=("name", "description", "result", "is_executable"),
        changelog=False,
        tabs=(Tab("run", "Run", _run_tab, visible=lambda script: script.is_executable),),
    ),
)


def job_log_panel() -> Panel:
    """The log, output and console of a script's job, on the job's page (automation.ui adds it)."""
    return Panel("automation/_script_log.html", context=_script_log)
