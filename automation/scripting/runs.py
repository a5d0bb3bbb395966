"""One run of an organization's script: a sandboxed child process whose API calls are answered in-process,
inside one transaction that a dry run (`commit=False`), a failure or a stopped run rolls back.

The run's API token is created for the job's user just before the run and revoked right after it,
whatever happened; it expires on its own shortly after the wall-time limit in case the worker dies.
The script never sees it (automation.scripting.gateway adds it to each request).

Webhooks and other work the API defers to commit (`transaction.on_commit`) happen only when the run's
changes are committed.
"""

import json
import logging
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from automation.scripting.gateway import Gateway
from automation.scripting.sandbox import Limits, SandboxResult, sandbox_run
from tenants.tokens import token_create, token_revoke

logger = logging.getLogger(__name__)
MODULE_FILE = "script_module.py"
TOKEN_GRACE = timedelta(minutes=2)


def log_entry(status: str, message: str) -> dict:
    """A note of the server's in a run's log, shaped as the script's own entries (runtime/extras/scripts.py)."""
    return {"time": timezone.now().isoformat(), "status": status, "message": message, "obj": None, "url": None}


@dataclass
class ScriptOutcome:
    """What a run reports: its log, its output, and an error when it did not complete."""

    log: list[dict] = field(default_factory=list)
    output: str = ""
    console: str = ""
    error: dict | None = None
    committed: bool = False
    result: dict | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_data(self) -> dict:
        data = {"log": self.log, "output": self.output, "console": self.console, "committed": self.committed}
        if self.error is not None:
            data["error"] = self.error
        return data


def outcome_of(result: SandboxResult) -> ScriptOutcome:
    """Read the protocol stream (runtime/run_script.py) and the way the process ended."""
    outcome = ScriptOutcome(console=result.stderr.decode(errors="replace"))
    for line in result.stdout.decode(errors="replace").splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if not isinstance(message, dict):
            continue
        if isinstance(message.get("log"), dict):
            outcome.log.append(message["log"])
        elif isinstance(message.get("result"), dict) and outcome.result is None and outcome.error is None:
            outcome.result = message["result"]
            outcome.output = str(message["result"].get("output", ""))
        elif isinstance(message.get("error"), dict) and outcome.result is None and outcome.error is None:
            outcome.error = message["error"]
    stopped = result.failure()
    if stopped is not None:
        outcome.error = {"kind": "limit", "message": stopped}
        outcome.result = None
    elif outcome.result is None and outcome.error is None:
        tail = outcome.console.strip().splitlines()[-1:] or ["no result"]
        outcome.error = {"kind": "crashed", "message": f"The script ended without a result: {tail[0]}"}
    if result.truncated:
        outcome.log.append(log_entry("warning", "Output beyond the limit was discarded."))
    return outcome


def _sandboxed(*, files: dict, gateway: Gateway | None, limits: Limits | None) -> ScriptOutcome:
    return outcome_of(sandbox_run(entry="run_script.py", files=files, limits=limits, gateway=gateway))


def script_module_describe(*, source: str, limits: Limits | None = None) -> ScriptOutcome:
    """Load a module in the sandbox (without API access) and list its scripts and their variables:
    `outcome.result["scripts"]`."""
    job = {"action": "describe", "module": MODULE_FILE}
    return _sandboxed(files={MODULE_FILE: source, "job.json": json.dumps(job)}, gateway=None, limits=limits)


def script_run(
    *,
    organization,
    user,
    source: str,
    class_name: str,
    data: dict,
    commit: bool,
    limits: Limits | None = None,
    clean: bool = True,
) -> ScriptOutcome:
    """Run `class_name` of the module `source` with `data` as `user`, in the current organization.
    `clean` False passes `data` to the script as it is instead of through its variables (an event's
    object, as NetBox's event rules pass it)."""
    limits = limits or Limits.from_settings()
    token, plaintext = token_create(
        organization=organization,
        user=user,
        description="Script run (revoked when the run ends)",
        expires=timezone.now() + timedelta(seconds=limits.wall_seconds) + TOKEN_GRACE,
    )
    job = {"action": "run", "module": MODULE_FILE, "class": class_name, "data": data, "commit": commit, "clean": clean}
    files = {MODULE_FILE: source, "job.json": json.dumps(job, default=str)}
    try:
        with tempfile.TemporaryDirectory(prefix="wirebook-api-") as directory, transaction.atomic():
            gateway = Gateway(directory=Path(directory), slug=organization.slug, token=plaintext)
            try:
                outcome = _sandboxed(files=files, gateway=gateway, limits=limits)
            finally:
                gateway.close()
            outcome.committed = commit and outcome.ok
            if not outcome.committed:
                transaction.set_rollback(True)
    finally:
        token_revoke(token=token)
    if commit and not outcome.ok:
        outcome.log.append(log_entry("warning", "The script failed: its changes were rolled back."))
    elif not commit:
        outcome.log.append(log_entry("info", "Dry run: the database changes were rolled back."))
    return outcome
