"""Tenant rules as code (STYLE: "Tenant rules are code, not memory")."""

import ast
import re
from pathlib import Path

from django.conf import settings

from saas_platform.celery import app as celery_app
from tenants.tasks import OrganizationTask

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = ("saas_platform", "tenants", "automation", "frontend", "benchmarks")
ALL_CODE = ("saas_platform", "tenants", "core", "inventory", "automation", "frontend", "benchmarks")
SCHEMA_SWITCHING = re.compile(r"\b(set_tenant|set_schema|set_schema_to_public|schema_context)\(|search_path")


def python_files(*packages):
    for package in packages:
        yield from (path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts)


def test_only_tenants_switches_schemas():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files(*(p for p in FIRST_PARTY if p != "tenants"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SCHEMA_SWITCHING.search(line)
    ]
    assert offenders == [], "use tenants.context.tenant_context instead"


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_public_schema_code_never_imports_tenant_schema_apps():
    tenant_only = {app.split(".")[0] for app in settings.TENANT_APPS if app not in settings.SHARED_APPS}
    assert tenant_only  # the check below must have something to look for
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files("saas_platform", "tenants")
        for module in imported_modules(path)
        if module.split(".")[0] in tenant_only
    ]
    assert offenders == []


def test_every_task_is_organization_aware():
    celery_app.loader.import_default_modules()
    ours = {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}
    assert ours, "no tasks registered"
    assert [name for name, task in ours.items() if not isinstance(task, OrganizationTask)] == []


HTTP_CLIENTS = {"requests", "urllib3", "httpx", "aiohttp", "pycurl", "urllib.request", "http.client"}
OUTBOUND_CLIENT = ROOT / "tenants" / "outbound.py"
# The API benchmark measures servers its operator names on the command line (loopback, usually)
# with the standard library's keep-alive client: never a URL a user of Wirebook chose.
BENCHMARK_CLIENT = ROOT / "benchmarks" / "api.py"


def test_outbound_http_goes_through_the_ssrf_safe_client():
    """STYLE: "Outbound HTTP (webhooks, SSO metadata) goes through one SSRF-safe client"."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files(*ALL_CODE)
        if path != OUTBOUND_CLIENT
        for module in imported_modules(path)
        if (module in HTTP_CLIENTS or module.split(".")[0] in HTTP_CLIENTS)
        and not (path == BENCHMARK_CLIENT and module == "http.client")
    ]
    assert offenders == [], "use tenants.outbound.outbound_session()"
    assert "requests" in set(imported_modules(OUTBOUND_CLIENT))


def test_user_documentation_stands_on_its_own():
    """README, docs/ and help texts speak to users and operators, who have only this repository."""
    documents = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in documents
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "../shared" in line or "shared/notes" in line or "DESIGN.md" in line or "STYLE.md" in line
    ]
    assert offenders == []


USER_PATTERNS = ROOT / "core" / "patterns.py"
REGEX_MODULES = {"re", "re2", "regex"}
REGEX_FUNCTIONS = {"compile", "match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def _fixed_pattern(node: ast.expr) -> bool:
    """A literal, or an f-string of literals and module constants (UPPER_CASE names)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(part, ast.Constant)
            or (isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name) and part.value.id.isupper())
            for part in node.values
        )
    return False


def _regex_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id in REGEX_MODULES and func.attr in REGEX_FUNCTIONS
    return isinstance(func, ast.Name) and func.id == "RegexValidator"


def test_user_patterns_run_only_on_re2():
    """Issue #9: a pattern a user wrote (a custom field's `validation_regex`…) evaluated by Python's
    backtracking `re` can hold a worker, and the GIL, for minutes. Outside core/patterns.py (RE2),
    Python's regex functions take only fixed patterns; a user's pattern may be compiled by `re`
    only to check its syntax, the result thrown away (`re.compile(value)` as a statement)."""
    offenders = []
    for path in python_files(*ALL_CODE):
        if path == USER_PATTERNS:
            continue
        tree = ast.parse(path.read_text())
        syntax_checks = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _regex_call(node) or id(node) in syntax_checks:
                continue
            pattern = (
                node.args[0]
                if node.args
                else next((k.value for k in node.keywords if k.arg in ("pattern", "regex")), None)
            )
            if pattern is not None and not _fixed_pattern(pattern):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)[:80]}")
    assert offenders == [], "evaluate users' patterns with core.patterns (RE2)"
    assert "validation_regex" in (ROOT / "core" / "customfields.py").read_text()
    assert "user_pattern_match(" in (ROOT / "core" / "customfields.py").read_text()


