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


USE_CASE = ROOT / "core" / "usecases.py"
SERVICES = ROOT / "core" / "services.py"
GENERIC_BATCH = {"objects_create", "objects_update", "objects_delete"}
GENERIC_WRITES = GENERIC_BATCH | {"object_create", "object_update", "object_delete"}


def _calls(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            # spec.services.create(...): a registration's service, called directly
            through_spec = (
                isinstance(func, ast.Attribute)
                and func.attr in ("create", "update", "delete")
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "services"
            )
            yield node.lineno, name, through_spec


def test_every_write_goes_through_the_permitted_write():
    """Writers call core.usecases (deserialize, the model's services, the object-permission check
    after writing), never a service: none can skip the check. Only the use case calls services;
    a model's own services (which wrap the generic ones) call the generic batch functions.
    Sample data and tests write as the system: the data through the use case too, tests as they need."""
    from core.registry import registry

    own = {
        function
        for spec in registry
        for function in (spec.services.create, spec.services.update, spec.services.delete)
        if function.__module__ != "core.services"
    }
    assert own, "no model has services of its own: nothing to check them by"
    wrapping = {ROOT / (function.__module__.replace(".", "/") + ".py") for function in own}
    services = GENERIC_WRITES | {function.__name__ for function in own}
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in python_files(*ALL_CODE)
        if path not in (USE_CASE, SERVICES)
        for line, name, through_spec in _calls(path)
        if through_spec or (name in services and not (path in wrapping and name in GENERIC_BATCH))
    ]
    assert offenders == [], "write through core.usecases.write_objects / delete_objects"


# Modules that may use the REST API's machinery: its URL wiring, its OpenAPI command, and GraphQL,
# which answers API requests with the same authentication and error handling.
REST_USERS = (ROOT / "frontend" / "tenant_urls.py", ROOT / "core" / "management", ROOT / "core" / "graphql")


def test_shared_machinery_lives_outside_the_rest_api():
    """Permissions, filters, the representation and writes are not REST's: the UI, the services and
    the use case import them from core, and nothing outside core/api raises its errors."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files(*ALL_CODE)
        if ROOT / "core" / "api" not in path.parents and not any(path == p or p in path.parents for p in REST_USERS)
        for module in imported_modules(path)
        if module == "core.api" or module.startswith("core.api.")
    ]
    assert offenders == []
