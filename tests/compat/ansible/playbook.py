"""The Ansible tests' runner: Ansible's programs in their own virtualenv (`make install`: .venv-ansible, as
Ansible pins packages the project's environment does not share), and a playbook of cases.py run as
one `ansible-playbook` whose json callback reports each task's `changed`; they are compared with the
expected pattern at once, so one run names every module that is not idempotent."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.compat.ansible.cases import Playbook, Unsafe

ROOT = Path(__file__).resolve().parents[3]
ANSIBLE_BIN = Path(os.environ.get("WIREBOOK_ANSIBLE_BIN", ROOT / ".venv-ansible" / "bin"))
STEPS = (
    ("create", "present", True),
    ("create again", "present", False),
    ("update", "present", True),
    ("update again", "present", False),
    ("delete", "absent", True),
    ("delete again", "absent", False),
)


def ansible(program: str, *arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run one of Ansible's programs in `cwd` (its home and temporary directory too)."""
    executable = ANSIBLE_BIN / program
    if not executable.exists():
        pytest.fail(
            f"{executable} is missing: `make install` puts Ansible in .venv-ansible (or set WIREBOOK_ANSIBLE_BIN)"
        )
    (cwd / "tmp").mkdir(exist_ok=True)
    environment = {
        "PATH": f"{ANSIBLE_BIN}:/usr/bin:/bin",
        "HOME": str(cwd),
        "ANSIBLE_LOCAL_TEMP": str(cwd / "tmp"),
        "ANSIBLE_STDOUT_CALLBACK": "json",
        "ANSIBLE_CALLBACK_RESULT_FORMAT": "json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": str(ANSIBLE_BIN / "python"),
        "ANSIBLE_INVENTORY_CACHE": "false",
        "ANSIBLE_DEPRECATION_WARNINGS": "false",
        # Each task's module is piped to the interpreter rather than written to a temporary directory,
        # run and removed by three more commands: a few hundred tasks run noticeably faster.
        "ANSIBLE_PIPELINING": "true",
        # The module's zip is built once per run and unpacked by every task: stored, not deflated, it
        # takes about a tenth less CPU per task (the zip never leaves the machine).
        "ANSIBLE_MODULE_COMPRESSION": "ZIP_STORED",
        "LC_ALL": "C.UTF-8",
    }
    return subprocess.run(
        [str(executable), *arguments], cwd=cwd, env=environment, capture_output=True, text=True, timeout=1800
    )


def _yaml(value) -> str:
    """`value` as YAML in flow style (JSON, but for the `!unsafe` tag of templates Ansible must not render)."""
    if isinstance(value, Unsafe):
        return "!unsafe " + json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {_yaml(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(item) for item in value) + "]"
    return json.dumps(value)


def _task(module: str, name: str, state: str, data: dict, compat) -> dict:
    return {
        "name": name,
        f"netbox.netbox.{module}": {
            "netbox_url": compat.url,
            "netbox_token": compat.token,
            "data": data,
            "state": state,
        },
        "ignore_errors": True,
    }


def _playbook(playbook: Playbook, compat) -> tuple[list[dict], list[tuple[str, bool]]]:
    """The tasks and, per task, its name and whether it must report `changed`."""
    tasks, expected = [], []
    for number, (module, data) in enumerate(playbook.setup):
        tasks.append(_task(module, f"setup {number} {module}", "present", data, compat))
        expected.append((tasks[-1]["name"], True))
    for number, case in enumerate(playbook.lifecycle):
        for step, state, changed in STEPS:
            data = case.data | case.update if step.startswith(("update", "delete")) else case.data
            tasks.append(_task(case.module, f"case {number} {case.module}: {step}", state, data, compat))
            expected.append((tasks[-1]["name"], changed))
    for number, (module, data) in reversed(list(enumerate(playbook.setup))):
        tasks.append(_task(module, f"teardown {number} {module}", "absent", data, compat))
        expected.append((tasks[-1]["name"], True))
    return tasks, expected


def assert_every_module_is_idempotent(playbook: Playbook, compat, tmp_path: Path) -> None:
    """Run `playbook` (cases.py) and check every task's `changed`, all at once."""
    # given
    tasks, expected = _playbook(playbook, compat)
    play = [{"name": "Wirebook", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    (tmp_path / "playbook.yml").write_text(_yaml(play))

    # when
    ran = ansible("ansible-playbook", "-i", "localhost,", "playbook.yml", cwd=tmp_path)

    # then
    assert ran.stdout.lstrip().startswith("{"), ran.stdout[-3000:] + ran.stderr[-3000:]
    report = json.loads(ran.stdout)
    results = {task["task"]["name"]: task["hosts"]["localhost"] for task in report["plays"][0]["tasks"]}
    wrong = []
    for name, changed in expected:
        result = results.get(name)
        if result is None:
            wrong.append(f"{name}: did not run")
        elif result.get("failed"):
            wrong.append(f"{name}: failed: {result.get('msg')}")
        elif bool(result.get("changed")) is not changed:
            diff = result.get("diff", {})
            wrong.append(f"{name}: changed={result.get('changed')}, expected {changed}; diff {diff}")
    assert wrong == [], "\n".join(wrong)
    assert report["stats"]["localhost"]["failures"] == 0