FIELD_KINDS = ROOT / "core" / "fields.py"
FIELD_CLASS_CHECKS = {"isinstance", "issubclass"}


def _field_class(value) -> bool:
    """A Django (or mptt, postgres, contenttypes) model field class, a reverse relation's, or a tuple of them."""
    from django.db.models import Field
    from django.db.models.fields.reverse_related import ForeignObjectRel

    if isinstance(value, tuple):
        return any(map(_field_class, value))
    return isinstance(value, type) and issubclass(value, Field | ForeignObjectRel)


class _Names:
    """What a module's names stand for: its imports and its module-level assignments, resolved
    without importing the module itself (some are scripts)."""

    def __init__(self, tree: ast.Module):
        self.imports: dict[str, tuple[str, str | None]] = {}
        self.assignments: dict[str, ast.expr] = {}
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imports[alias.asname or alias.name.partition(".")[0]] = (alias.asname and alias.name, None)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assignments[node.targets[0].id] = node.value

    def value(self, node: ast.expr, depth: int = 0):
        import importlib

        if depth > 10:
            return None
        if isinstance(node, ast.Name):
            if node.id in self.assignments:
                return self.value(self.assignments[node.id], depth + 1)
            module, name = self.imports.get(node.id, (None, None))
            if module is None:
                return importlib.import_module(node.id) if node.id in self.imports else None
            imported = importlib.import_module(module)
            return imported if name is None else getattr(imported, name, None)
        if isinstance(node, ast.Attribute):
            owner = self.value(node.value, depth + 1)
            return getattr(owner, node.attr, None) if owner is not None else None
        if isinstance(node, ast.Tuple):
            return tuple(self.value(item, depth + 1) for item in node.elts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return (self.value(node.left, depth + 1), self.value(node.right, depth + 1))
        return None


def _tests_a_field_class(node: ast.AST, names: _Names) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "get_internal_type"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        checks = node.func.id in FIELD_CLASS_CHECKS and len(node.args) == 2
        return checks and _field_class(names.value(node.args[1]))
    if isinstance(node, ast.Compare) and any(isinstance(op, ast.Is | ast.Eq) for op in node.ops):
        return any(_field_class(names.value(side)) for side in (node.left, *node.comparators))
    return False


def field_class_checks(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text())
    names = _Names(tree)
    found = sorted(
        (node.lineno, ast.unparse(node)[:80]) for node in ast.walk(tree) if _tests_a_field_class(node, names)
    )
    return [f"{path.relative_to(root)}:{line} {code}" for line, code in found]


def test_only_the_field_kind_table_knows_field_classes():
    """DESIGN: "Field classes are known in one table" (core/fields.py). Everywhere else asks it
    (`kind_of(field)`) instead of testing a field's class."""
    offenders = [
        offence for path in python_files(*ALL_CODE) if path != FIELD_KINDS for offence in field_class_checks(path)
    ]

    assert offenders == [], "ask core.fields.kind_of(field) instead"


def test_the_field_class_check_finds_what_it_looks_for(tmp_path):
    """The check above catches each way of writing a field-class test, so its silence means something."""
    module = tmp_path / "module.py"
    module.write_text(
        "from django.db import models\n"
        "from django.contrib.postgres.fields import ArrayField as Array\n"
        "TEXT = (models.CharField, models.TextField)\n"
        "def f(field, value):\n"
        "    isinstance(value, dict)\n"  # a value's type: fine
        "    isinstance(field, models.BooleanField)\n"
        "    isinstance(field, Array | models.JSONField)\n"
        "    isinstance(field, TEXT)\n"
        "    issubclass(type(field), models.DateField)\n"
        "    field.get_internal_type() == 'BooleanField'\n"
        "    type(field) is models.UUIDField\n"
    )

    assert [line.split()[0] for line in field_class_checks(module, tmp_path)] == [
        f"module.py:{n}" for n in (6, 7, 8, 9, 10, 11)
    ]
