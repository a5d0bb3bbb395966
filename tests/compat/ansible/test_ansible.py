"""Ansible's `netbox.netbox` collection (the one bundled with PyPI's `ansible` 12.3.0) against a live
Wirebook organization, as a NetBox team's playbooks would run it.

One playbook runs every module of cases.py through its life: create, the same again (unchanged),
update, the same again (unchanged), delete, the same again (unchanged). Ansible's json callback reports
each task's `changed`; the test compares them all with the expected pattern at once, so one run
names every module that is not idempotent. The `nb_inventory` plugin then reads the organization's
devices into hosts and groups. Ansible lives in a virtualenv of its own (`make install`:
.venv-ansible), as it pins packages the project's environment does not share.
"""

import json
import os
import subprocess
from pathlib import Path

import pynetbox
import pytest

from tests.compat.ansible.cases import LIFECYCLE, SETUP, Unsafe

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


def _ansible(program: str, *arguments: str, cwd: Path) -> subprocess.CompletedProcess:
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


def _plain(value):
    """A value of ansible-inventory's JSON output: those it marks unsafe come as {"__ansible_unsafe": value}."""
    return value["__ansible_unsafe"] if isinstance(value, dict) and "__ansible_unsafe" in value else value


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


def _playbook(compat) -> tuple[list[dict], list[tuple[str, bool]]]:
    """The tasks and, per task, its name and whether it must report `changed`."""
    tasks, expected = [], []
    for number, (module, data) in enumerate(SETUP):
        tasks.append(_task(module, f"setup {number} {module}", "present", data, compat))
        expected.append((tasks[-1]["name"], True))
    for number, case in enumerate(LIFECYCLE):
        for step, state, changed in STEPS:
            data = case.data | case.update if step.startswith(("update", "delete")) else case.data
            tasks.append(_task(case.module, f"case {number} {case.module}: {step}", state, data, compat))
            expected.append((tasks[-1]["name"], changed))
    for number, (module, data) in reversed(list(enumerate(SETUP))):
        tasks.append(_task(module, f"teardown {number} {module}", "absent", data, compat))
        expected.append((tasks[-1]["name"], True))
    return tasks, expected


def test_every_module_is_idempotent_through_create_update_and_delete(compat, tmp_path):
    # given
    tasks, expected = _playbook(compat)
    play = [{"name": "Wirebook", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    (tmp_path / "playbook.yml").write_text(_yaml(play))

    # when
    ran = _ansible("ansible-playbook", "-i", "localhost,", "playbook.yml", cwd=tmp_path)

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


def _inventory(tmp_path: Path, url: str, token, **options) -> subprocess.CompletedProcess:
    """`ansible-inventory --list` with nb_inventory reading `url` with `token`."""
    config = {"plugin": "netbox.netbox.nb_inventory", "api_endpoint": url, "token": token, **options}
    (tmp_path / "netbox.yml").write_text(json.dumps(config))
    return _ansible("ansible-inventory", "-i", "netbox.yml", "--list", cwd=tmp_path)


def _leaf(nb, name: str, **fields):
    """A device `name` at site AMS1 (a Juniper QFX5120 leaf), the site and its kinds made the first time."""
    site = nb.dcim.sites.get(slug="ams1") or nb.dcim.sites.create(name="AMS1", slug="ams1")
    kind = nb.dcim.device_types.get(slug="qfx5120") or nb.dcim.device_types.create(
        manufacturer=nb.dcim.manufacturers.create(name="Juniper", slug="juniper").id, model="QFX5120", slug="qfx5120"
    )
    role = nb.dcim.device_roles.get(slug="leaf") or nb.dcim.device_roles.create(name="Leaf", slug="leaf")
    return nb.dcim.devices.create(name=name, device_type=kind.id, role=role.id, site=site.id, **fields)


def test_nb_inventory_reads_devices_into_hosts_and_groups(compat, tmp_path):
    # given
    nb = pynetbox.api(compat.url, token=compat.token)
    platform = nb.dcim.platforms.create(name="Junos", slug="junos")
    leaf = _leaf(nb, "leaf1", platform=platform.id)
    _leaf(nb, "leaf2", status="planned")
    interface = nb.dcim.interfaces.create(device=leaf.id, name="lo0", type="virtual")
    address = nb.ipam.ip_addresses.create(
        address="192.0.2.1/32", assigned_object_type="dcim.interface", assigned_object_id=interface.id
    )
    leaf.primary_ip4 = address.id
    leaf.save()

    # when
    ran = _inventory(
        tmp_path,
        compat.url,
        {"type": "bearer", "value": compat.token},
        validate_certs=False,
        group_by=["sites", "device_roles", "platforms"],
        query_filters=[{"status": "active"}],
        interfaces=True,
    )

    # then
    assert ran.returncode == 0, ran.stderr[-3000:]
    inventory = json.loads(ran.stdout)
    hostvars = inventory["_meta"]["hostvars"]
    assert sorted(hostvars) == ["leaf1"], ran.stderr[-3000:]  # leaf2 is planned, filtered out by `status: active`
    assert _plain(hostvars["leaf1"]["ansible_host"]) == "192.0.2.1"
    assert [_plain(platform) for platform in hostvars["leaf1"]["platforms"]] == ["junos"]
    assert [_plain(interface["name"]) for interface in hostvars["leaf1"]["interfaces"]] == ["lo0"]
    assert inventory["sites_ams1"]["hosts"] == ["leaf1"]
    assert inventory["device_roles_leaf"]["hosts"] == ["leaf1"]


def test_nb_inventory_of_an_organization_without_devices_is_empty(compat, tmp_path):
    ran = _inventory(tmp_path, compat.url, compat.token)

    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout)["_meta"]["hostvars"] == {}
    assert "Failed" not in ran.stderr and "Traceback" not in ran.stderr, ran.stderr[-3000:]


def test_nb_inventory_with_another_organizations_token_gets_nothing(compat, tmp_path):
    _leaf(pynetbox.api(compat.url, token=compat.token), "leaf1")

    ran = _inventory(tmp_path, compat.url, compat.other_token)

    assert "leaf1" not in ran.stdout
