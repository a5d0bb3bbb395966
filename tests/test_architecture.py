"""Rules of the code base as tests: tenant rules, the boundaries between packages, how jobs and tasks
are referenced, and what migrations may do (docs/architecture.md, "Boundaries")."""

import ast
import inspect
import re
import sys
import tomllib
from pathlib import Path

from celery import Task
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.models import UniqueConstraint
from django.utils.module_loading import import_string

from automation.tasks import job_run
from core.registry import registry
from core.tasks import changelog_prune_all
from saas_platform.celery import app as celery_app
from tenants.tasks import OrganizationTask

ROOT = Path(__file__).resolve().parents[1]
APPS = ("saas_platform", "tenants", "core", "inventory", "addressing", "circuits", "automation", "frontend")
ALL_CODE = (*APPS, "benchmarks")
SCHEMA_SWITCHING = re.compile(r"\b(set_tenant|set_schema|set_schema_to_public|schema_context)\(|search_path")


# Runs inside the script sandbox, not in the server: standard library only (tested below), no rule above applies.
SCRIPT_RUNTIME = ROOT / "automation" / "scripting" / "runtime"


def python_files(*packages):
    for package in packages:
        yield from (
            path
            for path in (ROOT / package).rglob("*.py")
            if "migrations" not in path.parts and not path.is_relative_to(SCRIPT_RUNTIME)
        )


def test_only_tenants_switches_schemas():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files(*(p for p in ALL_CODE if p != "tenants"))
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


# The packages a package never imports, the modules of it that may all the same, and why. Checked
# on every import statement, at module level or inside a function; migrations have their own rule
# below. `benchmarks/` measures everything.
BOUNDARIES = [
    (
        "tenants",
        {"saas_platform", "core", "inventory", "addressing", "circuits", "automation", "frontend"},
        {},
        "the tenant boundary (schemas, organizations, members, tokens, SSO, billing) is what every other "
        "package stands on; core counts objects for billing through a counter it registers",
    ),
    (
        "saas_platform",
        {"core", "inventory", "addressing", "circuits", "automation", "frontend"},
        {},
        "the platform (settings, public site, platform API, Celery app) serves the public schema, and "
        "the organization UI builds on it rather than it on the UI",
    ),
    (
        "core",
        {"inventory", "addressing", "circuits", "automation", "frontend", "saas_platform"},
        {},
        "the object framework knows models through the registry only; domains, jobs, the UI and the "
        "platform build on it",
    ),
    (
        "inventory",
        {"addressing", "circuits", "automation", "frontend", "saas_platform"},
        # its UI registration declares the models' pages, tabs and panels with the UI's building blocks
        {"inventory/ui.py": {"frontend"}, "inventory/ui/": {"frontend"}},
        "a domain reaches the API, the UI and jobs through its registrations, never from its models or services",
    ),
    (
        "addressing",
        {"circuits", "automation", "frontend", "saas_platform"},
        # its UI registration declares the models' pages, tabs and panels with the UI's building blocks
        {"addressing/ui.py": {"frontend"}, "addressing/ui/": {"frontend"}},
        "IPAM builds on DCIM (sites, tenants) and reaches the API, the UI and jobs through its registrations; "
        "DCIM never imports IPAM (it finds IPAM's models through the registry)",
    ),
    (
        "circuits",
        {"automation", "frontend", "saas_platform"},
        # its UI registration declares the models' pages and panels with the UI's building blocks
        {"circuits/ui/": {"frontend"}},
        "circuits build on DCIM (sites, interfaces, tenants) and IPAM (ASNs) and reach the API, the UI and jobs "
        "through their registrations; DCIM never imports circuits (path tracing finds terminations through the "
        "registry)",
    ),
    (
        "automation",
        {"frontend", "saas_platform"},
        # its UI registration declares the models' pages and tabs (a webhook's deliveries) with the UI's blocks
        {"automation/ui.py": {"frontend"}, "automation/scripting/ui.py": {"frontend"}},
        "jobs run in workers, not in the UI; the UI enqueues them and shows their state",
    ),
    (
        "frontend",
        {"inventory", "addressing", "circuits"},
        {},
        "the UI is derived from the registry: a model's own pages come through its registration",
    ),
]


def test_packages_stay_within_their_boundaries():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}: {why}"
        for package, forbidden, allowed, why in BOUNDARIES
        for path in python_files(package)
        for module in imported_modules(path)
        if module.split(".")[0] in forbidden - _allowed(allowed, str(path.relative_to(ROOT)))
    ]
    assert offenders == []


def _allowed(allowed: dict[str, set[str]], relative: str) -> set[str]:
    """What a module may import besides the rule: keys name a module, or a package ending in "/"."""
    return set().union(
        *(
            modules
            for key, modules in allowed.items()
            if key == relative or (key.endswith("/") and relative.startswith(key))
        )
    )


# Not apps: the test suite, and the benchmark scripts.
UNTYPED_PACKAGES = {"tests", "benchmarks"}


