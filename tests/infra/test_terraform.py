"""infra/terraform/, checked offline: every file parses (python-hcl2), every module uses exactly the
variables it declares and is called with exactly the inputs it has, every variable and output is
described in infra/terraform/README.md, and checkov finds nothing (no network: its update check and
platform download are off, and any request would go to a dead proxy)."""

import json
import os
import re
import subprocess
from pathlib import Path

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "infra" / "terraform"
MODULES = sorted(path for path in (TERRAFORM / "modules").iterdir() if path.is_dir())
ALL_MODULES = [TERRAFORM, *MODULES]
CHECKOV = Path(os.environ.get("WIREBOOK_CHECKOV", ROOT / ".venv-checkov" / "bin" / "checkov"))
META_ARGUMENTS = {"source", "version", "providers", "depends_on", "count", "for_each"}
VARIABLE_REFERENCE = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)")
MODULE_OUTPUT_REFERENCE = re.compile(r"\bmodule\.([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)")


def unquote(value):
    return value[1:-1] if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"' else value


def label(module: Path) -> str:
    return "root" if module == TERRAFORM else f"modules/{module.name}"


def parsed(module: Path) -> dict[str, list]:
    """The blocks of every .tf file of the module, by kind (variable, output, module, resource...)."""
    blocks: dict[str, list] = {}
    for path in sorted(module.glob("*.tf")):
        with path.open() as handle:
            for kind, entries in hcl2.load(handle).items():
                if not kind.startswith("__"):
                    blocks.setdefault(kind, []).extend(entries)
    return blocks


def named(blocks: dict[str, list], kind: str) -> dict[str, dict]:
    return {unquote(name): body for entry in blocks.get(kind, []) for name, body in entry.items()}


def source_text(module: Path) -> str:
    return "\n".join(path.read_text() for path in sorted(module.glob("*.tf")))


def test_the_layout_has_the_modules_the_design_asks_for():
    assert {module.name for module in MODULES} == {
        "cache", "certificate", "database", "ecs", "encryption", "load_balancer", "network", "secrets", "storage",
    }  # fmt: skip
    called = {name: unquote(body["source"]) for name, body in named(parsed(TERRAFORM), "module").items()}
    assert called == {module.name: f"./modules/{module.name}" for module in MODULES}


@pytest.mark.parametrize("module", ALL_MODULES, ids=label)
def test_every_file_parses_and_declares_what_it_should(module):
    blocks = parsed(module)
    assert (module / "variables.tf").is_file() and (module / "outputs.tf").is_file()
    assert blocks.get("resource") or blocks.get("module"), "a module that creates nothing"
    for name, body in named(blocks, "variable").items():
        assert unquote(body.get("description", "")).strip(), f"variable {name} has no description"
        assert "type" in body, f"variable {name} has no type"
    for name, body in named(blocks, "output").items():
        assert unquote(body.get("description", "")).strip(), f"output {name} has no description"


@pytest.mark.parametrize("module", ALL_MODULES, ids=label)
def test_every_variable_used_is_declared_and_every_declared_one_is_used(module):
    declared = set(named(parsed(module), "variable"))
    used = set(VARIABLE_REFERENCE.findall(source_text(module)))
    assert used - declared == set(), "used but not declared"
    assert declared - used == set(), "declared but never used"


@pytest.mark.parametrize("module", ALL_MODULES, ids=label)
def test_module_calls_match_the_modules_variables_and_outputs(module):
    calls = named(parsed(module), "module")
    for name, body in calls.items():
        target = (module / unquote(body["source"])).resolve()
        variables = named(parsed(target), "variable")
        given = set(body) - META_ARGUMENTS - {"__is_block__"}
        required = {variable for variable, spec in variables.items() if "default" not in spec}
        assert given - set(variables) == set(), f"module {name} is given inputs it does not have"
        assert required - given == set(), f"module {name} is not given its required inputs"
    for name, output in MODULE_OUTPUT_REFERENCE.findall(source_text(module)):
        assert name in calls, f"module.{name} is not called here"
        target = (module / unquote(calls[name]["source"])).resolve()
        assert output in named(parsed(target), "output"), f"module.{name} has no output {output}"


def readme_sections() -> dict[str, str]:
    """infra/terraform/README.md cut at its `## ...` headings: "root" and "modules/<name>" sections."""
    sections, current = {}, None
    for line in (TERRAFORM / "README.md").read_text().splitlines():
        heading = re.match(r"^## (?:Module `(modules/\w+)`|(Root module))", line)
        if heading:
            current = heading.group(1) or "root"
            sections[current] = ""
        elif line.startswith("## "):
            current = None
        elif current:
            sections[current] += line + "\n"
    return sections


@pytest.mark.parametrize("module", ALL_MODULES, ids=label)
def test_the_readme_documents_every_variable_and_output(module):
    section = readme_sections().get(label(module))
    assert section, f"infra/terraform/README.md has no section for {label(module)}"
    documented = set(re.findall(r"^\| `([A-Za-z0-9_]+)` \|", section, re.MULTILINE))
    blocks = parsed(module)
    assert documented == set(named(blocks, "variable")) | set(named(blocks, "output"))


def checkov(*arguments: str) -> dict:
    if not CHECKOV.is_file():
        pytest.fail(f"{CHECKOV} is missing: `make install` puts checkov in .venv-checkov (or set WIREBOOK_CHECKOV)")
    offline = {
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
        # Anything that still tried to reach the network would fail here, not leave the machine.
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    env = {key: value for key, value in os.environ.items() if not key.upper().endswith("_API_KEY")}
    result = subprocess.run(
        [str(CHECKOV), *arguments, "--skip-download", "--output", "json", "--compact"],
        cwd=ROOT,
        env={**env, **offline},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in {0, 1}, result.stderr[-3000:]
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def failures(report: dict) -> list[str]:
    return [
        f"{check['check_id']} {check['check_name']}: {check['resource']} ({check['file_path']})"
        for check in report["results"]["failed_checks"]
    ]


def test_checkov_finds_nothing_in_the_terraform():
    """Open-source checkov reports no severities, so no failed check at all is allowed; a check that
    does not apply is skipped in the code with its reason (`#checkov:skip=CKV_...:why`)."""
    report = checkov("--directory", "infra/terraform", "--framework", "terraform")

    assert failures(report) == []
    assert report["summary"]["passed"] > 200  # it really looked at the modules
    for skipped in report["results"]["skipped_checks"]:
        assert len(skipped["check_result"].get("suppress_comment", "")) > 20, skipped["check_id"]


def test_checkov_finds_nothing_in_the_dockerfile():
    report = checkov("--file", "Dockerfile", "--framework", "dockerfile")

    assert failures(report) == []
    assert report["summary"]["passed"] > 10
    assert report["results"]["skipped_checks"] == []
