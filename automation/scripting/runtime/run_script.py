"""The sandbox's entry for a script job: load the organization's module, find the script, clean its data,
run it, and report on the protocol stream.

The protocol stream is the process's original standard output, one JSON object a line:
`{"log": {...}}` as the script logs, then `{"result": {...}}` or `{"error": {...}}` once. What the script
prints goes to standard error, which the job keeps as its console.
"""

import importlib.util
import inspect
import json
import os
import sys
import traceback

JOB = "/wirebook/job.json"


def _protocol():
    stream = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def emit(message):
        stream.write(json.dumps(message, default=str) + "\n")
        stream.flush()

    return emit


def _module(path):
    spec = importlib.util.spec_from_file_location("script_module", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["script_module"] = module
    spec.loader.exec_module(module)
    return module


def _scripts(module, base):
    found = getattr(module, "script_order", None) or [
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, base) and value is not base
    ]
    return {script.__name__: script for script in found if script.__module__ == module.__name__}


def main():
    emit = _protocol()
    sys.path.insert(0, "/wirebook")
    from extras import scripts

    scripts._set_emitter(emit)
    with open(JOB) as job_file:
        job = json.load(job_file)
    try:
        classes = _scripts(_module("/wirebook/" + job["module"]), scripts.Script)
        if job["action"] == "describe":
            emit({"result": {"scripts": {name: klass.describe() for name, klass in classes.items()}}})
            return
        klass = classes.get(job["class"])
        if klass is None:
            emit({"error": {"kind": "not_found", "message": f"No script {job['class']!r} in this module."}})
            return
        errors, data = {}, {}
        if not job.get("clean", True):  # an event's object, passed as NetBox passes it: not a form's data
            data = job["data"]
        for name, variable in ({} if not job.get("clean", True) else klass.variables()).items():
            try:
                data[name] = variable.clean(job["data"].get(name))
            except Exception as exc:
                errors[name] = [str(exc)]
        if errors:
            emit({"error": {"kind": "invalid", "message": "Invalid data.", "fields": errors}})
            return
        script = klass()
        output = script.run(data, job["commit"])
        emit({"result": {"output": "" if output is None else str(output)}})
    except scripts.AbortScript as exc:
        emit({"error": {"kind": "aborted", "message": str(exc)}})
    except BaseException as exc:
        emit({"error": {"kind": type(exc).__name__, "message": str(exc), "traceback": traceback.format_exc()}})


main()