def test_every_app_is_type_checked():
    """mypy (`make lint`, CI) checks every app: a new one joins `[tool.mypy] files` in pyproject.toml."""
    checked = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"])
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - UNTYPED_PACKAGES

    assert "core" in packages
    assert sorted(packages - checked) == []


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


# --- Jobs and tasks are referenced by import ----------------------------------------------------

SETTINGS_MODULE = ROOT / "saas_platform" / "settings.py"
OUR_DOTTED_PATH = re.compile(rf"(?:{'|'.join((*APPS, 'tests'))})(?:\.\w+)+")
# Calls whose first argument names what they patch: a test may name its target.
PATCHING = {"patch", "setattr", "delattr"}


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _our_task_names() -> set[str]:
    celery_app.loader.import_default_modules()
    return {name for name in celery_app.tasks if not name.startswith("celery.")}


def _names_our_code(text: str) -> bool:
    """Whether `text` is the dotted path of one of our functions or Celery tasks."""
    try:
        target = import_string(text)
    except ImportError:
        return False
    return isinstance(target, Task) or (inspect.isfunction(target) and target.__module__.startswith((*APPS, "tests")))


def dotted_references(source: str, *, task_names: set[str], settings_module: bool = False) -> list[str]:
    """String literals in `source` that name a Celery task by its name, or one of our functions or
    tasks by its dotted path. A task's own `name=` declares it; what a test patches is named by
    string; settings (read before any code is importable) may name code, but not tasks."""
    tree = ast.parse(source)
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) in PATCHING and node.args:
            exempt.add(id(node.args[0]))
        if isinstance(node, ast.Call) and _callee(node) in ("shared_task", "task"):
            exempt.update(id(keyword.value) for keyword in node.keywords if keyword.arg == "name")
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in exempt:
            continue
        if node.value in task_names or (
            not settings_module and OUR_DOTTED_PATH.fullmatch(node.value) and _names_our_code(node.value)
        ):
            found.append((node.lineno, f"{node.lineno}: {node.value!r}"))
    return [reference for _, reference in sorted(found)]


def test_jobs_and_tasks_are_referenced_by_import_not_by_dotted_strings():
    """A string naming code breaks silently when the code moves (the organization export's jobs did);
    an import fails at once. Jobs are passed to job_enqueue as functions, beat's schedule comes from
    the tasks (saas_platform/celery.py), URL handlers are imported."""
    task_names = _our_task_names()
    assert {changelog_prune_all.name, job_run.name} <= task_names  # the check has something to find
    offenders = [
        f"{path.relative_to(ROOT)}:{reference}"
        for path in [*python_files(*ALL_CODE), *(ROOT / "tests").rglob("*.py")]
        for reference in dotted_references(
            path.read_text(), task_names=task_names, settings_module=path == SETTINGS_MODULE
        )
    ]
    assert offenders == [], f"import the function or task (or use task.name) instead: {offenders}"


def test_the_dotted_string_check_finds_what_it_is_for():
    task_names = _our_task_names()
    source = """
job_enqueue(name="export", function="automation.export.organization_export")
SCHEDULE = {"prune": {"task": "core.changelog_prune_all"}}
handler500 = "tenants.errors.server_error"
monkeypatch.setattr("tenants.errors.server_error", fake)
@shared_task(name="core.changelog_prune_all")
def changelog_prune_all(): ...
LOGGER = "tenants.services"
"""

    assert dotted_references(source, task_names=task_names) == [
        "2: 'automation.export.organization_export'",
        "3: 'core.changelog_prune_all'",
        "4: 'tenants.errors.server_error'",
    ]
    assert dotted_references(source, task_names=task_names, settings_module=True) == ["3: 'core.changelog_prune_all'"]


# --- Migrations run once per organization --------------------------------------------------------

# Migration imports: the standard library, Django and django-tenants, mptt, whose TreeForeignKey
# is the field of NetBox-style trees, and cryptography, whose Fernet encrypts stored secrets
# (tenants.secrets). Never our own code: migrations are replayed for years, in every organization,
# while our modules move.
MIGRATION_IMPORTS = {"django", "django_tenants", "mptt", "cryptography", *sys.stdlib_module_names}
# Written before the rule, by Django itself: these names must stay importable where they are.
MIGRATION_IMPORTS_ALLOWED = {
    # UserManager (use_in_migrations) serialized into the first migration
    ("saas_platform/migrations/0001_initial.py", "saas_platform.models"),
    # Invitation.expires' callable default, invitation_default_expires (re-exported by tenants.models)
    ("tenants/migrations/0004_invitation.py", "tenants.models"),
}


def migration_files():
    for app in APPS:
        yield from sorted(path for path in (ROOT / app / "migrations").glob("*.py") if path.name != "__init__.py")


def test_migrations_import_no_code_of_ours():
    files = list(migration_files())
    assert files
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] not in MIGRATION_IMPORTS
        and (str(path.relative_to(ROOT)), module) not in MIGRATION_IMPORTS_ALLOWED
    ]
    assert offenders == [], "a migration uses django's own fields, db_default or apps.get_model(), not our modules"
    # the exceptions are still needed (and so the check finds what it is for)
    still_there = {
        (path, module) for path, module in MIGRATION_IMPORTS_ALLOWED if module in imported_modules(ROOT / path)
    }
    assert still_there == MIGRATION_IMPORTS_ALLOWED


def big_tables() -> set[tuple[str, str]]:
    """Tables that can be big: every table of an organization's schema (its objects, their change
    log, tags, search entries, jobs), the registered models' among them."""
    tenant_only = {app.split(".")[-1] for app in settings.TENANT_APPS if app not in settings.SHARED_APPS}
    tables = {(model._meta.app_label, model._meta.model_name) for model in apps.get_models()}
    return {(app_label, model) for app_label, model in tables if app_label in tenant_only}


# Constraints PostgreSQL enforces with an index it builds when they are added.
INDEXED_CONSTRAINTS = (UniqueConstraint, ExclusionConstraint)


def _indexed(field) -> bool:
    return bool(field.db_index or field.unique)


def index_creations(app_label: str, migration, state_before, big: set[tuple[str, str]]) -> list[str]:
    """The operations of `migration` that build an index on an existing big table without
    `AddIndexConcurrently` in an `atomic = False` migration: each locks the table's writes while it
    builds, in every organization. A table created by the same migration is empty."""
    created = {op.name_lower for op in migration.operations if isinstance(op, migrations.CreateModel)}
    found = []
    for op in migration.operations:
        model = getattr(op, "model_name_lower", None)
        if model is None or model in created or (app_label, model) not in big:
            continue
        if isinstance(op, AddIndexConcurrently):
            if migration.atomic:
                found.append(f"{op.describe()} (the migration needs atomic = False)")
        elif _builds_index(op, lambda model=model: state_before().models[app_label, model]):
            found.append(op.describe())
    return found


def _builds_index(op, model_state) -> bool:
    if isinstance(op, migrations.AddIndex):
        return True
    if isinstance(op, migrations.AddConstraint):
        return isinstance(op.constraint, INDEXED_CONSTRAINTS)
    if isinstance(op, migrations.AddField):
        return _indexed(op.field)
    if isinstance(op, migrations.AlterField):
        return _indexed(op.field) and not _indexed(model_state().fields[op.name])
    if isinstance(op, migrations.AlterUniqueTogether | migrations.AlterIndexTogether):
        return any(getattr(op, op.option_name))
    return False


def test_new_indexes_on_big_tables_are_built_concurrently():
    """Every index on a tenant table so far was built by the migration that created the table."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    big = big_tables()
    assert {("inventory", "site"), ("core", "objectchange")} <= big
    assert {spec.model._meta.label_lower for spec in registry} <= {f"{app}.{model}" for app, model in big}
    offenders = []
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        if app_label not in APPS:
            continue

        def state_before(app_label=app_label, name=name):
            return loader.project_state((app_label, name), at_end=False)

        offenders += [
            f"{app_label}.{name}: {found}" for found in index_creations(app_label, migration, state_before, big)
        ]
    assert offenders == [], "use AddIndexConcurrently in a migration with atomic = False (docs/development.md)"


def test_the_index_check_finds_what_it_is_for():
    big = {("inventory", "site")}

    def migration(*operations, atomic=True):
        instance = migrations.Migration("0099_probe", "inventory")
        instance.operations, instance.atomic = list(operations), atomic
        return instance

    def state_before():
        return MigrationLoader(None, ignore_no_migrations=True).project_state(("inventory", "0002_contacts"))

    index = models.Index(fields=["description"], name="inventory_site_probe")
    flagged = [
        migration(migrations.AddIndex("site", index)),
        migration(AddIndexConcurrently("site", index)),  # atomic: PostgreSQL would refuse it
        migration(migrations.AddConstraint("site", UniqueConstraint(fields=["description"], name="probe"))),
        migration(migrations.AddField("site", "owner", models.ForeignKey("inventory.tenant", models.CASCADE))),
        migration(migrations.AlterField("site", "description", models.CharField(max_length=200, db_index=True))),
    ]
    allowed = [
        migration(AddIndexConcurrently("site", index), atomic=False),
        migration(
            migrations.CreateModel("site", fields=[("id", models.AutoField(primary_key=True))]),
            migrations.AddIndex("site", index),  # the table is new, so empty
        ),
        migration(migrations.AddIndex("region", index)),  # not a big table here
        migration(migrations.AddField("site", "note", models.TextField(blank=True))),
    ]

    assert [bool(index_creations("inventory", m, state_before, big)) for m in flagged] == [True] * len(flagged)
    assert [index_creations("inventory", m, state_before, big) for m in allowed] == [[]] * len(allowed)


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


def test_the_script_runtime_uses_only_the_standard_library():
    """automation/scripting/runtime/ is copied into each script's sandbox, where only Python's standard
    library exists: no Django, no code of the server (docs/scripts.md)."""
    own = {path.stem if path.is_file() else path.name for path in SCRIPT_RUNTIME.iterdir()}
    files = list(SCRIPT_RUNTIME.rglob("*.py"))
    assert files
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names | own
    ]
    assert offenders == []
